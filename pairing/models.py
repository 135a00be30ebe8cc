from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from children.models import Child
from core.scoping import ScopedQuerySet
from volunteers.models import Volunteer


class PairingRole(models.TextChoices):
    LEAD = "lead", _("Lead caring mother")
    HELPER = "helper", _("Helper")


class EndReason(models.TextChoices):
    CHILD_EXITED = "child_exited", _("The child exited the programme")
    VOLUNTEER_LEFT = "volunteer_left", _("The volunteer left")
    REASSIGNED = "reassigned", _("Reassigned to another volunteer")
    MOVED = "moved", _("Moved away")
    TRANSFERRED = "transferred", _("The child was transferred to another region")
    OTHER = "other", _("Other")


class PairingQuerySet(ScopedQuerySet):
    """``visible_to`` (core.scoping): pairings of children in the caller's subtree; a caring mother
    sees her own active pairings only (an ended one, and its child, are gone for her — as
    ``Child.objects.for_volunteer``)."""

    region_field = "child__region"

    def for_volunteer(self, user) -> "PairingQuerySet":
        # Ends and starts are never in the future (pairing.services), so "not ended" is "active today".
        return self.filter(volunteer__user=user, ended_on__isnull=True)

    def active(self) -> "PairingQuerySet":
        return self.filter(ended_on__isnull=True)


class Pairing(models.Model):
    """A bond between a caring mother and a child (结对). Never deleted: it ends, dated, with a reason."""

    child = models.ForeignKey(Child, verbose_name=_("child"), on_delete=models.PROTECT, related_name="pairings")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("caring mother"), on_delete=models.PROTECT,
                                  related_name="pairings")
    role = models.CharField(_("role"), max_length=6, choices=PairingRole.choices)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by"))
    ended_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("ended by"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    objects = PairingQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        constraints = [
            # At most one active lead per child: the database decides between two staff racing.
            models.UniqueConstraint(fields=["child"], condition=Q(role="lead", ended_on__isnull=True),
                                    name="pairing_one_active_lead_per_child"),
            models.UniqueConstraint(fields=["child", "volunteer"], condition=Q(ended_on__isnull=True),
                                    name="pairing_one_active_bond_per_pair"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="pairing_end_after_start"),
            models.CheckConstraint(condition=Q(role__in=PairingRole.values), name="pairing_role_valid"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "role"], name="pairing_active_by_volunteer",
                         condition=Q(ended_on__isnull=True)),
            models.Index(fields=["child", "role"], name="pairing_active_by_child", condition=Q(ended_on__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} ↔ {self.child}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def end(self, *, on: date, reason: str, note: str = "", actor: User | None = None) -> None:
        """End this pairing, dated. The row stays: history is never deleted."""
        if self.ended_on is not None:
            raise ValidationError({"ended_on": gettext("This pairing already ended on %(date)s.")
                                   % {"date": self.ended_on.isoformat()}})
        if reason not in EndReason.values:
            raise ValidationError({"end_reason": gettext("Choose why the pairing ends.")})
        if on < self.started_on:
            raise ValidationError({"ended_on": gettext("The end date %(end)s is before the pairing started (%(start)s).")
                                   % {"end": on.isoformat(), "start": self.started_on.isoformat()}})
        self.ended_on, self.end_reason, self.end_note, self.ended_by = on, reason, (note or "")[:300], actor
        self.save(update_fields=["ended_on", "end_reason", "end_note", "ended_by"])


# --- the programme's yearly commitments (pairing.commitments) -------------------------------------

class CommitmentKind(models.TextChoices):
    """What a pairing promises each calendar year (年度结对承诺). Progress is computed from the records
    (activities, needs), never ticked by hand: pairing.commitments."""

    MONTHLY_CONTACT = "monthly_contact", _("Monthly contact")
    LETTER = "letter", _("Letter (爱心家书)")
    WISH = "wish", _("Micro-wish fulfilled")
    BIRTHDAY_VISIT = "birthday_visit", _("Birthday visit")
    OCCASION_VISIT = "occasion_visit", _("Festival and school-start visits")
    TEACHER_CONTACT = "teacher_contact", _("Contact with the class teacher")


class CommitmentPlan(models.Model):
    """A region's own commitments: its rules and occasions. The nearest region at or above a child's
    with a plan decides for the child (a county's overrides its province's); without any, the
    programme's defaults in pairing.commitments apply."""

    region = models.OneToOneField("accounts.Region", verbose_name=_("region"), on_delete=models.CASCADE,
                                  related_name="commitment_plan")
    birthday_remind_days = models.PositiveSmallIntegerField(_("birthday: remind days before"))
    birthday_window_days = models.PositiveSmallIntegerField(_("birthday: days either side that count"))
    updated_by = models.ForeignKey(User, verbose_name=_("updated by"), null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("commitment plan")
        verbose_name_plural = _("commitment plans")

    def __str__(self) -> str:
        return f"{self.region_id}"


class CommitmentRule(models.Model):
    """One commitment of a plan: whether it applies and how many times a year (monthly contact: in how
    many months; a dated visit: always once)."""

    plan = models.ForeignKey(CommitmentPlan, verbose_name=_("commitment plan"), on_delete=models.CASCADE,
                             related_name="rules")
    kind = models.CharField(_("commitment"), max_length=20, choices=CommitmentKind.choices)
    enabled = models.BooleanField(_("applies"), default=True)
    target = models.PositiveSmallIntegerField(_("times a year"))

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="commitmentrule_once_per_plan"),
                       models.CheckConstraint(condition=Q(kind__in=CommitmentKind.values),
                                              name="commitmentrule_kind_valid")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.kind} × {self.target}"


class Occasion(models.Model):
    """A day of the year a caring mother visits the child (六一 on 1 June, 开学 on 1 September …):
    reminded ``remind_days_before``, counted when an activity with the child falls within
    ``window_days`` either side."""

    plan = models.ForeignKey(CommitmentPlan, verbose_name=_("commitment plan"), on_delete=models.CASCADE,
                             related_name="occasions")
    name = models.CharField(_("occasion"), max_length=20)
    month = models.PositiveSmallIntegerField(_("month"))
    day = models.PositiveSmallIntegerField(_("day"))
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"))
    window_days = models.PositiveSmallIntegerField(_("days either side that count"))

    class Meta:
        ordering = ["month", "day", "pk"]
        verbose_name = _("occasion")
        verbose_name_plural = _("occasions")
        constraints = [models.UniqueConstraint(fields=["plan", "month", "day"], name="occasion_one_per_day"),
                       models.CheckConstraint(condition=Q(month__gte=1, month__lte=12, day__gte=1, day__lte=31),
                                              name="occasion_month_day_range")]

    def __str__(self) -> str:
        return f"{self.name} {self.month:02d}-{self.day:02d}"
