"""The daily Celery task that exits children who aged out (run eagerly in tests)."""

from datetime import date

import pytest
from django.conf import settings

from children import services
from children.models import Child, ExitReason, Status, StatusChange, add_years
from children.tasks import exit_aged_out_children

pytestmark = pytest.mark.django_db

AGED_OUT_ON = date(2025, 1, 1)


@pytest.fixture
def aged_out(make_child, staff_lishi):
    """Two children whose categories ended in the past: valid when they entered, aged out since."""
    return [
        # Left-behind, born 2009-01-01, entered 2020: turned 16 on 2025-01-01.
        make_child(staff_lishi, name="已满十六", birth_date=date(2009, 1, 1), entered_on=date(2020, 1, 1),
                   categories=["left_behind"]),
        # An orphan born 2007-01-01, entered 2019: turned 18 on 2025-01-01.
        make_child(staff_lishi, name="已满十八", birth_date=date(2007, 1, 1), entered_on=date(2019, 1, 1),
                   categories=["orphan"], gender="male"),
    ]


@pytest.fixture
def still_young(make_child, staff_lishi, today):
    """A left-behind child born 2015, and a left-behind orphan 17 today: past 16, but an orphan until 18."""
    return [
        make_child(staff_lishi, name="还小"),
        make_child(staff_lishi, name="孤儿未满", birth_date=add_years(today, -17),
                   categories=["left_behind", "orphan"]),
    ]


def run_task() -> int:
    """Run the task in-process (``apply``), whether or not a Redis broker is configured."""
    return exit_aged_out_children.apply().get()


def test_task_exits_children_who_aged_out(aged_out, still_young):
    assert run_task() == 2
    assert set(Child.objects.filter(status=Status.EXITED).values_list("name", flat=True)) == {"已满十六", "已满十八"}


def test_task_records_the_exit_as_aged_out_on_the_day_they_aged_out(aged_out):
    run_task()
    change = StatusChange.objects.get(child=aged_out[0], to_status=Status.EXITED)
    assert (change.reason, change.effective_on, change.actor) == (ExitReason.AGED_OUT, AGED_OUT_ON, None)
    child = Child.objects.get(pk=aged_out[0].pk)
    assert (child.exit_reason, child.exited_on) == (ExitReason.AGED_OUT, AGED_OUT_ON)


def test_task_leaves_children_who_still_qualify(aged_out, still_young):
    run_task()
    assert set(Child.objects.filter(pk__in=[c.pk for c in still_young]).values_list("status", flat=True)) == {
        Status.ACTIVE}


def test_task_exits_a_suspended_child_who_aged_out(aged_out, staff_lishi):
    services.child_change_status(actor=staff_lishi, child=aged_out[0], to_status=Status.SUSPENDED,
                                 effective_on=date(2024, 6, 1))
    run_task()
    assert Child.objects.get(pk=aged_out[0].pk).status == Status.EXITED


def test_second_run_changes_nothing(aged_out, still_young):
    run_task()
    changes = StatusChange.objects.count()
    assert run_task() == 0
    assert StatusChange.objects.count() == changes


def test_beat_runs_the_task_daily_at_half_past_one():
    entry = settings.CELERY_BEAT_SCHEDULE["children-exit-aged-out"]
    assert entry["task"] == exit_aged_out_children.name
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute) == ({1}, {30})
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
