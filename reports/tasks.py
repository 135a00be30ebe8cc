"""Celery tasks of the reports: thin wrappers taking ids, the work is in reports.services."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from reports import services

# A province report at province scale (~125,000 children, ~2,000,000 activities) renders in well under a minute (bench/reports.py);
# past these the worker gives up on it and the run is left failed with the error.
SOFT_TIME_LIMIT = 10 * 60
TIME_LIMIT = SOFT_TIME_LIMIT + 30


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    # Retrying cannot fix these: a run that vanished, bad data, a report too slow to ever finish.
    dont_autoretry_for=(ObjectDoesNotExist, ValidationError, PermissionDenied, SoftTimeLimitExceeded),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=SOFT_TIME_LIMIT,
    time_limit=TIME_LIMIT,
)
def generate_report(self, run_id: int) -> str:
    """Make the report of one run. A failure leaves the run ``failed`` with the error, then Celery
    retries (up to 3 times, with backoff); a later attempt that succeeds leaves it ``done``."""
    return services.report_generate(run_id=run_id).status


@shared_task(acks_late=True)
def monthly_reports() -> int:
    """Queue last month's reports (beat, the 1st of each month; see CELERY_BEAT_SCHEDULE). Re-running
    is harmless: reports already made or queued are skipped. Returns how many were queued."""
    return len(services.schedule_monthly())
