"""Celery tasks of the reports: thin wrappers taking ids, the work is in reports.services.

Their time limits are every task's (settings.CELERY_TASK_TIME_LIMIT and CELERY_TASK_SOFT_TIME_LIMIT:
past the soft one the run is left failed with the error), from which the broker's visibility timeout
and the time after which a run is taken as lost are sized."""

from datetime import date

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import OperationalError

from core.jobs import RecordedFailureTask
from reports import analytics, services


class ReportTask(RecordedFailureTask):
    """A report task whose run is left ``failed`` when Celery gives up on it (see RecordedFailureTask);
    otherwise reports.services.report_runs_fail_lost would find it later."""

    record_label = "report run"

    def fail_stopped(self, record_id, exc):
        services.report_fail_stopped(run_id=record_id, exc=exc)


@shared_task(
    base=ReportTask,
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    # Retrying cannot fix these: a run that vanished, bad data, a report too slow to ever finish.
    dont_autoretry_for=(ObjectDoesNotExist, ValidationError, PermissionDenied, SoftTimeLimitExceeded),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def generate_report(self, run_id: int) -> str:
    """Make the report of one run. A failure leaves the run ``failed`` with the error, then Celery
    retries (up to 3 times, with backoff); a later attempt that succeeds leaves it ``done``. Killed at
    the hard time limit, the run is left ``failed`` by ReportTask.on_failure."""
    return services.report_generate(run_id=run_id).status


@shared_task(acks_late=True)
def monthly_reports() -> int:
    """Queue last month's reports (beat, the 1st of each month; see CELERY_BEAT_SCHEDULE). Re-running
    is harmless: reports already made or queued are skipped. Returns how many were queued."""
    return len(services.schedule_monthly())


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def fail_lost_report_runs(self) -> int:
    """Mark report runs and statistics-table builds whose worker was lost ``failed`` (beat, every 5
    minutes; see CELERY_BEAT_SCHEDULE), so none stays ``running`` for ever. Returns how many."""
    return services.report_runs_fail_lost() + analytics.stats_builds_fail_lost()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ValueError, SoftTimeLimitExceeded),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=3,
)
def rebuild_stats_month(self, month: str) -> int:
    """Rebuild the analytics table's rows of one month (``YYYY-MM-DD``, its first day); returns how
    many rows. A failure leaves the previous rows in place (reports.analytics) and Celery retries."""
    return analytics.stats_month_rebuild(month=date.fromisoformat(month)).rows


@shared_task(acks_late=True)
def rebuild_stats_nightly() -> list[str]:
    """Queue the rebuild of the current and the previous month (beat, nightly; see
    CELERY_BEAT_SCHEDULE). Returns the months queued."""
    queued = [month.isoformat() for month in analytics.months_to_rebuild_nightly()]
    for month in queued:
        rebuild_stats_month.delay(month)
    return queued
