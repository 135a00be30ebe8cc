"""Export runs: one Excel export of one list (the children ledger, the activity ledger, the caring
mothers, the pairings, the needs), filtered as on its page, made by a Celery task.

A run is created ``queued`` by exports.services.export_request; the task moves it to ``running`` with
a progress percentage, then ``done`` with the file, or ``failed`` with the error. The file lives on the
default storage, which is private (settings.PRIVATE_STORAGE_ROOT, outside the static path), under
``exports/``, and is served only to the member of staff who asked for it (see
:meth:`ExportRunQuerySet.visible_to`); it is deleted EXPORT_KEEP_DAYS after it was made.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from core.scoping import ScopedQuerySet

DIRECTORY = "exports"


class ExportKind(models.TextChoices):
    CHILDREN = "children", _("Children ledger")
    ACTIVITIES = "activities", _("Activity ledger")
    VOLUNTEERS = "volunteers", _("Caring mothers")
    PAIRINGS = "pairings", _("Pairings")
    NEEDS = "needs", _("Urgent needs")
    AUDIT = "audit", _("Audit log")
    ACCESS_COPY = "access_copy", _("A guardian's access copy")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


def export_upload_to(run, filename: str) -> str:
    """``exports/<yyyy>/<mm>/export<id>-<kind>.xlsx``: ASCII, unique per run, grouped by month."""
    made = run.created_at
    return f"{DIRECTORY}/{made:%Y}/{made:%m}/export{run.pk}-{run.kind}.xlsx"


class ExportRunQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): an export is its requester's alone — the rows in it are those of
    the requester's scope when it was made — and only while the region it was made for is still in
    the requester's subtree (a member of staff moved to another county no longer gets the old
    county's files). Caring mothers have none."""

    def visible_to(self, user):
        return super().visible_to(user).filter(requested_by=user) if user.is_authenticated else self.none()


class ExportRun(models.Model):
    kind = models.CharField(_("list"), max_length=12, choices=ExportKind.choices)
    # The list page's filters, as the query parameters it was given (names → text), already checked.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True, max_length=200)
    # The name the file is downloaded under (Chinese: the list, the requester's region, the day).
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     on_delete=models.PROTECT, related_name="+")
    # The requester's region when asked (None for a superuser): the scope of the rows.
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # How many times a worker has started on it (Celery retries and redeliveries included).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    objects = ExportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            # "My exports", newest first.
            models.Index(fields=["requested_by", "-created_at"], name="export_run_mine"),
            # The beat's sweep of lost runs and of expired files.
            models.Index(fields=["status", "created_at"], name="export_run_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="export_run_progress_0_100"),
            models.CheckConstraint(condition=Q(kind__in=ExportKind.values), name="export_run_kind"),
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="export_run_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def has_file(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file)

    @property
    def expired(self) -> bool:
        """Done, but its file already deleted (EXPORT_KEEP_DAYS)."""
        return self.status == ExportStatus.DONE and not self.file
