"""What the Celery jobs (report runs, list imports) share."""

from django.db import DatabaseError, connections
from django.db.models import QuerySet


def update_after_interrupt(queryset: QuerySet, **fields) -> int:
    """``queryset.update(**fields)``, for recording that a job failed. The exception being recorded may
    have interrupted a query — the soft time limit arrives in the middle of a slow one, or one waiting
    for a lock — leaving the connection busy with it ("another command is already in progress"): then
    the connection is closed and the update made on a new one. Inside a transaction that cannot be
    done, and the error propagates."""
    try:
        return queryset.update(**fields)
    except DatabaseError:
        connection = connections[queryset.db]
        if connection.in_atomic_block:
            raise
        connection.close()
        return queryset.update(**fields)
