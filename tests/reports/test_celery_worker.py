"""A report made by a REAL Celery worker over the Redis broker (not eager mode): the request commits,
the task goes through Redis, a worker started in-process picks it up and writes the file.

Runs only where settings.REDIS_URL is set (CI sets it; the suite's second pass runs on PostgreSQL and
Redis); the database is transactional so the worker's own connection sees the committed run."""

import pytest
from django.conf import settings

from config.celery import app
from reports import services
from reports.models import ReportRun, ReportStatus
from tests.celeryworker import wait_for, worker  # noqa: F401 (the fixture)
from tests.factories import LVLIANG

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("private_storage", "worker"),
]


def _wait_until_finished(run_id: int) -> ReportRun:
    wait_for(lambda: ReportRun.objects.get(pk=run_id).is_finished)
    return ReportRun.objects.get(pk=run_id)


def test_a_worker_makes_the_report_through_redis(lishi_month, admin_province):
    assert not app.conf.task_always_eager
    run = services.report_request(actor=admin_province, region_code=LVLIANG, month="2025-05", format="pdf")
    run = _wait_until_finished(run.pk)
    assert (run.status, run.error) == (ReportStatus.DONE, "")
    assert run.file.storage.exists(run.file.name)
    with run.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"
