"""Monthly coverage (月月有活动): of the paired children of a region, the share with at least one care
activity dated in a month — per direct sub-region, and in total — measured, not claimed.

Who counts (the denominator), as of the month's last day (or today, for the current month): a child
who had entered the programme and not exited by then, is not suspended, and had a lead caring mother
on that day. Of those (the numerator), the children with at least one ActivityChild row dated inside
the month: each child counts once however many activities reached them, a group activity's children
once each, an activity on the month's last day in that month (dates are Asia/Shanghai calendar days).

The per-sub-region counts come from ONE aggregate query grouped on the prefix of the child's region
code; a second small query names the sub-regions, so those without children show as 0 of 0.
Children registered at the region itself get their own row: the rows add up to the total.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from accounts.models import Region, User
from accounts.regioncodes import PREFIX_LENGTH
from activities.models import ActivityChild
from activities.rhythm import scope_children, sub_prefix_length
from children.models import Status
from pairing.models import Pairing, PairingRole

MONTH_RE = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str, *, today: date) -> date:
    """``YYYY-MM`` → the month's first day. A malformed month or one in the future is a ValidationError
    naming ``month``."""
    match = MONTH_RE.fullmatch((value or "").strip())
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 2000:
        raise ValidationError({"month": _("Enter the month as YYYY-MM, e.g. 2025-03.")})
    month = date(int(match[1]), int(match[2]), 1)
    if month > today.replace(day=1):
        raise ValidationError({"month": _("%(month)s is in the future.") % {"month": value.strip()}})
    return month


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s calendar month."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def as_of(month: date, *, today: date) -> date:
    """The day the denominator is taken on: the month's last day, or today for the current month."""
    return min(month_bounds(month)[1], today)


def paired_on(children: QuerySet, day: date) -> QuerySet:
    """Children in the programme on ``day`` (entered, not exited by then, not suspended) with a lead
    caring mother on that day."""
    lead = Pairing.objects.filter(child=OuterRef("pk"), role=PairingRole.LEAD, started_on__lte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day))
    return (children.exclude(status=Status.SUSPENDED).filter(entered_on__lte=day)
            .filter(Q(exited_on__isnull=True) | Q(exited_on__gt=day)).filter(Exists(lead)))


def contacted_in(month: date) -> Exists:
    first, last = month_bounds(month)
    return Exists(ActivityChild.objects.filter(child=OuterRef("pk"), occurred_on__gte=first, occurred_on__lte=last))


@dataclass
class CoverageRow:
    name: str
    paired: int = 0
    covered: int = 0
    region: Region | None = None
    is_self: bool = False  # children registered at the region itself, not below it

    @property
    def uncovered(self) -> int:
        return self.paired - self.covered

    @property
    def rate(self) -> float | None:
        """Covered over paired, 0..1; None when no child is paired."""
        return self.covered / self.paired if self.paired else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def full(self) -> bool:
        return self.paired > 0 and self.covered == self.paired


@dataclass
class MonthlyCoverage:
    region: Region | None
    month: date
    as_of: date
    rows: list[CoverageRow] = field(default_factory=list)
    total: CoverageRow = field(default_factory=lambda: CoverageRow(name=""))


def coverage_counts(*, actor: User, region: Region | None, month: date, today: date,
                    prefix_length: int | None = None) -> dict[str, tuple[int, int]]:
    """``{region-code prefix: (paired children, of them with an activity in the month)}`` — ONE query."""
    children = paired_on(scope_children(actor=actor, region=region), as_of(month, today=today))
    rows = (children.annotate(prefix=Substr("region_id", 1, prefix_length or sub_prefix_length(region)))
            .order_by().values("prefix")
            .annotate(paired=Count("pk"), covered=Count("pk", filter=Q(contacted_in(month)))))
    return {row["prefix"]: (row["paired"], row["covered"]) for row in rows}


def monthly_coverage(*, actor: User, region: Region | None, month: date, today: date) -> MonthlyCoverage:
    """Coverage of ``region`` (already checked to be in the actor's scope; None = the whole tree, for a
    superuser) in ``month``: two queries, the counts and the sub-regions' names."""
    counts = coverage_counts(actor=actor, region=region, month=month, today=today)
    result = MonthlyCoverage(region=region, month=month, as_of=as_of(month, today=today), total=CoverageRow(
        name=region.name if region else _("All regions"), region=region,
        paired=sum(p for p, _c in counts.values()), covered=sum(c for _p, c in counts.values())))
    length = sub_prefix_length(region)
    if region is not None and length == PREFIX_LENGTH[region.level]:
        return result  # a village: no sub-regions, only the total
    subregions = Region.objects.filter(parent=region) if region else Region.objects.filter(parent__isnull=True)
    for sub in subregions.order_by("code"):
        paired, covered = counts.pop(sub.code[:length], (0, 0))
        result.rows.append(CoverageRow(name=sub.name, region=sub, paired=paired, covered=covered))
    if counts:  # children registered at the region itself, not in one of its sub-regions
        result.rows.append(CoverageRow(name=_("Registered at %(region)s itself") % {"region": result.total.name},
                                       region=region, paired=sum(p for p, _c in counts.values()),
                                       covered=sum(c for _p, c in counts.values()), is_self=True))
    return result


def uncovered_children(*, actor: User, region: Region | None, month: date, today: date) -> QuerySet:
    """The paired children under ``region`` without any activity in ``month`` (to follow up)."""
    children = paired_on(scope_children(actor=actor, region=region), as_of(month, today=today))
    return children.exclude(contacted_in(month)).select_related("region").order_by("region_id", "name", "pk")
