"""Report runs: asking for one (the service, the API, the form), who may see and download which (the
read-only leader downloads but does not make reports), the work of the task (progress, failure with the
error, a retry that produces the file), and runs lost with their worker.

Nothing here depends on a Celery worker: requests are made inside the test transaction, whose
on_commit callbacks (the task being queued) never run unless a test captures them; the work is done
by calling reports.services.report_generate, as the task does, or the task's own ``apply()``.
"""

from datetime import date, timedelta

import pytest
from celery.exceptions import TimeLimitExceeded, WorkerLostError
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditAction, AuditEvent, Region
from core import months
from core.regions import CODE_MESSAGE
from reports import services, tasks
from reports.access import REPORTS_DENIED, REPORTS_MAKE_DENIED
from reports.formatters import pdf as pdf_formatter
from reports.models import ReportRun, ReportStatus
from tests.factories import LISHI, LISHI_TOWNSHIP, LISHI_VILLAGE, LVLIANG, SHANXI, YUCI

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

MONTH = "2025-05"


def _request(actor, region_code=LVLIANG, month=MONTH, format="xlsx"):
    return services.report_request(actor=actor, region_code=region_code, month=month, format=format)


def _made(actor, region_code=LVLIANG, format="xlsx") -> ReportRun:
    return services.report_generate(run_id=_request(actor, region_code, format=format).pk)


@pytest.fixture
def lishi_run(lishi_month, staff_lishi) -> ReportRun:
    """A done Excel report of 离石区, May 2025, asked for by staff_lishi."""
    return _made(staff_lishi, LISHI)


@pytest.fixture
def lvliang_run(lishi_month, admin_province) -> ReportRun:
    """A done Excel report of 吕梁市, May 2025, asked for by admin_province (the city's read-only leader,
    viewer_lvliang, downloads it)."""
    return _made(admin_province, LVLIANG)


def _fail_once(monkeypatch):
    """The PDF formatter raises the first time it is called (a worker dying midway), then works."""
    real = pdf_formatter.render_pdf
    calls = []

    def flaky(data):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("字体服务暂时不可用")
        return real(data)

    monkeypatch.setattr(pdf_formatter, "render_pdf", flaky)


# --- the request: validation, nothing created on bad input -----------------------------------------

@pytest.mark.parametrize(("field", "values"), [
    ("month", {"month": "2025-13"}),
    ("month", {"month": "2025/05"}),
    ("month", {"month": ""}),
    ("month", {"month": "2099-01"}),
    ("region", {"region_code": "1411"}),
    ("region", {"region_code": "14110000000x"}),
    ("format", {"format": "docx"}),
    ("format", {"format": ""}),
])
def test_bad_input_is_refused_naming_the_field(admin_province, field, values):
    with pytest.raises(ValidationError) as raised:
        _request(admin_province, **values)
    assert field in raised.value.message_dict
    assert not ReportRun.objects.exists()


def test_next_month_is_in_the_future(admin_province):
    following = months.label(months.next_month(months.current_month()))
    with pytest.raises(ValidationError) as raised:
        _request(admin_province, month=following)
    assert "month" in raised.value.message_dict
    assert not ReportRun.objects.exists()


def test_the_current_month_can_be_asked_for_so_far(admin_province):
    run = _request(admin_province, month=months.label(months.current_month()))
    assert run.month == months.current_month()


def test_a_village_has_no_report(staff_lishi):
    with pytest.raises(ValidationError) as raised:
        _request(staff_lishi, region_code=LISHI_VILLAGE)
    assert "region" in raised.value.message_dict
    assert not ReportRun.objects.exists()


def test_a_region_outside_the_subtree_does_not_exist(staff_yuci):
    with pytest.raises(Region.DoesNotExist):
        _request(staff_yuci, region_code=LISHI)
    assert not ReportRun.objects.exists()


def test_the_city_above_is_outside_a_county_users_subtree(staff_yuci):
    with pytest.raises(Region.DoesNotExist):
        _request(staff_yuci, region_code=LVLIANG)
    assert not ReportRun.objects.exists()


