"""Urgent reports (紧急情况报告): a caring mother (or staff) reports that a child is in danger — hurt, missing,
neglected … — and the federation staff of the child's township and county are told at once.

An alert is identified by the client's UUID (a phone retrying sends the same one). Its status moves
open → acknowledged (a staff member has taken it on; a child not yet on a red card gets a red
assessment) → closed (with the outcome). An alert still open ALERT_ESCALATE_AFTER_MINUTES after it was
made is escalated to the child's city, once (``escalated``). Who may do what is alerts.services.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Region
from children.models import Child
from core.scoping import ScopedQuerySet

DESCRIPTION_MAX_CHARS = 500
OUTCOME_MAX_CHARS = 2000


class AlertKind(models.TextChoices):
    VIOLENCE = "violence", pgettext_lazy("alert kind", "Violence")
    NEGLECT = "neglect", pgettext_lazy("alert kind", "Neglect")
    INJURY = "injury", pgettext_lazy("alert kind", "Accidental injury")
    MISSING = "missing", pgettext_lazy("alert kind", "Missing")
    SELF_HARM = "self_harm", pgettext_lazy("alert kind", "Risk of self-harm")
    OTHER = "other", pgettext_lazy("alert kind", "Other")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert status", "Acknowledged")
    CLOSED = "closed", pgettext_lazy("alert status", "Closed")


# The statuses an alert may move to from each status. Closing needs someone to have taken it on first.
TRANSITIONS: dict[str, frozenset[str]] = {
    AlertStatus.OPEN: frozenset({AlertStatus.ACKNOWLEDGED}),
    AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.CLOSED}),
    AlertStatus.CLOSED: frozenset(),
}
# Still to be dealt with (待处理): the home page and the risk board count these.
PENDING = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): staff, leaders and admins see the alerts about children of their
    subtree (the child's region when reported); a caring mother only the alerts she reported herself."""

    def for_volunteer(self, user) -> "AlertQuerySet":
        return self.filter(reported_by=user)

    def pending(self) -> "AlertQuerySet":
        return self.filter(status__in=PENDING)

    def open_first(self) -> "AlertQuerySet":
        """Open alerts first, then acknowledged, then closed; the newest first within each."""
        rank = models.Case(models.When(status=AlertStatus.OPEN, then=0),
                           models.When(status=AlertStatus.ACKNOWLEDGED, then=1), default=2,
                           output_field=models.IntegerField())
        return self.annotate(status_rank=rank).order_by("status_rank", "-reported_at", "pk")


class Alert(models.Model):
    # The client's UUID: a retry with the same id is the same report.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    child = models.ForeignKey(Child, verbose_name=gettext_lazy("child"), on_delete=models.PROTECT,
                              related_name="alerts")
    # The child's region when reported: scoping and the recipients follow it.
    region = models.ForeignKey(Region, verbose_name=gettext_lazy("region"), on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField(gettext_lazy("kind"), max_length=12, choices=AlertKind.choices)
    description = models.CharField(gettext_lazy("description"), max_length=DESCRIPTION_MAX_CHARS)
    occurred_on = models.DateField(gettext_lazy("occurred on"))
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("reported by"),
                                    on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(gettext_lazy("reported at"), default=timezone.now, editable=False)
    status = models.CharField(gettext_lazy("status"), max_length=12, choices=AlertStatus.choices,
                              default=AlertStatus.OPEN)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("acknowledged by"),
                                        null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(gettext_lazy("acknowledged at"), null=True, blank=True)
    escalated = models.BooleanField(gettext_lazy("escalated"), default=False)
    escalated_at = models.DateTimeField(gettext_lazy("escalated at"), null=True, blank=True)
    outcome = models.TextField(gettext_lazy("outcome"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("closed by"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(gettext_lazy("closed at"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-reported_at", "pk"]
        verbose_name = gettext_lazy("urgent report")
        verbose_name_plural = gettext_lazy("urgent reports")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid"),
            models.CheckConstraint(condition=~Q(status="closed") | ~Q(outcome=""), name="alert_closed_has_outcome"),
        ]
        indexes = [
            models.Index(fields=["status", "region"], name="alert_status_region"),
            models.Index(fields=["reported_at"], name="alert_open_unescalated",
                         condition=Q(status="open", escalated=False)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.occurred_on.isoformat()}"

    def audit_label(self) -> str:
        return f"{self.get_kind_display()} · {self.child_id} · {self.occurred_on.isoformat()}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING

    def can_become(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


def alert_photo_path(photo: "AlertPhoto", filename: str) -> str:
    return f"alert-photos/{photo.alert.occurred_on:%Y/%m}/{uuid.uuid4().hex}.jpg"


class AlertPhoto(models.Model):
    """The photo of an urgent report (optional, one per report): checked, resized and stripped of its
    metadata like an activity's (activities.photos.checked_jpeg), stored privately and served only by
    alerts.views.photo to those who can see the alert."""

    alert = models.OneToOneField(Alert, verbose_name=gettext_lazy("urgent report"), on_delete=models.CASCADE,
                                 related_name="photo")
    image = models.FileField(gettext_lazy("photo"), upload_to=alert_photo_path)
    width = models.PositiveIntegerField(gettext_lazy("width (pixels)"))
    height = models.PositiveIntegerField(gettext_lazy("height (pixels)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("uploaded by"),
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(gettext_lazy("uploaded at"), auto_now_add=True)
    # The id a phone gave the photo when it was queued: a retried upload finds it and stores nothing twice.
    client_id = models.UUIDField(gettext_lazy("client id"), null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = gettext_lazy("urgent report photo")
        verbose_name_plural = gettext_lazy("urgent report photos")

    def __str__(self) -> str:
        return self.image.name
