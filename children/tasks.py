"""Celery tasks of the children ledger: thin wrappers that call children.services."""

from celery import shared_task
from django.db import OperationalError

from children import services


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def exit_aged_out_children(self) -> int:
    """Exit every child whose categories all ended by age (run daily by beat, see CELERY_BEAT_SCHEDULE).

    Re-running is harmless: children already exited are skipped, so a retry after a lost worker or a
    database hiccup exits nobody twice. Returns how many children were exited."""
    return services.children_exit_aged_out()
