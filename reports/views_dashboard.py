"""The statistics dashboard (reports:dashboard): a region and a month picked from the caller's scope,
summary cards, charts drawn on the server (bars by sub-region, the colour distribution, a 12-month
trend of activities and coverage) and the sub-region table, each row drilling down.

Every figure comes from reports.stats: region_stats (7 queries) for the cards, charts and table; the
trend's 11 earlier months from monthly_trend (2 queries: one grouped by month over the activities,
one over the children; cached for an hour), its last point being the month's own figures.

Without ``?month=`` the page shows the last complete month; the current month, when chosen, is
labelled "As of today" (截至今日): its status figures are today's. (``/api/v1/stats/`` has no default:
its ``month`` is required.)

The page is for core.access.READ (volunteers get 403). The region and month are checked as the API
checks them (reports.stats_query): regions outside the caller's own subtree — ancestors included — are
a 404; a malformed region or month re-renders the form with the errors (400).
"""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Region
from children.models import risk_labels
from core import months
from core.access import READ, require
from core.regioncodes import is_valid_code
from core.regions import breadcrumbs, default_root, region_options
from reports import charts, stats
from reports.access import STATS_DENIED
from reports.stats_query import stats_query


def _risk_labels() -> dict[str, str]:
    return risk_labels()


def dashboard_charts(figures: dict, trend: list[dict]) -> dict[str, charts.Chart]:
    titles = {
        "pairing": _("Pairing rate by sub-region"),
        "activities": _("Care activities by sub-region"),
        "risk": _("Active children by risk colour"),
        "trend": _("Activities and monthly coverage, last 12 months"),
    }
    out = {}
    if figures["subregions"]:
        out["pairing"] = charts.bar_chart(charts.subregion_rows(figures, "pairing_rate", as_rate=True),
                                          title=titles["pairing"], max_value=1)
        out["activities"] = charts.bar_chart(charts.subregion_rows(figures, "activities"),
                                             title=titles["activities"], color=charts.BRAND_DARK)
    out["risk"] = charts.donut_chart(charts.risk_parts(figures, _risk_labels()), title=titles["risk"],
                                     center_note=_("active children"), empty=_("No active children"))
    out["trend"] = charts.trend_chart(charts.trend_points(trend), title=titles["trend"],
                                      bars_label=_("Activities"), line_label=_("Monthly coverage"))
    return {key: charts.Chart(titles[key], svg) for key, svg in out.items()}


# The trend's months before the chosen one are cached this long (per region, month and day): they
# change only through late or corrected records. The chosen month's point is the cards' own figures.
TREND_CACHE_SECONDS = 3600


def dashboard_trend(*, region: Region, month, figures: dict) -> list[dict]:
    """The 12-month trend ending with ``month``: the 11 months before it from reports.stats.monthly_trend
    (2 queries, cached), the month itself from ``figures`` (so the chart's last point is the cards')."""
    key = f"reports:trend:{region.code}:{months.label(month)}:{timezone.localdate().isoformat()}"
    earlier = cache.get(key)
    if earlier is None:
        earlier = stats.monthly_trend(region=region, month=months.previous_month(month), count=11)
        cache.set(key, earlier, TREND_CACHE_SECONDS)
    return [*earlier, {key: figures[key] for key in ("activities", "participant_times", "children_active",
                                                     "children_without_activity", "monthly_coverage")}
            | {"month": figures["month"]}]


def _percent(rate: float, *, of: int) -> str:
    return charts.percent(rate) if of else "—"


def with_display(figures: dict) -> dict:
    """The figures plus what the page shows of them: rates as percentages (— without children) and the
    overdue total."""
    return {**figures,
            "pairing_percent": _percent(figures["pairing_rate"], of=figures["children_active"]),
            "coverage_percent": _percent(figures["monthly_coverage"], of=figures["children_active"]),
            "paired_coverage_percent": _percent(figures["paired_monthly_coverage"], of=figures["children_paired"]),
            "overdue_total": sum(figures["overdue_by_color"].values())}


@require(READ, message=STATS_DENIED)
@require_safe
def dashboard(request):
    user = request.user
    code = request.GET.get("region", "").strip() or default_root(user).code
    # Without a month: the last complete one (the current month is "so far", labelled 截至今日).
    month_value = request.GET.get("month", "").strip() or months.label(months.previous_month(months.current_month()))
    context = {"selected_region": code, "month_value": month_value,
               "max_month": months.label(months.current_month()), "errors": {}}
    try:
        region, month = stats_query(user=user, region_code=code, month=month_value)
    except ValidationError as exc:
        context["errors"] = {field: messages[0] for field, messages in exc.message_dict.items()}
        context["region_options"] = region_options(user, selected=code if is_valid_code(code) else "")
        return render(request, "reports/dashboard.html", context, status=400)
    figures = stats.region_stats(region=region, month=month)
    trend = dashboard_trend(region=region, month=month, figures=figures)
    context.update({
        "region_options": region_options(user, selected=region),
        "region": region,
        "month": month,
        "month_label": months.label(month),
        "so_far": months.is_current(month),
        "figures": with_display(figures),
        "rows": [with_display(row) for row in figures["subregions"]],
        "charts": dashboard_charts(figures, trend),
        "trend": trend,
        "crumbs": breadcrumbs(user, region),
        "crumbs_query": f"&month={months.label(month)}",
        "previous_month": months.label(months.previous_month(month)),
        "next_month": months.label(months.next_month(month)) if not months.is_current(month) else "",
    })
    response = render(request, "reports/dashboard.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
