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
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from core.scoping import ScopedQuerySet
from reports.figures import COLUMNS, MONEY_FIGURES
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


# --- the analytics table ----------------------------------------------------------------------------
#
# reports.stats computes a month's figures from the raw rows; for a closed month it reads them from
# here instead (reports.statstable): one row per region holding data (a village, or a township,
# county … where records are registered at that level), per month, with one column per additive
# figure (reports.figures, grouped in column families: children, volunteers, activities, trainings,
# needs). A month's rows are made by one build (reports.analytics.stats_month_rebuild) and replaced
# as a whole, in one transaction, by the next.

class StatsBuildStatus(models.TextChoices):
    RUNNING = "running", _("Being made")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class StatsBuild(models.Model):
    """One build of one month's analytics rows: its status row (running → done or failed)."""

    month = models.DateField(_("month"))
    # The day the figures were taken on: the month's last day for a closed month, the day of the build
    # for the current one (such rows stand for "so far" and are never read as the closed month's).
    as_of = models.DateField(_("as of"))
    status = models.CharField(_("status"), max_length=10, choices=StatsBuildStatus.choices,
                              default=StatsBuildStatus.RUNNING)
    # The month's change counter (StatsMonth.version) read before the rows were computed.
    version = models.PositiveBigIntegerField(_("source version"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("statistics build")
        verbose_name_plural = _("statistics builds")
        indexes = [models.Index(fields=["month", "-started_at"], name="stats_build_month"),
                   models.Index(fields=["status", "started_at"], name="stats_build_status")]
        constraints = [models.CheckConstraint(condition=Q(status__in=StatsBuildStatus.values),
                                              name="stats_build_status_valid")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} as of {self.as_of} ({self.status})"


class StatsMonth(models.Model):
    """The analytics table's state for one month: the build whose rows are in the table, and a
    change counter. Every write of a source row dated in a closed month (reports.statstable.
    stats_changed) adds one to ``version``; the table stands for the month only while the current
    build read the counter at that same value (``is_fresh``), so a change made while a build was
    computing leaves the month stale rather than lost."""

    month = models.DateField(_("month"), primary_key=True)
    version = models.PositiveBigIntegerField(_("source version"), default=0)
    build = models.ForeignKey(StatsBuild, verbose_name=_("current build"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    built_version = models.PositiveBigIntegerField(_("version built"), null=True, blank=True)
    built_as_of = models.DateField(_("built as of"), null=True, blank=True)
    # When a rebuild was last asked for (the stale-month fallback asks once per RETRY_AFTER).
    rebuild_queued_at = models.DateTimeField(_("rebuild queued at"), null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("statistics month")
        verbose_name_plural = _("statistics months")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} v{self.version}"

    def is_fresh(self, *, month_end) -> bool:
        """Whether the table's rows are the closed month's figures as they stand."""
        return (self.build_id is not None and self.built_version == self.version
                and self.built_as_of == month_end)


class StatsCell(models.Model):
    """One region's additive figures for one month (see above); only regions with a figure other
    than 0 have a row."""

    build = models.ForeignKey(StatsBuild, verbose_name=_("build"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))
    # The region the counted records are registered in (a code, not a key: a region's rows outlive
    # nothing, but the table is read by code range only).
    region_code = models.CharField(_("region code"), max_length=12)

    class Meta:
        ordering = ["month", "region_code"]
        verbose_name = _("statistics row")
        verbose_name_plural = _("statistics rows")
        constraints = [models.UniqueConstraint(fields=["month", "region_code"], name="stats_cell_month_region")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_code}"


for _key, _column in COLUMNS.items():
    StatsCell.add_to_class(
        _column,
        models.DecimalField(format_lazy("{} {}", _("figure"), _key), max_digits=16, decimal_places=2, default=0)
        if _key in MONEY_FIGURES else models.IntegerField(format_lazy("{} {}", _("figure"), _key), default=0))
del _key, _column
