"""Daily reminders and the notifications they become.

Every morning (Celery beat, activities.tasks.send_daily_reminders) :func:`send_daily` writes:

* to each caring mother with a login, ONE notification listing the children she leads whose contact is
  due today or overdue (see activities.rhythm), ``dedupe_key = "due:YYYY-MM-DD"``;
* to each active staff member and administrator, ONE digest with the number of overdue children in
  their subtree, by colour (none when nothing is overdue), ``dedupe_key = "digest:YYYY-MM-DD"``.
* to each owner of overdue case-plan actions, ONE notification with their number
  (casework.reminders), ``dedupe_key = "actions:YYYY-MM-DD"``;
* to the lead caring mother of a child whose birthday or a configured occasion (六一, 开学 …) is near,
  ONE notification per child, occasion and year (activities.occasion_reminders),
  ``dedupe_key = "occasion:<child>:<birthday|MMDD>:<year>"``.

A notification is unique per (recipient, dedupe_key), so re-running on the same day — a retry after a
lost worker, a second beat — creates and delivers nothing new. New notifications are handed to the
delivery backends (activities.delivery) once stored.

Both parts are a fixed number of queries over the whole province (the due children in one query, the
overdue counts per region code in one aggregate), never a query per volunteer or per staff member.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, IntegerField, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from activities import delivery
from activities.models import Notification
from activities.occasion_reminders import occasion_reminders
from activities.rhythm import (
    OverdueRule,
    RhythmBook,
    active_lead,
    due_q,
    load_rhythms,
    paired_active,
    threshold_expression,
)
from casework.reminders import overdue_action_reminders
from children.models import Child, RiskColor
from children.names import given_name
from core.access import EDIT
from core.prepared import PreparedQuery
from core.regioncodes import PREFIX_LENGTH, prefix_of
from volunteers.models import VolunteerStatus

KIND_DUE = "due"
KIND_DIGEST = "digest"
BATCH = 500


@dataclass
class ReminderRun:
    day: date
    volunteers: int = 0  # notifications created for caring mothers
    staff: int = 0  # digests created for staff and administrators
    actions: int = 0  # overdue case-plan action reminders (casework.reminders)
    occasions: int = 0  # birthday and occasion reminders (activities.occasion_reminders)

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "volunteers": self.volunteers, "staff": self.staff,
                "actions": self.actions, "occasions": self.occasions}


def due_key(day: date) -> str:
    return f"{KIND_DUE}:{day.isoformat()}"


def digest_key(day: date) -> str:
    return f"{KIND_DIGEST}:{day.isoformat()}"


def color_label(color: str) -> str:
    return str(RiskColor(color).label) if color else _("not assessed")


def _link(name: str, fallback: str = "home") -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return reverse(fallback)


# --- storing and delivering -----------------------------------------------------------------------

def store_new(notifications: list[Notification]) -> list[Notification]:
    """Insert the notifications whose (recipient, dedupe_key) is not stored yet; returns those inserted.

    Existing keys are read first (one query), the rest inserted in batches; a batch that collides with
    a concurrent run is retried row by row, skipping the rows the other run stored."""
    if not notifications:
        return []
    keys = {n.dedupe_key for n in notifications}
    stored = set(Notification.objects.filter(dedupe_key__in=keys).values_list("recipient_id", "dedupe_key"))
    fresh = [n for n in notifications if (n.recipient_id, n.dedupe_key) not in stored]
    created: list[Notification] = []
    for start in range(0, len(fresh), BATCH):
        batch = fresh[start:start + BATCH]
        try:
            with transaction.atomic():
                created += Notification.objects.bulk_create(batch)
        except IntegrityError:
            for notification in batch:
                notification.pk = None
                try:
                    with transaction.atomic():
                        notification.save(force_insert=True)
                except IntegrityError:
                    continue
                created.append(notification)
    return created


# --- the caring mothers' reminders ----------------------------------------------------------------

def _due_line(*, name: str, color: str, due_on: date, today: date) -> str:
    late = (today - due_on).days
    if late <= 0:
        return _("%(child)s (%(color)s): due today") % {"child": name, "color": color_label(color)}
    return ngettext("%(child)s (%(color)s): due %(date)s, %(days)s day overdue",
                    "%(child)s (%(color)s): due %(date)s, %(days)s days overdue", late) % {
        "child": name, "color": color_label(color), "date": due_on.isoformat(), "days": late}


def volunteer_reminders(*, today: date, rhythms: RhythmBook) -> list[Notification]:
    """One unsaved notification per caring mother with a login who leads children due today or
    overdue. ONE query: the due children of the whole tree, with their lead's login."""
    threshold = threshold_expression(rhythms, root_code=None, today=today)
    logins = active_lead().filter(volunteer__status=VolunteerStatus.ACTIVE, volunteer__user__is_active=True)
    rows = (paired_active(Child.objects.all())
            .filter(due_q(threshold))
            .annotate(recipient_id=Subquery(logins.values("volunteer__user_id")[:1], output_field=IntegerField()))
            .filter(recipient_id__isnull=False)
            .order_by("recipient_id", "contact_base", "pk")
            .values_list("recipient_id", "name", "risk_color", "region_id", "contact_base", "pk"))
    link = _link("phone:home")
    notes = []
    for recipient_id, children in itertools.groupby(rows.iterator(chunk_size=2000), key=lambda row: row[0]):
        due = sorted((base + timedelta(days=rhythms.days(color, region)), given_name(name), color, pk)
                     for _recipient, name, color, region, base, pk in children)  # the most overdue first
        lines = [_due_line(name=name, color=color, due_on=due_on, today=today) for due_on, name, color, _pk in due]
        notes.append(Notification(
            recipient_id=recipient_id, kind=KIND_DUE, dedupe_key=due_key(today), link=link,
            children=[pk for *_rest, pk in due],
            title=ngettext("%(n)s child is due for a contact", "%(n)s children are due for a contact",
                           len(lines)) % {"n": len(lines)},
            body="\n".join(lines)))
    return notes


