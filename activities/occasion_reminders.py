"""Reminders of the child's birthday and of the configured occasions (六一, 开学 …), part of the
daily run (activities.reminders.send_daily).

The lead caring mother (active, with an active login) of an active child is reminded when the next
birthday or occasion is at most ``remind_days_before`` days away (the region's plan, pairing.commitments;
7 days by default) — on the first daily run inside that span, or the day she was paired if later —
ONE notification per child, occasion and year: ``dedupe_key = "occasion:<child>:<birthday|MMDD>:<year>"``
(the year of the day itself: an occasion on 5 January is reminded in late December, keyed with the
new year). A birthday on 29 February falls on 28 February in a common year.

Queries: the plans (one, plus two when regions have plans), then ONE for the lead pairings — only the
children whose birthday is near, unless an occasion is near somewhere, then every lead pairing.
"""

from datetime import date, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from activities.models import Notification
from children.models import Status
from children.names import given_name
from pairing.commitments import CommitmentKind, Plan, PlanBook, load_plans, on_year
from pairing.models import Pairing, PairingRole
from pairing.selectors import active_on
from volunteers.models import VolunteerStatus

KIND_OCCASION = "occasion"


def occasion_key(child_id: int, key: str, year: int) -> str:
    return f"{KIND_OCCASION}:{child_id}:{key}:{year}"


def next_on(month: int, day: int, today: date) -> date:
    """The next ``month``-``day`` on or after ``today`` (29 February: the 28th in a common year)."""
    this_year = on_year(month, day, today.year)
    return this_year if this_year >= today else on_year(month, day, today.year + 1)


def _near(month: int, day: int, remind: int, today: date) -> date | None:
    upcoming = next_on(month, day, today)
    return upcoming if (upcoming - today).days <= remind else None


def _plans(book: PlanBook) -> list[Plan]:
    return [*book.plans.values(), book.plan_for(None)]


def birthday_q(today: date, horizon: int) -> Q:
    """Children born on one of the next ``horizon`` days' month-day (29 February ones on a common
    year's 28 February)."""
    condition = Q(pk__in=[])
    for offset in range(horizon + 1):
        day = today + timedelta(days=offset)
        condition |= Q(child__birth_date__month=day.month, child__birth_date__day=day.day)
        if day.month == 2 and day.day == 28 and (day + timedelta(days=1)).month == 3:
            condition |= Q(child__birth_date__month=2, child__birth_date__day=29)
    return condition


def occasion_reminders(*, today: date, plans: PlanBook | None = None) -> list[Notification]:
    """Unsaved notifications for the birthdays and occasions near ``today`` (see the module)."""
    plans = plans or load_plans(everything=True)
    every = _plans(plans)
    horizon = max((p.birthday_remind_days for p in every if p.enabled(CommitmentKind.BIRTHDAY_VISIT)), default=-1)
    occasion_near = any(_near(o.month, o.day, o.remind_days_before, today)
                        for p in every if p.enabled(CommitmentKind.OCCASION_VISIT) for o in p.occasions)
    if horizon < 0 and not occasion_near:
        return []
    leads = Pairing.objects.filter(active_on(today), role=PairingRole.LEAD, child__status=Status.ACTIVE,
                                   volunteer__status=VolunteerStatus.ACTIVE, volunteer__user__is_active=True)
    if not occasion_near:
        leads = leads.filter(birthday_q(today, horizon))
    rows = (leads.order_by("volunteer__user_id", "child_id")
            .values_list("child_id", "child__name", "child__birth_date", "child__region_id", "volunteer__user_id"))
    notes = []
    for child_id, name, birth, region_code, user_id in rows.iterator(chunk_size=2000):
        plan = plans.plan_for(region_code)
        child = given_name(name)
        link = reverse("phone:child", args=[child_id])
        body = _("Birthday and festival visits are part of the pairing's yearly commitments.")
        if plan.enabled(CommitmentKind.BIRTHDAY_VISIT):
            day = _near(birth.month, birth.day, plan.birthday_remind_days, today)
            if day is not None:
                notes.append(Notification(
                    recipient_id=user_id, kind=KIND_OCCASION, dedupe_key=occasion_key(child_id, "birthday", day.year),
                    link=link, children=[child_id], body=body,
                    title=_("%(child)s's birthday is on %(date)s: plan a visit") % {"child": child,
                                                                                  "date": day.isoformat()}))
        if plan.enabled(CommitmentKind.OCCASION_VISIT):
            for occasion in plan.occasions:
                day = _near(occasion.month, occasion.day, occasion.remind_days_before, today)
                if day is not None:
                    notes.append(Notification(
                        recipient_id=user_id, kind=KIND_OCCASION,
                        dedupe_key=occasion_key(child_id, occasion.key, day.year), link=link, children=[child_id],
                        body=body,
                        title=_("%(occasion)s on %(date)s: plan a visit to %(child)s") % {
                            "occasion": occasion.name, "date": day.isoformat(), "child": child}))
    return notes
