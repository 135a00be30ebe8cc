"""Reporting off the primary (core.dbrouting): a report's figures, ``/api/v1/stats/`` and the dashboard read
from the ``replica`` alias; the run's status, the audit rows and every other write go to the primary, and
outside those blocks everything reads from the primary.

PostgreSQL only: the replica is a second connection to the test database (tests/replica.py), which sees
only what is committed, hence transactional tests."""

from datetime import date

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import AuditAction, Region
from core.dbrouting import REPLICA, reading_from_replica
from reports import services, stats
from reports.models import ReportRun, ReportStatus
from tests.factories import LISHI, LVLIANG
from tests.replica import REPLICA_MARKS, replica_alias, tables_read, writes  # noqa: F401 (the fixture)

pytestmark = [*REPLICA_MARKS, pytest.mark.usefixtures("private_storage")]

MONTH = date(2025, 5, 1)
# What the statistics read: the ledger's rows (computed live) or the analytics table (a closed month built).
SOURCES = {"children_child", "activities_activity", "reports_statscell"}


class Captured:
    """The queries of both aliases while the ``with`` lasts."""

    def __enter__(self):
        self.primary = CaptureQueriesContext(connections["default"]).__enter__()
        self.replica = CaptureQueriesContext(connections[REPLICA]).__enter__()
        return self

    def __exit__(self, *exc):
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)


def test_a_reports_figures_are_read_from_the_replica_and_its_run_written_to_the_primary(lishi_month,
                                                                                          admin_province):
    run = ReportRun.objects.create(region_id=LVLIANG, month=MONTH, format="xlsx", requested_by=admin_province)
    with Captured() as queries:
        made = services.report_generate(run_id=run.pk)
    assert (made.status, made.error) == (ReportStatus.DONE, "")
    assert tables_read(queries.replica) & SOURCES
    assert writes(queries.replica) == []
    assert any(sql.startswith('UPDATE "reports_reportrun"') for sql in writes(queries.primary))


def test_outside_a_block_the_statistics_read_from_the_primary(lishi_month):
    # The first look at the closed month queues its analytics table's build, which runs at once here
    # (no Redis, autocommit) and, being a reporting job, reads from the replica (reports.analytics).
    stats.region_stats(region=Region.objects.get(pk=LISHI), month=MONTH)
    with Captured() as queries:
        stats.region_stats(region=Region.objects.get(pk=LISHI), month=MONTH)
    assert (len(queries.replica), bool(tables_read(queries.primary) & SOURCES)) == (0, True)


def test_the_analytics_tables_build_reads_from_the_replica_and_writes_to_the_primary(lishi_month):
    from reports import analytics

    with Captured() as queries:
        analytics.stats_month_rebuild(month=MONTH)
    assert {"children_child", "activities_activitychild"} <= tables_read(queries.replica)
    assert writes(queries.replica) == []
    assert any(sql.startswith('INSERT INTO "reports_statsbuild"') for sql in writes(queries.primary))


def test_a_write_inside_a_block_goes_to_the_primary_also_of_an_object_read_from_the_replica(lishi_month,
                                                                                            admin_province):
    run = ReportRun.objects.create(region_id=LVLIANG, month=MONTH, format="xlsx", requested_by=admin_province)
    with Captured() as queries, reading_from_replica():
        seen = ReportRun.objects.get(pk=run.pk)
        read_from = seen._state.db
        seen.progress = 42
        seen.region = Region.objects.using("default").get(pk=LISHI)  # related across the aliases
        seen.save(update_fields=["progress", "region"])
        audit_record(actor=admin_province, action=AuditAction.UPDATE, target=seen)
    assert (read_from, seen._state.db) == (REPLICA, "default")  # saved where it was written
    assert writes(queries.replica) == []
    assert [sql.split()[:3] for sql in writes(queries.primary)] == [
        ["UPDATE", '"reports_reportrun"', "SET"], ["INSERT", "INTO", '"accounts_auditevent"']]
    # Read back outside the block: from the primary, as the page after a save reads it.
    assert ReportRun.objects.values_list("progress", "region_id").get(pk=run.pk) == (42, LISHI)


def test_the_stats_api_reads_its_figures_from_the_replica(lishi_month, viewer_lvliang, api_client_for):
    client = api_client_for(viewer_lvliang)
    with Captured() as queries:
        response = client.get("/api/v1/stats/", {"region": LISHI, "month": "2025-05"})
    assert response.status_code == 200
    assert tables_read(queries.replica) & SOURCES
    assert "authtoken_token" in tables_read(queries.primary)  # the token, before the view
    assert writes(queries.replica) == []


def test_the_dashboard_reads_its_figures_from_the_replica_and_the_session_from_the_primary(lishi_month,
                                                                                           viewer_lvliang, client):
    client.force_login(viewer_lvliang)
    with Captured() as queries:
        response = client.get(reverse("reports:dashboard"), {"region": LISHI, "month": "2025-05"})
    assert response.status_code == 200
    assert tables_read(queries.replica) & SOURCES
    assert "django_session" in tables_read(queries.primary)
    assert writes(queries.replica) == []


def test_an_exception_in_a_block_closes_the_replicas_connection(regions):
    with pytest.raises(TimeoutError), reading_from_replica():
        Region.objects.count()
        assert connections[REPLICA].connection is not None
        raise TimeoutError
    assert connections[REPLICA].connection is None
