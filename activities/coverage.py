"""Monthly coverage (月月有活动): of the paired children of a region, the share with at least one care
activity dated in a month — per direct sub-region, and in total — measured, not claimed.

It is the statistics' ``children_paired`` and ``paired_children_without_activity`` (reports.stats),
counted with the same definitions (core.months): who counts (the denominator) is who was *paired*
on the month's last day, or today for the current month (pairing.selectors: active that day by the
status history, children.selectors, with a lead caring mother that day); of those (the numerator),
the children with at least one ActivityChild row dated inside the month
(activities.rhythm.child_contacted_between): each child counts once however many activities reached
them, a group activity's children once each, an activity on the month's last day in that month.

The per-sub-region counts come from ONE aggregate query grouped on the prefix of the child's region
code; a second small query names the sub-regions (core.regions.rollup), so those without children
show as 0 of 0, and children registered at the region itself get their own row: the rows add up to
the total.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from accounts.models import Region, User
from activities.rhythm import child_contacted_between, scope_children
from core import months
from core.regions import Rollup, rollup, sub_prefix_length
from core.shares import Share
from pairing.selectors import children_paired_on


class ContactShare(Share):
    """Of the paired children (``paired``), those with an activity in the month (``covered``)."""

    @property
    def paired(self) -> int:
        return self.whole

    @property
    def covered(self) -> int:
        return self.part

    @property
    def uncovered(self) -> int:
        return self.rest


@dataclass
class MonthlyCoverage(Rollup[ContactShare]):
    month: date | None = None
    as_of: date | None = None


def coverage_counts(*, actor: User, region: Region | None, month: date, today: date,
                    prefix_length: int | None = None) -> dict[str, ContactShare]:
    """``{region-code prefix: ContactShare}`` — ONE query."""
    first, last = months.bounds(month)
    children = children_paired_on(scope_children(actor=actor, region=region), months.as_of(month, today=today),
                                  region=region)
    rows = (children.alias(contacted=child_contacted_between(first, last, region=region))
            .annotate(prefix=Substr("region_id", 1, prefix_length or sub_prefix_length(region)))
            .order_by().values("prefix")
            .annotate(paired=Count("pk"), covered=Count("pk", filter=Q(contacted=True))))
    return {row["prefix"]: ContactShare(part=row["covered"], whole=row["paired"]) for row in rows}


def monthly_coverage(*, actor: User, region: Region | None, month: date, today: date) -> MonthlyCoverage:
    """Coverage of ``region`` (already checked to be in the actor's scope) in ``month``: two queries,
    the counts and the sub-regions' names."""
    result = rollup(region=region, counts=coverage_counts(actor=actor, region=region, month=month, today=today),
                    zero=ContactShare, combine=ContactShare.sum)
    return MonthlyCoverage(region=result.region, total=result.total, rows=result.rows, month=month,
                           as_of=months.as_of(month, today=today))


def uncovered_children(*, actor: User, region: Region | None, month: date, today: date) -> QuerySet:
    """The paired children under ``region`` without any activity in ``month`` (to follow up)."""
    first, last = months.bounds(month)
    children = children_paired_on(scope_children(actor=actor, region=region), months.as_of(month, today=today),
                                  region=region)
    return (children.alias(contacted=child_contacted_between(first, last, region=region)).filter(contacted=False)
            .select_related("region").order_by("region_id", "name", "pk"))
