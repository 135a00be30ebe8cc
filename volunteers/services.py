"""Volunteer roster actions: caring mothers, their logins, reserve helpers, teams, work stations,
trainings and recognition. Pages, the API and seed_demo call these."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import phone as phones
from accounts import services as account_services
from accounts.audit import audit_record
from accounts.models import AuditAction, Region, User
from accounts.roles import Role
from children.models import Child
from core.access import EDIT, check
from core.regioncodes import in_subtree
from core.updates import model_update
from reports.statstable import stats_changed, stats_changed_everywhere
from volunteers.access import READ_ONLY
from volunteers.models import (
    Recognition,
    RecognitionKind,
    ReserveHelper,
    Sector,
    Skill,
    Team,
    Training,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
    WorkStation,
)
from volunteers.retention import check_not_anonymised


@dataclass(frozen=True)
class LoginData:
    username: str
    password: str


def _check_region(actor: User, region: Region | None, field: str = "region") -> Region:
    if region is None or not Region.objects.manageable_by(actor).filter(pk=region.pk).exists():
        raise ValidationError({field: _("The region does not exist or is outside your area.")})
    return region


def _check_not_future(value: date | None, field: str) -> date:
    value = value or timezone.localdate()
    if value > timezone.localdate():
        raise ValidationError({field: _("The date %(date)s is in the future.") % {"date": value.isoformat()}})
    return value


def _check_phone(phone: str, *, exclude_pk: int | None = None) -> str:
    phone = (phone or "").strip()
    if not phones.is_valid_mobile(phone):
        raise ValidationError({"phone": _("“%(phone)s” is not an 11-digit mainland mobile number.") % {"phone": phone}})
    clash = Volunteer.objects.filter(phone=phone)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"phone": _("A caring mother with the mobile number %(phone)s is already registered.")
                               % {"phone": phone}})
    return phone


def _check_team(actor: User, team: Team | None, region: Region) -> Team | None:
    if team is None:
        return None
    if not Team.objects.visible_to(actor).filter(pk=team.pk).exists():
        raise ValidationError({"team": _("The team does not exist or is outside your area.")})
    if not in_subtree(team.region_id, region.pk):
        raise ValidationError({"team": _("The team %(team)s works in another region than hers.") % {"team": team.name}})
    return team


def _check_station(actor: User, station: WorkStation | None, region: Region) -> WorkStation | None:
    if station is None:
        return None
    if not WorkStation.objects.visible_to(actor).filter(pk=station.pk).exists():
        raise ValidationError({"station": _("The work station does not exist or is outside your area.")})
    if not in_subtree(station.region_id, region.pk):
        raise ValidationError({"station": _("The work station %(station)s is in another region than hers.")
                               % {"station": station.name}})
    return station


def _apply(volunteer: Volunteer, *, sector: str, skills: Iterable[str], capacity: int) -> None:
    if sector not in Sector.values:
        raise ValidationError({"sector": _("Unknown sector “%(value)s”.") % {"value": sector}})
    skills = set(skills)
    unknown = skills - set(Skill.values)
    if unknown:
        raise ValidationError({"skills": _("Unknown skill: %(value)s.") % {"value": ", ".join(sorted(unknown))}})
    if not isinstance(capacity, int) or not 1 <= capacity <= 20:
        raise ValidationError({"capacity": _("Capacity is the number of children she leads at once: 1 to 20.")})
    volunteer.sector, volunteer.capacity = sector, capacity
    for skill in Skill.values:
        setattr(volunteer, f"skill_{skill}", skill in skills)


@transaction.atomic
def volunteer_create(
    *,
    actor: User,
    name: str,
    phone: str,
    region: Region | None,
    sector: str = Sector.OTHER,
    skills: Iterable[str] = (),
    capacity: int = 3,
    team: Team | None = None,
    station: WorkStation | None = None,
    employer: str = "",
    joined_on: date | None = None,
    notes: str = "",
    login: LoginData | None = None,
) -> Volunteer:
    """Register a caring mother; with ``login``, create her volunteer login in the same step."""
    check(actor, EDIT, READ_ONLY)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    region = _check_region(actor, region)
    phone = _check_phone(phone)
    volunteer = Volunteer(name=name, phone=phone, region=region, employer=employer.strip(), notes=notes.strip(),
                          team=_check_team(actor, team, region), station=_check_station(actor, station, region),
                          joined_on=_check_not_future(joined_on, "joined_on"))
    _apply(volunteer, sector=sector, skills=skills, capacity=capacity)
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        raise ValidationError({"phone": _("A caring mother with the mobile number %(phone)s is already registered.")
                               % {"phone": phone}}) from None
    VolunteerStatusChange.objects.create(volunteer=volunteer, to_status=VolunteerStatus.ACTIVE,
                                         effective_on=volunteer.joined_on, reason=_("Joined the roster"), actor=actor)
    stats_changed(since=volunteer.joined_on)
    if login is not None:
        volunteer.user = volunteer_create_login(actor=actor, volunteer=volunteer, username=login.username,
                                                password=login.password)
    return volunteer


@transaction.atomic
def volunteer_create_login(*, actor: User, volunteer: Volunteer | int, username: str, password: str,
                           region_code: str | None = None) -> User:
    """Open the volunteer login of a caring mother on the roster (``volunteer``: her row or id). Her
    name, phone and region come from the roster; ``region_code``, when given (the users API names
    one), must be hers. Staff may open these; accounts.services checks the region and the rank.
    Opening a login is a privilege change: audited on her record, with the login's name."""
    check(actor, EDIT, READ_ONLY)
    pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
    found = Volunteer.objects.visible_to(actor).select_for_update().filter(pk=pk).first()
    if found is None:
        raise ValidationError({"volunteer": [_("The caring mother does not exist or is outside your area.")]})
    if region_code is not None and region_code != found.region_id:
        raise ValidationError({"region": [_("Her login is in her own region, %(code)s.")
                                          % {"code": found.region_id}]})
    if found.user_id is not None:
        raise ValidationError({"username": _("%(name)s already has a login.") % {"name": found.name}})
    user = account_services.user_create(actor=actor, username=username, password=password, role=Role.VOLUNTEER,
                                        region=found.region, name=found.name, phone=found.phone)
    found.user = user
    found.save(update_fields=["user", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, target=found, changes={"user": (None, user.username)})
    return user


# Changed as given (model_update); phone, region, sector, skills and capacity have their own checks.
VOLUNTEER_FIELDS = ("name", "employer", "notes", "team", "station")


def _audited(volunteer: Volunteer) -> dict[str, object]:
    """Her checked fields by model field (the audit log names them), the mobile number still in full."""
    return {"phone": volunteer.phone, "region": volunteer.region_id, "sector": volunteer.sector,
            "capacity": volunteer.capacity,
            **{f"skill_{skill}": getattr(volunteer, f"skill_{skill}") for skill in Skill.values}}


def _audit_value(field: str, value: object) -> object:
    """A value as the audit log stores it: records by id, mobile numbers masked."""
    if isinstance(value, models.Model):
        return value.pk
    if field == "phone":
        return phones.mask_mobile(value)
    return value


@transaction.atomic
def volunteer_update(*, actor: User, volunteer: Volunteer, phone: str | None = None, region: Region | None = None,
                     sector: str | None = None, skills: Iterable[str] | None = None, capacity: int | None = None,
                     **fields) -> Volunteer:
    """Change a caring mother's record (``fields``: any of VOLUNTEER_FIELDS; None leaves the checked
    ones unchanged). What changed is audited, old and new."""
    check(actor, EDIT, READ_ONLY)
    volunteer = Volunteer.objects.visible_to(actor).select_for_update().get(pk=volunteer.pk)
    check_not_anonymised(volunteer)
    before = _audited(volunteer)
    changes = model_update(instance=volunteer, data=fields, allowed=VOLUNTEER_FIELDS)
    if not volunteer.name:
        raise ValidationError({"name": _("Enter the name.")})
    if phone is not None and phone != volunteer.phone:
        volunteer.phone = _check_phone(phone, exclude_pk=volunteer.pk)
    if region is not None:
        volunteer.region = _check_region(actor, region)
    _check_team(actor, volunteer.team, volunteer.region)
    if "station" in fields:
        _check_station(actor, volunteer.station, volunteer.region)
    new_capacity = capacity if capacity is not None else volunteer.capacity
    _apply(volunteer, sector=sector or volunteer.sector,
           skills=skills if skills is not None else volunteer.skills, capacity=new_capacity)
    from pairing.services import active_leads_of

    leads = active_leads_of(volunteer)
    if new_capacity < leads:
        raise ValidationError({"capacity": _("She leads %(n)s children now; end some pairings before lowering her capacity to %(capacity)s.")
                               % {"n": leads, "capacity": new_capacity}})
    volunteer.save()
    after = _audited(volunteer)
    changes.update({field: (old, after[field]) for field, old in before.items() if old != after[field]})
    if "region" in changes:  # the statistics count her where she is registered now, in every month
        stats_changed_everywhere()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, target=volunteer,
                     changes={field: (_audit_value(field, old), _audit_value(field, new))
                              for field, (old, new) in sorted(changes.items())})
    return volunteer


