"""Shared fixtures for care activities. The children, volunteer and pairing fixtures live in sibling
conftests; pytest only sees a conftest's fixtures below its own folder, so they are imported here.

- ``my_mother``: the caring mother (Volunteer) behind the ``volunteer_lishi`` login;
- ``pair(child, volunteer, role="lead", started_on=START)``: a pairing through pairing.services;
- ``record(actor, children=[child, …], occurred_on=…, kind="home_visit", **fields)``: an activity
  through activities.services.activity_record, returning the Activity;
- ``contact_ledger``: children with known colours, pairings and last contacts (contact rhythm, reminders).
"""

from datetime import date, timedelta

import pytest

from activities import services
from tests.children.conftest import child_lishi, child_yuci, make_child  # noqa: F401
from tests.pairing.conftest import START, mother_lishi, mother_yuci, pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401


@pytest.fixture
def my_mother(volunteer_mother_lishi):  # noqa: F811
    """The caring mother who logs in as ``volunteer_lishi`` (东关村, 离石区)."""
    return volunteer_mother_lishi


@pytest.fixture
def record():
    """``record(actor, children=[…], occurred_on=…, kind="home_visit", **fields)`` → the Activity."""

    def make(actor, *, children, occurred_on: date, kind: str = "home_visit", **fields):
        activity, _created = services.activity_record(actor=actor, children=[c.pk for c in children],
                                                      occurred_on=occurred_on, kind=kind, **fields)
        return activity

    return make


@pytest.fixture
def contact_ledger(make_child, pair, record, staff_lishi, staff_yuci, my_mother, mother_lishi,  # noqa: F811
                   mother_yuci, today):  # noqa: F811
    """A hand-built ledger for the contact rhythm (activities.rhythm), dated relative to ``today`` (a test
    using it runs on each of the calendar's days), under the default intervals (red 7, yellow 14, green 30,
    not assessed 30 days). All in 东关村 (离石区) unless said otherwise; activities are recorded through
    activities.services.activity_record.

    Led by ``my_mother`` (the ``volunteer_lishi`` login):
      ``red_recent``  red, last contact today-3                → due today+4   (not due)
      ``red_late``    red, contacts today-30 and today-8       → due today-1   (overdue)
      ``yellow_due``  yellow, last contact today-14            → due today     (due, not overdue)
    Led by ``mother_lishi`` (no login):
      ``green_late``  green, last contact today-31             → due today-1   (overdue)
      ``never_new``   not assessed, never contacted, paired today-10 → due today+20 (not due)
      ``never_old``   green, never contacted, paired today-40  → due today-10  (overdue)
    Not paired: ``unpaired_red`` (red, never contacted: never due).
    In 榆次区, led by ``mother_yuci``: ``yuci_late`` (red, last contact today-20: overdue, outside 离石区).

    Returns a SimpleNamespace of the children, plus ``today`` and ``overdue_lishi`` (the names of
    离石区's overdue children)."""
    from types import SimpleNamespace

    from children import services as child_services

    def days_ago(n: int) -> date:
        return today - timedelta(days=n)

    def child(name, color=None, *, actor=staff_lishi, region_code="141102001200", mother=None, paired_days_ago=60,
              contacts=()):
        # Born on 20 October: far from every calendar day and the default occasions (六一, 开学), so no
        # birthday or occasion reminder (activities.occasion_reminders) joins the contact reminders.
        made = make_child(actor, name=name, region_code=region_code, birth_date=date(2015, 10, 20))
        if color:
            child_services.child_assess(actor=actor, child=made, color=color, reasons=["guardianship"],
                                        assessed_on=today)
        if mother is not None:
            pair(made, mother, actor=actor, started_on=days_ago(paired_days_ago))
        for n in contacts:
            record(actor, children=[made], occurred_on=days_ago(n), volunteer=mother)
        return made

    ledger = SimpleNamespace(
        today=today,
        red_recent=child("甲红近", "red", mother=my_mother, contacts=[3]),
        red_late=child("乙红迟", "red", mother=my_mother, contacts=[30, 8]),
        yellow_due=child("丙黄到", "yellow", mother=my_mother, contacts=[14]),
        green_late=child("丁绿迟", "green", mother=mother_lishi, contacts=[31]),
        never_new=child("戊新结", mother=mother_lishi, paired_days_ago=10),
        never_old=child("己久未", "green", mother=mother_lishi, paired_days_ago=40),
        unpaired_red=child("庚未结", "red"),
        yuci_late=child("辛榆次", "red", actor=staff_yuci, region_code="140702100000", mother=mother_yuci,
                        contacts=[20]),
    )
    ledger.overdue_lishi = {"乙红迟", "丁绿迟", "己久未"}
    return ledger
