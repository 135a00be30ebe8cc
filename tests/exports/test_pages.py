"""The export pages: a list page's "Export Excel" button asks for a job (POST) and shows the job's page;
that page shows the progress (kept current by static/core/job_progress.js, or a refresh without
JavaScript) and the download link when done; "my exports"; the download, the requester's alone."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from accounts.roles import Role
from exports.models import ExportKind, ExportRun, ExportStatus
from tests.exports.helpers import drain, export_post, run_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def queued_run(user, **fields) -> ExportRun:
    return ExportRun.objects.create(kind=ExportKind.CHILDREN, requested_by=user, region_id=user.region_id, **fields)


# --- asking from a list page ------------------------------------------------------------------------

@pytest.mark.parametrize("url_name, kind", [
    ("children:list", "children"), ("activities:list", "activities"), ("volunteers:list", "volunteers"),
    ("pairing:list", "pairings"), ("children:need-list", "needs"),
])
def test_each_list_page_has_an_export_button_keeping_its_filters(staff, url_name, kind):
    page = staff.get(reverse(url_name) + "?region=141102000000&page=2").content.decode()
    assert f'<form method="post" action="{reverse("exports:create", args=[kind])}?region=141102000000"' in page


def test_the_button_makes_the_export_and_shows_its_page(staff, child_lishi):
    response = export_post(staff, "children")
    run = run_of(response)
    assert (response["Location"], run.status) == (reverse("exports:detail", args=[run.pk]), ExportStatus.DONE)


def test_the_button_takes_the_filters_from_its_query_string(staff, child_lishi):
    assert run_of(export_post(staff, "volunteers", status="active", page="3")).filters == {"status": "active"}


def test_a_bad_filter_is_a_400_page_naming_it(staff, child_lishi):
    response = export_post(staff, "activities", occurred_after="昨天")
    assert (response.status_code, "occurred_after" in response.content.decode()) == (400, True)


def test_nothing_is_made_for_a_bad_filter(staff, child_lishi):
    export_post(staff, "activities", occurred_after="昨天")
    assert not ExportRun.objects.exists()


def test_an_unknown_list_is_a_404(staff):
    assert export_post(staff, "salaries").status_code == 404


def test_asking_takes_a_post(staff):
    assert staff.get(reverse("exports:create", args=["children"])).status_code == 405


# --- the job's page -------------------------------------------------------------------------------

def test_a_done_export_shows_100_percent_and_the_download_link(staff, child_lishi):
    run = run_of(export_post(staff, "children"))
    page = staff.get(reverse("exports:detail", args=[run.pk])).content.decode()
    assert 'value="100"' in page and reverse("exports:download", args=[run.pk]) in page


def test_a_queued_export_shows_its_progress_bar_and_polls(staff, staff_lishi):
    run = queued_run(staff_lishi, status=ExportStatus.RUNNING, progress=40)
    page = staff.get(reverse("exports:detail", args=[run.pk])).content.decode()
    assert re.search(r'<progress max="100" value="40"', page)
    assert 'data-poll="1"' in page and reverse("export-detail", args=[run.pk]) in page
    assert "core/job_progress.js" in page


def test_without_javascript_a_page_being_made_refreshes_itself(staff, staff_lishi):
    run = queued_run(staff_lishi)
    page = staff.get(reverse("exports:detail", args=[run.pk])).content.decode()
    assert re.search(r'<noscript><meta http-equiv="refresh" content="\d+"></noscript>', page)


def test_a_finished_page_does_not_refresh(staff, child_lishi):
    run = run_of(export_post(staff, "children"))
    page = staff.get(reverse("exports:detail", args=[run.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "data-poll" not in page


def test_a_failed_export_shows_its_error(staff, staff_lishi):
    run = queued_run(staff_lishi, status=ExportStatus.FAILED, error="RuntimeError: disk full")
    page = staff.get(reverse("exports:detail", args=[run.pk])).content.decode()
    assert re.search(r'<p class="error" data-role="error">[^<]*<span data-role="error-text">RuntimeError: disk full',
                     page)


def test_the_page_shows_the_filters_by_their_labels(staff, staff_lishi):
    run = queued_run(staff_lishi, filters={"category": "orphan"})
    page = staff.get(reverse("exports:detail", args=[run.pk])).content.decode()
    assert "类别：孤儿" in page


# --- whose it is ----------------------------------------------------------------------------------

@pytest.fixture
def colleague(regions):
    """Another member of 离石区's staff: same area, same rows — but not her export."""
    return UserFactory(username="staff_lishi_2", role=Role.STAFF, region=regions.lishi)


@pytest.mark.parametrize("url_name", ["exports:detail", "exports:download"])
def test_a_colleague_of_the_same_county_gets_a_404(client, staff, child_lishi, colleague, url_name):
    run = run_of(export_post(staff, "children"))
    client.force_login(colleague)
    assert client.get(reverse(url_name, args=[run.pk])).status_code == 404


def test_the_leader_above_gets_a_404(client, staff, child_lishi, viewer_lvliang):
    run = run_of(export_post(staff, "children"))
    client.force_login(viewer_lvliang)
    assert client.get(reverse("exports:download", args=[run.pk])).status_code == 404


def test_a_requester_moved_to_another_county_no_longer_gets_the_old_file(staff, staff_lishi, child_lishi, regions):
    run = run_of(export_post(staff, "children"))
    staff_lishi.region = regions.yuci
    staff_lishi.save(update_fields=["region"])
    assert staff.get(reverse("exports:download", args=[run.pk])).status_code == 404


def test_the_download_is_audited(staff, staff_lishi, child_lishi):
    run = run_of(export_post(staff, "children"))
    drain(staff.get(reverse("exports:download", args=[run.pk])))
    event = AuditEvent.objects.get(action=AuditAction.DOWNLOAD)
    assert (event.actor, event.target_type, event.target_id) == (staff_lishi, "exports.exportrun", str(run.pk))


def test_a_run_without_its_file_has_no_download(staff, staff_lishi):
    run = queued_run(staff_lishi, status=ExportStatus.DONE, progress=100)  # its file deleted after the days
    assert staff.get(reverse("exports:download", args=[run.pk])).status_code == 404


# --- my exports -----------------------------------------------------------------------------------

def test_my_exports_lists_only_my_own(client, staff, staff_lishi, colleague):
    mine, theirs = queued_run(staff_lishi), queued_run(colleague)
    page = staff.get(reverse("exports:list"))
    assert [run.pk for run in page.context["page"]] == [mine.pk]
    assert theirs.pk not in [run.pk for run in page.context["page"]]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("exports:list")).status_code == 200
    return len(captured.captured_queries)


def test_my_exports_takes_as_many_queries_for_one_run_as_for_many(staff, staff_lishi, regions):
    queued_run(staff_lishi)
    one = _list_queries(staff)
    for _n in range(6):
        queued_run(staff_lishi, status=ExportStatus.DONE, rows=3)
    assert _list_queries(staff) == one


def test_my_exports_is_in_the_navigation(staff):
    page = staff.get(reverse("home")).content.decode()
    assert f'href="{reverse("exports:list")}"' in page


def test_a_caring_mother_is_sent_to_her_phone_pages(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    assert client.get(reverse("exports:list"))["Location"] == reverse("phone:home")

