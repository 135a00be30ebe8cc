"""Celery tasks of the accounts app: thin wrappers over its services."""

from celery import shared_task
from django.db import OperationalError

from accounts import auditchain


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def seal_audit(self) -> int:
    """Every minute (CELERY_BEAT_SCHEDULE): chain the audit rows written since (accounts.auditchain).
    Two runs at once take turns on the chain's head row; a lost run leaves its rows for the next.
    Returns how many rows were sealed (at most one batch: a backlog is caught up over the next runs)."""
    return auditchain.audit_seal()
