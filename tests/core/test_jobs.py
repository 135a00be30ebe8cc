"""Recording that a job failed when the failure interrupted a query (core.jobs.update_after_interrupt):
the connection still busy with that query is closed and the update made on a new one. The real case
(a soft time limit in the middle of a query, on PostgreSQL) is in tests/reports/test_worker_lost.py."""

import pytest
from django.db import OperationalError, connection
from django.db.models import QuerySet

from core.jobs import update_after_interrupt
from reports.models import ReportRun, ReportStatus

BUSY = "sending query failed: another command is already in progress"


@pytest.mark.django_db(transaction=True)
def test_the_update_is_made_again_on_a_new_connection(admin_province, monkeypatch):
    run = ReportRun.objects.create(region=admin_province.region, month="2025-05-01", format="xlsx",
                                   requested_by=admin_province)
    real_update, real_close = QuerySet.update, connection.close
    calls = []

    def busy_once(queryset, **fields):
        calls.append("update")
        if calls.count("update") == 1:
            raise OperationalError(BUSY)
        return real_update(queryset, **fields)

    def close():
        calls.append("close")
        real_close()

    monkeypatch.setattr(QuerySet, "update", busy_once)
    monkeypatch.setattr(connection, "close", close)
    assert update_after_interrupt(ReportRun.objects.filter(pk=run.pk), status=ReportStatus.FAILED) == 1
    assert calls == ["update", "close", "update"]
    assert ReportRun.objects.get(pk=run.pk).status == ReportStatus.FAILED


@pytest.mark.django_db
def test_inside_a_transaction_the_error_propagates(monkeypatch):
    def busy(queryset, **fields):
        raise OperationalError(BUSY)

    monkeypatch.setattr(QuerySet, "update", busy)
    with pytest.raises(OperationalError):
        update_after_interrupt(ReportRun.objects.all(), status=ReportStatus.FAILED)
