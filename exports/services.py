"""Export runs: asking for an export of a list, making it (the Celery task's work), downloading it,
and sweeping up runs whose worker was lost and files past their time.

Who: the federation's staff, leaders and administrators (core.access.READ) export the lists they see;
caring mothers are refused (PermissionDenied). The rows are those the requester sees
(``visible_to``) when the job runs, filtered as on the list page (exports.kinds); the file is theirs
alone (exports.models.ExportRunQuerySet.visible_to).

Asking (:func:`export_request`) checks the list and its filters — a wrong one is a ValidationError
keyed by the query parameter, and nothing is created — then writes a ``queued`` run and queues the task
once the transaction commits: the request returns at once. The same request while the same export is
still queued or being made returns that run rather than a second one. Without Redis (the embedded
default) Celery runs the task in-process when the request commits, so the run is already finished when
its page opens.

Making (:func:`export_generate`): ``running``, the rows counted, then written batch by batch by the
list's writer into a write-only workbook spooled to a temporary file (bounded memory whatever the
number of rows: bench/export_ledger.py), the progress updated after each batch; the file is copied in
chunks to the private storage, and the run is ``done``, audited (an EXPORT with the filters and the row
count) and its requester notified in the app. On any exception the run is left ``failed`` with the
error and the exception propagates, so that Celery retries (a later attempt that succeeds leaves it
``done``).

Lost runs: as report runs (reports.services): a run still ``running`` settings.TASK_LOST_AFTER after its
attempt started, or still ``queued`` ``QUEUED_LOST_AFTER`` after it was asked for, is marked ``failed``
by :func:`export_runs_fail_lost` (beat, every 5 minutes, and before a request looks for a pending run);
one killed at the hard time limit or whose worker process died is marked ``failed`` at once by the
task's ``on_failure`` (:func:`export_fail_stopped`). The same sweep deletes the files of exports made
more than settings.EXPORT_KEEP_DAYS ago: they hold personal data, and exporting again is one click.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import TimeLimitExceeded, WorkerLostError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from activities import delivery, reminders
from activities.models import Notification
from core.access import READ, check
from core.dbrouting import reading_from_replica
from core.errors import NUL
from core.filters import BOOLEAN_VALUES
from core.jobs import runs_fail_lost, update_after_interrupt
from core.xlsx import CONTENT_TYPE, to_temporary_file
from exports.kinds import KINDS, Kind
from exports.models import ACTIVE_STATUSES, ExportKind, ExportRun, ExportStatus

logger = logging.getLogger(__name__)

EXPORT_DENIED = gettext_lazy("Exports are for federation staff and leaders.")
# Progress (0..100) at each step; writing the rows takes it from PROGRESS_COUNTED to PROGRESS_WRITTEN.
PROGRESS_STARTED, PROGRESS_COUNTED, PROGRESS_WRITTEN, PROGRESS_DONE = 2, 5, 95, 100
ERROR_MAX_CHARS = 2000
# A query parameter's value is at most this long (a search text, a code, a date).
MAX_VALUE_CHARS = 100
# Parameters of a list page that are not filters (paging): left out of an export without a word.
NOT_FILTERS = frozenset({"page", "per_page"})
# A queued export waits for a free worker of the ``exports`` queue; one never started this long after
# it was asked for is taken as lost.
QUEUED_LOST_AFTER = timedelta(hours=2)
NOTIFICATION_KIND = "export"


# --- asking ---------------------------------------------------------------------------------------

def _text(value) -> str | None:
    """A filter's value as the text a query parameter would carry; None when it cannot be one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _clean_filters(kind: Kind, filters) -> dict[str, str]:
    """``filters`` (a QueryDict of a page, or the JSON object of an API request) as ``{parameter: text}``,
    empty values left out. A parameter the list does not filter on, a value that is not one text, a
    boolean filter given something else than true or false: a ValidationError naming the parameter."""
    if filters is None:
        return {}
    if not isinstance(filters, Mapping):
        raise ValidationError({"filters": _("Give the filters as an object of query parameters and their values.")})
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name, value in filters.items():
        name = str(name)
        if name in NOT_FILTERS:
            continue
        if NUL in name:  # PostgreSQL can store no NUL (0x00), not even in a JSON key
            raise ValidationError({"filters": _("A parameter's name contains a NUL character (0x00), which is "
                                                "not allowed.")})
        if name not in kind.parameters:
            errors[name[:40]] = _("The list has no filter “%(name)s”; its filters are: %(names)s.") % {
                "name": name[:40], "names": ", ".join(kind.parameters)}
            continue
        text = _text(value)
        if text is None:
            errors[name] = _("Give one value, as text.")
        elif NUL in text:
            errors[name] = _("“%(field)s” contains a NUL character (0x00), which is not allowed.") % {"field": name}
        elif len(text) > MAX_VALUE_CHARS:
            errors[name] = _("At most %(n)s characters.") % {"n": MAX_VALUE_CHARS}
        elif text.strip():
            clean[name] = text
    for name in kind.boolean_parameters:
        if name in clean and clean[name] not in BOOLEAN_VALUES:
            errors[name] = _("Must be true or false.")
    if errors:
        raise ValidationError(errors)
    return clean


