"""The pairing pages: the list, a child's suggestions with a 结对 button per caring mother, the step
that confirms the pairing (who, which role, from which day) before it is made, a pairing's page with
its end form, the pair card PDF and the coverage page.

Each view names who may use it (core.access): the list, a pairing's page, its card, the suggestions
and coverage pages are for federation staff, viewers and admins (READ; a caring mother is sent to her
phone pages, which show her children by their given names only); confirming, pairing and ending are
for admins and staff (EDIT: read-only roles get 403). Reads go through ``visible_to`` querysets (outside the caller's
scope: 404); writes go through pairing.services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.audit import audit_record
from accounts.models import AuditAction
from children.models import Child, Status
from core.access import EDIT, READ, allowed, require
from core.forms import attach_service_errors
from core.regions import breadcrumbs, chosen_region, region_options
from pairing import coverage as coverage_service
from pairing import matching, services
from pairing.commitments import commitments_for
from pairing.forms import PairingCreateForm, PairingEndForm, PairingFilterForm
from pairing.models import Pairing, PairingRole
from pairing.paircard import pair_card_filename, render_pair_card
from volunteers.models import Skill, Volunteer

PAGE_SIZE = 50
NEW_LEAD_SUGGESTIONS = 5


class CountedPaginator(Paginator):
    """A paginator told its count (computed elsewhere in the same request) instead of querying it."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:
        return self._known_count


# --- the list -------------------------------------------------------------------------------------

@require(READ)
@require_safe
def pairing_list(request):
    """The pairings of the caller's region subtree."""
    user = request.user
    form = PairingFilterForm(request.GET or None)
    pairings = Pairing.objects.visible_to(user).select_related("child", "child__region", "volunteer")
    rows = form.apply(pairings) if form.is_valid() else (pairings if not form.is_bound else pairings.none())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    values = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return render(request, "pairing/pairing_list.html", {
        "page": page,
        "form": form,
        "values": request.GET,
        "region_options": region_options(user, selected=request.GET.get("region", "").strip()),
        "role_choices": PairingRole.choices,
        "state_choices": PairingFilterForm.STATE_CHOICES[1:],
        "filtered_volunteer": Volunteer.objects.visible_to(user).filter(pk=values["volunteer"]).first()
        if values.get("volunteer") else None,
        "filtered_child": Child.objects.visible_to(user).filter(pk=values["child"]).first()
        if values.get("child") else None,
    })


# --- suggestions and pairing ----------------------------------------------------------------------

def _child_for_pairing(request, child_pk: int) -> Child:
    return get_object_or_404(Child.objects.visible_to(request.user).select_related("region"), pk=child_pk)


def render_suggest(request, child: Child, *, form: PairingCreateForm | None = None, status: int = 200):
    user = request.user
    active = list(Pairing.objects.filter(child=child, ended_on__isnull=True).select_related("volunteer")
                  .order_by("role", "started_on"))
    lead = next((p for p in active if p.role == PairingRole.LEAD), None)
    query = matching.search_text(request.GET.get("q"))
    wanted = matching.wanted_skills(child)
    return render(request, "pairing/suggest.html", {
        "child": child,
        "region_path": child.region.path_name(),
        "lead": lead,
        "helpers": [p for p in active if p.role == PairingRole.HELPER],
        "wanted_skills": [Skill(s).label for s in wanted],
        "suggestions": matching.suggest_volunteers(actor=user, child=child, skills=wanted),
        "query": query,
        "results": matching.search_volunteers(actor=user, child=child, query=query, skills=wanted)
        if query else None,
        "form": form or PairingCreateForm(),
        "can_edit": allowed(user, EDIT),
        "can_pair": allowed(user, EDIT) and child.status == Status.ACTIVE,
        "today": timezone.localdate(),
    }, status=status)


@require(READ)
@require_safe
def suggest(request, child_pk: int):
    """Ranked caring mothers for one child, a search for any other, and a 结对 button for each (it asks
    for confirmation first: :func:`pairing_confirm`)."""
    return render_suggest(request, _child_for_pairing(request, child_pk))


@require(EDIT, services.EDIT_MESSAGE)
@require_safe
def pairing_confirm(request, child_pk: int):
    """The step between a click on 结对 and the pairing: the child, the caring mother, her role and the
    start date, and a button that posts them to :func:`pairing_create` (the service checks the rules
    there). Nothing is written here; cancelling is a link back to the suggestions. Input the form
    refuses, or a caring mother outside the caller's area, shows the suggestions again with the error."""
    child = _child_for_pairing(request, child_pk)
    form = PairingCreateForm(request.GET)
    volunteer = None
    if form.is_valid():
        volunteer = (Volunteer.objects.visible_to(request.user).select_related("region")
                     .filter(pk=form.volunteer_id).first())
        if volunteer is None:
            form.add_error("choice", _("The caring mother does not exist or is outside your area."))
    if volunteer is None:
        return render_suggest(request, child, form=form, status=400)
    query = matching.search_text(request.GET.get("q"))
    back = reverse("pairing:suggest", args=[child.pk]) + (f"?{urlencode({'q': query})}" if query else "")
    return render(request, "pairing/confirm.html", {
        "child": child,
        "region_path": child.region.path_name(),
        "volunteer": volunteer,
        "role": PairingRole(form.role),
        "choice": form.cleaned_data["choice"],
        "started_on": form.cleaned_data["started_on"],
        "back_url": back,
    })


