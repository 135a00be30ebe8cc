"""Urgent-report actions (紧急情况报告): report, acknowledge, close, escalate. The pages, the phone page,
the API and the beat task all call these.

- :func:`alert_report` — a caring mother for a child she is paired with now, or staff / an
  administrator for a child of their subtree. Idempotent on the client's UUID: the same id with the
  same content returns the stored alert (nothing new, nobody told twice); the same id with other
  content raises :class:`AlertConflict` (HTTP 409). A new alert tells every active staff member and
  administrator of the child's township and county at once (activities.models.Notification, stored
  in the same transaction, handed to settings.NOTIFICATION_BACKENDS when it commits).
- :func:`alert_photo_add` — the optional photo of a report (one per report), by whoever may see it and
  act on it (the caring mother who reported it, staff / an administrator of its area). Checked, resized
  and stripped of its metadata by activities.photos.checked_jpeg (same size limit, the error naming
  ``image``), stored privately. Idempotent on the phone's id for the photo (``client_id``).
- :func:`alert_acknowledge` — staff / an administrator of the child's subtree take it on; a child not
  on a red card gets a red risk assessment (children.services.child_assess) naming the alert.
- :func:`alert_close` — with the outcome (required).
- :func:`alerts_escalate` — run every 5 minutes: alerts still open ALERT_ESCALATE_AFTER_MINUTES after
  they were made are marked escalated and the child's city is told, once per alert.

Every change is audited (accounts.audit.audit_record). A notification's title names the child by the
given name only, never with the ID number.
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from activities import delivery, photos
from activities.models import Notification
from activities.reminders import store_new
from alerts.models import DESCRIPTION_MAX_CHARS, OUTCOME_MAX_CHARS, Alert, AlertKind, AlertPhoto, AlertStatus
from children.models import Child, RiskColor, RiskFactor, Status
from children.names import given_name
from core.access import EDIT, PHONE, check, is_volunteer
from core.regioncodes import CITY, COUNTY, PREFIX_LENGTH, TOWNSHIP, VILLAGE, level_of

KIND_NEW = "alert"
KIND_ESCALATED = "alert_escalated"
REPORT_DENIED = gettext_lazy("Your role cannot report an urgent situation.")
EDIT_DENIED = gettext_lazy("Your role can read urgent reports but not act on them.")
NOT_PAIRED = gettext_lazy("You can report only for a child you are paired with now.")
PHOTO_DENIED = gettext_lazy("Your role can read urgent reports but not add photos to them.")


class AlertConflict(Exception):
    """The client reused an alert id with different content (HTTP 409)."""

    def __init__(self, alert: Alert):
        super().__init__(_("An urgent report with this id already exists with different content."))
        self.alert = alert


# --- who is told ----------------------------------------------------------------------------------

def _code_at(code: str, level: str) -> str:
    return code[:PREFIX_LENGTH[level]].ljust(12, "0")


def local_codes(code: str) -> list[str]:
    """The codes of the township (when the child is registered at a township or a village) and the
    county of a child's region: their staff are told of a new alert."""
    level = level_of(code)
    codes = [_code_at(code, TOWNSHIP)] if level in (TOWNSHIP, VILLAGE) else []
    if level in (COUNTY, TOWNSHIP, VILLAGE):
        codes.append(_code_at(code, COUNTY))
    return codes


def city_code(code: str) -> str:
    return _code_at(code, CITY)


def recipients(codes: list[str]):
    """Active staff and administrators whose own region is one of ``codes`` (not those above them)."""
    return User.objects.filter(is_active=True, role__in=EDIT, region_id__in=codes).order_by("pk")


def _title(alert: Alert, child_name: str, *, escalated: bool) -> str:
    values = {"child": given_name(child_name), "kind": alert.get_kind_display()}
    if escalated:
        return _("Unacknowledged urgent report: %(child)s (%(kind)s)") % values
    return _("Urgent report: %(child)s (%(kind)s)") % values


