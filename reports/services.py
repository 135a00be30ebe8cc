"""Report runs: requesting one, making one (the Celery task's work) and the monthly schedule.

Months: a report covers one calendar month, named ``YYYY-MM`` and stored as its first day. Past
months are complete. The CURRENT month may be requested too: it is then a report "so far" (状态截至
今天, activities from the 1st to today), and the report says so on its cover; it is never made by the
schedule, which always makes LAST month's. Months in the future, and months before
``EARLIEST_MONTH``, are refused.

Who: admins and staff (core.access.EDIT) request reports of regions in their own subtree, at any
level but a village (a village has no sub-regions to tabulate): asking writes a run and sets a worker
to it. Read-only leaders (viewers) see and download the reports of their subtree but do not make them;
volunteers are refused. A region outside the caller's subtree does not exist for them (404).
An identical request while the same report is still queued or being made returns that run instead of
queueing a duplicate; once it is done or failed, asking again makes a new run (regenerate on demand).

Lost runs: a worker that dies outright (SIGKILL, out of memory) leaves its run ``running``; the broker
hands the task to another worker after settings.TASK_VISIBILITY_TIMEOUT and that worker makes the run.
A run still ``running`` :func:`running_lost_after` after its attempt started (a few minutes past
that), or still ``queued`` ``QUEUED_LOST_AFTER`` after it was asked for, is lost — no worker is coming
back to it (no worker is left, or its task was lost with the broker's data) — and
:func:`report_runs_fail_lost` marks it ``failed`` (beat, every 5 minutes; and before a request or the
schedule looks for a pending run), so no run stays ``running`` forever and asking again makes a new one.
A run whose task the worker killed at the hard time limit is marked ``failed`` at once instead, by the
task's ``on_failure`` (:func:`report_fail_stopped`).
"""

import logging
from datetime import date

from celery.exceptions import TimeLimitExceeded, WorkerLostError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from core import months
from core.access import EDIT, READ, check
from core.jobs import QUEUED_LOST_AFTER, running_lost_after, runs_fail_lost, update_after_interrupt  # noqa: F401 (re-exported)
from core.regioncodes import CITY, COUNTY, PROVINCE, TOWNSHIP, VILLAGE
from core.regions import validate_code
from reports import generator
from reports.access import REPORTS_DENIED, REPORTS_MAKE_DENIED
from reports.formatters import formatter_for
from reports.models import ACTIVE_STATUSES, ReportFormat, ReportRun, ReportStatus
from reports.notify import report_ready_notify
from reports.storage import CONTENT_TYPES, download_name
from submissions.models import Submission

logger = logging.getLogger(__name__)

EARLIEST_MONTH = date(2000, 1, 1)
REPORT_LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP)
# Progress (0..100) reported at each step of making a report.
PROGRESS_STARTED, PROGRESS_STATS, PROGRESS_RENDERED, PROGRESS_DONE = 5, 50, 90, 100
ERROR_MAX_CHARS = 2000


def _fail_lost(runs) -> int:
    return runs_fail_lost(runs, statuses=ReportStatus, what="report")


@transaction.atomic
def report_runs_fail_lost() -> int:
    """Mark every lost run (see the module's docstring) ``failed`` with the reason; returns how many.
    A lost run's task that a worker takes up after all still makes it (a run not ``done`` is made)."""
    return _fail_lost(ReportRun.objects.all())


def report_fail_stopped(*, run_id: int, exc: BaseException) -> bool:
    """Mark a run ``failed`` at once when Celery gives up on its task outside :func:`report_generate`:
    the worker killed it at the hard time limit (TimeLimitExceeded), or lost the process making it
    (WorkerLostError), or a retry ran out before the run was started. Called from the task's
    ``on_failure``. A run that report_generate already left failed keeps its error, a done run stays
    done. Returns whether the run was marked."""
    if isinstance(exc, TimeLimitExceeded):
        seconds = exc.args[0] if exc.args else settings.CELERY_TASK_TIME_LIMIT
        error = (f"TimeLimitExceeded: the report was not made within the time limit of {seconds:g} seconds; "
                 "the worker stopped it.")
    elif isinstance(exc, WorkerLostError):
        error = f"WorkerLost: the worker making the report was lost ({exc})."
    else:
        error = f"{type(exc).__name__}: {exc}"
    marked = update_after_interrupt(ReportRun.objects.filter(pk=run_id, status__in=ACTIVE_STATUSES),
                                    status=ReportStatus.FAILED, error=error[:ERROR_MAX_CHARS],
                                    finished_at=timezone.now())
    if marked:
        logger.warning("Report run %s failed: %s", run_id, error)
    return bool(marked)


