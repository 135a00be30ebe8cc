"""Monthly submissions (月度报送): one region's report of one month, signed and sent up to the level above.

A submission is written by the region's own staff and administrators (填报), checked by a colleague
named as 审核人 (a different user from the 填报人), and sent up (报送): its figures — the full
``/api/v1/stats/`` payload (reports.stats.region_stats, with the sub-regions' accepted snapshots, see
submissions.selectors) — are frozen then, so later changes to the ledger never alter a month that was
sent. The level above (a user whose region is a strict ancestor) returns it with a reason (退回: it is
editable again and takes fresh figures when sent again) or accepts it (接收: final).

Status changes go through the model's verbs (:meth:`Submission.submit`,
:meth:`Submission.return_for_changes`, :meth:`Submission.accept`), which check :data:`TRANSITIONS` and
write a :class:`SubmissionStatusChange` row each — who, when, from what, to what, why. Who may call
them, and what is checked first, is submissions.services.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from accounts.models import Region
from core.regioncodes import CITY, COUNTY, PROVINCE, TOWNSHIP
from core.scoping import ScopedQuerySet

# The levels that send a monthly submission up (a township to its county, … a city to the province); a
# village has no staff of its own, the province reports to nobody.
SUBMISSION_LEVELS = (CITY, COUNTY, TOWNSHIP)
# The levels whose direct sub-regions send theirs to them (报送进度).
RECEIVING_LEVELS = (PROVINCE, CITY, COUNTY)


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("submission status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("submission status", "Submitted")
    RETURNED = "returned", pgettext_lazy("submission status", "Returned")
    ACCEPTED = "accepted", pgettext_lazy("submission status", "Accepted")


# The status a submission may move to from each status. Accepted is final.
TRANSITIONS: dict[str, frozenset[str]] = {
    SubmissionStatus.DRAFT: frozenset({SubmissionStatus.SUBMITTED}),
    SubmissionStatus.SUBMITTED: frozenset({SubmissionStatus.RETURNED, SubmissionStatus.ACCEPTED}),
    SubmissionStatus.RETURNED: frozenset({SubmissionStatus.SUBMITTED}),
    SubmissionStatus.ACCEPTED: frozenset(),
}
# The region's staff may change the written part in these; the figures are live.
EDITABLE = frozenset({SubmissionStatus.DRAFT, SubmissionStatus.RETURNED})
# The figures are a frozen snapshot in these.
FROZEN = frozenset({SubmissionStatus.SUBMITTED, SubmissionStatus.ACCEPTED})

# Why a move is refused, by the status it was meant to reach (the current status is interpolated).
REFUSED = {
    SubmissionStatus.SUBMITTED: gettext_lazy("The submission is already %(status)s and cannot be submitted again."),
    SubmissionStatus.RETURNED: gettext_lazy("Only a submitted submission can be returned; this one is %(status)s."),
    SubmissionStatus.ACCEPTED: gettext_lazy("Only a submitted submission can be accepted; this one is %(status)s."),
}


class SubmissionQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): submissions of regions in the user's own subtree — a county sees
    its own and its townships', never its city's or another county's; caring mothers see none."""