def _notify(alert: Alert, *, codes: list[str], kind: str, key: str, escalated: bool) -> list[Notification]:
    """Store one notification per recipient (unique per recipient and ``key``); deliver them once the
    transaction commits."""
    with translation.override(settings.LANGUAGE_CODE):
        title = _title(alert, alert.child.name, escalated=escalated)
        body = _("%(region)s · occurred on %(date)s: %(description)s") % {
            "region": alert.region.name, "date": alert.occurred_on.isoformat(), "description": alert.description}
    link = reverse("alerts:detail", args=[alert.pk])
    created = store_new([Notification(recipient=user, kind=kind, title=title[:200], body=body, link=link,
                                      region=alert.region, dedupe_key=key) for user in recipients(codes)])
    if created:
        transaction.on_commit(lambda: delivery.deliver(created))
    return created


# --- reporting ------------------------------------------------------------------------------------

def _child_pk(child: Child | int | str | None) -> int | None:
    value = getattr(child, "pk", child)
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _same_content(alert: Alert, *, child_pk: int | None, kind: str, description: str, occurred_on: date | None) -> bool:
    return (alert.child_id == child_pk and alert.kind == kind and alert.description == description
            and alert.occurred_on == occurred_on)


def _check_fields(*, kind: str, description: str, occurred_on: date | None) -> None:
    if kind not in AlertKind.values:
        raise ValidationError({"kind": _("Choose what happened.")})
    if not description:
        raise ValidationError({"description": _("Describe briefly what happened.")})
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise ValidationError({"description": _("Keep the description to %(max)s characters.")
                               % {"max": DESCRIPTION_MAX_CHARS}})
    if occurred_on is None:
        raise ValidationError({"occurred_on": _("Enter the date it happened.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date %(date)s is in the future.") % {"date": occurred_on.isoformat()}})


def _child_for(actor: User, child_pk: int | None) -> Child:
    """The child, if the actor may report for it: a caring mother's currently paired child (else a
    refusal naming the field), a staff member's child of their subtree (else Child.DoesNotExist, 404)."""
    found = (Child.objects.visible_to(actor).filter(pk=child_pk).select_related("region").first()
             if child_pk is not None else None)
    if found is None:
        if is_volunteer(actor):
            raise ValidationError({"child": NOT_PAIRED})
        if child_pk is None:
            raise ValidationError({"child": _("Choose the child.")})
        raise Child.DoesNotExist
    if found.status == Status.EXITED:
        raise ValidationError({"child": _("%(child)s has exited the programme.") % {
            "child": given_name(found.name) if is_volunteer(actor) else found.name}})
    return found


@transaction.atomic
def alert_report(*, actor: User, id: uuid.UUID | str | None, child: Child | int, kind: str, description: str,
                 occurred_on: date | None) -> tuple[Alert, bool]:
    """Report an urgent situation; returns (alert, created). See the module's docstring."""
    check(actor, EDIT | PHONE, REPORT_DENIED)
    try:
        alert_id = uuid.UUID(str(id)) if id else uuid.uuid4()
    except ValueError:
        raise ValidationError({"id": _("The report id must be a UUID.")}) from None
    child_pk = _child_pk(child)
    kind, description = kind or "", (description or "").strip()

    existing = Alert.objects.filter(pk=alert_id).first()
    if existing is not None:
        if (_same_content(existing, child_pk=child_pk, kind=kind, description=description, occurred_on=occurred_on)
                and Alert.objects.visible_to(actor).filter(pk=existing.pk).exists()):
            return existing, False
        raise AlertConflict(existing)

    _check_fields(kind=kind, description=description, occurred_on=occurred_on)
    child_obj = _child_for(actor, child_pk)
    alert = Alert(id=alert_id, child=child_obj, region=child_obj.region, kind=kind, description=description,
                  occurred_on=occurred_on, reported_by=actor)
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError:
        # The same id arrived twice at once: the other request stored it first.
        stored = Alert.objects.get(pk=alert_id)
        if _same_content(stored, child_pk=child_pk, kind=kind, description=description, occurred_on=occurred_on):
            return stored, False
        raise AlertConflict(stored) from None
    audit_record(actor=actor, action=AuditAction.CREATE, target=alert, region_code=alert.region_id,
                 detail={"child": child_obj.pk, "kind": kind, "occurred_on": occurred_on.isoformat()})
    _notify(alert, codes=local_codes(alert.region_id), kind=KIND_NEW, key=f"{KIND_NEW}:{alert.pk}", escalated=False)
    return alert, True