def _validate_request(*, region_code, month, format) -> tuple[str, date, str]:
    errors: dict[str, str] = {}
    code = ""
    try:
        code = validate_code(str(region_code or ""))
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    fmt = str(format or "").strip().lower()
    if fmt not in ReportFormat.values:
        errors["format"] = _("The format must be pdf or xlsx.")
    first_day = None
    try:
        first_day = months.first_day(month) if isinstance(month, date) else months.parse_month(month)
        if first_day > months.current_month():
            raise ValidationError({"month": _("The month %(value)s is in the future.") % {
                "value": months.label(first_day)}})
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    else:
        if first_day < EARLIEST_MONTH:
            errors["month"] = _("Reports start from %(month)s.") % {"month": months.label(EARLIEST_MONTH)}
    if errors:
        raise ValidationError(errors)
    return code, first_day, fmt


def _submission_of(actor: User, submission, format) -> tuple[Submission, str]:
    """The submission asked for (an id) among those ``actor`` sees, and the format. Raises
    ValidationError naming ``submission`` or ``format``, Submission.DoesNotExist outside the subtree."""
    errors: dict[str, str] = {}
    fmt = str(format or "").strip().lower()
    if fmt not in ReportFormat.values:
        errors["format"] = _("The format must be pdf or xlsx.")
    pk = submission.pk if isinstance(submission, Submission) else submission
    try:
        pk = int(str(pk).strip())
    except (TypeError, ValueError):
        errors["submission"] = _("The monthly submission must be given by its number.")
    if errors:
        raise ValidationError(errors)
    found = Submission.objects.visible_to(actor).select_related("region").get(pk=pk)
    Region.objects.manageable_by(actor).get(pk=found.region_id)
    return found, fmt


def report_request(*, actor: User, region_code: str | None = None, month=None, format: str,
                   submission: Submission | int | str | None = None) -> ReportRun:
    """Ask for the monthly report of a region, or (``submission``: one, or its id, in place of the region
    and month) the report of a monthly submission, which adds its written part, sign-off and comparisons
    (reports.generator.build_report): validates, creates a ``queued`` run and queues the task once the
    transaction commits. Nothing is created on bad input.

    Raises PermissionDenied for volunteers and read-only leaders, ValidationError naming ``region``,
    ``month``, ``submission`` or ``format``, and Region.DoesNotExist (Submission.DoesNotExist) for a region
    (a submission) that does not exist or lies outside the actor's subtree."""
    check(actor, READ, REPORTS_DENIED)
    check(actor, EDIT, REPORTS_MAKE_DENIED)
    linked = None
    if submission is not None and submission != "":
        linked, fmt = _submission_of(actor, submission, format)
        region, first_day = linked.region, linked.month
    else:
        code, first_day, fmt = _validate_request(region_code=region_code, month=month, format=format)
        region = Region.objects.manageable_by(actor).get(pk=code)
    if region.level == VILLAGE:
        raise ValidationError({"region": _("Reports are made for a province, city, county or township; "
                                           "a village has no sub-regions to tabulate.")})
    with transaction.atomic():
        _fail_lost(ReportRun.objects.filter(region=region, month=first_day, format=fmt))
        pending = (ReportRun.objects.select_for_update()
                   .filter(status__in=ACTIVE_STATUSES, region=region, month=first_day, format=fmt, submission=linked)
                   .order_by("-created_at").first())
        if pending is not None:
            return pending
        run = ReportRun.objects.create(region=region, month=first_day, format=fmt, requested_by=actor,
                                       submission=linked)
        _queue(run.pk)
    return run


def _queue(run_id: int) -> None:
    from reports.tasks import generate_report  # the task module imports this one

    transaction.on_commit(lambda: generate_report.delay(run_id))


def _set_progress(run_id: int, progress: int) -> None:
    # An UPDATE of its own (autocommit), so the page polling the run sees it at once.
    ReportRun.objects.filter(pk=run_id).update(progress=progress)