# --- the staff digest -----------------------------------------------------------------------------

COUNT_KEYS = ("overdue", "red", "yellow", "green", "unassessed")


def overdue_by_prefix(*, today: date, rhythms: RhythmBook) -> dict[str, dict[str, int]]:
    """Overdue children (activities.rhythm.OverdueRule, as the overdue pages and the statistics count
    them) for every region-code prefix at every level (a province's, a city's …): ONE aggregate query
    grouped on the child's region, summed up the tree in Python."""
    rows = (OverdueRule.on(today, region=None, rhythms=rhythms).apply(Child.objects.all())
            .order_by().values("region_id")
            .annotate(overdue=Count("pk"), red=Count("pk", filter=Q(color_on_day="red")),
                      yellow=Count("pk", filter=Q(color_on_day="yellow")),
                      green=Count("pk", filter=Q(color_on_day="green")),
                      unassessed=Count("pk", filter=Q(color_on_day__isnull=True))))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNT_KEYS, 0))
    lengths = sorted(set(PREFIX_LENGTH.values()))
    for row in rows:
        for length in lengths:
            bucket = totals[row["region_id"][:length]]
            for key in COUNT_KEYS:
                bucket[key] += row[key]
    return totals


def staff_digests(*, today: date, rhythms: RhythmBook) -> list[Notification]:
    """One unsaved digest per active staff member or administrator whose subtree has overdue children.
    Two queries: the counts and the users."""
    totals = overdue_by_prefix(today=today, rhythms=rhythms)
    users = (User.objects.filter(is_active=True, role__in=EDIT, region__isnull=False)
             .select_related("region").order_by("pk"))
    link = _link("rhythm:overdue")
    notes = []
    for user in users:
        counts = totals.get(prefix_of(user.region_id))
        if not counts or not counts["overdue"]:
            continue
        notes.append(Notification(
            recipient=user, kind=KIND_DIGEST, dedupe_key=digest_key(today), link=link,
            title=ngettext("%(region)s: %(n)s child overdue for a contact",
                           "%(region)s: %(n)s children overdue for a contact", counts["overdue"])
            % {"region": user.region.name, "n": counts["overdue"]},
            body=_("Red %(red)s · yellow %(yellow)s · green %(green)s · not assessed %(unassessed)s") % counts))
    return notes


# --- the daily run --------------------------------------------------------------------------------

def send_daily(*, today: date | None = None) -> ReminderRun:
    """Write (and deliver) today's reminders and digests; re-running the same day adds nothing."""
    today = today or timezone.localdate()
    run = ReminderRun(day=today)
    with translation.override(settings.LANGUAGE_CODE):
        # Query: every rhythm (they are few); the whole tree is covered.
        rhythms = load_rhythms(everything=True)
        volunteers = store_new(volunteer_reminders(today=today, rhythms=rhythms))
        staff = store_new(staff_digests(today=today, rhythms=rhythms))
        # The owners of overdue case-plan actions, one notification each (casework.reminders).
        actions = store_new(overdue_action_reminders(today=today))
        # Birthdays and occasions near: one per child, occasion and year (stored in batches: on 六一's
        # days every lead is a candidate, and the keys already stored are read per batch).
        candidates = occasion_reminders(today=today)
        occasions = list(itertools.chain.from_iterable(
            store_new(candidates[start:start + BATCH]) for start in range(0, len(candidates), BATCH)))
    run.volunteers, run.staff, run.actions, run.occasions = len(volunteers), len(staff), len(actions), len(occasions)
    delivery.deliver([*volunteers, *staff, *actions, *occasions])
    return run


# --- reading --------------------------------------------------------------------------------------

def unread_count(user) -> int:
    return Notification.objects.for_user(user).unread().count()


def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (someone else's: Notification.DoesNotExist)."""
    if notification.recipient_id != actor.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


# Read on every visit a caring mother records: compiled once per process (core.prepared).
_UNREAD_DUE = PreparedQuery(Notification, lambda *, recipient_id: Notification.objects.filter(
    recipient_id=recipient_id, kind=KIND_DUE).unread())


def reminders_done_by_visit(*, recipient_id: int, children: list[int]) -> int:
    """After a visit to ``children`` (activities.services.activity_record, same transaction): mark read
    the recipient's unread due/overdue reminders that list one of them and whose children have all
    been contacted (by anyone) on or after the reminder's day. Returns how many. Two queries when she
    has unread reminders (usually one or two), one otherwise."""
    from activities.models import ActivityChild

    visited = set(children)
    done = []
    for notice in _UNREAD_DUE.rows(recipient_id=recipient_id):
        listed = set(notice.children or [])
        if not listed & visited:
            continue
        day = date.fromisoformat(notice.dedupe_key.partition(":")[2])
        contacted = set(ActivityChild.objects.filter(child_id__in=listed, occurred_on__gte=day)
                        .values_list("child_id", flat=True))
        if listed <= contacted:
            done.append(notice.pk)
    if not done:
        return 0
    return Notification.objects.filter(pk__in=done, read_at__isnull=True).update(read_at=timezone.now())


def notifications_mark_all_read(*, actor: User) -> int:
    """Mark all the actor's unread notifications read; returns how many."""
    return Notification.objects.for_user(actor).unread().update(read_at=timezone.now())
