"""The monthly schedule: on the 1st, last month's report of every county, city and the province
(configurable), skipping those already made or on their way; and the beat entry that runs it."""

from datetime import date, timedelta

import pytest
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from config.celery import app
from reports import services, tasks
from reports.models import ReportRun, ReportStatus
from tests.factories import JINZHONG, LISHI, LVLIANG, SHANXI, YUCI

pytestmark = pytest.mark.django_db

ON = date(2025, 6, 1)
MAY = date(2025, 5, 1)
# The fixture tree: the province, 2 cities, 2 counties (townships and villages are not scheduled).
SCHEDULED = {SHANXI, LVLIANG, JINZHONG, LISHI, YUCI}


def _existing(region_code: str, status: str, *, month: date = MAY, format: str = "pdf") -> ReportRun:
    return ReportRun.objects.create(region_id=region_code, month=month, format=format, status=status)


def test_last_months_reports_are_made_for_every_county_city_and_the_province(regions):
    runs = services.schedule_monthly(on=ON)
    assert {run.region_id for run in runs} == SCHEDULED
    assert {(run.month, run.format, run.status, run.requested_by) for run in runs} == {
        (MAY, "pdf", ReportStatus.QUEUED, None)}


def test_in_january_it_is_last_years_december(regions):
    runs = services.schedule_monthly(on=date(2026, 1, 1))
    assert {run.month for run in runs} == {date(2025, 12, 1)}


def test_a_report_already_done_is_skipped(regions):
    _existing(LISHI, ReportStatus.DONE)
    assert LISHI not in {run.region_id for run in services.schedule_monthly(on=ON)}


def test_a_report_queued_or_being_made_is_skipped(regions):
    _existing(LISHI, ReportStatus.QUEUED)
    _existing(LVLIANG, ReportStatus.RUNNING)
    assert {run.region_id for run in services.schedule_monthly(on=ON)} == SCHEDULED - {LISHI, LVLIANG}


def test_a_report_whose_worker_was_lost_is_failed_and_made_again(regions):
    stuck = _existing(LISHI, ReportStatus.RUNNING)
    ReportRun.objects.filter(pk=stuck.pk).update(
        started_at=timezone.now() - services.running_lost_after() - timedelta(seconds=1))
    assert LISHI in {run.region_id for run in services.schedule_monthly(on=ON)}
    stuck.refresh_from_db()
    assert stuck.status == ReportStatus.FAILED


def test_a_report_started_minutes_ago_is_skipped(regions):
    running = _existing(LISHI, ReportStatus.RUNNING)
    ReportRun.objects.filter(pk=running.pk).update(started_at=timezone.now() - timedelta(minutes=5))
    assert LISHI not in {run.region_id for run in services.schedule_monthly(on=ON)}


def test_a_failed_report_is_made_again(regions):
    _existing(LISHI, ReportStatus.FAILED)
    assert LISHI in {run.region_id for run in services.schedule_monthly(on=ON)}


def test_another_months_report_does_not_count(regions):
    _existing(LISHI, ReportStatus.DONE, month=date(2025, 4, 1))
    assert LISHI in {run.region_id for run in services.schedule_monthly(on=ON)}


def test_running_it_twice_makes_nothing_more(regions):
    services.schedule_monthly(on=ON)
    assert services.schedule_monthly(on=ON) == []
    assert ReportRun.objects.count() == len(SCHEDULED)


def test_each_run_is_queued_when_the_transaction_commits(regions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        runs = services.schedule_monthly(on=ON)
    assert len(callbacks) == len(runs) == len(SCHEDULED)


def test_the_levels_are_configurable(regions, settings):
    settings.REPORT_SCHEDULE_LEVELS = ["province", "city"]
    assert {run.region_id for run in services.schedule_monthly(on=ON)} == {SHANXI, LVLIANG, JINZHONG}


def test_the_formats_are_configurable(regions, settings):
    settings.REPORT_SCHEDULE_FORMATS = ["pdf", "xlsx"]
    runs = services.schedule_monthly(on=ON)
    assert sorted(run.format for run in runs if run.region_id == LISHI) == ["pdf", "xlsx"]


def test_an_unknown_level_is_a_configuration_error(regions, settings):
    settings.REPORT_SCHEDULE_LEVELS = ["county", "district"]
    with pytest.raises(ImproperlyConfigured):
        services.schedule_monthly(on=ON)
    assert not ReportRun.objects.exists()


def test_the_task_reports_how_many_it_queued(regions):
    assert tasks.monthly_reports.apply().get() == len(SCHEDULED)


def test_beat_runs_it_on_the_first_at_three(settings):
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.tasks.monthly_reports")
    assert entry["schedule"] == crontab(day_of_month=1, hour=3, minute=0)


def test_the_beat_task_is_registered():
    assert "reports.tasks.monthly_reports" in app.tasks
