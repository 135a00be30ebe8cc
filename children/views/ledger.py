"""The ledger (台账) pages: the filtered list, the child page, and the create and edit forms.

Every read goes through ``Child.objects.visible_to(request.user)``, so a child outside the user's
subtree is a 404; every write goes through children.services.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from activities import rhythm
from activities.models import Activity, ActivityChild, CareService
from children import retention, services, transfers
from children.filters import ALL_STATUSES, LedgerFilter, consent_choices
from children.forms import (
    AssessForm,
    ChildForm,
    NeedForm,
    RevealForm,
    StatusForm,
    TransferForm,
)
from children.models import (
    NEED_TRANSITIONS,
    Category,
    Child,
    DifficultyType,
    Need,
    NeedStatus,
    RiskAssessment,
    RiskColor,
    Status,
    StatusChange,
    Transfer,
    TransferStatus,
)
from children.services import EDIT_MESSAGE
from core.access import EDIT, READ, allowed, require
from core.forms import attach_service_errors
from core.regions import region_options
from core.security import no_store
from pairing.models import Pairing

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# Entries of the child page's history per page.
TIMELINE_PAGE_SIZE = 20

# Column → (ascending sort, descending sort) in children.filters.SORTS; None where only one way exists.
SORTABLE = {
    "name": ("name", "-name"),
    "age": ("-birth_date", "birth_date"),  # youngest first = latest birth date first
    "region": ("region", None),
    "risk": ("risk", None),
    "review": ("review", None),
}


def _review_overdue(child: Child, today: date) -> bool:
    return bool(child.next_review_on and child.next_review_on < today and child.status != Status.EXITED)


# --- the ledger -----------------------------------------------------------------------------------

def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE
    return min(max(size, 1), MAX_PAGE_SIZE)


def _sort_links(request) -> dict[str, dict]:
    current = request.GET.get("sort", "")
    params = request.GET.copy()
    params.pop("page", None)
    links = {}
    for column, (asc, desc) in SORTABLE.items():
        target = desc if current == asc and desc else asc
        params["sort"] = target
        links[column] = {"query": params.urlencode(), "active": current in (asc, desc),
                         "descending": current == desc}
    return links


@require(READ)
@require_safe
@no_store
def child_list(request):
    """The ledger (federation roles; a caring mother is sent to her phone pages)."""
    user = request.user
    today = timezone.localdate()
    children = Child.objects.visible_to(user).select_related("region")
    # Always bound: with no status chosen, LedgerFilter leaves exited children out.
    filterset = LedgerFilter(request.GET, queryset=children)
    region_error = None
    if filterset.is_bound and not filterset.is_valid():
        rows = children.none()
        region_error = [message for messages in filterset.form.errors.values() for message in messages]
    else:
        rows = filterset.qs
    page = Paginator(rows, _page_size(request)).get_page(request.GET.get("page"))
    for child in page:
        child.age = child.age_on(today)
        child.review_overdue = _review_overdue(child, today)

    form = filterset.form
    return render(request, "children/child_list.html", {
        "page": page,
        "filter_form": form,
        "values": request.GET,
        "category_choices": Category.choices,
        "color_choices": [*RiskColor.choices, ("none", _("Not assessed"))],
        "consent_choices": consent_choices(),
        "status_choices": [*Status.choices, (ALL_STATUSES, _("All, including exited"))],
        "page_sizes": (PAGE_SIZE, 100, MAX_PAGE_SIZE),
        "region_options": region_options(user, selected=request.GET.get("region", "").strip()),
        "region_error": region_error,
        "sort_links": _sort_links(request),
        "per_page": _page_size(request),
        "can_edit": allowed(user, EDIT),
        "today": today,
    })


# --- create and edit ------------------------------------------------------------------------------

def _record_fields(data: dict) -> dict:
    return {f: data[f] for f in ("name", "gender", "birth_date", "school", "grade", "address", "household",
                                 "parents_work_place", "notes")}


@require(EDIT, EDIT_MESSAGE)
def child_create(request):
    form = ChildForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.child_create(
                actor=request.user, id_number=data["id_number"], region=data["region"],
                categories=data["categories"], difficulty_types=data["difficulty_types"],
                guardians=data["guardians"], entered_on=data["entered_on"], **_record_fields(data),
            )
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("%(name)s is registered in the ledger.") % {"name": child.name})
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": None})


@require(EDIT, EDIT_MESSAGE)
@no_store
def child_edit(request, pk: int):
    child = get_object_or_404(Child.objects.visible_to(request.user).select_related("region")
                              .prefetch_related("guardians"), pk=pk)
    if child.anonymised:  # kept for the history only (children.retention): nothing to edit
        messages.error(request, retention.ANONYMISED_MESSAGE)
        return redirect("children:detail", pk=child.pk)
    form = ChildForm(request.POST or None, actor=request.user, child=child)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.child_update(
                actor=request.user, child=child, id_number=data["id_number"] or None,
                categories=data["categories"], difficulty_types=data["difficulty_types"],
                guardians=None if form.guardians_unchanged() else data["guardians"],
                **_record_fields(data),
            )
        except ValidationError as exc:
            attach_service_errors(exc, form)
            child = Child.objects.select_related("region").get(pk=child.pk)  # drop the service's unsaved edits
        else:
            messages.success(request, _("The record of %(name)s is saved.") % {"name": child.name})
            return redirect("children:detail", pk=child.pk)
    return render(request, "children/child_form.html", {"form": form, "child": child})


# --- the child page -------------------------------------------------------------------------------

def detail_queryset(user):
    """The child with everything its page shows, in a fixed number of queries; annotated with the last
    contact and active lead (activities.rhythm.with_contact) for the due date."""
    pending = Transfer.objects.filter(child=OuterRef("pk"), status=TransferStatus.PENDING)
    children = rhythm.with_contact(Child.objects.visible_to(user)).annotate(**{
        # The pending transfer, if any (children.transfers), in the same query as the child.
        f"pending_transfer_{name}": Subquery(pending.values(field)[:1])
        for name, field in (("id", "pk"), ("from", "from_region_id"), ("to", "to_region__name"),
                            ("reason", "reason"), ("on", "effective_on"))})
    return children.select_related("region", "created_by").prefetch_related(
        "guardians",
        Prefetch("assessments", queryset=RiskAssessment.objects.select_related("assessor")),
        Prefetch("status_changes", queryset=StatusChange.objects.select_related("actor", "from_region", "to_region")),
        Prefetch("needs", queryset=Need.objects.order_by("-opened_on", "-id")),
        Prefetch("pairings", queryset=Pairing.objects.select_related("volunteer", "created_by", "ended_by")
                 .order_by("started_on", "id")),
        Prefetch("activity_links", queryset=ActivityChild.objects.filter(
            activity__in=Activity.objects.visible_to(user)).select_related("activity", "activity__volunteer")),
    )


@dataclass
class TimelineEntry:
    kind: str  # status, transfer, registered, assessment, need, pairing, activity
    on: date
    stamp: datetime
    item: object
    event: str = ""  # for needs: opened, claimed, fulfilled, cancelled; for pairings: started, ended


def timeline(child: Child) -> list[TimelineEntry]:
    """Status changes (with transfers), risk assessments, needs, pairings and care activities in one
    list, newest first."""
    entries = []
    for change in child.status_changes.all():
        kind = "transfer" if change.is_transfer else ("registered" if not change.from_status else "status")
        entries.append(TimelineEntry(kind, change.effective_on, change.recorded_at, change))
    for assessment in child.assessments.all():
        entries.append(TimelineEntry("assessment", assessment.assessed_on, assessment.recorded_at, assessment))
    for need in child.needs.all():
        entries.append(TimelineEntry("need", need.opened_on, need.created_at, need, "opened"))
        if need.claimed_on:
            entries.append(TimelineEntry("need", need.claimed_on, need.updated_at, need, "claimed"))
        if need.fulfilled_on:
            entries.append(TimelineEntry("need", need.fulfilled_on, need.updated_at, need, "fulfilled"))
        if need.status == NeedStatus.CANCELLED:  # terminal, so the last update is the cancellation
            entries.append(TimelineEntry("need", timezone.localdate(need.updated_at), need.updated_at, need,
                                         "cancelled"))
    for pairing in child.pairings.all():
        entries.append(TimelineEntry("pairing", pairing.started_on, pairing.created_at, pairing, "started"))
        if pairing.ended_on:
            # No end time is stored: order the end just after its own start when both fall on one day.
            entries.append(TimelineEntry("pairing", pairing.ended_on, pairing.created_at + timedelta(microseconds=1),
                                         pairing, "ended"))
    for link in child.activity_links.all():
        activity = link.activity
        activity.service_labels = [CareService(v).label for v in activity.services if v in CareService.values]
        entries.append(TimelineEntry("activity", link.occurred_on, activity.created_at, activity))
    entries.sort(key=lambda e: (e.on, e.stamp), reverse=True)
    return entries


def _need_actions(need: Need) -> list[str]:
    order = [NeedStatus.CLAIMED, NeedStatus.FULFILLED, NeedStatus.OPEN, NeedStatus.CANCELLED]
    return [s.value for s in order if s in NEED_TRANSITIONS[NeedStatus(need.status)]]


def _pending_transfer(user, child: Child) -> dict | None:
    """The child's pending transfer as detail_queryset annotated it, with whether ``user`` may cancel it
    (the sending side's editors: children.transfers.check_sender). No query."""
    pk = getattr(child, "pending_transfer_id", None)
    if pk is None:
        return None
    transfer = Transfer(pk=pk, child_id=child.pk, from_region_id=child.pending_transfer_from,
                        status=TransferStatus.PENDING)
    return {"pk": pk, "to": child.pending_transfer_to, "reason": child.pending_transfer_reason,
            "on": child.pending_transfer_on, "can_cancel": transfers.may_cancel(user, transfer)}


def render_detail(request, child: Child, *, forms: dict | None = None, open_form: str = "",
                  revealed: str | None = None, failed_need: int | None = None, need_form=None, status: int = 200):
    """The child page; the action views re-render it with their failing form (and status 400)."""
    user = request.user
    today = timezone.localdate()
    forms = forms or {}
    can_edit = allowed(user, EDIT)
    exited = child.status == Status.EXITED
    # When she is next due, by the phone's own rule: only while she is in care with a lead caring mother.
    child.next_due_on, child.days_overdue = None, 0
    if not exited and child.lead_volunteer_id:
        rhythm.attach_due_dates([child], rhythm.load_rhythms([child.region_id]), today=today)
    history = Paginator(timeline(child), TIMELINE_PAGE_SIZE).get_page(request.GET.get("page"))
    open_needs = [n for n in child.needs.all() if n.status in (NeedStatus.OPEN, NeedStatus.CLAIMED)]
    for need in open_needs:
        need.actions = _need_actions(need)
    context = {
        "child": child,
        "region_path": child.region.path_name(),
        "age": child.age_on(today),
        "difficulty_labels": [DifficultyType(d).label for d in child.difficulty_types],
        "review_overdue": _review_overdue(child, today),
        # An exited child is no longer cared for: no new activity, no review date, no due date.
        "exited": exited,
        "timeline": history.object_list,
        "timeline_page": history,
        "pairings_now": sorted((p for p in child.pairings.all() if p.is_active),
                               key=lambda p: (p.role != "lead", p.pk)),  # the lead first
        "open_needs": open_needs,
        # An anonymised record is kept for the history only: nothing on it changes any more.
        "can_edit": can_edit and not child.anonymised,
        "anonymised": child.anonymised,
        "reveal_errors": forms["reveal"].non_field_errors() if "reveal" in forms else [],
        "revealed_id_number": revealed,
        "open_form": open_form,
        "failed_need": failed_need,
        "need_form": need_form,
        "today": today,
        "pending_transfer": _pending_transfer(user, child),
    }
    if can_edit:
        context.update({
            "status_form": forms.get("status") or StatusForm(child=child),
            "transfer_form": forms.get("transfer") or TransferForm(actor=request.user),
            "assess_form": forms.get("assess") or AssessForm(),
            "need_create_form": forms.get("need") or NeedForm(),
            "reveal_form": forms.get("reveal") or RevealForm(),
        })
    response = render(request, "children/child_detail.html", context, status=status)
    if revealed:
        response["Cache-Control"] = "no-store"
    return response


@require(READ)
@require_safe
@no_store
def child_detail(request, pk: int):
    child = get_object_or_404(detail_queryset(request.user), pk=pk)
    if request.method == "GET":
        services.child_record_view(actor=request.user, child=child)
    return render_detail(request, child)