def _pending(actor: User, kind: str, filters: dict) -> ExportRun | None:
    """The actor's export of the same list with the same filters still queued or being made."""
    runs = (ExportRun.objects.select_for_update().filter(requested_by=actor, kind=kind, status__in=ACTIVE_STATUSES)
            .order_by("-created_at", "-id"))
    return next((run for run in runs if run.filters == filters), None)


@transaction.atomic
def export_request(*, actor: User, kind: str, filters: Mapping | None) -> ExportRun:
    """Ask for the export of a list (``kind``: children, activities, volunteers, pairings, needs, audit)
    filtered by ``filters`` (the list page's query parameters): a ``queued`` run whose task is queued
    once the transaction commits. Nothing is created on bad input.

    Raises PermissionDenied for caring mothers and users without a federation role, and a
    ValidationError keyed by ``kind`` or by the filter's query parameter."""
    check(actor, READ, EXPORT_DENIED)
    spec = KINDS.get(str(kind or ""))
    if spec is None:
        raise ValidationError({"kind": _("Choose what to export: %(kinds)s.") % {"kinds": ", ".join(KINDS)}})
    check(actor, spec.permission, spec.denied or EXPORT_DENIED)
    clean = _clean_filters(spec, filters)
    spec.rows(actor, clean)  # the page's own filter checks: a ValidationError keyed by parameter
    _fail_lost(ExportRun.objects.filter(requested_by=actor, kind=spec.kind))
    pending = _pending(actor, spec.kind, clean)
    if pending is not None:
        return pending
    run = ExportRun.objects.create(kind=spec.kind, filters=clean, requested_by=actor, region_id=actor.region_id)
    _queue(run.pk)
    return run


def _queue(run_id: int) -> None:
    from exports.tasks import generate_export  # the task module imports this one

    # robust: without Redis the task runs right here, in-process; a failure it records on the run
    # (the run's page shows it) must not turn the request that asked into a server error.
    transaction.on_commit(lambda: generate_export.delay(run_id), robust=True)


# --- making ---------------------------------------------------------------------------------------

class _Progress:
    """The writer's callback: the share of the rows written, as the run's progress, saved when it moves
    by a whole percent (an UPDATE of its own, autocommit, so the page polling the run sees it at once)."""

    def __init__(self, run_id: int, total: int):
        self.run_id, self.total, self.shown = run_id, total, PROGRESS_COUNTED

    def __call__(self, written: int) -> None:
        share = min(written / self.total, 1) if self.total else 1
        progress = PROGRESS_COUNTED + int(share * (PROGRESS_WRITTEN - PROGRESS_COUNTED))
        self.show(progress)

    def show(self, progress: int) -> None:
        if progress > self.shown:
            self.shown = progress
            _set_progress(self.run_id, progress)


