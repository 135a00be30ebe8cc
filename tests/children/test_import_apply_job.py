"""Confirming a previewed list is a job too: the request makes the import ``applying`` and queues a Celery
task on commit, which applies it all or nothing (reconcile.import_apply_run) and leaves it ``applied``
or ``apply_failed``. A second request, or a second delivery of the task, applies nothing more; a task
that dies — killed, its worker lost — leaves the import ``apply_failed``, never ``applying``; the page
refreshes itself with the job's progress meanwhile."""

from datetime import timedelta

import pytest
from billiard.exceptions import WorkerLostError
from celery.exceptions import TimeLimitExceeded
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from children import reconcile, tasks
from children.models import Child, LedgerImport, LedgerImportStatus
from tests.children.test_reconcile import BIRTH, id_number, list_row, preview

pytestmark = pytest.mark.django_db

LOST_MESSAGE = "导入未能完成，台账未作任何改动。请重新上传文件。"
SERVER_ERROR_MESSAGE = "服务器出错，名单未能导入，台账未作任何改动。请重新上传；如果再次出现，请告知管理员。"
LOST_AGE = timedelta(seconds=settings.TASK_LOST_AFTER + 1)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def previewed(staff_lishi) -> LedgerImport:
    """A previewed list of two new children, uploaded by the Lishi county's staff member."""
    imp = preview(staff_lishi, [list_row(), list_row(姓名="赵小刚", 性别="男")])
    reconcile.cache.delete(reconcile._progress_key(imp.pk))  # an earlier test's import of the same id
    return imp


def confirm(client, imp: LedgerImport, callbacks):
    """POST the confirmation, capturing the jobs it queues on commit (the test's transaction never commits)."""
    with callbacks() as queued:
        response = client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"})
    return response, queued


def applying(actor, imp: LedgerImport) -> LedgerImport:
    """The import confirmed by ``actor``; its job queued on a commit that never comes."""
    return reconcile.import_apply_request(actor=actor, ledger_import=imp)


def test_confirming_returns_at_once_with_the_import_applying(client, staff_lishi, previewed,
                                                            django_capture_on_commit_callbacks):
    client.force_login(staff_lishi)
    response, queued = confirm(client, previewed, django_capture_on_commit_callbacks)
    assert (response.status_code, len(queued)) == (302, 1)
    previewed.refresh_from_db()
    assert (previewed.status, previewed.applied_by, previewed.applied_at) == (
        LedgerImportStatus.APPLYING, staff_lishi, None)
    assert not Child.objects.exists()


def test_the_queued_job_applies_the_list(client, staff_lishi, previewed, django_capture_on_commit_callbacks,
                                         monkeypatch):
    client.force_login(staff_lishi)
    _response, queued = confirm(client, previewed, django_capture_on_commit_callbacks)
    # The worker's part, here whether tasks are eager or go through a broker.
    monkeypatch.setattr(tasks.apply_import, "delay", lambda import_id: tasks.apply_import.apply(args=[import_id]))
    queued[0]()
    previewed.refresh_from_db()
    assert (previewed.status, previewed.summary["created"]) == (LedgerImportStatus.APPLIED, 2)
    assert sorted(Child.objects.values_list("name", flat=True)) == ["赵小刚", "赵小红"]
    assert AuditEvent.objects.get(action=AuditAction.IMPORT, target_type="children.ledgerimport").actor == staff_lishi


def test_an_applying_import_page_shows_the_jobs_progress_and_refreshes(client, staff_lishi, previewed):
    imp = applying(staff_lishi, previewed)
    reconcile._set_progress(imp.pk, 40)
    client.force_login(staff_lishi)
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert "正在导入…" in page and '<progress max="100" value="40">' in page and 'http-equiv="refresh"' in page
    assert 'value="apply"' not in page


def test_the_job_reports_its_progress_up_to_the_last_row_written(staff_lishi, monkeypatch):
    imp = applying(staff_lishi, preview(staff_lishi, [list_row(), list_row(姓名="赵小刚", 性别="男"),
                                                      list_row(姓名="赵小兰")]))
    seen = []
    monkeypatch.setattr(reconcile, "_set_progress", lambda import_id, p: seen.append(p))
    reconcile.import_apply_run(import_id=imp.pk)
    assert seen == [reconcile.PROGRESS_APPLY_CLASSIFIED, 38, 66, reconcile.PROGRESS_APPLY_WRITTEN]
    assert reconcile.import_progress(LedgerImport.objects.get(pk=imp.pk)) == 100


def test_a_second_confirmation_queues_nothing(client, staff_lishi, previewed, django_capture_on_commit_callbacks):
    client.force_login(staff_lishi)
    confirm(client, previewed, django_capture_on_commit_callbacks)
    response, queued = confirm(client, previewed, django_capture_on_commit_callbacks)
    assert (response.status_code, queued) == (302, [])
    page = client.get(response.url).content.decode()
    assert "本次导入正在进行中。" in page


def test_a_second_delivery_of_the_task_applies_nothing_more(staff_lishi, previewed):
    imp = applying(staff_lishi, previewed)
    assert tasks.apply_import.apply(args=[imp.pk]).get() == LedgerImportStatus.APPLIED
    assert tasks.apply_import.apply(args=[imp.pk]).get() == LedgerImportStatus.APPLIED
    assert Child.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT, target_type="children.ledgerimport").count() == 1


