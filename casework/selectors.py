"""Reading casework: a child's casework page, a user's overdue actions, and the red children still
without an open case plan (the risk board's list).

**Since when a child is red** (:func:`red_since`): the ledger keeps each risk assessment (三色卡,
children.models.RiskAssessment) with its ``assessed_on``; ``Child.risk_color`` is the latest one's. A
red child has been red since the earliest red assessment on or after its latest non-red one (its first
assessment when it was never anything else).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, DateField, Exists, Min, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from casework.models import ActionStatus, CaseAction, CasePlan, GuardianConsent, PlanStatus, Referral
from children.models import Child, RiskAssessment, RiskColor

# Before any assessment.
DAWN = date(1900, 1, 1)


def overdue_actions(user, today: date) -> QuerySet:
    """THE rule of an overdue action: the user's own open actions whose due date is before ``today``
    (the home page counts them, the overdue list shows them, the daily reminders notify them)."""
    return CaseAction.objects.visible_to(user).filter(owner=user, status=ActionStatus.OPEN, due_on__lt=today)


def overdue_counts_by_owner(today: date) -> dict[int, int]:
    """Every owner's number of overdue actions (for the daily reminders). ONE aggregate query."""
    rows = (CaseAction.objects.filter(status=ActionStatus.OPEN, due_on__lt=today, owner__is_active=True,
                                      plan__status=PlanStatus.OPEN)
            .order_by().values("owner_id").annotate(n=Count("pk")))
    return {row["owner_id"]: row["n"] for row in rows}


def red_since() -> Coalesce:
    """The day a (currently red) child turned red, as an SQL expression over the child's row."""
    last_other = (RiskAssessment.objects.filter(child=OuterRef(OuterRef("pk"))).exclude(color=RiskColor.RED)
                  .order_by("-assessed_on").values("assessed_on")[:1])
    first_red = (RiskAssessment.objects.filter(child=OuterRef("pk"), color=RiskColor.RED)
                 .filter(assessed_on__gte=Coalesce(Subquery(last_other, output_field=DateField()),
                                                   Value(DAWN, output_field=DateField())))
                 .order_by().values("child").annotate(first=Min("assessed_on")).values("first")[:1])
    return Subquery(first_red, output_field=DateField())


def red_without_plan(children: QuerySet, today: date, days: int | None = None) -> QuerySet:
    """THE rule of a red child overdue for a case plan: red now, without an open plan, and red since
    more than CASE_PLAN_DUE_DAYS days before ``today``. Annotated ``red_since``; oldest first."""
    days = settings.CASE_PLAN_DUE_DAYS if days is None else days
    open_plan = CasePlan.objects.filter(child=OuterRef("pk"), status=PlanStatus.OPEN)
    return (children.filter(risk_color=RiskColor.RED).exclude(Exists(open_plan))
            .annotate(red_since=red_since())
            .filter(red_since__lt=today - timedelta(days=days))
            .order_by("red_since", "id"))


def child_casework(user, child: Child) -> dict:
    """What a child's casework page shows: the open plan (or None) with its actions and their owners,
    the closed plans, the referrals and the consents. Four queries."""
    # Query: the child's plans, newest first.
    plans = list(CasePlan.objects.visible_to(user).filter(child=child).select_related("created_by"))
    current = next((p for p in plans if p.status == PlanStatus.OPEN), None)
    # Query: the open plan's actions with their owners.
    actions = (list(CaseAction.objects.visible_to(user).filter(plan=current).select_related("owner"))
               if current is not None else [])
    # Query: the referrals.
    referrals = list(Referral.objects.visible_to(user).filter(child=child))
    # Query: the consents.
    consents = list(GuardianConsent.objects.visible_to(user).filter(child=child).select_related("recorded_by"))
    return {"plan": current, "actions": actions, "closed_plans": [p for p in plans if p is not current],
            "referrals": referrals, "consents": consents}


def owner_candidates(child: Child):
    """The users an action of ``child``'s plan may be given to: the active staff and administrators
    whose region holds the child (its region or an ancestor), and the child's lead caring mother."""
    from accounts.models import User
    from core.regioncodes import ancestor_codes
    from pairing.models import Pairing, PairingRole

    staff = User.objects.filter(is_active=True, is_superuser=False, role__in=["staff", "admin"],
                                region_id__in=[child.region_id, *ancestor_codes(child.region_id)])
    lead = Pairing.objects.filter(child=child, role=PairingRole.LEAD, ended_on__isnull=True,
                                  volunteer__user__is_active=True).values("volunteer__user_id")
    return (staff | User.objects.filter(pk__in=lead)).order_by("name", "username")