def _set_progress(run_id: int, progress: int) -> None:
    ExportRun.objects.filter(pk=run_id).update(progress=progress)


@dataclass
class _Made:
    """What ``Kind.make`` made, as the sheet writers' result reads (``rows``)."""

    rows: int


def download_name(run: ExportRun, spec: Kind) -> str:
    """``儿童台账_离石区_20250601.xlsx``: the list, the requester's region, the day it was made."""
    area = run.region.name if run.region_id else _("all regions")
    return f"{spec.filename_stem}_{area}_{timezone.localdate():%Y%m%d}.{spec.extension}"


def export_generate(*, run_id: int) -> ExportRun:
    """Make the file of an export run (the Celery task's work); see the module. A run already ``done``
    is returned as it is (a redelivered task does not make the file twice)."""
    run = ExportRun.objects.select_related("requested_by", "region").get(pk=run_id)
    if run.status == ExportStatus.DONE:
        return run
    ExportRun.objects.filter(pk=run_id).update(status=ExportStatus.RUNNING, progress=PROGRESS_STARTED,
                                               started_at=timezone.now(), finished_at=None,
                                               attempts=F("attempts") + 1)
    spec = KINDS[run.kind]
    try:
        # The requester as they are now: one deactivated or made a caring mother since exports nothing.
        check(run.requested_by, READ, EXPORT_DENIED)
        check(run.requested_by, spec.permission, spec.denied or EXPORT_DENIED)
        # The rows from the database replica when there is one (core.dbrouting); the run's progress is
        # still written to the primary.
        with reading_from_replica():
            if spec.make is not None:  # one document (a PDF), made whole
                content, made_rows = spec.make(run.requested_by, run.filters)
                _set_progress(run_id, PROGRESS_WRITTEN)
                run.file.save(f"export.{spec.extension}", ContentFile(content), save=False)
                export = _Made(rows=made_rows)
            else:
                rows = spec.rows(run.requested_by, run.filters)
                progress = _Progress(run_id, rows.count())
                _set_progress(run_id, PROGRESS_COUNTED)
                export = to_temporary_file(lambda writer: spec.write(writer, rows, progress))
                try:
                    progress.show(PROGRESS_WRITTEN)
                    run.file.save("export.xlsx", File(export.file), save=False)  # copied in chunks
                finally:
                    export.file.close()  # and so deleted
    except Exception as exc:
        logger.exception("Export run %s failed", run_id)
        update_after_interrupt(ExportRun.objects.filter(pk=run_id), status=ExportStatus.FAILED,
                               error=f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS], finished_at=timezone.now())
        raise
    with transaction.atomic():
        ExportRun.objects.filter(pk=run_id).update(
            status=ExportStatus.DONE, progress=PROGRESS_DONE, error="", rows=export.rows, file=run.file.name,
            filename=download_name(run, spec), finished_at=timezone.now())
        audit_record(actor=run.requested_by, action=AuditAction.EXPORT, target_type=spec.model_label,
                     target_id=str(run.filters.get(spec.audit_parameter) or run.pk) if spec.audit_parameter
                     else str(run.pk), target_label=str(spec.kind.label), region_code=run.region_id or "",
                     detail={"format": spec.extension, "filters": run.filters, "rows": export.rows,
                             **({"run": run.pk} if spec.audit_parameter else {})})
    run.refresh_from_db()
    try:
        _notify_ready(run)
    except Exception:  # the file is made; a notification that could not be stored must not undo that
        logger.exception("Could not notify the requester of export run %s", run_id)
    return run


