"""Where notifications go besides the in-app list: pluggable delivery backends.

A backend is any class with ``deliver(notification)``; settings.NOTIFICATION_BACKENDS lists the dotted
paths of those in use (default: only :class:`InAppBackend`). An SMS gateway or a WeChat template
message backend is added later by writing such a class and listing it — nothing else changes.

The in-app row is stored before any backend runs, so a failing backend (a gateway down) is logged and
never loses the notification or blocks the others.

E-mail and SMS (activities.channels) reach people outside the app, on the channels each user chose
(:class:`~activities.models.DeliveryPreference`, on /profile/). :func:`deliver` stores one
:class:`~activities.models.DeliveryAttempt` per notification and chosen channel (unique: nothing is
sent twice for one notification) and, once the transaction commits, hands their ids to the Celery task
``send_deliveries``. A failed attempt is retried by the beat task ``retry_deliveries`` (every minute)
after 1, 2, 4 … minutes, :data:`MAX_TRIES` times in all. A notification due inside the recipient's
quiet hours waits until they end — except urgent reports (:data:`URGENT_KINDS`), sent at once.

An attempt is claimed before it is sent by a conditional update (status not sent, due, and its
``next_try_at`` moved on by :data:`LEASE`), so two workers never send the same one.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import ClassVar, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from activities import channels
from activities.models import (
    DeliveryAttempt,
    DeliveryChannel,
    DeliveryPreference,
    DeliveryStatus,
    Notification,
)

logger = logging.getLogger(__name__)


class DeliveryBackend(Protocol):
    def deliver(self, notification: Notification) -> None:
        """Send ``notification`` (already stored) through this channel."""


class InAppBackend:
    """The notification row is the in-app delivery: the badge and the notifications page read it."""

    def deliver(self, notification: Notification) -> None:
        return None


class RecordingBackend:
    """For tests: keeps every delivered notification in memory, in ``RecordingBackend.outbox``.

    Select it with ``settings.NOTIFICATION_BACKENDS = ["activities.delivery.RecordingBackend"]`` and
    empty the outbox with :meth:`reset` between tests."""

    outbox: ClassVar[list[Notification]] = []

    def deliver(self, notification: Notification) -> None:
        RecordingBackend.outbox.append(notification)

    @classmethod
    def reset(cls) -> None:
        cls.outbox.clear()


def backends() -> list[DeliveryBackend]:
    """Instances of the backends named in settings.NOTIFICATION_BACKENDS (read on each call, so a
    settings override in a test takes effect)."""
    return [import_string(path)() for path in settings.NOTIFICATION_BACKENDS]


def deliver(notifications: Iterable[Notification]) -> int:
    """Hand each stored notification to every backend, and queue its e-mail and SMS (sent once the
    transaction commits); returns how many backend deliveries succeeded."""
    notifications = list(notifications)
    chosen = backends()
    delivered = 0
    try:
        queue_attempts(notifications)
    except Exception:  # the in-app rows are stored: e-mail/SMS trouble must not lose them or the backends
        logger.exception("Queueing e-mail/SMS for %s notifications failed", len(notifications))
    for notification in notifications:
        for backend in chosen:
            try:
                backend.deliver(notification)
            except Exception:
                logger.exception("Delivery of notification %s through %s failed", notification.pk,
                                 type(backend).__name__)
            else:
                delivered += 1
    return delivered


# --- e-mail and SMS -------------------------------------------------------------------------------

# Urgent reports (alerts.services KIND_NEW, KIND_ESCALATED) reach people whatever the hour.
URGENT_KINDS = frozenset({"alert", "alert_escalated"})
MAX_TRIES = 6
# How long a claimed attempt is left to its sender before another may take it (a lost worker).
LEASE = timedelta(minutes=5)
RETRY_BATCH = 20
OPEN = (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)


def backoff(tries: int) -> timedelta:
    """The wait after the ``tries``-th failed try: 1, 2, 4 … minutes."""
    return timedelta(minutes=2 ** (tries - 1))


def quiet_until(preference: DeliveryPreference | None, moment: datetime) -> datetime | None:
    """The end of the quiet hours ``moment`` falls in (local time; the span may wrap past midnight),
    or None when it falls outside them."""
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return None
    start, end = preference.quiet_start, preference.quiet_end
    local = timezone.localtime(moment)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end) if start > end else False
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), end), local.tzinfo)
    return until


def chosen_channels(preference: DeliveryPreference | None, user) -> list[str]:
    """The channels besides in-app ``user`` chose, that can reach her now (address set, SMS on)."""
    if preference is None:
        return []
    found = []
    if preference.email and user.email:
        found.append(DeliveryChannel.EMAIL)
    if preference.sms and user.phone and channels.sms_enabled():
        found.append(DeliveryChannel.SMS)
    return found


def queue_attempts(notifications: list[Notification]) -> list[int]:
    """Store the e-mail/SMS attempts of ``notifications`` (existing ones are kept: nothing twice) and
    hand those due now to ``send_deliveries`` when the transaction commits; returns their ids."""
    if not notifications:
        return []
    now = timezone.now()
    preferences = {p.user_id: p for p in DeliveryPreference.objects.filter(
        user_id__in={n.recipient_id for n in notifications}).select_related("user")}
    attempts = []
    for notification in notifications:
        preference = preferences.get(notification.recipient_id)
        if preference is None:
            continue
        wait = None if notification.kind in URGENT_KINDS else quiet_until(preference, now)
        attempts += [DeliveryAttempt(notification_id=notification.pk, channel=channel, next_try_at=wait or now)
                     for channel in chosen_channels(preference, preference.user)]
    if not attempts:
        return []
    DeliveryAttempt.objects.bulk_create(attempts, ignore_conflicts=True)
    due = list(DeliveryAttempt.objects.filter(
        notification_id__in=[n.pk for n in notifications], status=DeliveryStatus.QUEUED, next_try_at__lte=now,
    ).values_list("pk", flat=True))
    if due:
        from activities.tasks import send_deliveries  # the tasks module imports this one

        transaction.on_commit(lambda: send_deliveries.delay(due))
    return due


def _record(attempt: DeliveryAttempt, **changes) -> bool:
    """Apply ``changes`` unless the attempt was sent meanwhile."""
    return bool(DeliveryAttempt.objects.filter(pk=attempt.pk, status__in=OPEN).update(**changes))


def send_attempt(pk: int) -> str | None:
    """Send one attempt if it is due and not sent; returns its new status (None: not due, not found,
    already sent, or waiting out quiet hours)."""
    now = timezone.now()
    attempt = (DeliveryAttempt.objects.filter(pk=pk, status__in=OPEN, next_try_at__lte=now, tries__lt=MAX_TRIES)
               .select_related("notification__recipient__region", "notification__region").first())
    if attempt is None:
        return None
    notification = attempt.notification
    preference = DeliveryPreference.objects.filter(user_id=notification.recipient_id).first()
    if attempt.channel not in chosen_channels(preference, notification.recipient):
        _record(attempt, status=DeliveryStatus.FAILED, next_try_at=None, last_error="channel turned off")
        return DeliveryStatus.FAILED
    if notification.kind not in URGENT_KINDS:
        wait = quiet_until(preference, now)
        if wait is not None:
            _record(attempt, next_try_at=wait)
            return None
    # Claim it: one sender only, even with the same id queued twice or a retry racing the first send.
    claimed = DeliveryAttempt.objects.filter(pk=pk, status__in=OPEN, next_try_at__lte=now, tries=attempt.tries).update(
        next_try_at=now + LEASE, tries=F("tries") + 1)
    if not claimed:
        return None
    tries = attempt.tries + 1
    try:
        channels.send(attempt.channel, notification)
    except channels.SendFailed as exc:
        done = timezone.now()
        retry_at = done + backoff(tries) if tries < MAX_TRIES else None
        _record(attempt, status=DeliveryStatus.FAILED, last_error=str(exc)[:300], next_try_at=retry_at)
        logger.warning("Delivery attempt %s (%s) failed, try %s: %s", pk, attempt.channel, tries, exc)
        return DeliveryStatus.FAILED
    _record(attempt, status=DeliveryStatus.SENT, sent_at=timezone.now(), next_try_at=None, last_error="")
    return DeliveryStatus.SENT


def send_attempts(ids: Iterable[int]) -> dict[str, int]:
    """Send each attempt of ``ids`` that is due; returns the counts by outcome."""
    counts = {"sent": 0, "failed": 0, "skipped": 0}
    for pk in ids:
        outcome = send_attempt(pk)
        counts[outcome if outcome in (DeliveryStatus.SENT, DeliveryStatus.FAILED) else "skipped"] += 1
    return counts


def due_attempts(now: datetime | None = None) -> list[int]:
    """The ids of the attempts due (failed ones to retry, quiet-hours ones whose hours ended)."""
    now = now or timezone.now()
    return list(DeliveryAttempt.objects.filter(status__in=OPEN, next_try_at__lte=now, tries__lt=MAX_TRIES)
                .order_by("next_try_at", "pk").values_list("pk", flat=True)[:1000])


def retry_due() -> int:
    """Hand the due attempts to ``send_deliveries`` in small batches; returns how many."""
    from activities.tasks import send_deliveries

    due = due_attempts()
    for start in range(0, len(due), RETRY_BATCH):
        send_deliveries.delay(due[start:start + RETRY_BATCH])
    return len(due)