# --- the photo -----------------------------------------------------------------------------------

def _photo_by_client_id(alert: Alert, client_id: uuid.UUID | None) -> AlertPhoto | None:
    """The photo already stored with the phone's id ``client_id`` (for this alert), if any; an id used
    for another alert's photo is refused, naming ``client_id``."""
    if client_id is None:
        return None
    found = AlertPhoto.objects.filter(client_id=client_id).first()
    if found is not None and found.alert_id != alert.pk:
        raise ValidationError({"client_id": _("This photo id was already used for another urgent report.")})
    return found


def _one_photo_only() -> ValidationError:
    return ValidationError({photos.FIELD: _("An urgent report has one photo, and this one has it already.")})


def alert_photo_add(*, actor: User, alert: Alert, upload, client_id: uuid.UUID | None = None
                    ) -> tuple[AlertPhoto, bool]:
    """Attach the photo of an urgent report; returns (photo, created). Staff, administrators and caring
    mothers (else PermissionDenied); the alert in the actor's scope (else Alert.DoesNotExist, 404: a caring
    mother sees only her own reports). A photo with ``client_id`` already stored for this alert is
    returned as it is (a phone retrying after a lost answer; the upload is not read again). Anything but a
    JPEG, PNG or WebP image within settings.ACTIVITY_PHOTO_MAX_BYTES, or a second photo, is refused
    naming ``image``, and nothing is stored then. Unlike an activity's photos, no guardian's consent to
    photos is asked for: the photo is evidence for the staff protecting the child (the guardian may be
    the one the report is about), seen only by those who can see the report.

    Not one transaction around the whole, as activities.photos.photo_add: the image is checked and
    re-encoded outside any lock; the alert is locked for the insert, and two retries racing past the first
    look-up meet the unique constraints (the loser gets the winner's photo)."""
    check(actor, EDIT | PHONE, PHOTO_DENIED)
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        raise Alert.DoesNotExist
    found = _photo_by_client_id(alert, client_id)
    if found is not None:
        return found, False
    if AlertPhoto.objects.filter(alert_id=alert.pk).exists():
        raise _one_photo_only()
    data, width, height = photos.checked_jpeg(upload)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().select_related("region").get(pk=alert.pk)
        photo = AlertPhoto(alert=locked, width=width, height=height, uploaded_by=actor, client_id=client_id)
        photo.image.save("photo.jpg", ContentFile(data), save=False)
        try:
            with transaction.atomic():
                photo.save(force_insert=True)
        except IntegrityError:
            photo.image.storage.delete(photo.image.name)
            found = _photo_by_client_id(locked, client_id)
            if found is not None:
                return found, False
            raise _one_photo_only() from None
        except BaseException:
            photo.image.storage.delete(photo.image.name)
            raise
        audit_record(actor=actor, action=AuditAction.CREATE, target=photo, target_label=locked.audit_label(),
                     region_code=locked.region_id, detail={"alert": str(locked.pk), "width": width, "height": height})
    return photo, True


# --- acting on an alert ---------------------------------------------------------------------------

def _check_actor(actor: User, alert: Alert) -> Alert:
    """Staff / an administrator (else PermissionDenied) with the alert in their subtree (else
    Alert.DoesNotExist, 404). Returns the alert re-read and locked."""
    check(actor, EDIT, EDIT_DENIED)
    locked = Alert.objects.visible_to(actor).select_for_update().filter(pk=alert.pk).first()
    if locked is None:
        raise Alert.DoesNotExist
    return locked


def _move(actor: User, alert: Alert, to: str, message: str) -> None:
    if not alert.can_become(to):
        raise ValidationError({"status": message % {"status": alert.get_status_display()}})


