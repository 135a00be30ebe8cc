"""Pairing actions: the one place the pairing rules live. Pages, the API, seed_demo and other apps'
services (a child's exit, a volunteer's deactivation) call these."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from children.models import Child, Status
from core.access import EDIT, check
from pairing.models import EndReason, Pairing, PairingRole
from reports.statstable import stats_changed
from volunteers.models import Volunteer, VolunteerStatus

# What a read-only role (or a caring mother) is told when she tries to pair or end a pairing.
EDIT_MESSAGE = gettext_lazy("Your role can read pairings but not change them.")


def _child_in_scope(actor: User, child_id: int, *, lock: bool = False) -> Child:
    queryset = Child.objects.visible_to(actor)
    if lock:
        queryset = queryset.select_for_update()
    child = queryset.filter(pk=child_id).first()
    if child is None:
        raise ValidationError({"child": _("The child does not exist or is outside your area.")})
    return child


def _volunteer_in_scope(actor: User, volunteer_id: int, *, field: str = "volunteer", lock: bool = False) -> Volunteer:
    queryset = Volunteer.objects.visible_to(actor)
    if lock:
        queryset = queryset.select_for_update()
    volunteer = queryset.filter(pk=volunteer_id).first()
    if volunteer is None:
        raise ValidationError({field: _("The caring mother does not exist or is outside your area.")})
    return volunteer


def _check_start(started_on: date | None, child: Child, volunteer: Volunteer) -> date:
    started_on = started_on or timezone.localdate()
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The date %(date)s is in the future.") % {"date": started_on.isoformat()}})
    if started_on < child.entered_on:
        raise ValidationError({"started_on": _("The pairing cannot start before the child entered the programme (%(date)s).")
                               % {"date": child.entered_on.isoformat()}})
    if started_on < volunteer.joined_on:
        raise ValidationError({"started_on": _("The pairing cannot start before the caring mother joined (%(date)s).")
                               % {"date": volunteer.joined_on.isoformat()}})
    return started_on


def active_leads_of(volunteer: Volunteer) -> int:
    return Pairing.objects.filter(volunteer=volunteer, role=PairingRole.LEAD, ended_on__isnull=True).count()


@transaction.atomic
def pairing_create(*, actor: User, child: Child | int, volunteer: Volunteer | int, role: str,
                   started_on: date | None = None) -> Pairing:
    """Pair a caring mother with a child as lead or helper, enforcing every rule:
    child active and in scope; volunteer active and in scope; one active lead per child (also a
    partial unique index); a volunteer's active leads within capacity; a helper only beside a lead."""
    check(actor, EDIT, EDIT_MESSAGE)
    if role not in PairingRole.values:
        raise ValidationError({"role": _("The role must be lead or helper.")})
    # Lock the child and the volunteer rows: concurrent pairings of either queue up here, so the
    # lead and capacity checks below see each other's results.
    child = _child_in_scope(actor, getattr(child, "pk", child), lock=True)
    volunteer = _volunteer_in_scope(actor, getattr(volunteer, "pk", volunteer), lock=True)
    if child.status != Status.ACTIVE:
        raise ValidationError({"child": _("%(name)s is %(status)s and cannot be paired.")
                               % {"name": child.name, "status": child.get_status_display()}})
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise ValidationError({"volunteer": _("%(name)s is inactive and cannot be paired.") % {"name": volunteer.name}})
    started_on = _check_start(started_on, child, volunteer)
    active = Pairing.objects.filter(child=child, ended_on__isnull=True)
    if active.filter(volunteer=volunteer).exists():
        raise ValidationError({"volunteer": _("%(volunteer)s is already paired with %(child)s.")
                               % {"volunteer": volunteer.name, "child": child.name}})
    lead = active.filter(role=PairingRole.LEAD).select_related("volunteer").first()
    if role == PairingRole.LEAD:
        if lead is not None:
            raise ValidationError({"role": _("%(child)s already has a lead caring mother: %(lead)s.")
                                   % {"child": child.name, "lead": lead.volunteer.name}})
        leads = active_leads_of(volunteer)
        if leads >= volunteer.capacity:
            raise ValidationError({"volunteer": _("%(name)s already leads %(n)s children, her capacity.")
                                   % {"name": volunteer.name, "n": leads}})
    elif lead is None:
        raise ValidationError({"role": _("%(child)s has no lead caring mother yet: pair a lead first.")
                               % {"child": child.name}})
    try:
        with transaction.atomic():
            pairing = Pairing.objects.create(child=child, volunteer=volunteer, role=role, started_on=started_on,
                                             created_by=actor)
    except IntegrityError:
        raise ValidationError({"role": _("%(child)s was just given a lead caring mother by someone else.")
                               % {"child": child.name}}) from None
    audit_record(actor=actor, action=AuditAction.UPDATE, target=child,
                 detail={"pairing": pairing.pk, "volunteer": volunteer.pk, "role": role})
    stats_changed(since=started_on)
    return pairing