@transaction.atomic
def volunteer_set_status(*, actor: User, volunteer: Volunteer, status: str, effective_on: date,
                         reason: str = "") -> list[Child]:
    """Activate or deactivate a caring mother, dated, with a reason. Deactivation ends her pairings
    and returns the children who now need a new lead; her login is deactivated with her (and
    reactivated with her). Audited: the status, old and new, on her record; her login's switch on the
    login."""
    check(actor, EDIT, READ_ONLY)
    volunteer = Volunteer.objects.visible_to(actor).select_for_update().get(pk=volunteer.pk)
    check_not_anonymised(volunteer, "status")
    if status not in VolunteerStatus.values:
        raise ValidationError({"status": _("Unknown status “%(value)s”.") % {"value": status}})
    if status == volunteer.status:
        raise ValidationError({"status": _("%(name)s is already %(status)s.")
                               % {"name": volunteer.name, "status": VolunteerStatus(status).label}})
    effective_on = _check_not_future(effective_on, "effective_on")
    if effective_on < volunteer.joined_on:
        raise ValidationError({"effective_on": _("The date is before she joined (%(date)s).")
                               % {"date": volunteer.joined_on.isoformat()}})
    reason = (reason or "").strip()
    if status == VolunteerStatus.INACTIVE and not reason:
        raise ValidationError({"reason": _("Say why she stops.")})
    VolunteerStatusChange.objects.create(volunteer=volunteer, from_status=volunteer.status, to_status=status,
                                         effective_on=effective_on, reason=reason[:200], actor=actor)
    stats_changed(since=effective_on)
    needing_lead: list[Child] = []
    login_action = None
    if status == VolunteerStatus.INACTIVE:
        from pairing.models import EndReason
        from pairing.services import pairings_end_for_volunteer

        needing_lead = pairings_end_for_volunteer(actor=actor, volunteer=volunteer, on=effective_on,
                                                  reason=EndReason.VOLUNTEER_LEFT)
        volunteer.left_on = effective_on
        if volunteer.user_id and volunteer.user.is_active:
            login_action = AuditAction.DEACTIVATE
            volunteer.user.is_active = False
            volunteer.user.deactivated_at = timezone.now()
            volunteer.user.save(update_fields=["is_active", "deactivated_at"])
    else:
        volunteer.left_on = None
        if volunteer.user_id and not volunteer.user.is_active:
            # Her login was switched off with her; it comes back with her.
            login_action = AuditAction.REACTIVATE
            volunteer.user.is_active = True
            volunteer.user.deactivated_at = None
            volunteer.user.save(update_fields=["is_active", "deactivated_at"])
    changes = {"status": (volunteer.status, status)}
    volunteer.status = status
    volunteer.save(update_fields=["status", "left_on", "updated_at"])
    audit_record(actor=actor, action=AuditAction.STATUS, target=volunteer, changes=changes,
                 detail={"on": effective_on.isoformat(), "reason": reason[:200]})
    if login_action is not None:
        # Her login switched with her: a privilege change, audited on the login.
        active = volunteer.user.is_active
        audit_record(actor=actor, action=login_action, target=volunteer.user, changes={"is_active": (not active, active)})
    return needing_lead


