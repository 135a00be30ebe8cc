"""Pairing coverage (结对覆盖率): of the active children in a region, how many have an active lead
caring mother — per direct sub-region, and in total — and the list of those who have none.

The per-sub-region counts come from ONE aggregate query grouped on the prefix of the child's region
code (a 12-digit 统计用区划代码: the first 9 digits of a village's code are its township's, and so on);
a second small query names the sub-regions, so those without children show as 0 of 0. Children
registered at the region itself (e.g. at the county, not in one of its townships) get their own row:
the rows always add up to the total ("100% 结对全覆盖" is then a sum, not a claim).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.models import Region, User
from children.models import Child, RiskColor
from children.selectors import active_on
from core.regioncodes import subtree_q
from core.regions import Rollup, in_scope, rollup, sub_prefix_length
from core.shares import Share
from pairing.selectors import child_paired_at
from pairing.services import children_needing_lead

# The unpaired list's order: the most at risk first; a child not yet assessed is an unknown risk,
# so before the green ones.
NEED_RANK = Case(When(risk_color=RiskColor.RED, then=Value(0)), When(risk_color=RiskColor.YELLOW, then=Value(1)),
                 When(risk_color=RiskColor.GREEN, then=Value(3)), default=Value(2), output_field=IntegerField())


class PairingShare(Share):
    """Of the active children (``active``), those with a lead caring mother (``paired``)."""

    @property
    def active(self) -> int:
        return self.whole

    @property
    def paired(self) -> int:
        return self.part

    @property
    def unpaired(self) -> int:
        return self.rest


@dataclass
class Coverage(Rollup[PairingShare]):
    @property
    def full(self) -> bool:
        """True only when every active child in the region has a lead caring mother (and there are some)."""
        return self.total.full


def coverage_counts(*, actor: User, region: Region, day: date | None = None) -> dict[str, PairingShare]:
    """``{sub-region prefix: PairingShare}`` on ``day`` (today) — one query, with the statistics'
    definitions of active and paired (children.selectors, pairing.selectors)."""
    day = day or timezone.localdate()
    rows = (active_on(Child.objects.visible_to(actor).filter(subtree_q("region", region.code)), day)
            .alias(paired_on_day=child_paired_at(day, region=region))
            .annotate(prefix=Substr("region_id", 1, sub_prefix_length(region)))
            .order_by().values("prefix")
            .annotate(active=Count("pk"), paired=Count("pk", filter=Q(paired_on_day=True))))
    return {row["prefix"]: PairingShare(part=row["paired"], whole=row["active"]) for row in rows}


def region_coverage(*, actor: User, region: Region) -> Coverage:
    """Coverage of ``region`` (which must be in the actor's scope: else ``Region.DoesNotExist``)."""
    if not in_scope(actor, region.code):
        raise Region.DoesNotExist
    result = rollup(region=region, counts=coverage_counts(actor=actor, region=region), zero=PairingShare,
                    combine=PairingShare.sum)
    return Coverage(region=result.region, total=result.total, rows=result.rows)


def unpaired_children(*, actor: User, region: Region | None = None) -> QuerySet:
    """Active children in scope (under ``region``) with no lead caring mother: the most at risk first
    (red, yellow, not assessed, green), then the longest waiting."""
    queryset = children_needing_lead(actor=actor).select_related("region")
    if region is not None:
        queryset = queryset.filter(subtree_q("region", region.code))
    return queryset.annotate(need_rank=NEED_RANK).order_by("need_rank", "entered_on", "pk")
