"""Export jobs (exports.services): asking (checks, nothing created on bad input, queued when the
transaction commits, a pending identical export returned), making (progress up to 100, the file, the
audit, the requester's notification), failing (the error recorded, never left ``running``: a task
killed or lost is marked failed), and files deleted after EXPORT_KEEP_DAYS.

No Celery worker here: requests are made inside the test transaction, whose on_commit callbacks (the
task being queued) never run unless a test captures them; the work is done by calling
exports.services.export_generate, as the task does, or the task's own ``apply()``."""

from datetime import timedelta

import pytest
from celery.exceptions import Retry, TimeLimitExceeded, WorkerLostError
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent
from activities.models import Notification
from config.celery import app
from exports import services, tasks
from exports.models import ExportKind, ExportRun, ExportStatus

pytestmark = pytest.mark.django_db


def ask(actor, kind="children", **filters) -> ExportRun:
    return services.export_request(actor=actor, kind=kind, filters=filters)


def made(actor, kind="children", **filters) -> ExportRun:
    return services.export_generate(run_id=ask(actor, kind, **filters).pk)


# --- asking ---------------------------------------------------------------------------------------

def test_asking_creates_a_queued_run_of_the_requesters_region(staff_lishi):
    run = ask(staff_lishi, category="orphan")
    assert (run.status, run.kind, run.filters, run.requested_by, run.region_id) == (
        ExportStatus.QUEUED, ExportKind.CHILDREN, {"category": "orphan"}, staff_lishi, staff_lishi.region_id)


