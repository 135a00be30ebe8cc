"""Exports off the primary (core.dbrouting): the rows of an export are read from the ``replica`` alias; the
run (its lookup, progress and status) and its audit row stay on the primary.

PostgreSQL only: the replica is a second connection to the test database (tests/replica.py)."""

from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.dbrouting import REPLICA
from exports import services
from exports.models import ExportKind, ExportRun, ExportStatus
from tests.replica import REPLICA_MARKS, replica_alias, tables_read, writes  # noqa: F401 (the fixture)

pytestmark = list(REPLICA_MARKS)


def test_an_exports_rows_are_read_from_the_replica_and_its_run_written_to_the_primary(county_a_and_b, staff_lishi):
    run = ExportRun.objects.create(kind=ExportKind.CHILDREN, filters={}, requested_by=staff_lishi,
                                   region_id=staff_lishi.region_id)
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections[REPLICA]) as replica:
        made = services.export_generate(run_id=run.pk)
    assert (made.status, made.rows) == (ExportStatus.DONE, 1)
    assert "children_child" in tables_read(replica)
    assert "children_child" not in tables_read(primary)
    assert writes(replica) == []
    assert {" ".join(sql.split()[:3]) for sql in writes(primary)} >= {
        'UPDATE "exports_exportrun" SET', 'INSERT INTO "accounts_auditevent"'}
