"""Report runs: one monthly report of one region in one format, made by a Celery task.

A run is created ``queued`` by reports.services.report_request (someone asked) or
reports.services.schedule_monthly (beat, on the 1st); the task moves it to ``running`` with a
progress percentage, then ``done`` with the file, or ``failed`` with the error (and Celery retries).
Runs are never updated into another region, month or format: regenerating makes a new run, so what
was sent upward last month can still be downloaded as it was.

The files live on the default storage, which is private (settings.PRIVATE_STORAGE_ROOT, outside the
static path), under ``reports/``; they are served only by the download views, which check scope.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from core.scoping import ScopedQuerySet
from reports.storage import report_upload_to


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "Excel"


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# A run in one of these states stands for its (region, month, format): the schedule skips it and a
# second identical request gets it back instead of a duplicate.
ACTIVE_STATUSES = (ReportStatus.QUEUED, ReportStatus.RUNNING)


class ReportRunQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): runs of regions in the user's own subtree (a county user does
    not see the city's report); caring mothers see none."""


class ReportRun(models.Model):
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    # The first day of the month reported on.
    month = models.DateField(_("month"))
    format = models.CharField(_("format"), max_length=4, choices=ReportFormat.choices)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices,
                              default=ReportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=report_upload_to, blank=True, max_length=200)
    error = models.TextField(_("error"), blank=True)
    # The monthly submission whose report this is (issue 11: its written part, sign-off, comparisons and
    # frozen figures); null for a plain monthly report. Its region and month are the run's.
    submission = models.ForeignKey("submissions.Submission", verbose_name=_("monthly submission"), null=True,
                                   blank=True, on_delete=models.CASCADE, related_name="report_runs")
    # Null for the runs the monthly schedule makes.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # How many times a worker has started on it (Celery retries and redeliveries included).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [
            # The list: runs of a subtree (a code range), newest first.
            models.Index(fields=["region", "-created_at"], name="report_run_region_created"),
            models.Index(fields=["-created_at"], name="report_run_created"),
            # "Already made?": the schedule and duplicate requests look up exactly these four.
            models.Index(fields=["region", "month", "format", "status"], name="report_run_made"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_run_progress_0_100"),
            models.CheckConstraint(condition=Q(format__in=ReportFormat.values), name="report_run_format"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_run_status"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} {self.format} ({self.status})"

    def audit_label(self) -> str:
        return f"{self.region.name} {self.month:%Y-%m} {self.get_format_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def has_file(self) -> bool:
        return self.status == ReportStatus.DONE and bool(self.file)
