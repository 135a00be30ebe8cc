"""Celery tasks of care activities: thin wrappers that call activities.reminders."""

from celery import shared_task
from django.db import OperationalError

from activities import reminders


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_daily_reminders(self) -> dict:
    """Write today's reminders to caring mothers and digests to staff (run daily by beat at 07:30, see
    CELERY_BEAT_SCHEDULE), and hand the new ones to the delivery backends.

    Re-running is harmless: a notification is unique per recipient and day, so a retry after a lost
    worker or a database hiccup notifies nobody twice. Returns the counts created."""
    return reminders.send_daily().as_dict()
