"""The civil-affairs list's preview job shows how far it is: its progress (reading the file, sorting the
rows, the dry run row by row) is kept in the cache — the dry run is one transaction no other connection
sees into — and the pending preview page shows it as a progress bar while it refreshes itself."""

import pytest
from django.urls import reverse

from accounts.models import Region
from children import reconcile
from children.models import LedgerImportStatus
from tests.children.test_reconcile import LISHI, list_row, workbook_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def pending(staff_lishi):
    """An upload of three children whose preview job has not run yet."""
    data = workbook_bytes([list_row(), list_row(姓名="赵小刚", 性别="男"), list_row(姓名="赵小兰")])
    upload = reconcile.import_upload(actor=staff_lishi, region=Region.objects.get(pk=LISHI), file_name="名单.xlsx",
                                     data=data)
    reconcile.cache.delete(reconcile._progress_key(upload.pk))  # an earlier test's import of the same id
    return upload


def test_a_pending_preview_page_shows_the_jobs_progress(client, staff_lishi, pending):
    reconcile._set_progress(pending.pk, 40)
    client.force_login(staff_lishi)
    page = client.get(reverse("children:import-preview", args=[pending.pk])).content.decode()
    assert '<progress max="100" value="40">' in page and 'http-equiv="refresh"' in page


def test_a_job_not_started_shows_0(pending):
    assert reconcile.import_progress(pending) == 0


def test_the_job_reports_its_progress_up_to_the_end_of_the_dry_run(pending, monkeypatch):
    seen = []
    real = reconcile._set_progress
    monkeypatch.setattr(reconcile, "_set_progress", lambda import_id, p: (seen.append(p), real(import_id, p)))
    reconcile.import_preview_build(import_id=pending.pk)
    assert seen == [reconcile.PROGRESS_READ, reconcile.PROGRESS_CLASSIFIED, 48, 71, reconcile.PROGRESS_CHECKED]


def test_a_finished_job_is_at_100_and_leaves_nothing_in_the_cache(pending):
    done = reconcile.import_preview_build(import_id=pending.pk)
    assert (done.status, reconcile.import_progress(done)) == (LedgerImportStatus.PREVIEWED, 100)
    assert reconcile.cache.get(reconcile._progress_key(pending.pk)) is None