@require(EDIT, services.EDIT_MESSAGE)
@require_POST
def pairing_create(request, child_pk: int):
    child = _child_for_pairing(request, child_pk)
    form = PairingCreateForm(request.POST)
    if form.is_valid():
        try:
            pairing = services.pairing_create(actor=request.user, child=child, volunteer=form.volunteer_id,
                                              role=form.role, started_on=form.cleaned_data["started_on"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("%(child)s is paired with %(volunteer)s (%(role)s).") % {
                "child": child.name, "volunteer": pairing.volunteer.name, "role": pairing.get_role_display()})
            return redirect("children:detail", pk=child.pk)
    return render_suggest(request, child, form=form, status=400)


# --- one pairing: its page, ending it, its card ---------------------------------------------------

def _pairing_or_404(request, pk: int) -> Pairing:
    return get_object_or_404(Pairing.objects.visible_to(request.user)
                             .select_related("child", "child__region", "volunteer", "created_by", "ended_by"), pk=pk)


def render_detail(request, pairing: Pairing, *, form: PairingEndForm | None = None, status: int = 200):
    user = request.user
    can_edit = allowed(user, EDIT)
    context = {"pairing": pairing, "can_edit": can_edit, "region_path": pairing.child.region.path_name(),
               "commitments": commitments_for([pairing], today=timezone.localdate()).get(pairing.pk)}
    if can_edit and pairing.is_active:
        context["form"] = form or PairingEndForm()
        if pairing.role == PairingRole.LEAD:
            query = matching.search_text(request.GET.get("q"))
            helpers = list(Pairing.objects.filter(child=pairing.child_id, role=PairingRole.HELPER,
                                                  ended_on__isnull=True).select_related("volunteer"))
            wanted = matching.wanted_skills(pairing.child)
            context.update({
                "helpers": helpers,
                "suggestions": matching.suggest_volunteers(actor=user, child=pairing.child,
                                                           limit=NEW_LEAD_SUGGESTIONS, skills=wanted),
                "query": query,
                "results": matching.search_volunteers(actor=user, child=pairing.child, query=query, skills=wanted)
                if query else None,
            })
    return render(request, "pairing/pairing_detail.html", context, status=status)


@require(READ)
@require_safe
def pairing_detail(request, pk: int):
    return render_detail(request, _pairing_or_404(request, pk))


@require(EDIT, services.EDIT_MESSAGE)
@require_POST
def pairing_end(request, pk: int):
    pairing = _pairing_or_404(request, pk)
    form = PairingEndForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            replacement = services.pairing_end(actor=request.user, pairing=pairing, ended_on=data["ended_on"],
                                               end_reason=data["end_reason"], note=data["note"],
                                               new_lead=data["new_lead"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The pairing of %(child)s with %(volunteer)s has ended.")
                             % {"child": pairing.child.name, "volunteer": pairing.volunteer.name})
            if replacement is not None:
                messages.success(request, _("%(volunteer)s is now the lead caring mother.")
                                 % {"volunteer": replacement.volunteer.name})
            return redirect("children:detail", pk=pairing.child_id)
    return render_detail(request, _pairing_or_404(request, pk), form=form, status=400)


@require(READ)
@require_safe
def pair_card(request, pk: int):
    """The pair card (结对卡) PDF, printed by federation staff (it names the child in full)."""
    pairing = _pairing_or_404(request, pk)
    pdf = render_pair_card(pairing)
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, target=pairing.child,
                 detail={"pair_card": pairing.pk})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{pair_card_filename(pairing)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- coverage -------------------------------------------------------------------------------------

@require(READ)
@require_safe
def coverage(request):
    """Pairing rate per sub-region (bars), the total, and the children still without a lead."""
    user = request.user
    # The user's own region by default; outside their subtree: 404; a malformed code: 400 (core.errors).
    region = chosen_region(user, request.GET.get("region"))
    result = coverage_service.region_coverage(actor=user, region=region)
    # The aggregate has just counted the unpaired children: the paginator need not count them again.
    unpaired = CountedPaginator(coverage_service.unpaired_children(actor=user, region=region), PAGE_SIZE,
                                count=result.total.unpaired).get_page(request.GET.get("page"))
    return render(request, "pairing/coverage.html", {
        "coverage": result,
        "region": region,
        "crumbs": breadcrumbs(user, region),
        "unpaired": unpaired,
        "can_edit": allowed(user, EDIT),
    })
