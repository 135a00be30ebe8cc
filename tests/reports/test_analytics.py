"""The analytics table (reports.analytics builds it, reports.statstable reads it): a closed month's
figures read from it are the live computation's, at every level; a missing or changed month is
computed live and its rebuild asked for; a build that dies, or two at once, leave one whole set of
rows. The world is tests/reports/stats_world.py (March 2025, closed on the pinned day 2027-03-15)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Region
from activities.services import activity_record
from children import services as children
from core import months
from reports import analytics, stats, statstable, tasks
from reports.figures import ADDITIVE, COLUMNS
from reports.models import StatsBuild, StatsBuildStatus, StatsCell, StatsMonth
from tests import clock
from tests.factories import JINZHONG, LVLIANG, SHANXI, YUCI
from tests.reports import stats_world
from tests.reports.stats_world import COUNTY, MONTH, T1, T2, VILLAGE

pytestmark = pytest.mark.django_db

REGIONS = [SHANXI, LVLIANG, JINZHONG, COUNTY, YUCI, T1, T2, VILLAGE]
WINDOW = months.months_ending(date(2025, 5, 1), 5)  # January to May 2025


@pytest.fixture
def world(staff_lishi, staff_yuci, make_child, make_volunteer):
    return stats_world.build(staff=staff_lishi, staff_yuci=staff_yuci, make_child=make_child,
                             make_volunteer=make_volunteer)


def region(code: str) -> Region:
    return Region.objects.get(pk=code)


def build(*wanted: date) -> None:
    for month in wanted:
        analytics.stats_month_rebuild(month=month)


def read_from_table(code: str, month: date) -> dict:
    assert month in statstable.table_months([month]).fresh
    return stats.region_stats(region=region(code), month=month)


# --- agreement: the table gives the live figures ------------------------------------------------------

@pytest.mark.parametrize("code", REGIONS)
def test_the_table_gives_the_live_figures_for_every_region_and_month(world, code):
    build(*WINDOW)
    for month in WINDOW:
        assert read_from_table(code, month) == stats.region_stats(region=region(code), month=month, live=True)


def test_the_table_gives_the_hand_computed_figures(world):
    build(MONTH)
    county = read_from_table(COUNTY, MONTH)
    rows = {"own" if row["own_level"] else row["region"]["code"]: row for row in county["subregions"]}
    for code, expected in stats_world.EXPECTED.items():
        figures = county if code == COUNTY else rows[code]
        assert {key: figures[key] for key in expected} == expected


@pytest.mark.parametrize("code", [SHANXI, LVLIANG, COUNTY])
def test_the_pass_by_sub_region_agrees_with_the_live_one(world, code):
    build(MONTH)
    assert (stats.region_stats_by_subregion(region=region(code), month=MONTH)
            == stats.region_stats_by_subregion(region=region(code), month=MONTH, live=True))


@pytest.mark.parametrize("code", [SHANXI, COUNTY, T2])
def test_the_trend_from_the_table_is_the_live_trend(world, code):
    build(*months.months_ending(date(2025, 5, 1), 12))
    assert (stats.monthly_trend(region=region(code), month=date(2025, 5, 1))
            == stats.monthly_trend(region=region(code), month=date(2025, 5, 1), live=True))


def test_a_trend_with_unbuilt_months_takes_them_live(world):
    build(date(2025, 1, 1), MONTH)  # February, April, May not built
    assert (stats.monthly_trend(region=region(COUNTY), month=date(2025, 5, 1))
            == stats.monthly_trend(region=region(COUNTY), month=date(2025, 5, 1), live=True))


def test_the_table_has_a_column_for_every_additive_figure():
    names = {field.name for field in StatsCell._meta.get_fields()}
    assert set(COLUMNS.values()) <= names and len(COLUMNS) == len(ADDITIVE)


def test_the_table_holds_one_row_per_region_holding_data(world):
    build(MONTH)
    rows = dict(StatsCell.objects.filter(month=MONTH).values_list("region_code", "activities"))
    # 甲 乙 庚 of 东关村 visited; the festival counted at 母三's region, 离石区 itself; 榆次区's activity.
    assert rows[VILLAGE] == 3 and rows[COUNTY] == 1 and set(rows) >= {VILLAGE, T1, T2, COUNTY}


@pytest.mark.parametrize("day", [date(2024, 12, 31), date(2025, 1, 31), date(2025, 2, 28)])
def test_an_activity_on_a_months_last_day_counts_in_that_month_in_the_table(world, staff_lishi, day):
    activity_record(actor=staff_lishi, children=[world.jia.pk, world.yi.pk], occurred_on=day, kind="outing",
                    volunteer=world.mu1.pk, is_group=True, participants=5)
    build(months.first_day(day), months.next_month(day))
    for month in (months.first_day(day), months.next_month(day)):
        assert read_from_table(COUNTY, month) == stats.region_stats(region=region(COUNTY), month=month, live=True)
    assert read_from_table(COUNTY, months.first_day(day))["activities_by_kind"]["outing"] == 1


# --- reading: a fixed, small number of queries ------------------------------------------------------

def test_a_closed_month_from_the_table_takes_three_queries(world):
    build(MONTH)
    county = region(COUNTY)
    with CaptureQueriesContext(connection) as captured:
        stats.region_stats(region=county, month=MONTH)
    # 1 the table's state for March; 2 its rows grouped on the township prefix; 3 the townships.
    assert len(captured) == 3


def test_the_table_is_read_for_a_closed_month(world):
    build(MONTH)
    StatsCell.objects.filter(month=MONTH, region_code=VILLAGE).update(activities=99)
    assert stats.region_stats(region=region(T1), month=MONTH)["activities"] == 99


def test_the_national_counts_group_the_whole_table_per_province(world):
    build(MONTH)
    national = statstable.national_counts(month=MONTH)
    assert list(national) == ["14"]
    assert national["14"]["activities"] == stats.region_stats(region=region(SHANXI), month=MONTH)["activities"]


# --- missing, changed, current: computed live, never zeros -------------------------------------------

def test_a_missing_table_falls_back_to_the_live_figures_and_asks_for_a_rebuild(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        figures = stats.region_stats(region=region(COUNTY), month=MONTH)
    assert figures == stats.region_stats(region=region(COUNTY), month=MONTH, live=True)
    assert figures["children_active"] > 0
    assert (len(queued), StatsMonth.objects.get(month=MONTH).rebuild_queued_at is not None) == (1, True)


def test_the_rebuild_is_asked_for_once_while_it_is_pending(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        for _ in range(3):
            stats.region_stats(region=region(COUNTY), month=MONTH)
    assert len(queued) == 1


def test_a_rebuild_pending_too_long_is_asked_for_again(world, django_capture_on_commit_callbacks):
    stats.region_stats(region=region(COUNTY), month=MONTH)
    later = timezone.now() + statstable.RETRY_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=True), django_capture_on_commit_callbacks() as queued:
        stats.region_stats(region=region(COUNTY), month=MONTH)
    assert len(queued) == 1


def test_the_queued_rebuild_makes_the_table(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stats.region_stats(region=region(COUNTY), month=MONTH)
    state = StatsMonth.objects.get(month=MONTH)
    assert state.is_fresh(month_end=months.last_day(MONTH)) and state.rebuild_queued_at is None


def test_the_current_month_is_always_computed_live(world, today, django_capture_on_commit_callbacks):
    current = months.current_month(today=today)
    build(current)
    with django_capture_on_commit_callbacks() as queued:
        assert stats.region_stats(region=region(COUNTY), month=current) == stats.region_stats(
            region=region(COUNTY), month=current, live=True)
    assert queued == [] and current not in statstable.table_months([current]).fresh


def test_a_build_taken_during_the_month_is_not_read_once_it_closed(world):
    with clock.pinned(date(2025, 3, 20)):
        build(MONTH)
    assert StatsMonth.objects.get(month=MONTH).built_as_of == date(2025, 3, 20)
    assert MONTH not in statstable.table_months([MONTH]).fresh


def test_a_late_visit_marks_the_month_changed_and_queues_its_rebuild(world, staff_lishi,
                                                                      django_capture_on_commit_callbacks):
    build(MONTH, date(2025, 4, 1))
    before = read_from_table(COUNTY, MONTH)["activities"]
    with django_capture_on_commit_callbacks() as queued:
        activity_record(actor=staff_lishi, children=[world.jia.pk], occurred_on=date(2025, 3, 12), kind="call",
                        volunteer=world.mu1.pk, participants=1)
    assert len(queued) == 2  # March and April (a visit is the last contact until the next)
    figures = stats.region_stats(region=region(COUNTY), month=MONTH)  # stale: computed live
    assert figures["activities"] == before + 1


def test_a_change_dated_in_the_current_month_costs_no_query(world, today, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert statstable.stats_changed(since=today, today=today) == 0


def test_a_change_dated_in_a_closed_month_is_one_update_returning_the_months_to_rebuild(
        world, django_assert_num_queries, django_capture_on_commit_callbacks):
    build(MONTH, date(2025, 4, 1))
    StatsMonth.objects.create(month=date(2025, 2, 1))  # a month the table holds no build of
    with django_capture_on_commit_callbacks() as queued, django_assert_num_queries(1):
        marked = statstable.stats_changed(since=date(2025, 2, 14), today=date(2025, 5, 20))
    assert (marked, len(queued)) == (3, 2)  # February, March, April marked; the two built ones rebuilt
    assert set(StatsMonth.objects.values_list("month", "version")) == {
        (date(2025, 2, 1), 1), (MONTH, 1), (date(2025, 4, 1), 1)}


def test_a_transfer_marks_every_built_month_changed(world, staff_lishi):
    build(date(2025, 1, 1), MONTH)
    children.child_transfer(actor=staff_lishi, child=world.yi, to_region=world.t2, effective_on=date(2025, 4, 15))
    assert statstable.table_months([date(2025, 1, 1), MONTH]).fresh == frozenset()
    build(date(2025, 1, 1), MONTH)
    assert read_from_table(T2, date(2025, 1, 1)) == stats.region_stats(region=region(T2), month=date(2025, 1, 1),
                                                                       live=True)


# --- building: one set of rows, the old one kept when a build dies ------------------------------------

def test_a_rebuild_replaces_the_months_rows(world):
    build(MONTH)
    first = StatsMonth.objects.get(month=MONTH).build_id
    build(MONTH)
    state = StatsMonth.objects.get(month=MONTH)
    assert state.build_id != first
    assert set(StatsCell.objects.filter(month=MONTH).values_list("build", flat=True)) == {state.build_id}


def test_a_build_that_dies_leaves_the_previous_rows_and_is_marked_failed(world, monkeypatch):
    build(MONTH)
    rows = list(StatsCell.objects.filter(month=MONTH).values_list("region_code", "activities"))

    insert = analytics._insert

    def crash(cells):
        insert(cells[: len(cells) // 2])
        raise MemoryError("killed half-way through the insert")

    monkeypatch.setattr(analytics, "_insert", crash)
    with pytest.raises(MemoryError):
        analytics.stats_month_rebuild(month=MONTH)
    monkeypatch.undo()
    failed = StatsBuild.objects.filter(month=MONTH).order_by("-id").first()
    assert (failed.status, "MemoryError" in failed.error) == (StatsBuildStatus.FAILED, True)
    assert list(StatsCell.objects.filter(month=MONTH).values_list("region_code", "activities")) == rows
    assert read_from_table(COUNTY, MONTH) == stats.region_stats(region=region(COUNTY), month=MONTH, live=True)


def test_a_change_made_while_a_build_computes_leaves_the_month_stale(world, staff_lishi, monkeypatch):
    compute = analytics._compute

    def compute_then_change(build_row):
        cells = compute(build_row)
        activity_record(actor=staff_lishi, children=[world.jia.pk], occurred_on=date(2025, 3, 12), kind="call",
                        volunteer=world.mu1.pk, participants=1)
        return cells

    monkeypatch.setattr(analytics, "_compute", compute_then_change)
    build(MONTH)
    assert MONTH not in statstable.table_months([MONTH]).fresh


def test_an_older_build_finishing_last_does_not_replace_a_newer_one(world, staff_lishi):
    build(MONTH)
    state = StatsMonth.objects.get(month=MONTH)
    old = StatsBuild.objects.create(month=MONTH, as_of=date(2025, 3, 31), version=state.version)
    activity_record(actor=staff_lishi, children=[world.jia.pk], occurred_on=date(2025, 3, 12), kind="call",
                    volunteer=world.mu1.pk, participants=1)
    build(MONTH)  # reads the new version
    assert analytics._swap(old, []) is False
    assert StatsCell.objects.filter(month=MONTH).exists() and MONTH in statstable.table_months([MONTH]).fresh


def test_a_future_month_is_refused(world, today):
    with pytest.raises(ValueError):
        analytics.stats_month_rebuild(month=months.next_month(today))


def test_a_lost_build_is_marked_failed_by_the_sweep(world):
    with clock.pinned(date(2027, 3, 1)):
        lost = StatsBuild.objects.create(month=MONTH, as_of=date(2025, 3, 31))
    assert tasks.fail_lost_report_runs.apply().get() == 1
    lost.refresh_from_db()
    assert (lost.status, lost.error.startswith("WorkerLost")) == (StatsBuildStatus.FAILED, True)


def test_the_nightly_task_rebuilds_the_current_and_previous_month(world, today):
    assert tasks.rebuild_stats_nightly.apply().get() == [months.previous_month(months.current_month()).isoformat(),
                                                          months.current_month().isoformat()]
    assert StatsMonth.objects.filter(build__isnull=False).count() == 2


def test_the_rebuild_task_returns_the_rows_made(world):
    rows = tasks.rebuild_stats_month.apply(args=[MONTH.isoformat()]).get()
    assert rows == StatsCell.objects.filter(month=MONTH).count() > 0


def test_the_aid_sum_keeps_its_cents(world):
    build(MONTH)
    assert read_from_table(COUNTY, MONTH)["aid_value_yuan"] == str(Decimal("500.50"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks between connections)")
@pytest.mark.django_db(transaction=True)
def test_a_month_rebuilt_twice_at_once_has_one_set_of_rows(world):
    import threading

    from django.db import connections

    errors = []

    def rebuild():
        try:
            analytics.stats_month_rebuild(month=MONTH)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rebuild) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    state = StatsMonth.objects.get(month=MONTH)
    builds = set(StatsCell.objects.filter(month=MONTH).values_list("build", flat=True))
    assert (errors, builds, StatsBuild.objects.filter(month=MONTH, status=StatsBuildStatus.DONE).count()) == (
        [], {state.build_id}, 2)
    assert read_from_table(COUNTY, MONTH) == stats.region_stats(region=region(COUNTY), month=MONTH, live=True)


def test_the_command_builds_the_recent_months(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("rebuild_stats", months=2, stdout=out)
    current = months.current_month()
    assert [line.split("：")[0].split(":")[0] for line in out.getvalue().splitlines()] == [
        months.label(months.previous_month(current)), months.label(current)]
    assert StatsMonth.objects.filter(build__isnull=False).count() == 2


def test_the_command_refuses_a_count_out_of_range(world):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("rebuild_stats", months=61)
    assert not StatsBuild.objects.exists()


def test_a_contact_rhythm_change_marks_every_built_month_changed(world, admin_lishi):
    from activities import rhythm

    build(date(2025, 1, 1), MONTH)
    rhythm.rhythm_set(actor=admin_lishi, region=world.region, red_days=3, yellow_days=10, green_days=20,
                      unassessed_days=20)
    assert statstable.table_months([date(2025, 1, 1), MONTH]).fresh == frozenset()