@transaction.atomic
def reserve_helper_add(*, actor: User, volunteer: Volunteer, name: str, phone: str = "", specialty: str = "",
                       added_on: date | None = None) -> ReserveHelper:
    check(actor, EDIT, READ_ONLY)
    volunteer = Volunteer.objects.visible_to(actor).get(pk=volunteer.pk)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the helper's name.")})
    if phone and not phones.is_valid_mobile(phone):
        raise ValidationError({"phone": _("“%(phone)s” is not an 11-digit mainland mobile number.") % {"phone": phone}})
    return ReserveHelper.objects.create(volunteer=volunteer, name=name, phone=phone, specialty=specialty.strip(),
                                        added_on=_check_not_future(added_on, "added_on"))


@transaction.atomic
def reserve_helper_remove(*, actor: User, helper: ReserveHelper, removed_on: date | None = None) -> ReserveHelper:
    check(actor, EDIT, READ_ONLY)
    Volunteer.objects.visible_to(actor).get(pk=helper.volunteer_id)
    if helper.removed_on is None:
        helper.removed_on = _check_not_future(removed_on, "removed_on")
        helper.save(update_fields=["removed_on"])
    return helper


@transaction.atomic
def team_create(*, actor: User, name: str, region: Region | None, created_on: date | None = None,
                notes: str = "") -> Team:
    check(actor, EDIT, READ_ONLY)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the team's name.")})
    region = _check_region(actor, region)
    if Team.objects.filter(region=region, name=name).exists():
        raise ValidationError({"name": _("%(region)s already has a team called %(name)s.")
                               % {"region": region.name, "name": name}})
    return Team.objects.create(name=name, region=region, created_on=created_on, notes=notes.strip())


