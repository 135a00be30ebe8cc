"""Care activity actions: recording (idempotent on the client's UUID), editing, photos. The phone
pages, staff pages, the API and seed_demo all call these."""

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from activities.models import Activity, ActivityChild, ActivityKind, CareService
from children.models import Child, Status
from children.names import given_name
from core.access import EDIT, PHONE, allowed, check, is_volunteer, role_of
from core.prepared import PreparedQuery, insert_rows
from core.relations import cache_related
from core.updates import model_update
from pairing.models import Pairing
from reports.statstable import stats_changed
from volunteers.models import Volunteer, VolunteerStatus


class ActivityConflict(Exception):
    """The client reused an activity id with different content (HTTP 409)."""

    def __init__(self, activity: Activity):
        super().__init__(_("An activity with this id already exists with different content."))
        self.activity = activity


def content_digest(*, volunteer_id: int, children: Iterable[int], occurred_on: date, kind: str,
                   services: Iterable[str], is_group: bool, title: str, duration_minutes: int | None, place: str,
                   participants: int, aid_value_yuan: Decimal, notes: str, follow_up: bool,
                   co_volunteers: Iterable[int]) -> str:
    """A stable digest of an activity's content, for recognising a retried request."""
    canonical = json.dumps({
        "volunteer": volunteer_id, "children": sorted(set(children)), "occurred_on": occurred_on.isoformat(),
        "kind": kind, "services": sorted(set(services)), "is_group": is_group, "title": title,
        "duration_minutes": duration_minutes, "place": place, "participants": participants,
        "aid_value_yuan": str(Decimal(aid_value_yuan).quantize(Decimal("0.01"))), "notes": notes,
        "follow_up": follow_up, "co_volunteers": sorted(set(co_volunteers)),
    }, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _own_volunteer(actor: User) -> Volunteer | None:
    """The caring mother behind a volunteer's login: no query when the login was read with it (the API's
    token authentication, accounts.tokens, joins it)."""
    try:
        return actor.volunteer
    except Volunteer.DoesNotExist:
        return None


def _volunteer_for(actor: User, volunteer: Volunteer | int | None) -> Volunteer:
    if is_volunteer(actor):
        own = _own_volunteer(actor)
        if own is None:
            raise ValidationError({"volunteer": _("Your login is not linked to a caring mother on the roster.")})
        if volunteer is not None and getattr(volunteer, "pk", volunteer) != own.pk:
            raise ValidationError({"volunteer": _("You can record only your own activities.")})
        # A caring mother sees herself (VolunteerQuerySet.for_volunteer): no second look-up.
        found = own
    else:
        if volunteer is None:
            raise ValidationError({"volunteer": _("Choose the caring mother who carried out the activity.")})
        found = Volunteer.objects.visible_to(actor).filter(pk=getattr(volunteer, "pk", volunteer)).first()
    if found is None:
        raise ValidationError({"volunteer": _("The caring mother does not exist or is outside your area.")})
    if found.status != VolunteerStatus.ACTIVE:
        raise ValidationError({"volunteer": _("%(name)s is inactive.") % {"name": found.name}})
    return found


def _aid(value) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation:
        raise ValidationError({"aid_value_yuan": _("Enter the aid value as a number of yuan.")}) from None
    if not amount.is_finite():
        raise ValidationError({"aid_value_yuan": _("Enter the aid value as a number of yuan.")})
    if amount < 0:
        raise ValidationError({"aid_value_yuan": _("The aid value cannot be negative.")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"aid_value_yuan": _("Give the aid value to the fen (two decimals at most).")})
    return amount


# The enums' values, once (``ActivityKind.values`` builds its list anew on every use).
_KINDS, _SERVICES = frozenset(ActivityKind.values), frozenset(CareService.values)


def _check_fields(*, kind: str, services: list[str], occurred_on: date | None, aid: Decimal, confirm_large_aid: bool,
                  duration_minutes: int | None, participants: int | None, confirm_large_participants: bool) -> None:
    """``participants`` None: not checked (a correction that leaves them as they were)."""
    if kind not in _KINDS:
        raise ValidationError({"kind": _("Unknown kind of activity “%(value)s”.") % {"value": kind}})
    unknown = set(services) - _SERVICES
    if unknown:
        raise ValidationError({"services": _("Unknown service: %(value)s.") % {"value": ", ".join(sorted(unknown))}})
    if occurred_on is None:
        raise ValidationError({"occurred_on": _("Enter the date of the activity.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date %(date)s is in the future.") % {"date": occurred_on.isoformat()}})
    if aid > settings.ACTIVITY_AID_CONFIRM_YUAN and not confirm_large_aid:
        raise ValidationError({"aid_value_yuan": _("%(value)s yuan is unusually large: check it, then confirm it explicitly.")
                               % {"value": aid}})
    if duration_minutes is not None and not 1 <= duration_minutes <= 24 * 60:
        raise ValidationError({"duration_minutes": _("The duration is in minutes, between 1 and 1440.")})
    if participants is not None:
        _check_participants(participants, confirmed=confirm_large_participants)


def _check_participants(participants: int, *, confirmed: bool) -> None:
    """Person-times (人次): at most ACTIVITY_MAX_PARTICIPANTS; above ACTIVITY_CONFIRM_PARTICIPANTS only
    when confirmed (a typo there would swell every total it is counted in)."""
    if participants > settings.ACTIVITY_MAX_PARTICIPANTS:
        raise ValidationError({"participants": _("Participants (人次) cannot be more than %(max)s for one activity; "
                                                 "%(value)s were entered.")
                               % {"max": settings.ACTIVITY_MAX_PARTICIPANTS, "value": participants}})
    if participants > settings.ACTIVITY_CONFIRM_PARTICIPANTS and not confirmed:
        raise ValidationError({"participants": _("%(value)s person-times is unusually many: check it, then confirm "
                                                 "it explicitly.") % {"value": participants}})


def _child_rows_queryset(*, actor: User, child_ids: list[int], is_group: bool, volunteer: Volunteer | None = None,
                         occurred_on: date | None = None, repeat_kind: str | None = None,
                         activity_id: uuid.UUID | None = None):
    rows = Child.objects.visible_to(actor).filter(pk__in=child_ids)
    if not is_group:
        latest = (Pairing.objects.filter(volunteer=volunteer, child=OuterRef("pk"))
                  .order_by("-started_on", "-id"))
        rows = rows.annotate(pairing_started_on=Subquery(latest.values("started_on")[:1]),
                             pairing_ended_on=Subquery(latest.values("ended_on")[:1]))
    if repeat_kind is not None:
        rows = rows.annotate(recorded_that_day=Exists(
            ActivityChild.objects.filter(child=OuterRef("pk"), occurred_on=occurred_on, activity__volunteer=volunteer,
                                         activity__kind=repeat_kind, activity__is_group=False)
            .exclude(activity_id=activity_id)))
    return rows


# A caring mother's visits (the phones' POSTs) run it compiled once per process (core.prepared): her
# scope (ChildQuerySet.for_volunteer) depends on her login's key only.
_CHILD_ROWS = PreparedQuery(Child, _child_rows_queryset)


def _child_rows(*, actor: User, volunteer: Volunteer, child_ids: list[int], occurred_on: date, is_group: bool,
                repeat_kind: str | None = None, activity_id: uuid.UUID | None = None) -> list[Child]:
    """The children in the caller's scope among ``child_ids``, in one query. A visit's are annotated with
    the caring mother's latest pairing with each (``pairing_started_on``, ``pairing_ended_on``: None when
    there is none); with ``repeat_kind``, ``recorded_that_day``: she already has an activity of that kind
    with the child on ``occurred_on`` (not a group activity, not ``activity_id`` itself)."""
    values = {"actor": actor, "child_ids": child_ids}
    if not is_group:
        values["volunteer"] = volunteer
    if repeat_kind is not None:
        values.update(occurred_on=occurred_on, repeat_kind=repeat_kind, activity_id=activity_id)
    return _CHILD_ROWS.rows(prepared=is_volunteer(actor), shape=role_of(actor), fixed={"is_group": is_group},
                            **values)


def _children_for(*, actor: User, volunteer: Volunteer, child_ids: list[int], occurred_on: date,
                  is_group: bool, repeat_kind: str | None = None,
                  activity_id: uuid.UUID | None = None) -> list[Child]:
    """The children checked: in scope, not exited by then, and (a visit) paired with ``volunteer`` on
    ``occurred_on``. One query (:func:`_child_rows`; ``repeat_kind``: see there)."""
    if not child_ids:
        raise ValidationError({"children": _("Choose at least one child.")})
    children = _child_rows(actor=actor, volunteer=volunteer, child_ids=child_ids, occurred_on=occurred_on,
                           is_group=is_group, repeat_kind=repeat_kind, activity_id=activity_id)
    missing = set(child_ids) - {c.pk for c in children}
    if missing:
        raise ValidationError({"children": _("Unknown or out-of-area children: %(ids)s.")
                               % {"ids": ", ".join(str(i) for i in sorted(missing))}})
    exited = [c.name for c in children if c.status == Status.EXITED and (c.exited_on or occurred_on) < occurred_on]
    if exited:
        raise ValidationError({"children": _("These children had exited the programme by then: %(names)s.")
                               % {"names": "、".join(exited)}})
    if is_group:
        if is_volunteer(actor):
            raise ValidationError({"is_group": _("Group activities are recorded by federation staff.")})
        return children
    # A visit is to children the caring mother was paired with on that day (her latest pairing with each).
    for child in children:
        if child.pairing_started_on is None:
            raise ValidationError({"children": _("%(volunteer)s is not paired with %(child)s.")
                                   % {"volunteer": volunteer.name, "child": child.name}})
        if occurred_on < child.pairing_started_on:
            raise ValidationError({"occurred_on": _("The pairing with %(child)s began on %(date)s; the activity cannot be earlier.")
                                   % {"child": child.name, "date": child.pairing_started_on.isoformat()}})
        if child.pairing_ended_on is not None and occurred_on > child.pairing_ended_on:
            raise ValidationError({"children": _("The pairing with %(child)s ended on %(date)s.")
                                   % {"child": child.name, "date": child.pairing_ended_on.isoformat()}})
    return children


def activity_record(
    *,
    actor: User,
    children: list[int],
    occurred_on: date,
    kind: str,
    id: uuid.UUID | str | None = None,
    volunteer: Volunteer | int | None = None,
    services: Iterable[str] = (),
    is_group: bool = False,
    title: str = "",
    duration_minutes: int | None = None,
    place: str = "",
    participants: int | None = None,
    aid_value_yuan: Decimal | str | int | None = 0,
    notes: str = "",
    follow_up: bool = False,
    co_volunteers: Iterable[int] = (),
    confirm_large_aid: bool = False,
    confirm_large_participants: bool = False,
    confirm_repeat: bool = False,
) -> tuple[Activity, bool]:
    """Record an activity; returns (activity, created).

    Idempotent on ``id``: the same id with the same content returns the stored activity and creates
    nothing (a phone retrying after a lost response); the same id with other content raises
    ActivityConflict. The id is not looked up beforehand: the insert itself finds it taken (the primary
    key; on PostgreSQL a request storing the same id at the same moment is waited for), and only then,
    or when the checks refuse the activity, is the stored one read. So a replay is never taken for a
    repeat, nor refused by a check that its first sending passed.

    A visit to a child the same caring mother already has an activity of the same kind with on that
    day is refused unless ``confirm_repeat`` (a double tap, or a queued entry sent twice under two
    ids, would otherwise count twice in the statistics).

    Recording a visit marks her unread due/overdue reminders whose children have all been contacted
    since as read (activities.reminders.reminders_done_by_visit), in the same transaction.

    A new activity comes back as written, its children and other volunteers cached as a prefetch would
    have (showing it takes no query). A caring mother's home visit through the API takes 7 queries,
    BEGIN and COMMIT included (tests/activities/test_api_activities.py lists them)."""
    check(actor, EDIT | PHONE, _("Your role cannot record activities."))
    try:
        activity_id = uuid.UUID(str(id)) if id else uuid.uuid4()
    except ValueError:
        raise ValidationError({"id": _("The activity id must be a UUID.")}) from None
    services = list(dict.fromkeys(services or []))
    child_ids = list(dict.fromkeys(int(c) for c in children))
    co_ids = sorted({int(v) for v in co_volunteers})
    aid = _aid(aid_value_yuan)
    title, place, notes = (title or "").strip(), (place or "").strip(), (notes or "").strip()

    volunteer_obj = _volunteer_for(actor, volunteer)
    participants = participants if participants is not None else max(len(child_ids), 1)
    digest = content_digest(volunteer_id=volunteer_obj.pk, children=child_ids, occurred_on=occurred_on, kind=kind,
                            services=services, is_group=is_group, title=title, duration_minutes=duration_minutes,
                            place=place, participants=participants, aid_value_yuan=aid, notes=notes,
                            follow_up=follow_up, co_volunteers=co_ids) if occurred_on else ""
    try:
        activity = _activity_create(
            actor=actor, activity_id=activity_id, volunteer=volunteer_obj, child_ids=child_ids, co_ids=co_ids,
            occurred_on=occurred_on, kind=kind, services=services, is_group=is_group, title=title,
            duration_minutes=duration_minutes, place=place, participants=participants, aid=aid, notes=notes,
            follow_up=follow_up, digest=digest, confirm_large_aid=confirm_large_aid,
            confirm_large_participants=confirm_large_participants, confirm_repeat=confirm_repeat)
    except ValidationError:
        # Refused: unless it repeats one already stored, which a check since failing must not refuse.
        stored = _stored_for_replay(actor=actor, activity_id=activity_id, digest=digest) if id else None
        if stored is None:
            raise
        return stored, False
    except _IdTaken as taken:
        # Rolled back (the transaction, or its savepoint inside the caller's): the stored one answers.
        stored = _stored_for_replay(actor=actor, activity_id=activity_id, digest=digest)
        if stored is None:
            raise taken.error from None
        return stored, False
    return activity, True


def _stored_for_replay(*, actor: User, activity_id: uuid.UUID, digest: str) -> Activity | None:
    """The stored activity ``activity_id`` when this request repeats it (the same content, in the
    caller's scope); ActivityConflict when the id holds something else; None when no activity has it."""
    stored = Activity.objects.filter(pk=activity_id).first()
    if stored is None:
        return None
    if stored.content_digest == digest and Activity.objects.visible_to(actor).filter(pk=stored.pk).exists():
        return stored
    raise ActivityConflict(stored)


@transaction.atomic
def _activity_create(*, actor: User, activity_id: uuid.UUID, volunteer: Volunteer, child_ids: list[int],
                     co_ids: list[int], occurred_on: date, kind: str, services: list[str], is_group: bool, title: str,
                     duration_minutes: int | None, place: str, participants: int, aid: Decimal, notes: str,
                     follow_up: bool, digest: str, confirm_large_aid: bool, confirm_large_participants: bool,
                     confirm_repeat: bool) -> Activity:
    """activity_record's checks and writes, in one transaction. Raises _IdTaken when ``activity_id`` is
    already stored: the insert is the first write, so rolling the whole back loses nothing."""
    _check_fields(kind=kind, services=services, occurred_on=occurred_on, aid=aid,
                  confirm_large_aid=confirm_large_aid, duration_minutes=duration_minutes,
                  participants=participants, confirm_large_participants=confirm_large_participants)
    check_repeat = not is_group and not confirm_repeat
    child_rows = _children_for(actor=actor, volunteer=volunteer, child_ids=child_ids, occurred_on=occurred_on,
                               is_group=is_group, repeat_kind=kind if check_repeat else None, activity_id=activity_id)
    if participants < len(child_rows):
        raise ValidationError({"participants": ngettext(
            "Participants (人次) cannot be fewer than the %(n)s child taking part.",
            "Participants (人次) cannot be fewer than the %(n)s children taking part.", len(child_rows))
            % {"n": len(child_rows)}})
    if check_repeat:
        _check_repeat(actor=actor, children=child_rows, occurred_on=occurred_on, kind=kind)
    co_rows = list(Volunteer.objects.visible_to(actor).filter(pk__in=co_ids).exclude(pk=volunteer.pk)) if co_ids else []
    if len(co_rows) != len(set(co_ids) - {volunteer.pk}):
        raise ValidationError({"co_volunteers": _("Some of the other volunteers are unknown or outside your area.")})
    region_id = child_rows[0].region_id if not is_group else (volunteer.region_id if len(
        {c.region_id for c in child_rows}) > 1 else child_rows[0].region_id)

    activity = Activity(id=activity_id, volunteer=volunteer, region_id=region_id, occurred_on=occurred_on,
                        kind=kind, services=services, is_group=is_group, title=title,
                        duration_minutes=duration_minutes, place=place, participants=participants,
                        aid_value_yuan=aid, notes=notes, follow_up=follow_up, content_digest=digest, created_by=actor)
    # Inserted by core.prepared (the INSERTs built once): every phone's visit comes through here.
    try:
        insert_rows([activity])
    except IntegrityError as error:
        # Only the primary key is unique, and foreign keys are checked at commit.
        raise _IdTaken(error) from error
    links = insert_rows([
        ActivityChild(activity=activity, child=child, occurred_on=occurred_on, region_id=child.region_id)
        for child in child_rows
    ])
    if co_rows:
        activity.co_volunteers.set(co_rows)
    stats_changed(since=occurred_on)  # no query for a visit of this month
    # Fixed once recorded (api.serializers.FIXED_FIELDS): cached as written, never stale.
    cache_related(activity, "child_links", links)
    cache_related(activity, "co_volunteers", co_rows)
    if follow_up:
        from children.services import need_open_for_follow_up

        for child in child_rows:
            need_open_for_follow_up(child=child, description=notes or _("Follow-up after an activity on %(date)s")
                                    % {"date": occurred_on.isoformat()}, opened_on=occurred_on, created_by=actor)
    if not is_group and volunteer.user_id:
        from activities.reminders import reminders_done_by_visit

        reminders_done_by_visit(recipient_id=volunteer.user_id, children=[c.pk for c in child_rows])
    return activity


class _IdTaken(Exception):
    """The activity's insert found its id stored already (another request stored it first)."""

    def __init__(self, error: IntegrityError):
        super().__init__(str(error))
        self.error = error


def _check_repeat(*, actor: User, children: list[Child], occurred_on: date, kind: str) -> None:
    """Refuse (field ``confirm_repeat``) a second activity of the same kind by the same caring mother
    with the same child on the same day, unless confirmed: ``children`` are annotated
    ``recorded_that_day`` (:func:`_child_rows`). The activity's own id is left out there: a replay that
    another request stored a moment ago is then answered as a replay (activity_record's insert)."""
    seen = {c.pk for c in children if c.recorded_that_day}
    if seen:
        # A caring mother is shown a child's given name only (as on all her pages).
        names = "、".join(given_name(c.name) if is_volunteer(actor) else c.name for c in children if c.pk in seen)
        raise ValidationError({"confirm_repeat": _(
            "%(child)s already has a %(kind)s recorded on %(date)s: confirm to record another one.")
            % {"child": names, "kind": ActivityKind(kind).label, "date": occurred_on.isoformat()}})


def can_edit_activity(actor: User, activity: Activity) -> bool:
    """Volunteers edit their own recent activities; staff edit any in scope (old ones audited)."""
    if allowed(actor, EDIT):
        return True
    if is_volunteer(actor):
        recent = activity.occurred_on >= timezone.localdate() - timedelta(days=settings.ACTIVITY_EDIT_WINDOW_DAYS)
        return recent and activity.volunteer.user_id == actor.pk
    return False


EDITABLE_FIELDS = ("kind", "services", "title", "duration_minutes", "place", "participants", "aid_value_yuan",
                   "notes", "occurred_on")


def _audit_value(value):
    """A value as the audit log keeps it (JSON): dates in ISO form, amounts of yuan as strings to the fen."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, confirm_large_aid: bool = False,
                    confirm_large_participants: bool = False, **fields) -> Activity:
    """Correct an activity (``fields``: some of EDITABLE_FIELDS). After the edit window
    (ACTIVITY_EDIT_WINDOW_DAYS) only staff may. Nothing changed: nothing is saved. A change by staff, or
    any change after the edit window, is audited with the old and new values."""
    activity = Activity.objects.visible_to(actor).select_for_update().select_related("volunteer").get(pk=activity.pk)
    if not can_edit_activity(actor, activity):
        raise PermissionDenied(_("Activities older than %(days)s days can be corrected only by federation staff.")
                               % {"days": settings.ACTIVITY_EDIT_WINDOW_DAYS})
    if "aid_value_yuan" in fields:
        fields["aid_value_yuan"] = _aid(fields["aid_value_yuan"])
    if "services" in fields and sorted(fields["services"] or []) == sorted(activity.services or []):
        fields["services"] = activity.services  # the same services in another order: no change
    changes = model_update(instance=activity, data=fields, allowed=EDITABLE_FIELDS)
    if not changes:
        return activity
    _check_fields(kind=activity.kind, services=list(activity.services), occurred_on=activity.occurred_on,
                  aid=activity.aid_value_yuan, confirm_large_aid=confirm_large_aid or "aid_value_yuan" not in changes,
                  duration_minutes=activity.duration_minutes,
                  participants=activity.participants if "participants" in changes else None,
                  confirm_large_participants=confirm_large_participants)
    child_ids = list(activity.child_links.values_list("child_id", flat=True))
    if "occurred_on" in changes:
        _children_for(actor=actor, volunteer=activity.volunteer, child_ids=child_ids,
                      occurred_on=activity.occurred_on, is_group=activity.is_group)
        activity.child_links.update(occurred_on=activity.occurred_on)
    if activity.participants < len(child_ids):
        raise ValidationError({"participants": _("Participants (人次) cannot be fewer than the children taking part.")})
    activity.content_digest = content_digest(
        volunteer_id=activity.volunteer_id, children=child_ids, occurred_on=activity.occurred_on, kind=activity.kind,
        services=activity.services, is_group=activity.is_group, title=activity.title,
        duration_minutes=activity.duration_minutes, place=activity.place, participants=activity.participants,
        aid_value_yuan=activity.aid_value_yuan, notes=activity.notes, follow_up=activity.follow_up,
        co_volunteers=activity.co_volunteers.values_list("pk", flat=True))
    activity.save()
    stats_changed(since=min(activity.occurred_on, changes.get("occurred_on", (activity.occurred_on,))[0]))
    old_enough = timezone.localdate(activity.created_at) < timezone.localdate() - timedelta(
        days=settings.ACTIVITY_EDIT_WINDOW_DAYS)
    if old_enough or not is_volunteer(actor):
        audit_record(actor=actor, action=AuditAction.UPDATE, target=activity, target_label=str(activity),
                     changes={field: (_audit_value(old), _audit_value(new)) for field, (old, new) in changes.items()},
                     detail={"fields": sorted(changes)})
    return activity
