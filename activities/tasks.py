"""Celery tasks of care activities: thin wrappers that call activities.reminders."""

from celery import shared_task
from django.db import OperationalError

from activities import delivery, reminders


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_daily_reminders(self) -> dict:
    """Write today's reminders to caring mothers and digests to staff (run daily by beat at 07:30, see
    CELERY_BEAT_SCHEDULE), and hand the new ones to the delivery backends.

    Re-running is harmless: a notification is unique per recipient and day, so a retry after a lost
    worker or a database hiccup notifies nobody twice. Returns the counts created."""
    return reminders.send_daily().as_dict()


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_deliveries(self, attempt_ids: list[int]) -> dict:
    """Send the e-mail/SMS delivery attempts ``attempt_ids`` that are due (activities.delivery); a sent
    one is never sent again, so a redelivered task is harmless."""
    return delivery.send_attempts(attempt_ids)


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def retry_deliveries(self) -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): hand failed attempts due for a retry, and those that waited
    out quiet hours, to ``send_deliveries``."""
    return delivery.retry_due()
