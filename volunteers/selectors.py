"""What a caring mother was on a given day, as an SQL expression over one row per volunteer — the
definition the figures use (core.months). As children.selectors: the row holds the present, the
dated history the past, looked up only for those with history after the day."""

from datetime import date

from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from children.selectors import in_set
from volunteers.models import VolunteerStatus, VolunteerStatusChange


def volunteer_status_at(day: date) -> Case:
    """Her status on ``day``: NULL before she joined; else her latest status change dated on or before
    ``day`` when she has history after it (or left after it), else her status now."""
    later = VolunteerStatusChange.objects.filter(effective_on__gt=day).values("volunteer_id")
    history = (VolunteerStatusChange.objects.filter(volunteer=OuterRef("pk"), effective_on__lte=day)
               .order_by("-effective_on", "-id").values("to_status")[:1])
    return Case(
        When(joined_on__gt=day, then=Value(None, output_field=CharField())),
        When(in_set(later) | Q(left_on__gt=day),
             then=Coalesce(Subquery(history, output_field=CharField()), Value(VolunteerStatus.ACTIVE))),
        default=F("status"), output_field=CharField())
