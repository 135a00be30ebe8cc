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
from django.core.exceptions import ValidationError
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
from activities import coverage as coverage_service
from activities import reminders, rhythm
from activities.models import Notification
from core import months
from core.access import MANAGE, READ, SIGNED_IN, check, is_volunteer, require
from core.forms import attach_service_errors
from core.regioncodes import VILLAGE
from core.regions import breadcrumbs, chosen_region, rollup
from volunteers.models import Volunteer

PAGE_SIZE = 50


# --- shared ---------------------------------------------------------------------------------------

def _chosen_region(request) -> Region:
    """The region named by ``?region=`` (in the user's subtree: else 404), or the user's own. One query."""
    return chosen_region(request.user, request.GET.get("region"))


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


@require(READ)
@require_safe
def overdue_regions(request):
    """Overdue children per direct sub-region, by colour, each linked to the list."""
    user = request.user
    today = timezone.localdate()
    # Query: the chosen region, checked against the user's subtree.
    region = _chosen_region(request)
    # Query: the rhythms of the region's ancestors and subtree.
    rhythms = rhythm.load_rhythms(subtree_of=region.code)
    # Query: ONE aggregate, grouped on the leading digits of the region code naming the sub-region;
    # then one more: the direct sub-regions, rows even where no child is registered.
    result = rollup(region=region, counts=rhythm.overdue_counts(actor=user, region=region, today=today,
                                                                 rhythms=rhythms),
                    zero=dict, combine=_sum)
    rows = [OverdueRow(label=row.name, region=None if row.is_self else row.region, counts=row.values,
                       url="" if row.is_self else _url("rhythm:overdue-list", region=row.region.code),
                       drill_url="" if row.is_self or row.region.level == VILLAGE
                       else _url("rhythm:overdue", region=row.region.code))
            for row in result.rows]
    total = OverdueRow(label=_("Total"), region=region, counts=_sum([result.total]),
                       url=_url("rhythm:overdue-list", region=region.code))
    return render(request, "activities/rhythm/overdue_regions.html", {
        "section": "regions",
        "region": region,
        # Query, only when drilled below the user's own region: the breadcrumbs.
        "crumbs": breadcrumbs(user, region),
        "rows": rows,
        "total": total,
        "intervals": rhythms.intervals_for(region.code),
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


@require(READ)
@require_safe
def overdue_list(request):
    """The overdue children (child, colour, last contact, due date, lead caring mother), reds first."""
    user = request.user
    today = timezone.localdate()
    # Query: the chosen region.
    region = _chosen_region(request)
    volunteer_id = _volunteer_filter(request)
    # Query: the rhythms.
    rhythms = rhythm.load_rhythms(subtree_of=region.code)
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
        "crumbs": breadcrumbs(user, region),
        "page": page,
        "volunteer_id": volunteer_id,
        "volunteer_name": volunteer,
        "today": today,
    })


# --- overdue by caring mother ---------------------------------------------------------------------

@require(READ)
@require_safe
def overdue_volunteers(request):
    """Caring mothers with overdue children (as lead), the most overdue first."""
    user = request.user
    today = timezone.localdate()
    # Query: the chosen region.
    region = _chosen_region(request)
    # Query: the rhythms.
    rhythms = rhythm.load_rhythms(subtree_of=region.code)
    # Queries: the number of caring mothers, then one page of the grouped counts.
    page = _page(request, rhythm.overdue_by_volunteer(actor=user, region=region, today=today, rhythms=rhythms))
    rows = list(page)
    # Query: the caring mothers of the page, with their regions.
    volunteers = Volunteer.objects.select_related("region").in_bulk([r["lead_volunteer_id"] for r in rows]) \
        if rows else {}
    for row in rows:
        row["volunteer"] = volunteers.get(row["lead_volunteer_id"])
        row["url"] = _url("rhythm:overdue-list", region=region.code,
                          volunteer=row["lead_volunteer_id"])
    return render(request, "activities/rhythm/overdue_volunteers.html", {
        "section": "volunteers",
        "region": region,
        "crumbs": breadcrumbs(user, region),
        "page": page,
        "rows": rows,
        "today": today,
    })


# --- monthly coverage -----------------------------------------------------------------------------

