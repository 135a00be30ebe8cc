"""What the Celery jobs (report runs, exports, list imports) share."""

import logging
from datetime import timedelta

from celery import Task
from django.conf import settings
from django.db import DatabaseError, connections, router
from django.db.models import Q, QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)

# A queued run waits for a free worker behind the others, the month-start backlog of scheduled reports
# included; only one never started this long after it was asked for is taken as lost.
QUEUED_LOST_AFTER = timedelta(hours=6)


def running_lost_after() -> timedelta:
    """How long after its attempt started a run still ``running`` is lost (settings.TASK_LOST_AFTER): by
    then a new attempt would have started (and set ``started_at`` anew). Minutes, from the time limit."""
    return timedelta(seconds=settings.TASK_LOST_AFTER)


def runs_fail_lost(runs: QuerySet, *, statuses, what: str, queued_lost_after: timedelta = QUEUED_LOST_AFTER,
                   queued_hint: str = "") -> int:
    """Mark the lost runs among ``runs`` failed, saying why; returns how many. A run is lost when it is
    still ``running`` :func:`running_lost_after` after its attempt started, or still ``queued``
    ``queued_lost_after`` after it was asked for. ``statuses`` is the job's status choices (with
    RUNNING, QUEUED and FAILED); ``what`` names the job in the error ("report", "export")."""
    now = timezone.now()
    lost_after = running_lost_after()
    started_before = now - lost_after
    running = runs.filter(Q(started_at__lt=started_before) | Q(started_at__isnull=True, created_at__lt=started_before),
                          status=statuses.RUNNING).update(
        status=statuses.FAILED, finished_at=now,
        error=f"WorkerLost: no worker finished the {what} within {round(lost_after.total_seconds() / 60)} minutes "
              "of starting it (the worker was stopped or killed, or hit its time limit).")
    queued = runs.filter(status=statuses.QUEUED, created_at__lt=now - queued_lost_after).update(
        status=statuses.FAILED, finished_at=now,
        error=f"WorkerLost: no worker started the {what} within {queued_lost_after.total_seconds() / 3600:g} "
              f"hours of the request{queued_hint}.")
    if running or queued:
        logger.warning("Marked %s lost %s run(s) failed", running + queued, what)
    return running + queued


def update_after_interrupt(queryset: QuerySet, **fields) -> int:
    """``queryset.update(**fields)``, for recording that a job failed. The exception being recorded may
    have interrupted a query — the soft time limit arrives in the middle of a slow one, or one waiting
    for a lock — leaving the connection busy with it ("another command is already in progress"): then
    the connection is closed and the update made on a new one. Inside a transaction that cannot be
    done, and the error propagates."""
    try:
        return queryset.update(**fields)
    except DatabaseError:
        connection = connections[router.db_for_write(queryset.model)]  # where the update goes
        if connection.in_atomic_block:
            raise
        connection.close()
        return queryset.update(**fields)


class RecordedFailureTask(Task):
    """A job's task that leaves its record failed when Celery gives up on it outside the task's own
    code: killed at the hard time limit (TimeLimitExceeded, reported in the worker's main process, the
    task's process being gone), its process lost (WorkerLostError), its retries run out. Otherwise the
    record would stay running until the beat's sweep finds it.

    A subclass names the record's id argument (``id_arg``, the task's first) and implements
    :meth:`fail_stopped`, calling the service that marks the record failed."""

    id_arg: str = "run_id"
    record_label: str = "run"  # in the log: "Could not mark report run 7 failed"

    def fail_stopped(self, record_id: int, exc: BaseException) -> None:
        raise NotImplementedError

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        record_id = args[0] if args else (kwargs or {}).get(self.id_arg)
        if record_id is None:
            return
        try:
            self.fail_stopped(record_id, exc)
        except Exception:  # never break the worker's main process; the beat's sweep marks it later
            logger.exception("Could not mark %s %s failed after %r", self.record_label, record_id, exc)
