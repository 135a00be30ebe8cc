"""Pages of the contact rhythm and of notifications.

For federation staff, viewers and administrators (volunteers: 403): overdue children by sub-region,
the overdue list, overdue by caring mother, monthly coverage (月月有活动), and the region's contact
rhythm (administrators change it). For everyone: their notifications (mark one or all read).

Reads go through ``visible_to`` querysets (activities.rhythm.scope_children); a region in the URL
outside the user's subtree is a 404. Writes go through activities.rhythm / activities.reminders.
Each page runs a fixed number of queries, whatever the number of children (see the tests).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Region
from accounts.regioncodes import PREFIX_LENGTH, VILLAGE, ancestor_codes, in_subtree, is_valid_code
from accounts.roles import Role
from activities import coverage as coverage_service
from activities import reminders, rhythm
from activities.models import Notification
from volunteers.models import Volunteer

PAGE_SIZE = 50


# --- shared ---------------------------------------------------------------------------------------

def _require_region_role(user) -> None:
    """These are the federations' pages: a volunteer (who sees only her paired children) gets a 403."""
    if not user.is_superuser and user.role == Role.VOLUNTEER:
        raise PermissionDenied(_("This page is for federation staff."))


def _chosen_region(request) -> Region | None:
    """The region named by ``?region=`` when it lies in the user's subtree (404 otherwise), else the
    user's own; None for a superuser without a region (the whole tree). One query."""
    user = request.user
    code = request.GET.get("region", "").strip() or user.region_id
    if not code:
        return None
    if not is_valid_code(code):
        raise Http404
    region = Region.objects.manageable_by(user).filter(code=code).first()
    if region is None:
        raise Http404
    return region


def _crumbs(user, region: Region | None) -> list[Region]:
    """The regions between the user's own and ``region``, top first: one query when drilled below the
    user's own region, none otherwise."""
    if region is None:
        return []
    codes = [c for c in ancestor_codes(region.code) if not user.region_id or in_subtree(user.region_id, c)]
    return list(Region.objects.filter(code__in=codes).order_by("code")) if codes else []