def report_generate(*, run_id: int) -> ReportRun:
    """Make the report of a run (the Celery task's work): ``running`` with progress, the data, the file
    in the run's format, then ``done``. On any exception the run is left ``failed`` with the error
    text, and the exception propagates so Celery retries. A run already ``done`` is returned as is
    (a redelivered task does not make the file twice)."""
    run = ReportRun.objects.select_related("region", "submission__region", "submission__prepared_by",
                                           "submission__reviewed_by").get(pk=run_id)
    if run.status == ReportStatus.DONE:
        return run
    now = timezone.now()
    ReportRun.objects.filter(pk=run_id).update(status=ReportStatus.RUNNING, progress=PROGRESS_STARTED,
                                               started_at=now, finished_at=None, attempts=F("attempts") + 1)
    try:
        data = generator.build_report(region=run.region, month=run.month,
                                      on_progress=lambda p: _set_progress(run_id, p), submission=run.submission)
        _set_progress(run_id, PROGRESS_STATS)
        content = formatter_for(run.format)(data)
        _set_progress(run_id, PROGRESS_RENDERED)
        run.file.save("report." + run.format, ContentFile(content), save=False)
    except Exception as exc:
        logger.exception("Report run %s failed", run_id)
        message = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
        update_after_interrupt(ReportRun.objects.filter(pk=run_id), status=ReportStatus.FAILED, error=message,
                               finished_at=timezone.now())
        raise
    ReportRun.objects.filter(pk=run_id).update(status=ReportStatus.DONE, progress=PROGRESS_DONE, error="",
                                               file=run.file.name, finished_at=timezone.now())
    run.refresh_from_db()
    report_ready_notify(run=run)  # a scheduled run: its region's administrators
    return run


def _schedule_setting(name: str, allowed: tuple[str, ...]) -> list[str]:
    raw = getattr(settings, name)
    values = [v.strip() for v in (raw.split(",") if isinstance(raw, str) else raw) if v.strip()]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ImproperlyConfigured(f"{name}: unknown value(s) {', '.join(unknown)}; use {', '.join(allowed)}.")
    return values


def schedule_monthly(*, on: date | None = None) -> list[ReportRun]:
    """Queue last month's reports (relative to ``on``, default today) for every region at the levels of
    settings.REPORT_SCHEDULE_LEVELS, in the formats of settings.REPORT_SCHEDULE_FORMATS, skipping each
    (region, month, format) already done, queued or being made. Returns the runs created."""
    levels = _schedule_setting("REPORT_SCHEDULE_LEVELS", (PROVINCE, CITY, COUNTY, TOWNSHIP))
    formats = _schedule_setting("REPORT_SCHEDULE_FORMATS", tuple(ReportFormat.values))
    month = months.previous_month(on or timezone.localdate())
    with transaction.atomic():
        _fail_lost(ReportRun.objects.filter(month=month, format__in=formats))
        codes = list(Region.objects.filter(level__in=levels).order_by("code").values_list("code", flat=True))
        made = set(ReportRun.objects.filter(status__in=(*ACTIVE_STATUSES, ReportStatus.DONE), month=month,
                                            format__in=formats, submission=None)
                   .values_list("region_id", "format"))
        runs = ReportRun.objects.bulk_create([
            ReportRun(region_id=code, month=month, format=fmt)
            for code in codes for fmt in formats if (code, fmt) not in made
        ])
        if not all(run.pk for run in runs):  # backends without RETURNING
            runs = list(ReportRun.objects.filter(month=month, format__in=formats, requested_by=None,
                                                 status=ReportStatus.QUEUED, region_id__in=codes))
        for run in runs:
            _queue(run.pk)
    return runs


def report_download(*, actor: User, run: ReportRun) -> tuple[object, str, str]:
    """Open a done run's file for ``actor`` (who must see the run: callers fetch it through
    ``ReportRun.objects.visible_to``) and audit the download. Returns (open file, download name, content
    type); raises ReportRun.DoesNotExist when the run has no file (not done yet, or failed)."""
    check(actor, READ, REPORTS_DENIED)
    if not run.has_file:
        raise ReportRun.DoesNotExist
    handle = run.file.storage.open(run.file.name, "rb")
    audit_record(actor=actor, action=AuditAction.DOWNLOAD, target=run,
                 detail={"format": run.format, "month": f"{run.month:%Y-%m}"})
    name = download_name(region_name=run.region.name, month=run.month, fmt=run.format)
    return handle, name, CONTENT_TYPES[run.format]