class Submission(models.Model):
    region = models.ForeignKey(Region, verbose_name=gettext_lazy("region"), on_delete=models.PROTECT,
                               related_name="submissions")
    # The first day of the month reported on.
    month = models.DateField(gettext_lazy("month"))
    status = models.CharField(gettext_lazy("status"), max_length=10, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT)
    # The written part: 工作开展情况 / 存在问题 / 下步打算.
    work_done = models.TextField(gettext_lazy("Work done"), blank=True)
    problems = models.TextField(gettext_lazy("Problems"), blank=True)
    next_steps = models.TextField(gettext_lazy("Next steps"), blank=True)
    # The sign-off block: 填报人, 审核人 (another user), 联系电话.
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("Prepared by"),
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("Reviewed by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    contact_phone = models.CharField(gettext_lazy("Contact phone"), max_length=20, blank=True)
    # The full /api/v1/stats/ payload, frozen when submitted ({} before); kept while returned (the last
    # figures sent), replaced when sent again.
    figures = models.JSONField(gettext_lazy("figures"), default=dict, blank=True)
    submitted_at = models.DateTimeField(gettext_lazy("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("submitted by"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    returned_reason = models.TextField(gettext_lazy("reason for returning"), blank=True)
    returned_at = models.DateTimeField(gettext_lazy("returned at"), null=True, blank=True)
    returned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("returned by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(gettext_lazy("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("accepted by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(gettext_lazy("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(gettext_lazy("updated at"), auto_now=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "region"]
        verbose_name = gettext_lazy("monthly submission")
        verbose_name_plural = gettext_lazy("monthly submissions")
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="submission_one_per_region_month"),
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="submission_status"),
            models.CheckConstraint(condition=Q(month__day=1), name="submission_month_first_day"),
            # Sent or accepted: a reviewer, who is not the preparer.
            models.CheckConstraint(
                condition=Q(status__in=sorted(EDITABLE))
                | (Q(reviewed_by__isnull=False) & ~Q(reviewed_by=F("prepared_by"))),
                name="submission_reviewed_by_another"),
        ]
        indexes = [
            # Reminders and the progress page: a month's submissions by status.
            models.Index(fields=["month", "status"], name="submission_month_status"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m} ({self.status})"

    def audit_label(self) -> str:
        return f"{self.region.name} {self.month:%Y-%m}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[SubmissionStatus(self.status)]

    # --- the verbs: one per transition ------------------------------------------------------------

    def submit(self, *, actor, figures: dict) -> "SubmissionStatusChange":
        """报送: freeze ``figures`` and send the submission up (from draft or returned)."""
        now = timezone.now()
        self.figures, self.submitted_at, self.submitted_by, self.returned_reason = figures, now, actor, ""
        return self._move(SubmissionStatus.SUBMITTED, actor=actor, at=now,
                          fields=["figures", "submitted_at", "submitted_by", "returned_reason"])

    def return_for_changes(self, *, actor, reason: str) -> "SubmissionStatusChange":
        """退回: the level above sends a submitted one back with ``reason``; it is editable again."""
        now = timezone.now()
        self.returned_reason, self.returned_at, self.returned_by = reason, now, actor
        return self._move(SubmissionStatus.RETURNED, actor=actor, at=now, reason=reason,
                          fields=["returned_reason", "returned_at", "returned_by"])

    def accept(self, *, actor) -> "SubmissionStatusChange":
        """接收: the level above accepts a submitted one (final)."""
        now = timezone.now()
        self.accepted_at, self.accepted_by = now, actor
        return self._move(SubmissionStatus.ACCEPTED, actor=actor, at=now, fields=["accepted_at", "accepted_by"])

    def _move(self, status: str, *, actor, at, fields: list[str], reason: str = "") -> "SubmissionStatusChange":
        """Check the move against :data:`TRANSITIONS` (else a ValidationError keyed ``status``, nothing
        saved), save the status and ``fields``, and record the change."""
        if not self.can_move_to(status):
            raise ValidationError({"status": REFUSED[status] % {"status": self.get_status_display()}})
        old = self.status
        self.status = status
        self.save(update_fields=["status", *fields, "updated_at"])
        return SubmissionStatusChange.objects.create(submission=self, from_status=old, to_status=status,
                                                     actor=actor, at=at, reason=reason)


class SubmissionStatusChange(models.Model):
    """One move of a submission's status (the first row, from "", is its creation as a draft)."""

    submission = models.ForeignKey(Submission, verbose_name=gettext_lazy("monthly submission"),
                                   on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(gettext_lazy("from"), max_length=10, blank=True,
                                   choices=SubmissionStatus.choices)
    to_status = models.CharField(gettext_lazy("to"), max_length=10, choices=SubmissionStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=gettext_lazy("by"), on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField(gettext_lazy("time"), default=timezone.now)
    reason = models.TextField(gettext_lazy("reason"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = gettext_lazy("submission status change")
        verbose_name_plural = gettext_lazy("submission status changes")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.from_status or '-'} → {self.to_status}"