def _url(name: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- overdue by sub-region ------------------------------------------------------------------------

@dataclass
class OverdueRow:
    label: str
    region: Region | None
    counts: dict
    url: str = ""
    drill_url: str = ""

    @property
    def overdue(self) -> int:
        return self.counts.get("overdue", 0)

    @property
    def paired(self) -> int:
        return self.counts.get("paired", 0)


COUNT_KEYS = ("paired", "overdue", "red", "yellow", "green", "unassessed")


def _sum(counts: list[dict]) -> dict:
    return {key: sum(c.get(key, 0) for c in counts) for key in COUNT_KEYS}


@login_required
@require_safe
def overdue_regions(request):
    """Overdue children per direct sub-region, by colour, each linked to the list."""
    user = request.user
    _require_region_role(user)
    today = timezone.localdate()
    # Query: the chosen region, checked against the user's subtree.
    region = _chosen_region(request)
    # Query: the rhythms of the region's ancestors and subtree.
    rhythms = rhythm.load_rhythms(subtree_of=region.code) if region else rhythm.load_rhythms(everything=True)
    # Query: ONE aggregate, grouped on the leading digits of the region code naming the sub-region.
    counts = rhythm.overdue_counts(actor=user, region=region, today=today, rhythms=rhythms)
    length = rhythm.sub_prefix_length(region)
    rows = []
    if region is None or length != PREFIX_LENGTH[region.level]:
        # Query: the direct sub-regions, rows even where no child is registered.
        subs = Region.objects.filter(parent=region) if region else Region.objects.filter(parent__isnull=True)
        for sub in subs.order_by("code"):
            rows.append(OverdueRow(label=sub.name, region=sub, counts=counts.pop(sub.code[:length], {}),
                                   url=_url("rhythm:overdue-list", region=sub.code),
                                   drill_url="" if sub.level == VILLAGE else _url("rhythm:overdue", region=sub.code)))
    if counts:  # children registered at the region itself
        label = _("Registered at %(region)s itself") % {"region": region.name} if region else _("Other")
        rows.append(OverdueRow(label=label, region=None, counts=_sum(list(counts.values()))))
    total = OverdueRow(label=_("Total"), region=region, counts=_sum([r.counts for r in rows]),
                       url=_url("rhythm:overdue-list", region=region.code if region else ""))
    return render(request, "activities/rhythm/overdue_regions.html", {
        "section": "regions",
        "region": region,
        # Query, only when drilled below the user's own region: the breadcrumbs.
        "crumbs": _crumbs(user, region),
        "rows": rows,
        "total": total,
        "intervals": rhythms.intervals_for(region.code if region else None),
        "today": today,
    })


# --- the overdue list -----------------------------------------------------------------------------

def _volunteer_filter(request) -> int | None:
    value = request.GET.get("volunteer", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    return int(value)


@login_required
@require_safe
def overdue_list(request):
    """The overdue children (child, colour, last contact, due date, lead caring mother), reds first."""
    user = request.user
    _require_region_role(user)
    today = timezone.localdate()
    # Query: the chosen region.
    region = _chosen_region(request)
    volunteer_id = _volunteer_filter(request)
    # Query: the rhythms.
    rhythms = rhythm.load_rhythms(subtree_of=region.code) if region else rhythm.load_rhythms(everything=True)
    children = rhythm.overdue_children(actor=user, region=region, today=today, rhythms=rhythms,
                                       volunteer_id=volunteer_id)
    # Queries: the count, then one page of children with their regions and lead caring mothers.
    page = _page(request, children)
    rhythm.attach_due_dates(page, rhythms, today=today)
    volunteer = None
    if volunteer_id is not None:
        # Query: the caring mother filtered on (when she is in the user's scope; else her name from the rows).
        volunteer = Volunteer.objects.visible_to(user).filter(pk=volunteer_id).values_list("name", flat=True).first()
        volunteer = volunteer or next((c.lead_volunteer_name for c in page), None)
    return render(request, "activities/rhythm/overdue_list.html", {
        "section": "list",
        "region": region,
        "crumbs": _crumbs(user, region),
        "page": page,
        "volunteer_id": volunteer_id,
        "volunteer_name": volunteer,
        "today": today,
    })


# --- overdue by caring mother ---------------------------------------------------------------------

@login_required
@require_safe
def overdue_volunteers(request):
    """Caring mothers with overdue children (as lead), the most overdue first."""
    user = request.user
    _require_region_role(user)
    today = timezone.localdate()
    # Query: the chosen region.
    region = _chosen_region(request)
    # Query: the rhythms.
    rhythms = rhythm.load_rhythms(subtree_of=region.code) if region else rhythm.load_rhythms(everything=True)
    # Queries: the number of caring mothers, then one page of the grouped counts.
    page = _page(request, rhythm.overdue_by_volunteer(actor=user, region=region, today=today, rhythms=rhythms))
    rows = list(page)
    # Query: the caring mothers of the page, with their regions.
    volunteers = Volunteer.objects.select_related("region").in_bulk([r["lead_volunteer_id"] for r in rows]) \
        if rows else {}
    for row in rows:
        row["volunteer"] = volunteers.get(row["lead_volunteer_id"])
        row["url"] = _url("rhythm:overdue-list", region=region.code if region else "",
                          volunteer=row["lead_volunteer_id"])
    return render(request, "activities/rhythm/overdue_volunteers.html", {
        "section": "volunteers",
        "region": region,
        "crumbs": _crumbs(user, region),
        "page": page,
        "rows": rows,
        "today": today,
    })


# --- monthly coverage -----------------------------------------------------------------------------

@login_required
@require_safe
def monthly_coverage(request):
    """月月有活动: per sub-region, the share of paired children with an activity in the chosen month
    (default: the current month), and the paired children still without one."""
    user = request.user
    _require_region_role(user)
    today = timezone.localdate()
    # Query: the chosen region.
    region = _chosen_region(request)
    month, error, status = today.replace(day=1), None, 200
    if request.GET.get("month", "").strip():
        try:
            month = coverage_service.parse_month(request.GET["month"], today=today)
        except ValidationError as exc:
            error, status = exc.message_dict["month"][0], 400
    # Queries: the grouped counts, then the sub-regions' names.
    result = coverage_service.monthly_coverage(actor=user, region=region, month=month, today=today)
    # Queries: the count of children without an activity, then one page of them with their regions.
    page = _page(request, coverage_service.uncovered_children(actor=user, region=region, month=month, today=today))
    return render(request, "activities/rhythm/coverage.html", {
        "section": "coverage",
        "region": region,
        "crumbs": _crumbs(user, region),
        "coverage": result,
        "month": month,
        "month_value": request.GET.get("month", "").strip() if error else f"{month:%Y-%m}",
        "max_month": f"{today:%Y-%m}",
        "month_error": error,
        "page": page,
    }, status=status)


# --- a region's contact rhythm --------------------------------------------------------------------

class RhythmForm(forms.Form):
    """Parses the four intervals; the rules (1..365, scope, who may) are rhythm.rhythm_set's."""

    red_days = forms.IntegerField(label=gettext_lazy("Red: days between contacts"))
    yellow_days = forms.IntegerField(label=gettext_lazy("Yellow: days between contacts"))
    green_days = forms.IntegerField(label=gettext_lazy("Green: days between contacts"))
    unassessed_days = forms.IntegerField(label=gettext_lazy("Not assessed: days between contacts"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"min": rhythm.MIN_DAYS, "max": rhythm.MAX_DAYS, "inputmode": "numeric"})


def _render_rhythm(request, region: Region | None, *, form: RhythmForm | None = None, status: int = 200):
    user = request.user
    code = region.code if region else None
    # Query: the rhythms of the region's ancestors and subtree.
    rhythms = rhythm.load_rhythms(subtree_of=code) if code else rhythm.load_rhythms(everything=True)
    effective = rhythms.intervals_for(code)
    own = code is not None and effective.source == code
    inherited_from = None
    if effective.source and not own:
        # Query: the ancestor whose rhythm applies.
        inherited_from = Region.objects.filter(code=effective.source).first()
    below = rhythms.within(code)
    # Query: the names of the regions below that set their own.
    names = dict(Region.objects.filter(code__in=[i.source for i in below]).values_list("code", "name")) \
        if below else {}
    can_edit = bool(region) and user.is_region_admin
    if can_edit and form is None:
        form = RhythmForm(initial={"red_days": effective.red, "yellow_days": effective.yellow,
                                   "green_days": effective.green, "unassessed_days": effective.unassessed})
    return render(request, "activities/rhythm/settings.html", {
        "section": "rhythm",
        "region": region,
        "crumbs": _crumbs(user, region),
        "effective": effective,
        "own": own,
        "inherited_from": inherited_from,
        "below": [(names.get(i.source, i.source), i) for i in below],
        "form": form if can_edit else None,
        "can_edit": can_edit,
    }, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rhythm_settings(request):
    """The region's contact intervals: its own, inherited or the defaults; administrators change them."""
    user = request.user
    _require_region_role(user)
    region = _chosen_region(request)
    if request.method != "POST":
        return _render_rhythm(request, region)
    if region is None or not user.is_region_admin:
        raise PermissionDenied(_("Only administrators set a region's contact rhythm."))
    if request.POST.get("action") == "clear":
        if rhythm.rhythm_clear(actor=user, region=region, request=request):
            messages.success(request, _("%(region)s follows the contact rhythm above it again.")
                             % {"region": region.name})
        return redirect(_url("rhythm:settings", region=region.code))
    form = RhythmForm(request.POST)
    if form.is_valid():
        try:
            rhythm.rhythm_set(actor=user, region=region, request=request, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The contact rhythm of %(region)s is saved.") % {"region": region.name})
            return redirect(_url("rhythm:settings", region=region.code))
    return _render_rhythm(request, region, form=form, status=400)


# --- notifications --------------------------------------------------------------------------------

@login_required
@require_safe
def notification_list(request):
    """The user's own notifications, newest first (unread ones marked)."""
    # Queries: the count, then one page.
    page = _page(request, Notification.objects.for_user(request.user))
    return render(request, "activities/notifications/list.html", {"page": page})


@login_required
@require_POST
def notification_read(request, pk: int):
    """Mark one notification read; with ``open`` set, go on to its link."""
    notification = get_object_or_404(Notification.objects.for_user(request.user), pk=pk)
    reminders.notification_mark_read(actor=request.user, notification=notification)
    link = notification.link
    if request.POST.get("open") and link and url_has_allowed_host_and_scheme(
            link, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(link)
    return redirect("rhythm:notifications")


@login_required
@require_POST
def notifications_read_all(request):
    count = reminders.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("rhythm:notifications")
