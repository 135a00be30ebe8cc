"""The test suite's clock: no test reads the real one.

Every test runs with "now" pinned (time-machine, ticking from the pinned instant): by default at
:data:`DEFAULT_TODAY`, a test that asks for the ``today`` fixture once on each of :data:`CALENDAR_DAYS`
— a month's first, middle and last day, the year's last day and a leap day. The pinned instant is
07:30 in Asia/Shanghai, when the UTC date is still the day before: code that takes "today" from UTC
instead of ``timezone.localdate()`` fails on every day.

``AIXIN_TEST_TODAY=YYYY-MM-DD`` moves the default (to sweep the whole suite over other days).
"""

import os
from contextlib import contextmanager
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import time_machine

SHANGHAI = ZoneInfo("Asia/Shanghai")
PINNED_TIME = time(7, 30)

# (id, day): each date-sensitive test runs once on each.
CALENDAR = (
    ("1st", date(2027, 3, 1)),  # the 1st, right after a 28-day February
    ("15th", date(2027, 3, 15)),
    ("month-end", date(2027, 4, 30)),  # the last day of a 30-day month
    ("dec-31", date(2026, 12, 31)),
    ("feb-29", date(2028, 2, 29)),
)
CALENDAR_DAYS = tuple(day for _id, day in CALENDAR)
DEFAULT_TODAY = date.fromisoformat(os.environ.get("AIXIN_TEST_TODAY") or "2027-03-15")


def moment(day: date) -> datetime:
    """The instant a pinned day starts at: 07:30 Beijing time."""
    return datetime.combine(day, PINNED_TIME, tzinfo=SHANGHAI)


@contextmanager
def pinned(day: date):
    """Run the block on ``day`` (the clock ticks on from 07:30 Beijing time)."""
    with time_machine.travel(moment(day), tick=True):
        yield day