def test_the_task_is_queued_when_the_transaction_commits(staff_lishi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ask(staff_lishi)
    assert len(callbacks) == 1


def test_the_export_task_runs_on_the_exports_queue():
    route = app.amqp.router.route({}, tasks.generate_export.name, args=(1,), kwargs={})
    assert route["queue"].name == "exports"


def test_asking_again_while_it_is_being_made_returns_the_same_run(staff_lishi):
    first = ask(staff_lishi, category="orphan")
    assert ask(staff_lishi, category="orphan").pk == first.pk


def test_asking_with_other_filters_makes_another_run(staff_lishi):
    assert ask(staff_lishi, category="orphan").pk != ask(staff_lishi, category="left_behind").pk


def test_empty_filters_and_paging_are_left_out(staff_lishi):
    assert ask(staff_lishi, category="", search="王", page="2", per_page="100").filters == {"search": "王"}


def test_an_unknown_list_is_refused_naming_kind(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        services.export_request(actor=staff_lishi, kind="salaries", filters={})
    assert list(refused.value.message_dict) == ["kind"]


def test_a_filter_the_list_does_not_have_is_refused_naming_it(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        ask(staff_lishi, "volunteers", regoin="141102000000")
    assert list(refused.value.message_dict) == ["regoin"]


def test_a_filter_value_the_list_cannot_read_is_refused_naming_it(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        ask(staff_lishi, "activities", occurred_after="yesterday")
    assert list(refused.value.message_dict) == ["occurred_after"]


def test_a_yes_no_filter_given_anything_else_is_refused(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        ask(staff_lishi, "children", paired="maybe")
    assert list(refused.value.message_dict) == ["paired"]


def test_a_filter_given_a_list_is_refused(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        services.export_request(actor=staff_lishi, kind="needs", filters={"kind": ["study", "health"]})
    assert list(refused.value.message_dict) == ["kind"]


def test_a_filter_form_error_is_refused_naming_it(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        ask(staff_lishi, "pairings", region="1411")
    assert list(refused.value.message_dict) == ["region"]


def test_nothing_is_created_on_bad_input(staff_lishi):
    with pytest.raises(ValidationError):
        ask(staff_lishi, "children", region="1411")
    assert not ExportRun.objects.exists()


def test_a_caring_mother_may_not_export(volunteer_lishi):
    with pytest.raises(PermissionDenied):
        ask(volunteer_lishi)


def test_a_read_only_leader_may_export(viewer_lvliang):
    assert ask(viewer_lvliang).status == ExportStatus.QUEUED


# --- making ---------------------------------------------------------------------------------------

def test_a_made_export_is_done_with_its_rows_and_file(staff_lishi, child_lishi):
    run = made(staff_lishi)
    assert (run.status, run.progress, run.rows, run.has_file, run.attempts) == (ExportStatus.DONE, 100, 1, True, 1)


def test_the_file_is_stored_privately_under_exports(staff_lishi, child_lishi, private_storage):
    run = made(staff_lishi)
    assert run.file.name.startswith("exports/") and (private_storage / run.file.name).is_file()


def test_the_download_name_names_the_list_the_region_and_the_day(staff_lishi, child_lishi):
    assert made(staff_lishi).filename == f"儿童台账_离石区_{timezone.localdate():%Y%m%d}.xlsx"


def test_progress_moves_with_the_rows_written_up_to_100(staff_lishi, make_child, monkeypatch):
    from children import export

    for n in range(4):
        make_child(staff_lishi, name=f"孩子{n}")
    monkeypatch.setattr(export, "BATCH", 1)
    seen = []
    real = services._set_progress
    monkeypatch.setattr(services, "_set_progress", lambda run_id, p: (seen.append(p), real(run_id, p)))
    run = made(staff_lishi)
    assert (seen, run.progress) == ([services.PROGRESS_COUNTED, 27, 50, 72, services.PROGRESS_WRITTEN], 100)


def test_an_empty_export_still_reaches_100(staff_lishi, regions):
    run = made(staff_lishi)
    assert (run.status, run.progress, run.rows) == (ExportStatus.DONE, 100, 0)


def test_a_made_export_is_audited_with_its_filters_and_rows(staff_lishi, child_lishi):
    run = made(staff_lishi, status="active")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.target_type, event.target_id, event.region_code, event.detail) == (
        staff_lishi, "children.child", str(run.pk), staff_lishi.region_id,
        {"format": "xlsx", "filters": {"status": "active"}, "rows": 1})


def test_the_requester_is_notified_when_the_file_is_ready(staff_lishi, child_lishi):
    run = made(staff_lishi)
    notification = Notification.objects.get(recipient=staff_lishi)
    assert (notification.kind, notification.link) == ("export", reverse("exports:detail", args=[run.pk]))


def test_a_done_run_is_not_made_twice(staff_lishi, child_lishi):
    run = made(staff_lishi)
    again = services.export_generate(run_id=run.pk)
    assert (again.attempts, again.file.name, Notification.objects.count()) == (1, run.file.name, 1)


def test_the_rows_are_those_the_requester_sees_when_it_is_made(staff_lishi, child_lishi, child_yuci):
    assert made(staff_lishi).rows == 1


# --- failing --------------------------------------------------------------------------------------

def _broken_writer(monkeypatch):
    from exports import kinds

    def broken(writer, rows, on_rows=None):
        raise RuntimeError("disk full")

    spec = kinds.KINDS["children"]
    monkeypatch.setitem(kinds.KINDS, "children", type(spec)(**{**spec.__dict__, "write": broken}))


def test_a_failing_export_is_left_failed_with_the_error(staff_lishi, child_lishi, monkeypatch):
    _broken_writer(monkeypatch)
    run = ask(staff_lishi)
    with pytest.raises(RuntimeError):
        services.export_generate(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.error, run.has_file) == (ExportStatus.FAILED, "RuntimeError: disk full", False)


def test_a_failed_task_is_retried_and_stays_failed_when_every_attempt_fails(staff_lishi, child_lishi, monkeypatch):
    _broken_writer(monkeypatch)
    run = ask(staff_lishi)
    with pytest.raises((RuntimeError, Retry)):  # in-process, a retry's failure propagates
        tasks.generate_export.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert (run.status, run.attempts > 1) == (ExportStatus.FAILED, True)


def test_a_requester_no_longer_allowed_exports_nothing(staff_lishi, child_lishi):
    run = ask(staff_lishi)
    staff_lishi.is_active = False
    staff_lishi.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        services.export_generate(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ExportStatus.FAILED


@pytest.mark.parametrize("exc", [TimeLimitExceeded(630), WorkerLostError("signal 9")], ids=["time-limit", "lost"])
def test_a_task_killed_by_its_worker_is_marked_failed_at_once(staff_lishi, exc):
    run = ask(staff_lishi)
    ExportRun.objects.filter(pk=run.pk).update(status=ExportStatus.RUNNING)
    tasks.generate_export.on_failure(exc, "task-id", [run.pk], {}, None)
    run.refresh_from_db()
    assert (run.status, run.error.split(":")[0]) == (ExportStatus.FAILED, type(exc).__name__.replace("Error", ""))


def test_a_done_run_stays_done_when_its_task_is_reported_failed(staff_lishi, child_lishi):
    run = made(staff_lishi)
    assert services.export_fail_stopped(run_id=run.pk, exc=WorkerLostError("late")) is False


def _running_since(run, started_at):
    ExportRun.objects.filter(pk=run.pk).update(status=ExportStatus.RUNNING, progress=40, started_at=started_at)


def test_a_run_lost_with_its_worker_is_marked_failed_by_the_sweep(staff_lishi):
    run = ask(staff_lishi)
    _running_since(run, timezone.now() - timedelta(seconds=django_settings.TASK_LOST_AFTER + 1))
    assert tasks.sweep_export_runs.apply().get() == {"failed": 1, "expired": 0}
    run.refresh_from_db()
    assert (run.status, run.error.startswith("WorkerLost: no worker finished the export")) == (
        ExportStatus.FAILED, True)


def test_a_run_still_within_its_time_is_left_running(staff_lishi):
    run = ask(staff_lishi)
    _running_since(run, timezone.now() - timedelta(seconds=django_settings.TASK_LOST_AFTER - 60))
    assert services.export_runs_fail_lost() == 0


def test_a_run_never_started_is_lost_after_the_queue_wait(staff_lishi):
    run = ask(staff_lishi)
    ExportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - services.QUEUED_LOST_AFTER
                                               - timedelta(seconds=1))
    assert services.export_runs_fail_lost() == 1


def test_asking_again_after_a_lost_run_makes_a_new_one(staff_lishi):
    lost = ask(staff_lishi)
    _running_since(lost, timezone.now() - timedelta(seconds=django_settings.TASK_LOST_AFTER + 1))
    assert ask(staff_lishi).pk != lost.pk


def test_the_beat_sweeps_the_export_runs_every_few_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["exports-sweep"]
    assert (entry["task"], entry["schedule"].minute) == ("exports.tasks.sweep_export_runs", set(range(0, 60, 5)))


# --- old files ------------------------------------------------------------------------------------

def test_files_past_their_days_are_deleted_and_the_run_kept(staff_lishi, child_lishi, private_storage):
    run = made(staff_lishi)
    ExportRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now() - timedelta(days=django_settings.EXPORT_KEEP_DAYS, seconds=1))
    assert services.export_files_expire() == 1
    stored, run = run.file.name, ExportRun.objects.get(pk=run.pk)
    assert (run.status, run.expired, (private_storage / stored).exists()) == (ExportStatus.DONE, True, False)


def test_recent_files_are_kept(staff_lishi, child_lishi):
    made(staff_lishi)
    assert services.export_files_expire() == 0