def test_a_row_that_fails_leaves_the_import_apply_failed_and_the_ledger_unchanged(client, staff_lishi, make_child):
    number = id_number()
    imp = applying(staff_lishi, preview(staff_lishi, [list_row(姓名="赵小兰"), list_row(身份证号=number)]))
    make_child(staff_lishi, name="赵小红", id_number=number, birth_date=BIRTH)  # registered meanwhile
    done = reconcile.import_apply_run(import_id=imp.pk)
    assert done.status == LedgerImportStatus.APPLY_FAILED
    assert [f["row"] for f in done.summary["failures"]] == [3]
    assert all(r["id_enc"] is None for r in done.preview["rows"])
    assert not Child.objects.filter(name="赵小兰").exists()
    client.force_login(staff_lishi)
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert "名单未能导入" in page and "部分行已无法通过校验" in page and 'http-equiv="refresh"' not in page


def test_an_error_in_the_job_leaves_the_import_apply_failed_and_the_ledger_unchanged(staff_lishi, previewed,
                                                                                     monkeypatch):
    imp = applying(staff_lishi, previewed)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reconcile, "_run", broken)
    assert tasks.apply_import.apply(args=[imp.pk]).get() == LedgerImportStatus.APPLY_FAILED
    imp.refresh_from_db()
    assert (imp.error, Child.objects.count()) == (SERVER_ERROR_MESSAGE, 0)


@pytest.mark.parametrize("exc", [TimeLimitExceeded(630), WorkerLostError("Worker exited prematurely: signal 9")],
                         ids=["killed at the time limit", "worker lost"])
def test_a_killed_apply_is_marked_failed_by_the_tasks_failure_hook(staff_lishi, previewed, exc):
    imp = applying(staff_lishi, previewed)
    tasks.apply_import.on_failure(exc, "task-id", (imp.pk,), {}, None)
    imp.refresh_from_db()
    assert (imp.status, imp.error) == (LedgerImportStatus.APPLY_FAILED, LOST_MESSAGE)


def test_the_failure_hook_leaves_an_applied_import_applied(staff_lishi, previewed):
    imp = applying(staff_lishi, previewed)
    reconcile.import_apply_run(import_id=imp.pk)
    tasks.apply_import.on_failure(WorkerLostError("late"), "task-id", (imp.pk,), {}, None)
    imp.refresh_from_db()
    assert (imp.status, imp.error) == (LedgerImportStatus.APPLIED, "")


def _requested_ago(imp: LedgerImport, age: timedelta) -> None:
    LedgerImport.objects.filter(pk=imp.pk).update(apply_requested_at=timezone.now() - age)


def test_the_beat_fails_an_apply_left_applying_past_the_bound(staff_lishi, previewed):
    lost = applying(staff_lishi, previewed)
    fresh = applying(staff_lishi, preview(staff_lishi, [list_row(姓名="赵小兰")]))
    _requested_ago(lost, LOST_AGE)
    assert tasks.fail_lost_imports.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert (lost.status, lost.error) == (LedgerImportStatus.APPLY_FAILED, LOST_MESSAGE)
    assert fresh.status == LedgerImportStatus.APPLYING


def test_opening_the_page_of_a_lost_apply_fails_it(client, staff_lishi, previewed):
    imp = applying(staff_lishi, previewed)
    _requested_ago(imp, LOST_AGE)
    client.force_login(staff_lishi)
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert LOST_MESSAGE in page and 'http-equiv="refresh"' not in page


def test_the_task_of_a_lost_apply_that_comes_back_after_all_applies_nothing(staff_lishi, previewed):
    imp = applying(staff_lishi, previewed)
    _requested_ago(imp, LOST_AGE)
    reconcile.imports_fail_lost()
    assert tasks.apply_import.apply(args=[imp.pk]).get() == LedgerImportStatus.APPLY_FAILED
    assert not Child.objects.exists()


def test_other_county_staff_gets_404_on_an_applying_import(client, staff_lishi, staff_yuci, previewed):
    imp = applying(staff_lishi, previewed)
    client.force_login(staff_yuci)
    assert client.get(reverse("children:import-preview", args=[imp.pk])).status_code == 404
    assert client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"}).status_code == 404


def test_discarding_an_applying_import_is_refused(client, staff_lishi, previewed):
    imp = applying(staff_lishi, previewed)
    client.force_login(staff_lishi)
    response = client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "discard"}, follow=True)
    assert "本次导入正在进行中。" in response.content.decode()
    imp.refresh_from_db()
    assert imp.status == LedgerImportStatus.APPLYING


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="the embedded default: no broker, tasks run in-process")
@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_job_runs_in_process_and_the_page_shows_the_result(client, staff_lishi):
    imp = preview(staff_lishi, [list_row(), list_row(姓名="赵小刚", 性别="男")])
    client.force_login(staff_lishi)
    response = client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"}, follow=True)
    page = response.content.decode()
    assert "名单已导入：新增 2 名儿童" in page and 'http-equiv="refresh"' not in page
    assert LedgerImport.objects.get(pk=imp.pk).status == LedgerImportStatus.APPLIED
