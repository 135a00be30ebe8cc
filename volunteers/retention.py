"""Retention for caring mothers who left: RETENTION_YEARS_AFTER_EXIT after ``left_on`` her mobile number
and work unit are removed (her login's mobile number too), unless the record is held for a legal case.
The same rules as children.retention, whose nightly run calls :func:`volunteers_anonymise_due`.

Her name is kept: it is how activities, pairings and trainings of the past name who did them (the
issue asks for the phone and the employer only). She stays inactive for good: an anonymised caring
mother is not reactivated (register her again)."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from children.retention import ANONYMISED_MESSAGE, BATCH_SIZE, exit_cutoff, retention_years
from core.access import EDIT, check
from volunteers.access import READ_ONLY
from volunteers.models import Volunteer, VolunteerStatus

CLEARED_FIELDS = ("phone", "employer")


def _load_editable(actor: User, volunteer: Volunteer) -> Volunteer:
    """The caring mother, locked, if ``actor`` may change the roster (else PermissionDenied) and she is
    in their scope (else Volunteer.DoesNotExist, a 404)."""
    check(actor, EDIT, READ_ONLY)
    return Volunteer.objects.visible_to(actor).select_for_update().get(pk=volunteer.pk)


def check_not_anonymised(volunteer: Volunteer, field: str = "name") -> None:
    if volunteer.anonymised_at is not None:
        raise ValidationError({field: str(ANONYMISED_MESSAGE)})


def volunteers_due(queryset: QuerySet, *, on: date) -> QuerySet:
    """Caring mothers of ``queryset`` who left long enough before ``on``, held ones included."""
    return queryset.filter(status=VolunteerStatus.INACTIVE, left_on__lte=exit_cutoff(on), anonymised_at__isnull=True)


def volunteers_upcoming(user, *, today: date) -> QuerySet:
    on = today + timedelta(days=settings.RETENTION_NOTICE_DAYS)
    return (volunteers_due(Volunteer.objects.visible_to(user), on=on).select_related("region", "retention_held_by")
            .order_by("left_on", "id"))


@transaction.atomic
def volunteer_retention_hold(*, actor: User, volunteer: Volunteer, reason: str) -> Volunteer:
    volunteer = _load_editable(actor, volunteer)
    check_not_anonymised(volunteer, "reason")
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("Enter the reason for keeping the record (the legal case).")})
    before = volunteer.retention_hold_reason
    volunteer.retention_hold_reason, volunteer.retention_held_by = reason[:300], actor
    volunteer.retention_held_at = timezone.now()
    volunteer.save(update_fields=["retention_hold_reason", "retention_held_by", "retention_held_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=volunteer,
                 changes={"retention_hold_reason": (before, volunteer.retention_hold_reason)},
                 detail={"retention": "hold"})
    return volunteer


@transaction.atomic
def volunteer_retention_release(*, actor: User, volunteer: Volunteer) -> Volunteer:
    volunteer = _load_editable(actor, volunteer)
    if not volunteer.retention_hold_reason:
        raise ValidationError({"reason": _("The record is not held.")})
    before = volunteer.retention_hold_reason
    volunteer.retention_hold_reason, volunteer.retention_held_by, volunteer.retention_held_at = "", None, None
    volunteer.save(update_fields=["retention_hold_reason", "retention_held_by", "retention_held_at", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=volunteer,
                 changes={"retention_hold_reason": (before, "")}, detail={"retention": "release"})
    return volunteer


@transaction.atomic
def volunteer_anonymise(*, actor: User | None, volunteer: Volunteer) -> bool:
    """Remove her mobile number and work unit (and her login's mobile number); ``actor=None`` is the
    system. False when already done; refused while she is active or the record is held. Audited with
    the fields cleared, never their values."""
    if actor is not None:
        volunteer = _load_editable(actor, volunteer)
    else:
        volunteer = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
    if volunteer.anonymised_at is not None:
        return False
    if volunteer.status != VolunteerStatus.INACTIVE:
        raise ValidationError({"status": _("Only a caring mother who has left is anonymised.")})
    if volunteer.retention_hold_reason:
        raise ValidationError({"reason": _("The record is held: release the hold first.")})
    volunteer.phone = volunteer.employer = ""
    volunteer.anonymised_at = timezone.now()
    volunteer.save(update_fields=["phone", "employer", "anonymised_at", "updated_at"])
    changes = dict.fromkeys(CLEARED_FIELDS, (None, "cleared"))
    if volunteer.user_id:
        User.objects.filter(pk=volunteer.user_id).exclude(phone="").update(phone="")
        changes["login_phone"] = (None, "cleared")
    audit_record(actor=actor, action=AuditAction.UPDATE, target=volunteer, changes=changes,
                 detail={"retention": "anonymised", "years_after_exit": retention_years()})
    return True


def volunteers_anonymise_due(*, on: date) -> int:
    """Anonymise every caring mother due by ``on`` and not held, in batches; safe to re-run."""
    count, last = 0, 0
    due = volunteers_due(Volunteer.objects.all(), on=on).filter(retention_hold_reason="").order_by("pk")
    while True:
        ids = list(due.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH_SIZE])
        if not ids:
            return count
        for volunteer in Volunteer.objects.filter(pk__in=ids).order_by("pk"):
            count += volunteer_anonymise(actor=None, volunteer=volunteer)
        last = ids[-1]
