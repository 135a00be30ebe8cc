"""Celery tasks of the exports: thin wrappers taking ids, the work is in exports.services.

``generate_export`` runs on the ``exports`` queue (settings.CELERY_TASK_ROUTES) within every task's time
limits (settings.CELERY_TASK_TIME_LIMIT and CELERY_TASK_SOFT_TIME_LIMIT: past the soft one the run is
left failed with the error); a province's ledger takes well under a minute (bench/export_ledger.py)."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import OperationalError

from core.jobs import RecordedFailureTask
from exports import services


class ExportTask(RecordedFailureTask):
    """An export task whose run is left ``failed`` when Celery gives up on it (see RecordedFailureTask);
    otherwise the beat's sweep (exports.services.export_runs_fail_lost) would find it later."""

    record_label = "export run"

    def fail_stopped(self, record_id, exc):
        services.export_fail_stopped(run_id=record_id, exc=exc)


@shared_task(
    base=ExportTask,
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    # Retrying cannot fix these: a run that vanished, filters no longer valid, a requester no longer
    # allowed, an export too slow to ever finish.
    dont_autoretry_for=(ObjectDoesNotExist, ValidationError, PermissionDenied, SoftTimeLimitExceeded),
    retry_backoff=True,
    retry_jitter=True,
    max_retries=2,
)
def generate_export(self, run_id: int) -> str:
    """Make the file of one export run. A failure leaves the run ``failed`` with the error, then Celery
    retries (twice, with backoff); a later attempt that succeeds leaves it ``done``."""
    return services.export_generate(run_id=run_id).status


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def sweep_export_runs(self) -> dict:
    """Mark export runs whose worker was lost ``failed`` and delete the files past
    settings.EXPORT_KEEP_DAYS (beat, every 5 minutes; see CELERY_BEAT_SCHEDULE). Re-running is harmless."""
    return {"failed": services.export_runs_fail_lost(), "expired": services.export_files_expire()}