def test_volunteers_cannot_ask_for_reports(volunteer_lishi):
    with pytest.raises(PermissionDenied):
        _request(volunteer_lishi, region_code=LISHI)
    assert not ReportRun.objects.exists()


def test_read_only_leaders_cannot_ask_for_reports(viewer_lvliang):
    with pytest.raises(PermissionDenied) as raised:
        _request(viewer_lvliang)
    assert str(raised.value) == str(REPORTS_MAKE_DENIED)
    assert not ReportRun.objects.exists()


def test_a_request_creates_a_queued_run(admin_province):
    run = _request(admin_province)
    assert (run.region_id, run.month, run.format, run.status, run.requested_by) == (
        LVLIANG, date(2025, 5, 1), "xlsx", ReportStatus.QUEUED, admin_province)


def test_the_task_is_queued_when_the_transaction_commits(admin_province, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _request(admin_province)
    assert len(callbacks) == 1


def test_asking_again_while_queued_returns_the_same_run(admin_province):
    first = _request(admin_province)
    assert _request(admin_province).pk == first.pk
    assert ReportRun.objects.count() == 1


def _running_since(run: ReportRun, started_at) -> None:
    ReportRun.objects.filter(pk=run.pk).update(status=ReportStatus.RUNNING, progress=20, started_at=started_at)


def test_a_run_lost_with_its_worker_is_failed_and_asking_again_queues_a_new_one(
        admin_province, django_capture_on_commit_callbacks):
    lost = _request(admin_province)
    _running_since(lost, timezone.now() - services.running_lost_after() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again = _request(admin_province)
    lost.refresh_from_db()
    assert again.pk != lost.pk
    assert (again.status, len(callbacks)) == (ReportStatus.QUEUED, 1)
    assert (lost.status, lost.finished_at is not None) == (ReportStatus.FAILED, True)
    minutes = round(services.running_lost_after().total_seconds() / 60)
    assert lost.error.startswith(f"WorkerLost: no worker finished the report within {minutes} minutes")


def test_a_run_still_within_its_time_stands(admin_province):
    running = _request(admin_province)
    _running_since(running, timezone.now() - services.running_lost_after() + timedelta(minutes=1))
    assert _request(admin_province).pk == running.pk
    assert services.report_runs_fail_lost() == 0


def test_a_queued_run_waits_hours_behind_the_backlog_before_it_is_lost(admin_province):
    queued = _request(admin_province)
    ReportRun.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(hours=2))
    assert _request(admin_province).pk == queued.pk
    ReportRun.objects.filter(pk=queued.pk).update(created_at=timezone.now() - services.QUEUED_LOST_AFTER
                                                  - timedelta(seconds=1))
    assert _request(admin_province).pk != queued.pk
    queued.refresh_from_db()
    assert (queued.status, queued.error.startswith("WorkerLost: no worker started")) == (ReportStatus.FAILED, True)


def test_the_beat_task_fails_every_lost_run_and_nothing_else(admin_province, staff_lishi):
    lost = _request(admin_province)
    _running_since(lost, timezone.now() - services.running_lost_after() - timedelta(seconds=1))
    fresh = _request(staff_lishi, LISHI)
    _running_since(fresh, timezone.now())
    done = _made(staff_lishi, LISHI_TOWNSHIP)
    assert tasks.fail_lost_report_runs.apply().get() == 1
    assert {run.pk: run.status for run in ReportRun.objects.all()} == {
        lost.pk: ReportStatus.FAILED, fresh.pk: ReportStatus.RUNNING, done.pk: ReportStatus.DONE}


def test_the_beat_runs_the_lost_run_check_every_few_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reports-fail-lost-runs"]
    assert entry["task"] == tasks.fail_lost_report_runs.name
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_a_lost_run_whose_task_comes_back_after_all_is_made(admin_province):
    lost = _request(admin_province)
    _running_since(lost, timezone.now() - services.running_lost_after() - timedelta(seconds=1))
    services.report_runs_fail_lost()
    run = services.report_generate(run_id=lost.pk)
    assert (run.status, run.error, run.attempts) == (ReportStatus.DONE, "", 1)


def test_a_run_killed_at_the_hard_time_limit_is_failed_at_once(admin_province):
    """Celery calls the task's on_failure with TimeLimitExceeded when it kills the task at its hard
    limit (in the worker's main process); the run does not wait for the beat's lost-run check."""
    run = _request(admin_province)
    _running_since(run, timezone.now())
    tasks.generate_report.on_failure(TimeLimitExceeded(630), "task-id", (run.pk,), {}, None)
    run.refresh_from_db()
    assert (run.status, run.finished_at is not None) == (ReportStatus.FAILED, True)
    assert run.error == ("TimeLimitExceeded: the report was not made within the time limit of 630 seconds; "
                         "the worker stopped it.")
    assert _request(admin_province).pk != run.pk  # asking again makes a new run


def test_a_run_whose_worker_process_was_lost_is_failed_at_once(admin_province):
    run = _request(admin_province)
    _running_since(run, timezone.now())
    tasks.generate_report.on_failure(WorkerLostError("Worker exited prematurely: signal 9 (SIGKILL)."),
                                     "task-id", (), {"run_id": run.pk}, None)
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED
    assert run.error == "WorkerLost: the worker making the report was lost (Worker exited prematurely: signal 9 (SIGKILL).)."


def test_the_failure_hook_keeps_the_error_the_run_recorded_and_leaves_a_done_run_done(lishi_run, admin_province):
    failed = _request(admin_province)
    ReportRun.objects.filter(pk=failed.pk).update(status=ReportStatus.FAILED, error="RuntimeError: 字体服务暂时不可用")
    for run in (failed, lishi_run):
        tasks.generate_report.on_failure(RuntimeError("字体服务暂时不可用"), "task-id", (run.pk,), {}, None)
    assert {run.pk: (run.status, run.error) for run in ReportRun.objects.all()} == {
        failed.pk: (ReportStatus.FAILED, "RuntimeError: 字体服务暂时不可用"), lishi_run.pk: (ReportStatus.DONE, "")}


def test_the_failure_hook_never_raises_into_the_worker(admin_province, monkeypatch, caplog):
    run = _request(admin_province)

    def database_down(**kwargs):
        raise OperationalError("the database is gone")

    monkeypatch.setattr(services, "report_fail_stopped", database_down)
    tasks.generate_report.on_failure(TimeLimitExceeded(630), "task-id", (run.pk,), {}, None)
    assert f"Could not mark report run {run.pk} failed" in caplog.text


def test_asking_again_once_done_makes_a_new_run(lvliang_run, admin_province):
    again = _request(admin_province)
    assert again.pk != lvliang_run.pk
    assert again.status == ReportStatus.QUEUED


# --- making it ------------------------------------------------------------------------------------

def test_a_made_run_is_done_with_its_file(lishi_run):
    assert (lishi_run.status, lishi_run.progress, lishi_run.error, lishi_run.attempts) == (ReportStatus.DONE, 100, "", 1)
    assert lishi_run.file.name.startswith(f"reports/2025/05/{LISHI}-202505-run{lishi_run.pk}")
    assert lishi_run.file.storage.exists(lishi_run.file.name)


def test_the_file_is_stored_outside_the_static_path(lishi_run, settings):
    path = lishi_run.file.path
    assert not path.startswith(str(settings.STATIC_ROOT))
    assert all(not path.startswith(str(folder)) for folder in settings.STATICFILES_DIRS)


def test_a_run_that_dies_midway_is_failed_with_the_error(lishi_month, staff_lishi, monkeypatch):
    _fail_once(monkeypatch)
    run = _request(staff_lishi, LISHI, format="pdf")
    with pytest.raises(RuntimeError):
        services.report_generate(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ReportStatus.FAILED
    assert "字体服务暂时不可用" in run.error
    assert not run.file


def test_a_retry_after_a_failure_produces_the_file(lishi_month, staff_lishi, monkeypatch):
    _fail_once(monkeypatch)
    run = _request(staff_lishi, LISHI, format="pdf")
    with pytest.raises(RuntimeError):
        services.report_generate(run_id=run.pk)
    run = services.report_generate(run_id=run.pk)
    assert (run.status, run.error, run.attempts) == (ReportStatus.DONE, "", 2)
    with run.file.open("rb") as handle:
        assert handle.read(4) == b"%PDF"


def test_the_task_retries_by_itself_until_the_file_is_made(lishi_month, staff_lishi, monkeypatch):
    _fail_once(monkeypatch)
    run = _request(staff_lishi, LISHI, format="pdf")
    result = tasks.generate_report.apply(args=[run.pk], throw=False)
    run.refresh_from_db()
    assert result.get() == ReportStatus.DONE
    assert (run.status, run.attempts) == (ReportStatus.DONE, 2)


def test_a_done_run_is_not_made_twice(lishi_run):
    again = services.report_generate(run_id=lishi_run.pk)
    assert (again.attempts, again.file.name) == (1, lishi_run.file.name)


# --- who sees what: the API -----------------------------------------------------------------------

def test_api_request_answers_202_with_id_and_status(lishi_month, api_client_for, admin_province):
    response = api_client_for(admin_province).post("/api/v1/reports/", {"region": LVLIANG, "month": MONTH,
                                                                       "format": "pdf"}, format="json")
    assert response.status_code == 202, response.content
    run = ReportRun.objects.get()
    assert response.json() == {"id": run.pk, "status": "queued"}


@pytest.mark.parametrize(("field", "body"), [
    ("month", {"region": LVLIANG, "month": "2025-5", "format": "pdf"}),
    ("month", {"region": LVLIANG, "month": "2099-01", "format": "pdf"}),
    ("region", {"region": "lvliang", "month": MONTH, "format": "pdf"}),
    ("format", {"region": LVLIANG, "month": MONTH, "format": "doc"}),
    ("format", {"region": LVLIANG, "month": MONTH}),
])
def test_api_bad_input_is_400_naming_the_field(api_client_for, admin_province, field, body):
    response = api_client_for(admin_province).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ReportRun.objects.exists()


def test_api_region_outside_scope_is_404(api_client_for, staff_yuci):
    response = api_client_for(staff_yuci).post("/api/v1/reports/", {"region": LISHI, "month": MONTH,
                                                                    "format": "pdf"}, format="json")
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_api_volunteers_are_refused(api_client_for, volunteer_lishi):
    response = api_client_for(volunteer_lishi).post("/api/v1/reports/", {"region": LISHI, "month": MONTH,
                                                                        "format": "pdf"}, format="json")
    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_api_read_only_leaders_cannot_ask_for_reports_and_are_told_why(lishi_month, api_client_for, viewer_lvliang):
    response = api_client_for(viewer_lvliang).post("/api/v1/reports/", {"region": LVLIANG, "month": MONTH,
                                                                       "format": "pdf"}, format="json")
    assert response.status_code == 403
    with translation.override("zh-hans"):
        assert response.json()["detail"] == str(REPORTS_MAKE_DENIED)
    assert not ReportRun.objects.exists()


def test_api_read_only_leaders_list_reports(lvliang_run, api_client_for, viewer_lvliang):
    ids = [row["id"] for row in api_client_for(viewer_lvliang).get("/api/v1/reports/").json()["results"]]
    assert ids == [lvliang_run.pk]


def test_api_volunteers_cannot_list_reports(api_client_for, volunteer_lishi):
    assert api_client_for(volunteer_lishi).get("/api/v1/reports/").status_code == 403


def test_api_volunteers_are_told_why(api_client_for, volunteer_lishi):
    detail = api_client_for(volunteer_lishi).get("/api/v1/reports/").json()["detail"]
    with translation.override("zh-hans"):
        assert detail == str(REPORTS_DENIED)


def test_api_run_shows_the_contract_fields(lvliang_run, api_client_for, viewer_lvliang):
    body = api_client_for(viewer_lvliang).get(f"/api/v1/reports/{lvliang_run.pk}/").json()
    assert {k: body[k] for k in ("id", "region", "month", "format", "status", "progress", "error")} == {
        "id": lvliang_run.pk, "region": LVLIANG, "month": MONTH, "format": "xlsx", "status": "done",
        "progress": 100, "error": ""}
    assert body["download_url"].endswith(f"/api/v1/reports/{lvliang_run.pk}/download/")


def test_api_queued_run_has_no_download_url(api_client_for, admin_province, viewer_lvliang):
    run = _request(admin_province)
    assert api_client_for(viewer_lvliang).get(f"/api/v1/reports/{run.pk}/").json()["download_url"] is None


def test_api_run_outside_scope_is_404(lvliang_run, api_client_for, staff_yuci):
    assert api_client_for(staff_yuci).get(f"/api/v1/reports/{lvliang_run.pk}/").status_code == 404


def test_api_list_holds_runs_in_scope_newest_first(lishi_run, lvliang_run, api_client_for, staff_lishi):
    newer = _request(staff_lishi, LISHI, format="pdf")
    ids = [row["id"] for row in api_client_for(staff_lishi).get("/api/v1/reports/").json()["results"]]
    assert ids == [newer.pk, lishi_run.pk]  # 吕梁市's run is above 离石区 staff


def test_api_download_serves_the_file(lvliang_run, api_client_for, viewer_lvliang):
    response = api_client_for(viewer_lvliang).get(f"/api/v1/reports/{lvliang_run.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_api_download_outside_scope_is_404(lvliang_run, api_client_for, staff_yuci):
    assert api_client_for(staff_yuci).get(f"/api/v1/reports/{lvliang_run.pk}/download/").status_code == 404


def test_api_download_of_a_queued_run_is_404(api_client_for, admin_province, viewer_lvliang):
    run = _request(admin_province)
    assert api_client_for(viewer_lvliang).get(f"/api/v1/reports/{run.pk}/download/").status_code == 404


# --- who sees what: the pages ---------------------------------------------------------------------

def test_the_list_shows_runs_in_scope(lishi_run, lvliang_run, client, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("reports:list"))
    assert [run.pk for run in page.context["page"]] == [lishi_run.pk]


def test_the_form_makes_a_run_and_shows_its_page(lishi_month, client, admin_province):
    client.force_login(admin_province)
    response = client.post(reverse("reports:request"), {"region": LVLIANG, "month": MONTH, "format": "pdf"})
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[run.pk])


def test_the_form_shows_a_bad_month_and_makes_nothing(client, admin_province):
    client.force_login(admin_province)
    response = client.post(reverse("reports:request"), {"region": LVLIANG, "month": "2099-01", "format": "pdf"})
    assert response.status_code == 400
    assert response.context["form"].errors["month"]
    assert not ReportRun.objects.exists()


def test_the_form_shows_the_services_region_error_on_its_field(client, admin_province):
    client.force_login(admin_province)
    response = client.post(reverse("reports:request"), {"region": "14110000000x", "month": MONTH, "format": "pdf"})
    assert (response.status_code, response.context["form"].errors["region"]) == (400, [str(CODE_MESSAGE)])


def test_the_form_offers_the_users_region_and_the_levels_below_but_no_villages(client, staff_lishi):
    client.force_login(staff_lishi)
    choices = client.get(reverse("reports:request")).context["form"].fields["region"].widget.choices
    codes = [code for code, _label in choices]
    assert (codes[0], LISHI_TOWNSHIP in codes, LISHI_VILLAGE in codes) == (LISHI, True, False)



def test_the_form_for_a_region_outside_scope_is_404(client, staff_yuci):
    client.force_login(staff_yuci)
    response = client.post(reverse("reports:request"), {"region": LVLIANG, "month": MONTH, "format": "pdf"})
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_the_run_page_polls_the_api_while_queued(client, admin_province, viewer_lvliang):
    run = _request(admin_province)
    client.force_login(viewer_lvliang)
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert f'data-api-url="/api/v1/reports/{run.pk}/"' in page
    assert 'data-poll="1"' in page
    assert "core/job_progress.js" in page


def test_the_run_page_of_a_failed_run_shows_the_error(lishi_month, client, staff_lishi, monkeypatch):
    _fail_once(monkeypatch)
    run = _request(staff_lishi, LISHI, format="pdf")
    with pytest.raises(RuntimeError):
        services.report_generate(run_id=run.pk)
    client.force_login(staff_lishi)
    assert "字体服务暂时不可用" in client.get(reverse("reports:detail", args=[run.pk])).content.decode()


def test_the_run_page_outside_scope_is_404(lvliang_run, client, staff_yuci):
    client.force_login(staff_yuci)
    assert client.get(reverse("reports:detail", args=[lvliang_run.pk])).status_code == 404


def test_volunteers_cannot_open_the_report_pages(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("reports:list"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_viewer_downloads_the_citys_report_with_its_chinese_name(lvliang_run, client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    response = client.get(reverse("reports:download", args=[lvliang_run.pk]))
    assert response.status_code == 200
    # RFC 5987: the UTF-8 name percent-encoded in filename*.
    assert "filename*=utf-8''%E5%90%95%E6%A2%81%E5%B8%82_2025%E5%B9%B405%E6%9C%88_" in response["Content-Disposition"]


def test_a_download_is_audited(lvliang_run, client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    client.get(reverse("reports:download", args=[lvliang_run.pk]))
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert (event.actor, event.target_id, event.region_code) == (viewer_lvliang, str(lvliang_run.pk), LVLIANG)


def test_county_staff_cannot_download_the_citys_report(lvliang_run, client, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get(reverse("reports:download", args=[lvliang_run.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).exists()


def test_yuci_staff_cannot_download_lishis_report(lishi_run, client, staff_yuci):
    client.force_login(staff_yuci)
    assert client.get(reverse("reports:download", args=[lishi_run.pk])).status_code == 404


def test_read_only_leaders_cannot_open_the_request_form(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("reports:request")).status_code == 403
    response = client.post(reverse("reports:request"), {"region": LVLIANG, "month": MONTH, "format": "pdf"})
    assert response.status_code == 403
    assert not ReportRun.objects.exists()


def test_read_only_leaders_cannot_regenerate(lvliang_run, client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert client.post(reverse("reports:regenerate", args=[lvliang_run.pk])).status_code == 403
    assert list(ReportRun.objects.all()) == [lvliang_run]


def test_read_only_leaders_are_offered_downloads_but_no_make_buttons(lvliang_run, client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    listing = client.get(reverse("reports:list")).content.decode()
    detail = client.get(reverse("reports:detail", args=[lvliang_run.pk])).content.decode()
    assert reverse("reports:download", args=[lvliang_run.pk]) in listing
    assert reverse("reports:download", args=[lvliang_run.pk]) in detail
    assert reverse("reports:request") not in listing
    assert reverse("reports:regenerate", args=[lvliang_run.pk]) not in detail


def test_staff_are_offered_the_make_buttons(lishi_run, client, staff_lishi):
    client.force_login(staff_lishi)
    assert reverse("reports:request") in client.get(reverse("reports:list")).content.decode()
    detail = client.get(reverse("reports:detail", args=[lishi_run.pk])).content.decode()
    assert reverse("reports:regenerate", args=[lishi_run.pk]) in detail


def test_regenerating_makes_a_new_run(lishi_run, client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("reports:regenerate", args=[lishi_run.pk]))
    new = ReportRun.objects.exclude(pk=lishi_run.pk).get()
    assert response["Location"] == reverse("reports:detail", args=[new.pk])
    assert (new.region_id, new.month, new.format, new.status) == (LISHI, lishi_run.month, "xlsx", "queued")


def test_province_admin_sees_every_run(lishi_run, lvliang_run, admin_province):
    assert set(ReportRun.objects.visible_to(admin_province)) == {lishi_run, lvliang_run}


def test_yuci_staff_sees_only_yuci_runs(lishi_month, staff_yuci, lishi_run):
    yuci = _request(staff_yuci, YUCI)
    assert list(ReportRun.objects.visible_to(staff_yuci)) == [yuci]


def test_superuser_may_ask_for_the_province(superuser):
    assert _request(superuser, SHANXI).region_id == SHANXI
