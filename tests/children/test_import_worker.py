"""The preview of an uploaded list built by a REAL Celery worker over the Redis broker (not eager
mode): the upload commits a pending import, the task goes through Redis, a worker started in-process
builds the preview.

Runs only where settings.REDIS_URL is set (the suite's PostgreSQL + Redis pass); the database is
transactional so the worker's own connection sees the committed import."""

import time

import pytest
from django.conf import settings

from accounts.models import Region
from children import reconcile
from children.models import Child, LedgerImport, LedgerImportStatus
from config.celery import app
from tests.celeryworker import worker  # noqa: F401 (the fixture)
from tests.children.test_reconcile import LISHI, list_row, workbook_bytes

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("worker"),
]

WAIT_SECONDS = 60


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def _wait_while_pending(pk: int, status: str = LedgerImportStatus.PENDING) -> LedgerImport:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        imp = LedgerImport.objects.get(pk=pk)
        if imp.status != status:
            return imp
        time.sleep(0.5)
    return LedgerImport.objects.get(pk=pk)


def test_a_worker_builds_the_preview_through_redis(staff_lishi):
    assert not app.conf.task_always_eager
    imp = reconcile.import_upload(actor=staff_lishi, region=Region.objects.get(pk=LISHI), file_name="名单.xlsx",
                                  data=workbook_bytes([list_row(), list_row(姓名="赵小刚", 性别="男")]))
    imp = _wait_while_pending(imp.pk)
    assert (imp.status, imp.error, imp.preview["counts"]["new"]) == (LedgerImportStatus.PREVIEWED, "", 2)
    assert not imp.upload


def test_a_worker_applies_the_confirmed_list_through_redis(staff_lishi):
    imp = reconcile.import_upload(actor=staff_lishi, region=Region.objects.get(pk=LISHI), file_name="名单.xlsx",
                                  data=workbook_bytes([list_row(), list_row(姓名="赵小刚", 性别="男")]))
    imp = _wait_while_pending(imp.pk)
    reconcile.import_apply_request(actor=staff_lishi, ledger_import=imp)
    imp = _wait_while_pending(imp.pk, LedgerImportStatus.APPLYING)
    assert (imp.status, imp.error, imp.summary["created"]) == (LedgerImportStatus.APPLIED, "", 2)
    assert Child.objects.count() == 2
