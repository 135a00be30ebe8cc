"""Celery tasks of urgent reports: thin wrappers that call alerts.services."""

from celery import shared_task
from django.db import OperationalError

from alerts import services


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def escalate_alerts(self) -> dict:
    """Escalate the urgent reports still open ALERT_ESCALATE_AFTER_MINUTES after they were made to their
    child's city (run every 5 minutes by beat, see CELERY_BEAT_SCHEDULE; each alert is escalated once, so
    re-running is harmless). Returns the time, the alerts escalated and the notifications written."""
    return services.alerts_escalate().as_dict()