@require(READ)
@require_safe
def monthly_coverage(request):
    """月月有活动: per sub-region, the share of paired children with an activity in the chosen month
    (default: the current month), and the paired children still without one."""
    user = request.user
    today = timezone.localdate()
    # Query: the chosen region.
    region = _chosen_region(request)
    month, error, status = months.current_month(today=today), None, 200
    if request.GET.get("month", "").strip():
        try:
            month = months.parse_month(request.GET["month"], today=today)
        except ValidationError as exc:
            error, status = exc.message_dict["month"][0], 400
    # Queries: the grouped counts, then the sub-regions' names.
    result = coverage_service.monthly_coverage(actor=user, region=region, month=month, today=today)
    # Queries: the count of children without an activity, then one page of them with their regions.
    page = _page(request, coverage_service.uncovered_children(actor=user, region=region, month=month, today=today))
    return render(request, "activities/rhythm/coverage.html", {
        "section": "coverage",
        "region": region,
        "crumbs": breadcrumbs(user, region),
        "coverage": result,
        "month": month,
        "month_label": months.label(month),
        "month_value": request.GET.get("month", "").strip() if error else months.label(month),
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


def _render_rhythm(request, region: Region, *, form: RhythmForm | None = None, status: int = 200):
    user = request.user
    code = region.code
    # Query: the rhythms of the region's ancestors and subtree.
    rhythms = rhythm.load_rhythms(subtree_of=code) if code else rhythm.load_rhythms(everything=True)
    effective = rhythms.intervals_for(code)
    own = effective.source == code
    inherited_from = None
    if effective.source and not own:
        # Query: the ancestor whose rhythm applies.
        inherited_from = Region.objects.filter(code=effective.source).first()
    below = rhythms.within(code)
    # Query: the names of the regions below that set their own.
    names = dict(Region.objects.filter(code__in=[i.source for i in below]).values_list("code", "name")) \
        if below else {}
    can_edit = user.is_region_admin
    if can_edit and form is None:
        form = RhythmForm(initial={"red_days": effective.red, "yellow_days": effective.yellow,
                                   "green_days": effective.green, "unassessed_days": effective.unassessed})
    return render(request, "activities/rhythm/settings.html", {
        "section": "rhythm",
        "region": region,
        "crumbs": breadcrumbs(user, region),
        "effective": effective,
        "own": own,
        "inherited_from": inherited_from,
        "below": [(names.get(i.source, i.source), i) for i in below],
        "form": form if can_edit else None,
        "can_edit": can_edit,
    }, status=status)


@require(READ)
@require_http_methods(["GET", "HEAD", "POST"])
def rhythm_settings(request):
    """The region's contact intervals: its own, inherited or the defaults; administrators change them."""
    user = request.user
    region = _chosen_region(request)
    if request.method != "POST":
        return _render_rhythm(request, region)
    check(user, MANAGE, _("Only administrators set a region's contact rhythm."))
    if request.POST.get("action") == "clear":
        if rhythm.rhythm_clear(actor=user, region=region):
            messages.success(request, _("%(region)s follows the contact rhythm above it again.")
                             % {"region": region.name})
        return redirect(_url("rhythm:settings", region=region.code))
    form = RhythmForm(request.POST)
    if form.is_valid():
        try:
            rhythm.rhythm_set(actor=user, region=region, **form.cleaned_data)
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The contact rhythm of %(region)s is saved.") % {"region": region.name})
            return redirect(_url("rhythm:settings", region=region.code))
    return _render_rhythm(request, region, form=form, status=400)


# --- notifications --------------------------------------------------------------------------------

@require(SIGNED_IN)
@require_safe
def notification_list(request):
    """The user's own notifications, newest first (unread ones marked). A caring mother sees them as a
    tab of her phone pages."""
    # Queries: the count, then one page.
    page = _page(request, Notification.objects.for_user(request.user))
    if is_volunteer(request.user):
        from activities.phone.views import phone_config

        return render(request, "phone/notifications.html", {"page": page,
                                                            "phone_config": phone_config(request.user)})
    return render(request, "activities/notifications/list.html", {"page": page})


@require(SIGNED_IN)
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


@require(SIGNED_IN)
@require_POST
def notifications_read_all(request):
    count = reminders.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("rhythm:notifications")
