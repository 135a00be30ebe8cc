"""A report made by a REAL Celery worker over the Redis broker (not eager mode): the request commits,
the task goes through Redis, a worker started in-process picks it up and writes the file.

Runs only where settings.REDIS_URL is set (CI sets it; the suite's second pass runs on PostgreSQL and
Redis); the database is transactional so the worker's own connection sees the committed run."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from config.celery import app
from reports import services
from reports.models import ReportRun, ReportStatus
from tests.factories import LVLIANG

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage"),
]

WAIT_SECONDS = 120  # a worker on a machine busy with the rest of the suite takes its time


def _close_worker_connections(**kwargs) -> None:
    # The worker thread's own database connection: closed after each task, or it would outlive the test
    # and keep PostgreSQL from dropping the test database.
    connections.close_all()


@pytest.fixture
def worker():
    # Tasks other tests left in the queue (sent on commit with nobody to run them) would otherwise be
    # run by this worker against this test's database.
    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)


def _wait_until_finished(run_id: int) -> ReportRun:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        run = ReportRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        time.sleep(0.5)
    return ReportRun.objects.get(pk=run_id)


def test_a_worker_makes_the_report_through_redis(lishi_month, admin_province, worker):
    assert not app.conf.task_always_eager
    run = services.report_request(actor=admin_province, region_code=LVLIANG, month="2025-05", format="pdf")
    run = _wait_until_finished(run.pk)
    assert (run.status, run.error) == (ReportStatus.DONE, "")
    assert run.file.storage.exists(run.file.name)
    with run.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
