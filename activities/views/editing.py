"""Recording an activity on behalf of a caring mother (one child or a group), correcting one, and
adding photos: staff pages over activities.services and activities.photos.

The record page has three ways in: from a caring mother (``?volunteer=<id>``: her paired children),
from a child (``?child=<id>``: the caring mothers paired with the child), and a group activity
(``?group=1&region=<code>``: the children and caring mothers of a region, many of each). Without any
of them it offers a search for the caring mother. The form posts back to the same address, so the
candidates it offers are the same on both sides.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Region
from activities import photos, services
from activities.forms import ActivityEditForm, ActivityRecordForm, PhotoForm
from activities.models import Activity
from activities.views.ledger import detail_queryset, render_detail
from children.models import Child, Status
from core.access import EDIT, require
from core.forms import attach_service_errors
from core.regioncodes import subtree_q
from core.regions import chosen_region, region_options
from pairing.models import Pairing, PairingRole
from volunteers.models import Volunteer, VolunteerStatus

SEARCH_LIMIT = 20
# A group activity offers the children and caring mothers of one region; past this many of either,
# the page asks for a smaller region (a township or a village).
GROUP_CANDIDATES_LIMIT = 400
# What a read-only role (a viewer) is told; caring mothers record on their phone pages.
CANNOT_RECORD = gettext_lazy("Your role can read activities but not record them.")
CANNOT_CORRECT = gettext_lazy("Your role can read activities but not correct them.")


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _back_url(request) -> str:
    """``?next=``, where the page was opened from (e.g. the child's page), if it is a path on this site;
    else ""."""
    target = request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=set(),
                                                                  require_https=request.is_secure()):
        return target
    return ""


def _child_label(child: Child) -> str:
    return f"{child.name}（{child.region.name}）"


def _volunteer_label(volunteer: Volunteer) -> str:
    return f"{volunteer.name}（{volunteer.region.name}）"


def _individual_candidates(request, *, volunteer_id: int | None, child_id: int | None):
    """The candidates for a visit by one caring mother: (volunteer choices, child choices, children
    ticked at first, the caring mother chosen at first (from a child: her active lead) or None, the
    caring mother or None, the child or None)."""
    user = request.user
    visible_children = Child.objects.visible_to(user)
    if volunteer_id is not None:
        volunteer = get_object_or_404(Volunteer.objects.visible_to(user).select_related("region"), pk=volunteer_id)
        pairings = (Pairing.objects.filter(volunteer=volunteer, child__in=visible_children)
                    .select_related("child", "child__region"))
        # Her children: those paired now first, then those she was paired with before (a late record).
        latest = {}
        for pairing in sorted(pairings, key=lambda p: (p.ended_on is None, p.ended_on or p.started_on)):
            latest[pairing.child_id] = pairing
        ordered = sorted(latest.values(), key=lambda p: (p.ended_on is not None, p.child.name, p.child_id))
        choices = [(p.child_id, _child_label(p.child) + ("" if p.ended_on is None else
                                                         _(" (paired until %(date)s)") % {"date": p.ended_on}))
                   for p in ordered]
        preselected = [child_id] if child_id in latest else ([choices[0][0]] if len(choices) == 1 else [])
        return [(volunteer.pk, _volunteer_label(volunteer))], choices, preselected, None, volunteer, None
    child = get_object_or_404(visible_children.select_related("region"), pk=child_id)
    pairings = (Pairing.objects.filter(child=child, volunteer__in=Volunteer.objects.visible_to(user))
                .select_related("volunteer", "volunteer__region").order_by("role", "started_on"))
    volunteers, seen = [], set()
    lead = next((p.volunteer_id for p in pairings if p.role == PairingRole.LEAD and p.ended_on is None), None)
    for pairing in sorted(pairings, key=lambda p: (p.ended_on is not None, p.role != "lead", p.started_on)):
        if pairing.volunteer_id not in seen:
            seen.add(pairing.volunteer_id)
            label = _volunteer_label(pairing.volunteer) + " · " + pairing.get_role_display()
            if pairing.ended_on is not None:
                label += _(" (paired until %(date)s)") % {"date": pairing.ended_on}
            volunteers.append((pairing.volunteer_id, label))
    return volunteers, [(child.pk, _child_label(child))], [child.pk], lead, None, child


def _group_candidates(request, region: Region):
    user = request.user
    children = list(Child.objects.visible_to(user).filter(subtree_q("region", region.code), status=Status.ACTIVE)
                    .select_related("region").order_by("region_id", "name", "id")[:GROUP_CANDIDATES_LIMIT + 1])
    volunteers = list(Volunteer.objects.visible_to(user).filter(subtree_q("region", region.code),
                                                                 status=VolunteerStatus.ACTIVE)
                      .select_related("region").order_by("region_id", "name", "id")[:GROUP_CANDIDATES_LIMIT + 1])
    too_many = len(children) > GROUP_CANDIDATES_LIMIT or len(volunteers) > GROUP_CANDIDATES_LIMIT
    return ([(v.pk, _volunteer_label(v)) for v in volunteers[:GROUP_CANDIDATES_LIMIT]],
            [(c.pk, _child_label(c)) for c in children[:GROUP_CANDIDATES_LIMIT]], too_many)


def _search_volunteers(user, query: str) -> list[Volunteer]:
    match = Q(phone__startswith=query) if query.isdigit() else Q(name__contains=query)
    return list(Volunteer.objects.visible_to(user).active().filter(match).select_related("region")
                .order_by("name", "id")[:SEARCH_LIMIT])


@require(EDIT, message=CANNOT_RECORD)
@require_http_methods(["GET", "HEAD", "POST"])
def activity_create(request):
    user = request.user
    params = request.GET
    group = params.get("group") == "1"
    volunteer_id, child_id = _int(params.get("volunteer")), _int(params.get("child"))
    context = {"group": group, "mode_volunteer": None, "mode_child": None, "too_many": False,
               "back_url": _back_url(request)}
    lead = None

    if group:
        # The region in the user's subtree (else 404; a malformed code: 400), or the user's own.
        region = chosen_region(user, params.get("region"))
        volunteers, children, too_many = _group_candidates(request, region)
        preselected = []
        context.update({"region": region, "region_options": region_options(user, selected=region),
                        "too_many": too_many})
        co_volunteers = volunteers
    elif volunteer_id is not None or child_id is not None:
        volunteers, children, preselected, lead, context["mode_volunteer"], context["mode_child"] = (
            _individual_candidates(request, volunteer_id=volunteer_id, child_id=child_id))
        co_volunteers = []
    else:
        query = params.get("q", "").strip()
        return render(request, "activities/activity_choose.html", {
            "query": query, "results": _search_volunteers(user, query) if query else None})

    form = ActivityRecordForm(request.POST or None, volunteers=volunteers, children=children,
                              co_volunteers=co_volunteers, group=group,
                              initial={"children": preselected, "volunteer": lead})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                activity, created = services.activity_record(
                    actor=user, id=data["id"], volunteer=data["volunteer"], children=data["children"],
                    occurred_on=data["occurred_on"], kind=data["kind"], services=data["services"], is_group=group,
                    title=data.get("title", ""), duration_minutes=data["duration_minutes"], place=data["place"],
                    participants=data["participants"], aid_value_yuan=data["aid_value_yuan"], notes=data["notes"],
                    follow_up=data["follow_up"], co_volunteers=data.get("co_volunteers", []),
                    confirm_large_aid=data["confirm_large_aid"],
                    confirm_large_participants=data["confirm_large_participants"],
                    confirm_repeat=data["confirm_repeat"])
            except ValidationError as exc:
                attach_service_errors(exc, form)
            except services.ActivityConflict as conflict:
                message = _("This form was already submitted with other values. Submitting it again records "
                            "a new activity.")
                if Activity.objects.visible_to(user).filter(pk=conflict.activity.pk).exists():
                    message = format_html('{} <a href="{}">{}</a>', message,
                                          reverse("activities:detail", args=[conflict.activity.pk]),
                                          _("Open the recorded one"))
                form.add_error(None, message)
                form.new_id()
            else:
                if created:
                    messages.success(request, _("The activity is recorded."))
                else:
                    messages.info(request, _("This activity was already recorded; nothing was added."))
                return redirect("activities:detail", pk=activity.pk)
    context.update({"form": form, "volunteers_count": len(volunteers), "children_count": len(children)})
    return render(request, "activities/activity_form.html", context, status=status)


@require(EDIT, message=CANNOT_CORRECT)
@require_http_methods(["GET", "HEAD", "POST"])
def activity_edit(request, pk):
    user = request.user
    activity = get_object_or_404(detail_queryset(user), pk=pk)
    form = ActivityEditForm(request.POST or None, activity=activity)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changed = form.changed_values()
            if not changed:
                messages.info(request, _("Nothing was changed."))
                return redirect("activities:detail", pk=activity.pk)
            try:
                services.activity_update(
                    actor=user, activity=activity, confirm_large_aid=form.cleaned_data["confirm_large_aid"],
                    confirm_large_participants=form.cleaned_data["confirm_large_participants"], **changed)
            except ValidationError as exc:
                attach_service_errors(exc, form)
            else:
                messages.success(request, _("The activity is corrected."))
                return redirect("activities:detail", pk=activity.pk)
        activity = get_object_or_404(detail_queryset(user), pk=pk)  # not the service's unsaved edits
    return render(request, "activities/activity_edit.html", {
        "form": form, "activity": activity, "edit_window": settings.ACTIVITY_EDIT_WINDOW_DAYS}, status=status)


@require(EDIT, message=photos.ADD_DENIED)
@require_POST
def photo_upload(request, pk):
    user = request.user
    activity = get_object_or_404(detail_queryset(user), pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            photos.photo_add(actor=user, activity=activity, upload=form.cleaned_data["image"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The photo is added."))
            return redirect("activities:detail", pk=activity.pk)
    return render_detail(request, get_object_or_404(detail_queryset(user), pk=pk), photo_form=form, status=400)
