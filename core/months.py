"""Months: parsing ``YYYY-MM``, a month's bounds and the day its figures are taken on — and what "the
figures of a month" mean, for every page, API, report and task that shows one.

A month is passed around as the date of its first day. The figures of a month (reports.stats,
``/api/v1/stats/``, the dashboard, the monthly reports, the coverage and overdue pages) read the
records this way:

- **As of the month's last day.** A child's status is the one its ledger history gives on that day:
  the latest ``StatusChange`` with ``effective_on`` on or before it (ties: the later recorded). A
  child is *active* at day D when that row's ``to_status`` is active; exits, suspensions,
  re-admissions dated after D do not count. A child whose history starts after D (entered later)
  is in no count of that month. For the **current month** D is *today*: the figures are "so far".
  Volunteers likewise (``VolunteerStatusChange``). Records written without any history rows (bulk
  imports) fall back to their entry date, exit date and present status.
- **Risk colour** at D: the latest ``RiskAssessment`` with ``assessed_on`` ≤ D (none: unassessed).
- **Paired** at D: an active *lead* pairing on that day, ``started_on ≤ D`` and (``ended_on`` empty
  or ``ended_on > D``: a pairing ended on D no longer counts, its successor started on D does).
  A volunteer is paired at D with any such pairing (lead or helper).
- **Dated inside the month**: activities by ``occurred_on``, trainings by ``held_on``, new children
  by ``entered_on``, new volunteers by ``joined_on``, exits by the exit's ``effective_on``, needs by
  ``opened_on`` / ``fulfilled_on``. These are calendar dates in the platform's time zone
  (settings.TIME_ZONE, Asia/Shanghai): an activity at 23:59 on the month's last day, Beijing time,
  is dated that day and counts in that month; one at 00:01 on the 1st counts in the next.
- **Contact overdue** at D (activities.rhythm's rule, taken on D): an active child with a lead
  caring mother on D whose last activity on or before D — never visited: the start of that lead
  pairing — lies more than its contact interval before D; the interval is that of its colour at D
  (the ContactRhythm of the nearest region that sets one, else settings.CONTACT_DAYS).
- **Monthly coverage** is ``1 − children_without_activity / children_active`` (every active child);
  ``paired_monthly_coverage`` is 月月有活动 as activities.coverage measures it, over the active
  children with a lead caring mother. Rates are 0 when there is no one to divide by.
- **Categories** are the child's current ones (the ledger does not date category changes).
- **Region as of now.** Every count goes to the region a record is registered in *today*: a child
  transferred after the month counts, for that month too, in its new region (the history of
  transfers is kept, but the statistics do not replay it). Activities keep the region they were
  recorded in.
"""

import calendar
import re
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
# No month before this is a month of the programme.
MIN_YEAR = 2000


def first_day(day: date) -> date:
    return day.replace(day=1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def bounds(month: date) -> tuple[date, date]:
    """The first and last day of ``month``'s calendar month."""
    return first_day(month), last_day(month)


def next_month(month: date) -> date:
    return last_day(month) + timedelta(days=1)


def previous_month(month: date) -> date:
    return first_day(first_day(month) - timedelta(days=1))


def current_month(*, today: date | None = None) -> date:
    return first_day(today or timezone.localdate())


def as_of(month: date, *, today: date | None = None) -> date:
    """The day a month's status figures are taken: its last day, or today for the current month."""
    return min(last_day(month), today or timezone.localdate())


def is_current(month: date, *, today: date | None = None) -> bool:
    return first_day(month) == current_month(today=today)


def months_ending(month: date, count: int) -> list[date]:
    """``count`` months, oldest first, the last being ``month``."""
    months = [first_day(month)]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months


def label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def parse_month(value: str | None, *, field: str = "month", today: date | None = None) -> date:
    """``YYYY-MM`` → the month's first day. Missing, malformed or future months raise a
    ValidationError keyed by ``field``."""
    value = (value or "").strip()
    match = MONTH_RE.fullmatch(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < MIN_YEAR:
        raise ValidationError({field: _("Enter the month as YYYY-MM, e.g. 2025-03.")})
    month = date(int(match.group(1)), int(match.group(2)), 1)
    if month > current_month(today=today):
        raise ValidationError({field: _("%(month)s is in the future.") % {"month": value}})
    return month
