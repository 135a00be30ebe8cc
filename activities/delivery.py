"""Where notifications go besides the in-app list: pluggable delivery backends.

A backend is any class with ``deliver(notification)``; settings.NOTIFICATION_BACKENDS lists the dotted
paths of those in use (default: only :class:`InAppBackend`). An SMS gateway or a WeChat template
message backend is added later by writing such a class and listing it — nothing else changes.

The in-app row is stored before any backend runs, so a failing backend (a gateway down) is logged and
never loses the notification or blocks the others.
"""

import logging
from collections.abc import Iterable
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from activities.models import Notification

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
    """Hand each stored notification to every backend; returns how many deliveries succeeded."""
    chosen = backends()
    delivered = 0
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
