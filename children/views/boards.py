"""Boards over the ledger: the three-colour risk board, the list of open needs, and who ages out soon.

Every read goes through ``Child.objects.visible_to`` / ``Need.objects.visible_to``, so nothing outside
the user's subtree is counted or listed; a region chosen in the URL outside the subtree is a 404.
Each page runs a fixed number of queries, whatever the number of rows (see tests/children/test_boards.py).
"""

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import Region
from accounts.regioncodes import (
    LEVELS,
    PREFIX_LENGTH,
    VILLAGE,
    ancestor_codes,
    in_subtree,
    is_valid_code,
    subtree_q,
)
from accounts.roles import Role
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

PAGE_SIZE = 50
# The board's columns, in order: the key in the aggregate, the ledger's risk_color filter value.
COLOR_COLUMNS = (("red", RiskColor.RED), ("yellow", RiskColor.YELLOW), ("green", RiskColor.GREEN),
                 ("unassessed", "none"))
# Needs still waiting for someone (the list's default).
WAITING_NEEDS = (NeedStatus.OPEN, NeedStatus.CLAIMED)


def _require_region_role(user) -> None:
    """The boards are the federations' tools: a volunteer (who sees only paired children) gets a 403."""
    if not user.is_superuser and user.role == Role.VOLUNTEER:
        raise PermissionDenied(_("This page is for federation staff."))


def _chosen_region(request) -> Region | None:
    """The region named by ``?region=`` when it lies in the user's subtree (404 otherwise), else the
    user's own region; None for a superuser without a region (the board then starts at the provinces).

    One query."""
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


def _ancestors_in_scope(user, region: Region) -> list[Region]:
    """The regions between the user's own and ``region`` (the board's breadcrumbs), top first.

    One query when the user has drilled below their own region, none otherwise."""
    codes = [c for c in ancestor_codes(region.code) if not user.region_id or in_subtree(user.region_id, c)]
    if not codes:
        return []
    return list(Region.objects.filter(code__in=codes).order_by("code"))


@login_required
@require_safe
def risk_board(request):
    """Active children by risk colour for each direct sub-region, and the reds whose review is overdue."""
    user = request.user
    _require_region_role(user)
    today = timezone.localdate()
    # Query: the chosen region (or the user's own), checked against the user's subtree.
    root = _chosen_region(request)

    if root is None:  # a superuser without a region: the rows are the provinces
        row_level, ancestors = LEVELS[0], []
        # Query: the top of the tree.
        subregions = list(Region.objects.filter(parent__isnull=True).order_by("code"))
    else:
        row_level = LEVELS[min(LEVELS.index(root.level) + 1, len(LEVELS) - 1)]
        # Query, only when drilled below the user's own region: the breadcrumbs.
        ancestors = _ancestors_in_scope(user, root)
        # Query: the direct sub-regions, which are the board's rows even where no child is registered.
        subregions = list(Region.objects.filter(parent=root).order_by("code")) if root.level != VILLAGE else []
    prefix_length = PREFIX_LENGTH[row_level]

    active = Child.objects.visible_to(user).active()
    if root is not None:
        active = active.filter(subtree_q("region", root.code))
    # Query: ONE aggregate, grouped on the leading digits of the region code that name the row's sub-region.
    grouped = (
        active.annotate(prefix=Substr("region_id", 1, prefix_length)).values("prefix")
        .annotate(
            red=Count("pk", filter=Q(risk_color=RiskColor.RED)),
            yellow=Count("pk", filter=Q(risk_color=RiskColor.YELLOW)),
            green=Count("pk", filter=Q(risk_color=RiskColor.GREEN)),
            unassessed=Count("pk", filter=Q(risk_color="")),
            total=Count("pk"),
        )
        .order_by()
    )
    by_prefix = {g["prefix"]: g for g in grouped}

    rows = [_fill(BoardRow(region=r, label=r.name, code=r.code), by_prefix.pop(r.code[:prefix_length], {}),
                  linked=True)
            for r in subregions]
    # Children registered at the board's region itself (e.g. at county level, below which rows are
    # townships) have its own prefix; the ledger has no "exactly here" filter, so these are not linked.
    leftover = {key: sum(g[key] for g in by_prefix.values()) for key in ("red", "yellow", "green", "unassessed", "total")}
    if leftover["total"]:
        label = _("Registered at %(region)s itself") % {"region": root.name} if root else _("Other")
        rows.append(_fill(BoardRow(region=None, label=label, code=""), leftover, linked=False))
    totals = {key: sum(r.counts[key] for r in rows) for key, _value in COLOR_COLUMNS}
    totals["total"] = sum(r.total for r in rows)
    totals_row = _fill(BoardRow(region=root, label=_("Total"), code=root.code if root else ""), totals, linked=True)

    overdue = (active.filter(risk_color=RiskColor.RED, next_review_on__lt=today)
               .select_related("region").order_by("next_review_on", "id"))
    # Queries: the count of overdue reds, then one page of them with their regions.
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    for child in page:
        child.days_overdue = (today - child.next_review_on).days

    return render(request, "children/boards/risk_board.html", {
        "root": root,
        "ancestors": ancestors,
        "rows": rows,
        "totals": totals_row,
        "row_level": row_level,
        "page": page,
        "today": today,
        "can_drill": row_level != VILLAGE,
    })


# --- needs ----------------------------------------------------------------------------------------

def _region_options(user, chosen: Region | None) -> list[tuple[str, str]]:
    """The user's region and the regions directly below it (one query), plus a deeper chosen region."""
    if user.region_id:
        regions = Region.objects.filter(Q(code=user.region_id) | Q(parent_id=user.region_id))
    else:
        regions = Region.objects.filter(parent__isnull=True)
    options = [(r.code, r.name if r.code == user.region_id else "\u3000" + r.name) for r in regions.order_by("code")]
    if chosen is not None and chosen.code not in {code for code, _label in options}:
        options.append((chosen.code, chosen.name))
    return options


@login_required
@require_safe
def need_list(request):
    """Needs in scope, open and claimed by default, newest first. Volunteers see the needs of the
    children visible to them (none before pairings exist)."""
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
        chosen = _chosen_region(request)
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
        # Query: the regions offered in the filter.
        "region_options": _region_options(user, chosen),
    })


# --- aging out ------------------------------------------------------------------------------------

def ending_categories(child: Child) -> list[str]:
    """The labels of the categories that end on the day the child ages out (the last ones to end)."""
    return [str(Category(c).label) for c in child.categories
            if add_years(child.birth_date, CATEGORY_AGE_LIMIT[Category(c)]) == child.ages_out_on]


@login_required
@require_safe
def aging_out(request):
    """Children not yet exited whose last category ends within AGING_OUT_WARNING_DAYS (or already
    ended, waiting for the nightly task), soonest first."""
    user = request.user
    _require_region_role(user)
    today: date = timezone.localdate()
    days = settings.AGING_OUT_WARNING_DAYS
    children = (Child.objects.visible_to(user).aging_out_within(days, today=today)
                .select_related("region").order_by("ages_out_on", "name", "id"))
    # Queries: the count, then one page with the children's regions.
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    for child in page:
        child.ending = ending_categories(child)
        child.days_left = (child.ages_out_on - today).days
        child.age = child.age_on(today)
    return render(request, "children/boards/aging_out.html", {"page": page, "days": days, "today": today})
