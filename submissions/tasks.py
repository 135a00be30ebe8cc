"""Celery tasks of monthly submissions: thin wrappers that call submissions.reminders."""

from celery import shared_task
from django.db import OperationalError

from submissions import reminders


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def send_submission_reminders(self) -> dict:
    """Remind the staff of regions that have not sent last month's submission (run daily by beat at 08:00,
    see CELERY_BEAT_SCHEDULE; it writes only from settings.SUBMISSION_REMINDER_DAY on, once per region and
    month, so re-running is harmless). Returns the day, the month reminded of and how many were sent."""
    return reminders.send_submission_reminders().as_dict()
