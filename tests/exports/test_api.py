"""Export runs over the API: POST /api/v1/exports/ {kind, filters} → 202 {id, status}; GET
/api/v1/exports/<id>/ as report runs, with the download URL once done; the requester's alone; bad input a
400 naming the field (the filter under ``filters``), never a 500."""

import pytest
from django.test import TestCase
from django.urls import reverse

from exports.models import ExportRun, ExportStatus

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/"
RUN_FIELDS = {"id", "kind", "kind_label", "filters", "region", "status", "status_label", "progress", "rows", "error",
              "filename", "download_url", "created_at", "started_at", "finished_at", "attempts"}


@pytest.fixture
def api(api_client_for, staff_lishi):
    return api_client_for(staff_lishi)


def test_asking_answers_202_with_the_id_and_status(api, staff_lishi):
    response = api.post(EXPORTS, {"kind": "children", "filters": {"category": "orphan"}}, format="json")
    run = ExportRun.objects.get()
    assert (response.status_code, response.json()) == (202, {"id": run.pk, "status": "queued"})


def test_a_run_reads_like_a_report_run(api, staff_lishi):
    run_id = api.post(EXPORTS, {"kind": "needs"}, format="json").json()["id"]
    body = api.get(f"{EXPORTS}{run_id}/").json()
    assert (set(body), body["kind"], body["status"], body["progress"], body["download_url"]) == (
        RUN_FIELDS, "needs", "queued", 0, None)


def test_a_done_run_has_its_download_url(api, child_lishi):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the job runs in-process (tests/conftest.py)
        run_id = api.post(EXPORTS, {"kind": "children", "filters": {"paired": False}}, format="json").json()["id"]
    body = api.get(f"{EXPORTS}{run_id}/").json()
    assert (body["status"], body["progress"], body["rows"], body["download_url"]) == (
        ExportStatus.DONE, 100, 1, "http://testserver" + reverse("export-download", args=[run_id]))


def test_the_download_url_gives_the_file(api, child_lishi):
    with TestCase.captureOnCommitCallbacks(execute=True):
        run_id = api.post(EXPORTS, {"kind": "children"}, format="json").json()["id"]
    response = api.get(api.get(f"{EXPORTS}{run_id}/").json()["download_url"])
    assert (response.status_code, b"".join(response.streaming_content)[:2]) == (200, b"PK")


def test_the_list_holds_the_callers_own_runs(api, api_client_for, staff_yuci):
    api.post(EXPORTS, {"kind": "children"}, format="json")
    assert api_client_for(staff_yuci).get(EXPORTS).json()["count"] == 0


def test_someone_elses_run_is_a_404(api, api_client_for, staff_yuci):
    run_id = api.post(EXPORTS, {"kind": "children"}, format="json").json()["id"]
    assert api_client_for(staff_yuci).get(f"{EXPORTS}{run_id}/").status_code == 404


def test_an_unknown_kind_is_a_400_naming_kind(api):
    response = api.post(EXPORTS, {"kind": "salaries"}, format="json")
    assert (response.status_code, list(response.json())) == (400, ["kind"])


def test_a_bad_filter_is_a_400_naming_it_under_filters(api):
    response = api.post(EXPORTS, {"kind": "children", "filters": {"region": "1411"}}, format="json")
    assert (response.status_code, list(response.json()["filters"])) == (400, ["region"])


def test_an_unknown_filter_is_a_400_naming_it(api):
    response = api.post(EXPORTS, {"kind": "pairings", "filters": {"category": "orphan"}}, format="json")
    assert (response.status_code, list(response.json()["filters"])) == (400, ["category"])


@pytest.mark.parametrize("filters", [["region"], "region=1411", {"search": {"$ne": ""}}, {"search": "王" * 500}],
                         ids=["a list", "a string", "an object value", "a long value"])
def test_filters_of_the_wrong_shape_are_a_400(api, filters):
    response = api.post(EXPORTS, {"kind": "children", "filters": filters}, format="json")
    assert response.status_code == 400
    assert not ExportRun.objects.exists()


def test_a_caring_mother_is_refused(api_client_for, volunteer_lishi):
    assert api_client_for(volunteer_lishi).post(EXPORTS, {"kind": "children"}, format="json").status_code == 403


def test_the_schema_documents_asking_and_following(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"202", "400"} <= set(schema["paths"][EXPORTS]["post"]["responses"])
    assert "download_url" in schema["components"]["schemas"]["ExportRun"]["properties"]


@pytest.mark.parametrize("filters", [{"search": "王\x00"}, {"sea\x00rch": "王"}], ids=["in a value", "in a name"])
def test_a_nul_character_is_a_400(api, filters):
    response = api.post(EXPORTS, {"kind": "children", "filters": filters}, format="json")
    assert response.status_code == 400
