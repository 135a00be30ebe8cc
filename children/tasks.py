"""Celery tasks of the children ledger: thin wrappers that call children.services and children.reconcile."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from children import reconcile, retention, services
from core.jobs import RecordedFailureTask

# A list within the reader's limits is previewed in seconds (5,000 rows: about 3 s to read, and ~6 ms of
# the services' checks per row); a hostile file within them in under 15 s. Past this the import is
# left failed (reconcile.import_preview_build) rather than holding a worker. Never past every task's
# limits (settings.CELERY_TASK_SOFT_TIME_LIMIT and CELERY_TASK_TIME_LIMIT, from which the broker's
# visibility timeout is sized), and with the same time between the soft limit and the hard one.
PREVIEW_SOFT_TIME_LIMIT = min(5 * 60, settings.CELERY_TASK_SOFT_TIME_LIMIT)
PREVIEW_TIME_LIMIT = min(PREVIEW_SOFT_TIME_LIMIT + settings.CELERY_TASK_TIME_LIMIT - settings.CELERY_TASK_SOFT_TIME_LIMIT,
                         settings.CELERY_TASK_TIME_LIMIT)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def exit_aged_out_children(self) -> int:
    """Exit every child whose categories all ended by age (run daily by beat, see CELERY_BEAT_SCHEDULE).

    Re-running is harmless: children already exited are skipped, so a retry after a lost worker or a
    database hiccup exits nobody twice. Returns how many children were exited."""
    return services.children_exit_aged_out()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def anonymise_due_records(self) -> dict[str, int]:
    """Anonymise the exited children and the caring mothers who left RETENTION_YEARS_AFTER_EXIT ago and
    are not held (run daily by beat, see CELERY_BEAT_SCHEDULE; children.retention). Re-running is
    harmless: anonymised records are skipped. Returns how many of each were anonymised."""
    return retention.retention_anonymise_due()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5,
             soft_time_limit=PREVIEW_SOFT_TIME_LIMIT, time_limit=PREVIEW_TIME_LIMIT)
def build_import_preview(self, import_id: int) -> str:
    """Read an uploaded civil-affairs list and build its preview (queued by reconcile.import_upload).
    Re-running is harmless: an import no longer pending is left as it is. Returns its status."""
    return reconcile.import_preview_build(import_id=import_id).status


class ApplyImportTask(RecordedFailureTask):
    """The apply task, leaving its import ``apply_failed`` when Celery gives up on it (see
    RecordedFailureTask); otherwise the beat's sweep (reconcile.imports_fail_lost) would find it later."""

    id_arg = "import_id"
    record_label = "the apply of ledger import"

    def fail_stopped(self, record_id, exc):
        reconcile.import_apply_fail_stopped(import_id=record_id, exc=exc)


@shared_task(base=ApplyImportTask, bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             max_retries=5)
def apply_import(self, import_id: int) -> str:
    """Apply a confirmed import to the ledger, all or nothing (queued by reconcile.import_apply_request).
    Re-running is harmless: an import no longer ``applying`` is left as it is. Returns its status."""
    return reconcile.import_apply_run(import_id=import_id).status


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def fail_lost_imports(self) -> int:
    """Mark imports whose preview or apply job was lost ``failed`` / ``apply_failed`` and delete their
    uploads (beat, every 5 minutes; see CELERY_BEAT_SCHEDULE), so none stays ``pending`` or ``applying``
    for ever. Returns how many were marked."""
    return reconcile.imports_fail_lost()