@transaction.atomic
def station_create(*, actor: User, name: str, region: Region | None, address: str = "",
                   opened_on: date | None = None) -> WorkStation:
    check(actor, EDIT, READ_ONLY)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the work station's name.")})
    return WorkStation.objects.create(name=name, region=_check_region(actor, region), address=address.strip(),
                                      opened_on=opened_on)


@transaction.atomic
def training_create(*, actor: User, title: str, held_on: date, region: Region | None, attendees: Iterable[int] = (),
                    participants: int | None = None, topic: str = "", organiser: str = "") -> Training:
    """Record a training session with its roster attendees and its total 人次 (at least the attendees)."""
    check(actor, EDIT, READ_ONLY)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Enter the training's title.")})
    held_on = _check_not_future(held_on, "held_on")
    region = _check_region(actor, region)
    ids = set(attendees)
    found = set(Volunteer.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - found:
        raise ValidationError({"attendees": _("Unknown or out-of-area caring mothers: %(ids)s.")
                               % {"ids": ", ".join(str(i) for i in sorted(ids - found))}})
    participants = len(ids) if participants is None else participants
    if participants < len(ids):
        raise ValidationError({"participants": _("Participants (人次) cannot be fewer than the %(n)s attendees listed.")
                               % {"n": len(ids)}})
    training = Training.objects.create(title=title, held_on=held_on, region=region, topic=topic.strip(),
                                       organiser=organiser.strip(), participants=participants, created_by=actor)
    training.attendees.set(found)
    stats_changed(since=held_on)
    return training


@transaction.atomic
def recognition_create(*, actor: User, volunteer: Volunteer, kind: str, title: str, awarded_on: date,
                       reason: str = "") -> Recognition:
    check(actor, EDIT, READ_ONLY)
    volunteer = Volunteer.objects.visible_to(actor).get(pk=volunteer.pk)
    if kind not in RecognitionKind.values:
        raise ValidationError({"kind": _("Unknown kind “%(value)s”.") % {"value": kind}})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Enter what she received.")})
    return Recognition.objects.create(volunteer=volunteer, kind=kind, title=title,
                                      awarded_on=_check_not_future(awarded_on, "awarded_on"),
                                      reason=reason.strip(), created_by=actor)