def _notify_ready(run: ExportRun) -> None:
    """Tell the requester, in the app (and any other channel of settings.NOTIFICATION_BACKENDS), that
    the file is ready: once per run, however often its task runs."""
    notification = Notification(
        recipient_id=run.requested_by_id, kind=NOTIFICATION_KIND, dedupe_key=f"{NOTIFICATION_KIND}:{run.pk}",
        title=_("Your export is ready: %(list)s, %(rows)s rows") % {"list": run.get_kind_display(), "rows": run.rows},
        body=_("Download it from its page within %(days)s days; after that the file is deleted.")
        % {"days": settings.EXPORT_KEEP_DAYS},
        link=reverse("exports:detail", args=[run.pk]))
    delivery.deliver(reminders.store_new([notification]))


# --- lost runs and old files ----------------------------------------------------------------------

def _fail_lost(runs) -> int:
    return runs_fail_lost(runs, statuses=ExportStatus, what="export",
                          queued_lost_after=QUEUED_LOST_AFTER,
                          queued_hint=" (is a worker consuming the “exports” queue?)")


@transaction.atomic
def export_runs_fail_lost() -> int:
    """Mark every lost run (see the module) ``failed`` with the reason; returns how many."""
    return _fail_lost(ExportRun.objects.all())


def export_files_expire() -> int:
    """Delete the files of exports finished more than settings.EXPORT_KEEP_DAYS ago (the runs stay, their
    page saying the file was deleted); returns how many. A file that cannot be deleted now is tried
    again at the next sweep."""
    before = timezone.now() - timedelta(days=settings.EXPORT_KEEP_DAYS)
    expired = list(ExportRun.objects.filter(status=ExportStatus.DONE, finished_at__lt=before).exclude(file="")
                   .values_list("pk", "file"))
    deleted = 0
    for pk, name in expired:
        storage = ExportRun._meta.get_field("file").storage
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the export file %s", name)
            continue
        deleted += ExportRun.objects.filter(pk=pk, file=name).update(file="")
    return deleted


def export_fail_stopped(*, run_id: int, exc: BaseException) -> bool:
    """Mark a run ``failed`` at once when Celery gives up on its task outside :func:`export_generate`
    (killed at the hard time limit, its worker process lost, retries run out before it started). A
    run already failed keeps its error, a done run stays done. Returns whether the run was marked."""
    if isinstance(exc, TimeLimitExceeded):
        seconds = exc.args[0] if exc.args else settings.CELERY_TASK_TIME_LIMIT
        error = (f"TimeLimitExceeded: the export was not made within the time limit of {seconds:g} seconds; "
                 "the worker stopped it.")
    elif isinstance(exc, WorkerLostError):
        error = f"WorkerLost: the worker making the export was lost ({exc})."
    else:
        error = f"{type(exc).__name__}: {exc}"
    marked = update_after_interrupt(ExportRun.objects.filter(pk=run_id, status__in=ACTIVE_STATUSES),
                                    status=ExportStatus.FAILED, error=error[:ERROR_MAX_CHARS],
                                    finished_at=timezone.now())
    if marked:
        logger.warning("Export run %s failed: %s", run_id, error)
    return bool(marked)


# --- downloading ----------------------------------------------------------------------------------

def export_download(*, actor: User, run: ExportRun) -> tuple[object, str, str]:
    """Open a done run's file for ``actor`` (who must see the run: callers fetch it through
    ``ExportRun.objects.visible_to``) and audit the download. Returns (open file, download name,
    content type); raises ExportRun.DoesNotExist when there is no file (not done yet, failed, or
    deleted after EXPORT_KEEP_DAYS)."""
    check(actor, READ, EXPORT_DENIED)
    if not run.has_file:
        raise ExportRun.DoesNotExist
    spec = KINDS[run.kind]
    handle = run.file.storage.open(run.file.name, "rb")
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, target=run, target_label=run.filename,
                 region_code=run.region_id or "", detail={"format": spec.extension, "kind": run.kind, "rows": run.rows})
    content_type = CONTENT_TYPE if spec.extension == "xlsx" else "application/pdf"
    return handle, run.filename or f"{ExportKind(run.kind).label}.{spec.extension}", content_type
