"""The casework pages: a child's 帮扶计划与转介 (the case plan with its actions, the guardians' consents,
the referrals, and the forms that change them) and the user's own overdue actions.

Pages are for core.access.READ (volunteers are sent to their phone pages); the forms post to views for
core.access.EDIT (a read-only leader gets a 403). A child, plan, action or referral outside the caller's
subtree is a 404. A refused form goes back to the child's page with the reasons, each naming its field.
"""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from casework import consents, selectors, services
from casework.models import (
    REFERRAL_TRANSITIONS,
    CaseAction,
    CasePlan,
    ConsentMethod,
    ConsentScope,
    Department,
    GuardianConsent,
    Referral,
    ReferralStatus,
)
from children.models import Child
from core.access import EDIT, READ, allowed, require

PAGE_SIZE = 50
READ_DENIED = gettext_lazy("Case plans and referrals are for federation staff and leaders.")
FIELD_LABELS = {
    "child": gettext_lazy("Child"), "goals": gettext_lazy("Goals"), "review_on": gettext_lazy("Review on"),
    "description": pgettext_lazy("case plan", "Action"), "owner": gettext_lazy("Owner"), "due_on": gettext_lazy("Due on"),
    "done_on": gettext_lazy("Done on"), "status": gettext_lazy("Status"),
    "given_by": gettext_lazy("Given by"), "relation": gettext_lazy("Relation"), "given_on": gettext_lazy("Given on"),
    "scopes": gettext_lazy("Agreed to"), "method": gettext_lazy("How it was given"), "witness": gettext_lazy("Witness"),
    "document": gettext_lazy("Scanned paper"), "note": gettext_lazy("Note"), "withdrawn_on": gettext_lazy("Withdrawn on"),
    "department": gettext_lazy("Department"),
    "organisation": gettext_lazy("Organisation"), "reason": gettext_lazy("Reason"),
    "consent_override_reason": gettext_lazy("Reason for referring without consent"),
    "referred_on": gettext_lazy("Referred on"), "on": gettext_lazy("Date"), "outcome": gettext_lazy("Outcome"),
}


def _date(request, name: str, *, required: bool = False) -> date | None:
    """A posted date (YYYY-MM-DD), None when empty; malformed: a ValidationError naming the field."""
    value = request.POST.get(name, "").strip()
    if not value:
        if required:
            raise ValidationError({name: _("Enter a date.")})
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")}) from None


