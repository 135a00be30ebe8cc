"""Who was paired on a given day — THE definition of "paired" every figure uses (core.months):
a pairing is active on day D when it started on or before D and had not ended by D (one ended on D
no longer counts; its successor started on D does). A child is paired when it has such a *lead*
pairing; a caring mother when she has any (lead or helper)."""

from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from accounts.models import Region
from children.selectors import active_on as child_active_on
from children.selectors import in_set
from core.regioncodes import subtree_q
from pairing.models import Pairing, PairingRole


def active_on(day: date) -> Q:
    """Pairings active on ``day``."""
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def within(queryset: QuerySet, field: str, region: Region | None) -> QuerySet:
    """Narrow a set's subquery to the subtree (so a county's sets are a county's size; the join it
    costs is skipped for a root region, whose subtree is everything)."""
    return queryset.filter(subtree_q(field, region.code)) if region is not None and region.parent_id else queryset


def leads_on(day: date, *, region: Region | None = None) -> QuerySet:
    """The lead pairings active on ``day`` (of children under ``region``)."""
    return within(Pairing.objects.filter(active_on(day), role=PairingRole.LEAD), "child__region", region)


def child_paired_at(day: date, *, region: Region | None = None) -> ExpressionWrapper:
    """Whether the child had an active lead pairing on ``day`` (``region``: the children's subtree)."""
    return ExpressionWrapper(in_set(leads_on(day, region=region).values("child_id")), output_field=BooleanField())


def volunteer_paired_at(day: date, *, region: Region | None = None) -> ExpressionWrapper:
    """Whether the caring mother had any active pairing (lead or helper) on ``day``."""
    pairings = within(Pairing.objects.filter(active_on(day)), "volunteer__region", region)
    return ExpressionWrapper(in_set(pairings.values("volunteer_id")), output_field=BooleanField())


def children_paired_on(children: QuerySet, day: date, *, region: Region | None = None) -> QuerySet:
    """The children of ``children`` active on ``day`` with a lead caring mother that day — who counts
    as "paired" in every figure (coverage, overdue, the statistics)."""
    return child_active_on(children, day).alias(paired_on_day=child_paired_at(day, region=region)).filter(
        paired_on_day=True)