@transaction.atomic
def pairing_end(*, actor: User, pairing: Pairing, ended_on: date, end_reason: str, note: str = "",
                new_lead: Volunteer | int | None = None) -> Pairing | None:
    """End a pairing. Ending a lead whose child still has helpers needs a new lead (``new_lead``:
    one of the helpers, promoted, or another caring mother); the new lead pairing is returned."""
    check(actor, EDIT, EDIT_MESSAGE)
    pairing = Pairing.objects.visible_to(actor).select_for_update().filter(pk=pairing.pk).first()
    if pairing is None:
        raise Pairing.DoesNotExist
    if ended_on is None or ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("Enter an end date that is not in the future.")})
    helpers = Pairing.objects.filter(child=pairing.child_id, role=PairingRole.HELPER, ended_on__isnull=True)
    replacement = None
    if pairing.role == PairingRole.LEAD and pairing.is_active and helpers.exists() and new_lead is None:
        raise ValidationError({"new_lead": _("%(child)s still has helpers: choose the new lead caring mother.")
                               % {"child": pairing.child.name}})
    pairing.end(on=ended_on, reason=end_reason, note=note, actor=actor)
    stats_changed(since=ended_on)
    if new_lead is not None and pairing.role == PairingRole.LEAD:
        new_id = getattr(new_lead, "pk", new_lead)
        promoted = helpers.filter(volunteer_id=new_id).first()
        if promoted is not None:
            promoted.end(on=ended_on, reason=EndReason.REASSIGNED, note=_("Became the lead"), actor=actor)
        try:
            replacement = pairing_create(actor=actor, child=pairing.child_id, volunteer=new_id,
                                         role=PairingRole.LEAD, started_on=ended_on)
        except ValidationError as exc:
            # The new lead is what the caller chose: report every problem with it under that field.
            raise ValidationError({"new_lead": exc.messages}) from None
    audit_record(actor=actor, action=AuditAction.UPDATE, target=pairing.child,
                 detail={"pairing_ended": pairing.pk, "reason": end_reason, "on": ended_on.isoformat()})
    return replacement


def pairings_end_for_child(*, actor: User | None, child: Child, on: date, reason: str) -> int:
    """End every active pairing of a child (it exited). Called by children.services."""
    count = 0
    for pairing in Pairing.objects.select_for_update().filter(child=child, ended_on__isnull=True):
        pairing.end(on=max(on, pairing.started_on), reason=reason, actor=actor)
        count += 1
    return count


def pairings_end_for_volunteer(*, actor: User, volunteer: Volunteer, on: date, reason: str) -> list[Child]:
    """End every active pairing of a volunteer; returns the children who were led by her and now
    need a new lead (their helpers stay, waiting for one)."""
    orphaned = []
    for pairing in Pairing.objects.select_for_update().filter(volunteer=volunteer, ended_on__isnull=True) \
            .select_related("child"):
        pairing.end(on=max(on, pairing.started_on), reason=reason, actor=actor)
        if pairing.role == PairingRole.LEAD:
            orphaned.append(pairing.child)
    return orphaned


def children_needing_lead(*, actor: User):
    """Active children in scope without an active lead (the unpaired list)."""
    from django.db.models import Exists, OuterRef

    leads = Pairing.objects.filter(child=OuterRef("pk"), role=PairingRole.LEAD, ended_on__isnull=True)
    return Child.objects.visible_to(actor).active().filter(~Exists(leads))