def _report(request, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                label = FIELD_LABELS.get(field)
                messages.error(request, f"{label}：{error}" if label else error)
    else:
        for error in exc.messages:
            messages.error(request, error)


def _back(child_pk: int):
    return redirect("casework:child", child_pk=child_pk)


def _done(request, child_pk: int, act, success: str):
    """Run the service call ``act``; a refusal is reported (each field's message), else ``success``.
    Back to the child's casework page either way."""
    try:
        act()
    except ValidationError as exc:
        _report(request, exc)
    else:
        messages.success(request, success)
    return _back(child_pk)


@require(READ, message=READ_DENIED)
@require_safe
def child_casework(request, child_pk: int):
    user = request.user
    child = get_object_or_404(Child.objects.visible_to(user).select_related("region"), pk=child_pk)
    data = selectors.child_casework(user, child)
    can_edit = allowed(user, EDIT)
    today = timezone.localdate()
    for consent in data["consents"]:
        consent.current = consent.is_current(today)
    for referral in data["referrals"]:
        referral.next_statuses = [ReferralStatus(s) for s in ReferralStatus.values
                                  if s in REFERRAL_TRANSITIONS[ReferralStatus(referral.status)]]
    response = render(request, "casework/child.html", {
        "child": child,
        **data,
        "can_edit": can_edit,
        "can_plan": can_edit and data["plan"] is None and child.risk_color in services.PLAN_COLORS,
        "owners": selectors.owner_candidates(child) if can_edit and data["plan"] is not None else [],
        "departments": Department.choices,
        "consent_scopes": ConsentScope.choices,
        "consent_methods": ConsentMethod.choices,
        "may_share": any(c.sharing and c.is_current(today) for c in data["consents"]),
        "today": today,
    })
    response["Cache-Control"] = "private, no-store"
    return response


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def plan_create(request, child_pk: int):
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=child_pk)

    def act():
        services.plan_create(actor=request.user, child=child, goals=request.POST.get("goals", ""),
                             review_on=_date(request, "review_on", required=True))

    return _done(request, child.pk, act, _("The case plan is open."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def plan_update(request, pk: int):
    plan = get_object_or_404(CasePlan.objects.visible_to(request.user).select_related("child"), pk=pk)

    def act():
        services.plan_update(actor=request.user, plan=plan, goals=request.POST.get("goals"),
                             review_on=_date(request, "review_on"))

    return _done(request, plan.child_id, act, _("The case plan is saved."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def plan_close(request, pk: int):
    plan = get_object_or_404(CasePlan.objects.visible_to(request.user).select_related("child"), pk=pk)
    return _done(request, plan.child_id, lambda: services.plan_close(actor=request.user, plan=plan),
                 _("The case plan is closed."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def action_add(request, pk: int):
    plan = get_object_or_404(CasePlan.objects.visible_to(request.user).select_related("child"), pk=pk)

    def act():
        owner_id = request.POST.get("owner", "").strip()
        owner = User.objects.filter(pk=int(owner_id)).first() if owner_id.isdigit() and len(owner_id) < 10 else None
        services.action_add(actor=request.user, plan=plan, description=request.POST.get("description", ""),
                            owner=owner, due_on=_date(request, "due_on", required=True))

    return _done(request, plan.child_id, act, _("The action is added."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def action_complete(request, pk: int):
    action = get_object_or_404(CaseAction.objects.visible_to(request.user).select_related("plan__child"), pk=pk)
    return _done(request, action.plan.child_id, lambda: services.action_complete(actor=request.user, action=action, done_on=_date(request, "done_on")),
                 _("The action is done."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def consent_add(request, child_pk: int):
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=child_pk)

    def act():
        consents.consent_record(actor=request.user, child=child, given_by=request.POST.get("given_by", ""),
                                relation=request.POST.get("relation", ""),
                                given_on=_date(request, "given_on", required=True),
                                scopes=request.POST.getlist("scopes"), method=request.POST.get("method", ""),
                                witness=request.POST.get("witness", ""), document=request.FILES.get("document"),
                                note=request.POST.get("note", ""))

    return _done(request, child.pk, act, _("The guardian's consent is recorded."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def consent_withdraw(request, pk: int):
    consent = get_object_or_404(GuardianConsent.objects.visible_to(request.user).select_related("child"), pk=pk)

    def act():
        consents.consent_withdraw(actor=request.user, consent=consent, withdrawn_on=_date(request, "withdrawn_on"),
                                  note=request.POST.get("note", ""))

    return _done(request, consent.child_id, act, _("The withdrawal of the consent is recorded."))


@require(READ, message=READ_DENIED)
@require_safe
def consent_document(request, pk: int):
    """The scanned paper of a signed consent: to staff and leaders of the child's area only, audited."""
    consent = get_object_or_404(GuardianConsent.objects.visible_to(request.user).select_related("child")
                                .exclude(document=""), pk=pk)
    try:
        handle = consent.document.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    consents.consent_document_opened(actor=request.user, consent=consent)
    name = consent.document.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=name)


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def referral_create(request, child_pk: int):
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=child_pk)

    def act():
        services.referral_create(actor=request.user, child=child, department=request.POST.get("department", ""),
                                 organisation=request.POST.get("organisation", ""),
                                 reason=request.POST.get("reason", ""),
                                 consent_override_reason=request.POST.get("consent_override_reason", ""),
                                 referred_on=_date(request, "referred_on"))

    return _done(request, child.pk, act, _("The referral is recorded."))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def referral_transition(request, pk: int, to: str):
    referral = get_object_or_404(Referral.objects.visible_to(request.user).select_related("child"), pk=pk)
    if to not in ReferralStatus.values:
        raise Http404
    def act():
        services.referral_transition(actor=request.user, referral=referral, to_status=to, on=_date(request, "on"),
                                     outcome=request.POST.get("outcome", ""))

    return _done(request, referral.child_id, act, _("The referral is updated."))


@require(READ, message=READ_DENIED)
@require_safe
def overdue_actions(request):
    """我的逾期行动: the user's own open actions past their due date, the most overdue first."""
    today = timezone.localdate()
    actions = selectors.overdue_actions(request.user, today).select_related("plan__child").order_by("due_on", "id")
    # Queries: the count, then one page of the actions with their plans and children.
    page = Paginator(actions, PAGE_SIZE).get_page(request.GET.get("page"))
    for action in page:
        action.days_overdue = (today - action.due_on).days
    return render(request, "casework/overdue_actions.html", {"page": page, "today": today})
