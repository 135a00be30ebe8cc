"""The statistics dashboard (reports:dashboard): a region and a month picked from the caller's scope,
summary cards, charts drawn on the server (bars by sub-region, the colour distribution, a 12-month
trend of activities and coverage) and the sub-region table, each row drilling down.

Every figure comes from reports.stats: region_stats for the cards, charts and table; the trend's 11
earlier months from monthly_trend (the analytics table for the closed months it holds: 2 queries),
its last point being the month's own figures.

Without ``?month=`` the page shows the last complete month; the current month, when chosen, is
labelled "As of today" (截至今日): its status figures are today's. (``/api/v1/stats/`` has no default:
its ``month`` is required.)

The page is for core.access.READ (volunteers get 403). The region and month are checked as the API
checks them (reports.stats_query): regions outside the caller's own subtree — ancestors included — are
a 404; a malformed region or month re-renders the form with the errors (400).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Region
from children.models import risk_labels
from core import months
from core.access import READ, require
from core.dbrouting import reading_from_replica
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


def dashboard_trend(*, region: Region, month, figures: dict) -> list[dict]:
    """The 12-month trend ending with ``month``: the 11 months before it from reports.stats.monthly_trend
    (closed months: 2 queries on the analytics table), the month itself from ``figures`` (so the
    chart's last point is the cards')."""
    earlier = stats.monthly_trend(region=region, month=months.previous_month(month), count=11)
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


def _page_context(user, *, code: str, month_value: str) -> tuple[dict, int]:
    """The page's context and status (400 when the region or the month is wrong)."""
    context = {"selected_region": code, "month_value": month_value,
               "max_month": months.label(months.current_month()), "errors": {}}
    try:
        region, month = stats_query(user=user, region_code=code, month=month_value)
    except ValidationError as exc:
        context["errors"] = {field: messages[0] for field, messages in exc.message_dict.items()}
        context["region_options"] = region_options(user, selected=code if is_valid_code(code) else "")
        return context, 400
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
    return context, 200


@require(READ, message=STATS_DENIED)
@require_safe
def dashboard(request):
    user = request.user
    code = request.GET.get("region", "").strip() or default_root(user).code
    # Without a month: the last complete one (the current month is "so far", labelled 截至今日).
    month_value = request.GET.get("month", "").strip() or months.label(months.previous_month(months.current_month()))
    # The figures and the region lists are read from the database replica when there is one
    # (core.dbrouting); the page around them (the menu's unread count …) from the primary.
    with reading_from_replica():
        context, status = _page_context(user, code=code, month_value=month_value)
    response = render(request, "reports/dashboard.html", context, status=status)
    if status == 200:
        response["Cache-Control"] = "private, no-store"
    return response
