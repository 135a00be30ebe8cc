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
