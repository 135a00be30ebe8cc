"""Pairing coverage (结对覆盖率): of the active children in a region, how many have an active lead
caring mother — per direct sub-region, and in total — and the list of those who have none.

The per-sub-region counts come from ONE aggregate query grouped on the prefix of the child's region
code (a 12-digit 统计用区划代码: the first 9 digits of a village's code are its township's, and so on);
a second small query names the sub-regions, so those without children show as 0 of 0. Children
registered at the region itself (e.g. at the county, not in one of its townships) get their own row:
the rows always add up to the total ("100% 结对全覆盖" is then a sum, not a claim).
"""

from dataclasses import dataclass, field

from django.db.models import Case, Count, FilteredRelation, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.regioncodes import LEVELS, PREFIX_LENGTH, in_subtree, subtree_q
from children.models import Child, RiskColor
from pairing.models import PairingRole
from pairing.services import children_needing_lead

# The unpaired list's order: the most at risk first; a child not yet assessed is an unknown risk,
# so before the green ones.
NEED_RANK = Case(When(risk_color=RiskColor.RED, then=Value(0)), When(risk_color=RiskColor.YELLOW, then=Value(1)),
                 When(risk_color=RiskColor.GREEN, then=Value(3)), default=Value(2), output_field=IntegerField())


@dataclass
class CoverageRow:
    name: str
    active: int = 0
    paired: int = 0
    region: Region | None = None
    is_self: bool = False  # children registered at the region itself, not below it

    @property
    def unpaired(self) -> int:
        return self.active - self.paired

    @property
    def rate(self) -> float | None:
        """Paired over active, 0..1; None when there are no active children."""
        return self.paired / self.active if self.active else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def full(self) -> bool:
        return self.active > 0 and self.paired == self.active


@dataclass
class Coverage:
    region: Region
    rows: list[CoverageRow] = field(default_factory=list)
    total: CoverageRow = field(default_factory=lambda: CoverageRow(name=""))

    @property
    def full(self) -> bool:
        """True only when every active child in the region has a lead caring mother (and there are some)."""
        return self.total.full


def sub_prefix_length(region: Region) -> int:
    """How many leading digits name a direct sub-region of ``region`` (a village has none: its own)."""
    index = LEVELS.index(region.level)
    return PREFIX_LENGTH[LEVELS[index + 1]] if index + 1 < len(LEVELS) else PREFIX_LENGTH[region.level]


def coverage_counts(*, actor: User, region: Region) -> dict[str, tuple[int, int]]:
    """``{sub-region prefix: (active children, of them with an active lead)}`` — one query."""
    # A LEFT JOIN on the child's active lead (at most one row: the partial unique index says so) rather
    # than EXISTS per row: the planner estimates the join well, where the correlated subquery's inflated
    # cost estimate made PostgreSQL JIT-compile the query, which cost more than running it.
    rows = (Child.objects.visible_to(actor).active().filter(subtree_q("region", region.code))
            .annotate(lead=FilteredRelation("pairings", condition=Q(pairings__role=PairingRole.LEAD,
                                                                    pairings__ended_on__isnull=True)),
                      prefix=Substr("region_id", 1, sub_prefix_length(region)))
            .order_by().values("prefix")
            .annotate(active=Count("pk"), paired=Count("lead__id")))
    return {row["prefix"]: (row["active"], row["paired"]) for row in rows}


def region_coverage(*, actor: User, region: Region) -> Coverage:
    """Coverage of ``region`` (which must be in the actor's scope: else ``Region.DoesNotExist``)."""
    if not actor.is_superuser and not (actor.region_id and in_subtree(actor.region_id, region.code)):
        raise Region.DoesNotExist
    counts = coverage_counts(actor=actor, region=region)
    coverage = Coverage(region=region, total=CoverageRow(
        name=region.name, region=region, active=sum(a for a, _p in counts.values()),
        paired=sum(p for _a, p in counts.values())))
    length = sub_prefix_length(region)
    if length == PREFIX_LENGTH[region.level]:
        return coverage  # a village: no sub-regions, only the total
    for sub in Region.objects.filter(parent=region).order_by("code"):
        active, paired = counts.pop(sub.code[:length], (0, 0))
        coverage.rows.append(CoverageRow(name=sub.name, region=sub, active=active, paired=paired))
    if counts:  # children registered at the region itself, not in one of its sub-regions
        coverage.rows.append(CoverageRow(name=_("Registered at %(region)s itself") % {"region": region.name},
                                         region=region, active=sum(a for a, _p in counts.values()),
                                         paired=sum(p for _a, p in counts.values()), is_self=True))
    return coverage


def unpaired_children(*, actor: User, region: Region | None = None) -> QuerySet:
    """Active children in scope (under ``region``) with no lead caring mother: the most at risk first
    (red, yellow, not assessed, green), then the longest waiting."""
    queryset = children_needing_lead(actor=actor).select_related("region")
    if region is not None:
        queryset = queryset.filter(subtree_q("region", region.code))
    return queryset.annotate(need_rank=NEED_RANK).order_by("need_rank", "entered_on", "pk")
