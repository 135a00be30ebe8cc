"""Boards over the ledger: the three-colour risk board, the list of open needs, and who ages out soon.

Every read goes through ``Child.objects.visible_to`` / ``Need.objects.visible_to``, so nothing outside
the user's subtree is counted or listed; a region chosen in the URL outside the subtree is a 404, a
malformed code a 400 (core.regions.chosen_region).
Each page runs a fixed number of queries, whatever the number of rows (see tests/children/test_boards.py).
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Region
from children.filters import WAITING_NEEDS
from children.models import (
    CATEGORY_AGE_LIMIT,
    Category,
    Child,
    Need,
    NeedKind,
    NeedStatus,
    RiskColor,
    add_years,
)
from children.selectors import review_overdue
from core.access import READ, require
from core.regioncodes import PREFIX_LENGTH, VILLAGE, subtree_q
from core.regions import (
    RollupRow,
    breadcrumbs,
    chosen_region,
    has_subregions,
    region_options,
    rollup,
    self_row_name,
    sub_prefix_length,
)

PAGE_SIZE = 50
# The board's columns, in order: the key in the aggregate, the ledger's risk_color filter value.
COLOR_COLUMNS = (("red", RiskColor.RED), ("yellow", RiskColor.YELLOW), ("green", RiskColor.GREEN),
                 ("unassessed", "none"))
COUNT_KEYS = (*(key for key, _value in COLOR_COLUMNS), "total")


def _ledger_url(**params) -> str:
    return reverse("children:list") + "?" + urlencode({k: v for k, v in params.items() if v})


# --- the risk board -------------------------------------------------------------------------------

@dataclass
class BoardRow:
    region: Region | None  # None for children registered at the board's region itself
    label: str
    code: str  # the ledger's region filter for this row ("" = the whole scope)
    counts: dict = field(default_factory=dict)
    links: list = field(default_factory=list)  # [(column, count, url or "")] in COLOR_COLUMNS order
    total: int = 0
    total_url: str = ""


def _fill(row: BoardRow, counts: dict, *, linked: bool) -> BoardRow:
    row.counts = {key: counts.get(key, 0) for key, _value in COLOR_COLUMNS}
    row.total = counts.get("total", 0)
    row.links = [
        (key, row.counts[key],
         _ledger_url(region=row.code, status="active", risk_color=value) if linked else "")
        for key, value in COLOR_COLUMNS
    ]
    row.total_url = _ledger_url(region=row.code, status="active") if linked else ""
    return row


def _sum_counts(groups: list[dict]) -> dict:
    return {key: sum(group.get(key, 0) for group in groups) for key in COUNT_KEYS}


def _board_row(row: RollupRow) -> BoardRow:
    """A roll-up row with its links to the ledger. The ledger has no "exactly here" filter, so the
    row of the children registered at the board's region itself is not linked."""
    if row.is_self:
        return _fill(BoardRow(region=None, label=row.name, code=""), row.values, linked=False)
    return _fill(BoardRow(region=row.region, label=row.name, code=row.region.code), row.values, linked=True)