@transaction.atomic
def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """Take the alert on. A child not on a red card is assessed red (the alert as the reason), which
    opens the red card's review cycle."""
    locked = _check_actor(actor, alert)
    _move(actor, locked, AlertStatus.ACKNOWLEDGED,
          _("Only an open urgent report can be acknowledged; this one is %(status)s."))
    now = timezone.now()
    locked.status, locked.acknowledged_by, locked.acknowledged_at = AlertStatus.ACKNOWLEDGED, actor, now
    locked.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit_record(actor=actor, action=AuditAction.STATUS, target=locked,
                 changes={"status": (AlertStatus.OPEN.value, AlertStatus.ACKNOWLEDGED.value)})
    child = Child.objects.select_related("region").get(pk=locked.child_id)
    if child.risk_color != RiskColor.RED and child.status != Status.EXITED:
        from children.services import child_assess

        with translation.override(settings.LANGUAGE_CODE):
            note = _("Urgent report of %(date)s (%(kind)s): %(description)s") % {
                "date": locked.occurred_on.isoformat(), "kind": locked.get_kind_display(),
                "description": locked.description}
        child_assess(actor=actor, child=child, color=RiskColor.RED, reasons=[RiskFactor.SAFETY],
                     assessed_on=timezone.localdate(), note=note)
    _copy(locked, alert)
    return alert


@transaction.atomic
def alert_close(*, actor: User, alert: Alert, outcome: str) -> Alert:
    """Close an acknowledged alert with its outcome (how it was dealt with; required)."""
    locked = _check_actor(actor, alert)
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say how the situation was dealt with.")})
    if len(outcome) > OUTCOME_MAX_CHARS:
        raise ValidationError({"outcome": _("Keep the outcome to %(max)s characters.") % {"max": OUTCOME_MAX_CHARS}})
    _move(actor, locked, AlertStatus.CLOSED,
          _("Only an acknowledged urgent report can be closed; this one is %(status)s."))
    locked.status, locked.outcome = AlertStatus.CLOSED, outcome
    locked.closed_by, locked.closed_at = actor, timezone.now()
    locked.save(update_fields=["status", "outcome", "closed_by", "closed_at"])
    audit_record(actor=actor, action=AuditAction.STATUS, target=locked,
                 changes={"status": (AlertStatus.ACKNOWLEDGED.value, AlertStatus.CLOSED.value)},
                 detail={"outcome": outcome[:300]})
    _copy(locked, alert)
    return alert


def _copy(source: Alert, target: Alert) -> None:
    if source is not target:
        for field in ("status", "acknowledged_by_id", "acknowledged_at", "outcome", "closed_by_id", "closed_at"):
            setattr(target, field, getattr(source, field))


# --- escalation -----------------------------------------------------------------------------------

@dataclass
class EscalationRun:
    at: datetime
    alerts: int = 0
    notified: int = 0

    def as_dict(self) -> dict:
        return {"at": self.at.isoformat(), "alerts": self.alerts, "notified": self.notified}


def escalation_due(now: datetime):
    """Open, not yet escalated alerts made at least ALERT_ESCALATE_AFTER_MINUTES before ``now``."""
    cutoff = now - timedelta(minutes=settings.ALERT_ESCALATE_AFTER_MINUTES)
    return Alert.objects.filter(status=AlertStatus.OPEN, escalated=False, reported_at__lte=cutoff)


def alerts_escalate(*, now: datetime | None = None) -> EscalationRun:
    """Escalate every due alert to the staff and administrators of its child's city, once: the flag is
    set by a conditional update (a concurrent run skips it) and the notification is unique per
    recipient and alert."""
    now = now or timezone.now()
    run = EscalationRun(at=now)
    for pk in list(escalation_due(now).order_by("reported_at").values_list("pk", flat=True)):
        with transaction.atomic():
            if not Alert.objects.filter(pk=pk, status=AlertStatus.OPEN, escalated=False).update(
                    escalated=True, escalated_at=now):
                continue
            alert = Alert.objects.select_related("child", "region").get(pk=pk)
            audit_record(actor=None, action=AuditAction.UPDATE, target=alert, changes={"escalated": (False, True)})
            run.alerts += 1
            run.notified += len(_notify(alert, codes=[city_code(alert.region_id)], kind=KIND_ESCALATED,
                                        key=f"{KIND_ESCALATED}:{alert.pk}", escalated=True))
    return run
