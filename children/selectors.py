"""What a child was on a given day, as SQL expressions over one row per child — THE definitions every
figure uses (the statistics, the coverage and overdue pages, the reports; core.months says what they
mean).

The ledger keeps the present on the row (``Child.status``, ``Child.risk_color`` = the latest
assessment) and the past in dated history rows. A child whose history has nothing dated after day D
was on D what the row says now; only the few with later history rows (their ids form one small set,
hashed once by the database) are looked up in the history, one index probe each. Province-wide that
is a hash probe per child instead of an index probe per child and figure.
"""

from datetime import date

from django.db.models import Case, CharField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.models import Region
from children.models import RiskAssessment, RiskColor, Status, StatusChange
from children.services import CHILD_REGION_LEVELS, transfer_area
from core.access import EDIT, role_of


def in_set(queryset: QuerySet, field: str = "pk") -> Q:
    """``field IN (subquery)``: uncorrelated, so evaluated once and hashed (PostgreSQL's hashed
    SubPlan, SQLite's ephemeral index), not once per row."""
    return Q(**{f"{field}__in": queryset})


def child_status_at(day: date) -> Case:
    """A child's status on ``day``: NULL before it entered; else its latest StatusChange dated on or
    before ``day`` when it has history after ``day`` (or had exited after it), else its status now.
    Children without any history rows (bulk imports) count as active until their exit date."""
    later = StatusChange.objects.filter(effective_on__gt=day).values("child_id")
    history = (StatusChange.objects.filter(child=OuterRef("pk"), effective_on__lte=day)
               .order_by("-effective_on", "-id").values("to_status")[:1])
    return Case(
        When(entered_on__gt=day, then=Value(None, output_field=CharField())),
        When(in_set(later) | Q(exited_on__gt=day),
             then=Coalesce(Subquery(history, output_field=CharField()), Value(Status.ACTIVE))),
        default=F("status"), output_field=CharField())


def active_on(children: QuerySet, day: date) -> QuerySet:
    """The children of ``children`` that were active on ``day`` (:func:`child_status_at`)."""
    return children.alias(status_on_day=child_status_at(day)).filter(status_on_day=Status.ACTIVE)


def child_color_at(day: date) -> Case:
    """The colour of the child's latest risk assessment on or before ``day`` (NULL: none by then);
    ``risk_color`` holds the latest one, so only children assessed after ``day`` are looked up."""
    later = RiskAssessment.objects.filter(assessed_on__gt=day).values("child_id")
    latest = (RiskAssessment.objects.filter(child=OuterRef("pk"), assessed_on__lte=day)
              .order_by("-assessed_on", "-recorded_at", "-id").values("color")[:1])
    return Case(
        When(in_set(later), then=Subquery(latest, output_field=CharField())),
        When(risk_color="", then=Value(None, output_field=CharField())),
        default=F("risk_color"), output_field=CharField())


def review_overdue(children: QuerySet, today: date) -> QuerySet:
    """THE rule of a red card overdue for review: a red child whose ``next_review_on`` is before
    ``today`` (the risk board lists them; the home page counts them)."""
    return children.filter(risk_color=RiskColor.RED, next_review_on__lt=today)


def transfer_destinations(actor) -> QuerySet:
    """The regions ``actor`` may move a child to (children.services.transfer_area): the counties,
    townships and villages of their own province; every one for a superuser; none for a role that
    may not change the ledger."""
    regions = Region.objects.filter(level__in=CHILD_REGION_LEVELS)
    if role_of(actor) not in EDIT:
        return regions.none()
    if actor.is_superuser:
        return regions
    area = transfer_area(actor)
    return regions.subtree(area) if area else regions.none()