@require(READ)
@require_safe
def risk_board(request):
    """Active children by risk colour for each direct sub-region, and the reds whose review is overdue."""
    user = request.user
    today = timezone.localdate()
    code = request.GET.get("region", "")
    # Query: the chosen region (or the user's own), checked against the user's subtree. A superuser
    # without a region starts above the provinces (root None: the rows are the provinces).
    root = chosen_region(user, code) if code.strip() or user.region_id else None
    # Query, only when drilled below the user's own region: the breadcrumbs.
    ancestors = breadcrumbs(user, root)

    active = Child.objects.visible_to(user).active()
    if root is not None:
        active = active.filter(subtree_q("region", root.code))
    # Query: ONE aggregate, grouped on the leading digits of the region code that name the row's sub-region.
    grouped = (
        active.annotate(prefix=Substr("region_id", 1, sub_prefix_length(root))).values("prefix")
        .annotate(
            red=Count("pk", filter=Q(risk_color=RiskColor.RED)),
            yellow=Count("pk", filter=Q(risk_color=RiskColor.YELLOW)),
            green=Count("pk", filter=Q(risk_color=RiskColor.GREEN)),
            unassessed=Count("pk", filter=Q(risk_color="")),
            total=Count("pk"),
        )
        .order_by()
    )
    # Query: the direct sub-regions, which are the board's rows even where no child is registered.
    result = rollup(region=root, counts={g.pop("prefix"): g for g in grouped}, zero=dict, combine=_sum_counts)
    rows = [_board_row(row) for row in result.rows]
    if not has_subregions(root) and result.total.get("total"):
        # A village has no sub-regions: its children are all registered at the village itself.
        rows.append(_fill(BoardRow(region=None, label=self_row_name(root), code=""), result.total, linked=False))
    totals_row = _fill(BoardRow(region=root, label=_("Total"), code=root.code if root else ""), result.total,
                       linked=True)

    overdue = (review_overdue(active, today)
               .select_related("region").order_by("next_review_on", "id"))
    # Queries: the count of overdue reds, then one page of them with their regions.
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    for child in page:
        child.days_overdue = (today - child.next_review_on).days

    # Query: the red children still without an open case plan CASE_PLAN_DUE_DAYS after turning red
    # (casework.selectors.red_without_plan), the longest-waiting first, with their regions.
    from casework.selectors import red_without_plan

    without_plan = list(red_without_plan(active, today).select_related("region")[:PAGE_SIZE])
    for child in without_plan:
        child.days_red = (today - child.red_since).days

    return render(request, "children/boards/risk_board.html", {
        "root": root,
        "ancestors": ancestors,
        "rows": rows,
        "totals": totals_row,
        "page": page,
        "without_plan": without_plan,
        "case_plan_days": settings.CASE_PLAN_DUE_DAYS,
        "today": today,
        "can_drill": sub_prefix_length(root) != PREFIX_LENGTH[VILLAGE],  # villages are not drilled into
    })


# --- needs ----------------------------------------------------------------------------------------

@require(READ)
@require_safe
def need_list(request):
    """Needs in scope, open and claimed by default, newest first."""
    user = request.user
    needs = Need.objects.visible_to(user).select_related("child", "region")
    kind = request.GET.get("kind", "")
    if kind in NeedKind.values:
        needs = needs.filter(kind=kind)
    else:
        kind = ""
    status = request.GET.get("status", "")
    if status in NeedStatus.values:
        needs = needs.filter(status=status)
    else:
        status = ""
        needs = needs.filter(status__in=WAITING_NEEDS)
    chosen = None
    if request.GET.get("region", "").strip():
        # Query: the chosen region, checked against the user's subtree (404 outside it).
        chosen = chosen_region(user, request.GET["region"])
        needs = needs.filter(subtree_q("region", chosen.code))
    needs = needs.order_by("-opened_on", "-id")
    # Queries: the count, then one page of needs with their child and region.
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "children/boards/need_list.html", {
        "page": page,
        "kind": kind,
        "status": status,
        "region": chosen.code if chosen else "",
        "kinds": NeedKind.choices,
        "statuses": NeedStatus.choices,
        # Query: the regions offered in the filter (the user's and those right below it).
        "region_options": region_options(user, depth=2, selected=chosen or ""),
    })


# --- aging out ------------------------------------------------------------------------------------

def ending_categories(child: Child) -> list[str]:
    """The labels of the categories that end on the day the child ages out (the last ones to end)."""
    return [str(Category(c).label) for c in child.categories
            if add_years(child.birth_date, CATEGORY_AGE_LIMIT[Category(c)]) == child.ages_out_on]


@require(READ)
@require_safe
def aging_out(request):
    """Children not yet exited whose last category ends within AGING_OUT_WARNING_DAYS (or already
    ended, waiting for the nightly task), soonest first; under ``?region=`` when given."""
    user = request.user
    today: date = timezone.localdate()
    days = settings.AGING_OUT_WARNING_DAYS
    children = Child.objects.visible_to(user).aging_out_within(days, today=today)
    if request.GET.get("region", "").strip():
        # Query: the chosen region, checked against the user's subtree (404 outside it).
        children = children.filter(subtree_q("region", chosen_region(user, request.GET["region"]).code))
    children = children.select_related("region").order_by("ages_out_on", "name", "id")
    # Queries: the count, then one page with the children's regions.
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    for child in page:
        child.ending = ending_categories(child)
        child.days_left = (child.ages_out_on - today).days
        child.age = child.age_on(today)
    return render(request, "children/boards/aging_out.html", {"page": page, "days": days, "today": today})
