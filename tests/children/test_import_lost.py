"""A list import whose preview job was lost — the task gone with the broker's data (Redis flushed), or no
worker left — does not stay ``pending`` for ever with the upload (full ID numbers, encrypted) on disk:
past settings.TASK_LOST_AFTER it is failed with a message asking for the file again and the upload is
deleted, by the beat's sweep or when its page is opened. Uploads no import waits for any more are
deleted too."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Region
from children import reconcile, tasks
from children.models import LEDGER_IMPORT_UPLOADS, LedgerImport, LedgerImportStatus
from tests.children.test_reconcile import LISHI, list_row, preview_of, workbook_bytes

pytestmark = pytest.mark.django_db

LOST_MESSAGE = "检查未能完成，请重新上传。"


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def stored_files(root) -> set[str]:
    return {os.path.relpath(os.path.join(folder, name), root) for folder, _dirs, names in os.walk(root)
            for name in names}


def pending(actor) -> LedgerImport:
    """An upload whose preview job has not run (the test's transaction never commits, so it is not queued)."""
    return reconcile.import_upload(actor=actor, region=Region.objects.get(pk=LISHI), file_name="名单.xlsx",
                                   data=workbook_bytes([list_row()]))


def uploaded_ago(imp: LedgerImport, age: timedelta) -> None:
    LedgerImport.objects.filter(pk=imp.pk).update(created_at=timezone.now() - age)


LOST_AGE = timedelta(seconds=settings.TASK_LOST_AFTER + 1)
FRESH_AGE = timedelta(seconds=settings.TASK_LOST_AFTER - 60)


def test_the_beat_fails_an_import_pending_past_the_bound_and_deletes_its_upload(staff_lishi, private_storage):
    lost, fresh = pending(staff_lishi), pending(staff_lishi)
    uploaded_ago(lost, LOST_AGE)
    uploaded_ago(fresh, FRESH_AGE)
    assert stored_files(private_storage) == {lost.upload.name, fresh.upload.name}

    assert tasks.fail_lost_imports.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.error, lost.upload.name) == (LedgerImportStatus.FAILED, LOST_MESSAGE, "")
    assert (fresh.status, fresh.error) == (LedgerImportStatus.PENDING, "")
    assert stored_files(private_storage) == {fresh.upload.name}
    assert tasks.fail_lost_imports.apply().get() == 0


def test_the_beat_runs_the_lost_import_check_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["children-fail-lost-imports"]
    assert entry["task"] == tasks.fail_lost_imports.name
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_opening_the_page_of_a_lost_import_fails_it(client, staff_lishi, private_storage):
    imp = pending(staff_lishi)
    client.force_login(staff_lishi)
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert "正在检查" in page and 'http-equiv="refresh"' in page

    uploaded_ago(imp, LOST_AGE)
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert LOST_MESSAGE in page and 'http-equiv="refresh"' not in page and "正在检查" not in page
    imp.refresh_from_db()
    assert (imp.status, imp.upload.name, stored_files(private_storage)) == (LedgerImportStatus.FAILED, "", set())


def test_the_task_of_a_lost_import_that_comes_back_after_all_changes_nothing(staff_lishi):
    imp = pending(staff_lishi)
    uploaded_ago(imp, LOST_AGE)
    reconcile.imports_fail_lost()
    assert tasks.build_import_preview.apply(args=[imp.pk]).get() == LedgerImportStatus.FAILED
    imp.refresh_from_db()
    assert (imp.error, imp.preview) == (LOST_MESSAGE, {})


def _left_behind(imp: LedgerImport) -> str:
    """Record an upload on an import the job is done with, as a deletion that failed would leave it."""
    name = imp.upload.storage.save(f"{LEDGER_IMPORT_UPLOADS}/import{imp.pk}.xlsx.enc", ContentFile(b"encrypted"))
    LedgerImport.objects.filter(pk=imp.pk).update(upload=name)
    imp.refresh_from_db()
    return name


def _aged(root, name: str, age: timedelta) -> None:
    moment = (timezone.now() - age).timestamp()
    os.utime(root / name, (moment, moment))


def test_the_beat_deletes_uploads_no_pending_import_waits_for(staff_lishi, private_storage):
    applied = preview_of(staff_lishi, workbook_bytes([list_row()]))
    reconcile.import_apply(actor=staff_lishi, ledger_import=applied)
    left = _left_behind(applied)
    waiting = pending(staff_lishi)
    storage = waiting.upload.storage
    old_orphan = storage.save(f"{LEDGER_IMPORT_UPLOADS}/import999998.xlsx.enc", ContentFile(b"encrypted"))
    new_orphan = storage.save(f"{LEDGER_IMPORT_UPLOADS}/import999999.xlsx.enc", ContentFile(b"encrypted"))
    for name in (left, waiting.upload.name, old_orphan):
        _aged(private_storage, name, LOST_AGE)
    _aged(private_storage, new_orphan, timedelta(0))  # an upload whose transaction has not committed yet

    assert reconcile.imports_fail_lost() == 0
    applied.refresh_from_db()
    assert (applied.status, applied.upload.name) == (LedgerImportStatus.APPLIED, "")
    assert stored_files(private_storage) == {waiting.upload.name, new_orphan}


@pytest.mark.parametrize("action", [reconcile.import_apply, reconcile.import_discard], ids=["apply", "discard"])
def test_applying_or_discarding_deletes_an_upload_left_on_the_import(staff_lishi, private_storage, action,
                                                                     django_capture_on_commit_callbacks):
    imp = preview_of(staff_lishi, workbook_bytes([list_row()]))
    _left_behind(imp)
    with django_capture_on_commit_callbacks(execute=True):
        action(actor=staff_lishi, ledger_import=imp)
    imp.refresh_from_db()
    assert (imp.upload.name, stored_files(private_storage)) == ("", set())
