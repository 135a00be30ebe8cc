"""/api/v1/submissions/: the shapes the issue fixes, and its bad input as 400/403/404 with Chinese messages."""

from datetime import date, datetime

import pytest

from submissions import services
from submissions.models import Submission, SubmissionStatus
from tests.submissions.conftest import LIANHUA, MONTH, SECTIONS, write

pytestmark = pytest.mark.django_db

URL = "/api/v1/submissions/"
FIELDS = {"id", "region", "month", "status", "work_done", "problems", "next_steps", "prepared_by", "reviewed_by",
          "contact_phone", "figures", "submitted_at", "returned_reason"}


@pytest.fixture
def binhe(api_client_for, staff_binhe):
    return api_client_for(staff_binhe)


@pytest.fixture
def county(api_client_for, staff_lishi):
    return api_client_for(staff_lishi)


def start(client, region_code, month="2027-02"):
    return client.post(URL, {"region": region_code, "month": month}, format="json")


def test_post_creates_the_draft_then_returns_it(regions, binhe, staff_binhe):
    created = start(binhe, regions.lishi_township.code)
    assert created.status_code == 201
    body = created.json()
    assert set(body) >= FIELDS
    assert (body["region"], body["month"], body["status"], body["prepared_by"], body["reviewed_by"],
            body["figures"], body["submitted_at"], body["returned_reason"]) == (
        regions.lishi_township.code, "2027-02", "draft", staff_binhe.pk, None, {}, None, "")
    again = start(binhe, regions.lishi_township.code)
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_get_and_patch(regions, binhe, leader_binhe):
    pk = start(binhe, regions.lishi_township.code).json()["id"]
    patched = binhe.patch(f"{URL}{pk}/", {**SECTIONS, "reviewed_by": leader_binhe.pk, "contact_phone": "13800000000"},
                          format="json")
    assert patched.status_code == 200, patched.json()
    body = binhe.get(f"{URL}{pk}/").json()
    assert (body["work_done"], body["reviewed_by"], body["reviewed_by_name"], body["contact_phone"]) == (
        SECTIONS["work_done"], leader_binhe.pk, "周红", "13800000000")
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [("", "draft")]


def test_submit_freezes_the_figures(regions, binhe, leader_binhe):
    pk = start(binhe, regions.lishi_township.code).json()["id"]
    binhe.patch(f"{URL}{pk}/", {**SECTIONS, "reviewed_by": leader_binhe.pk, "contact_phone": "13800000000"},
                format="json")
    response = binhe.post(f"{URL}{pk}/submit/", format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert body["figures"]["region"]["code"] == regions.lishi_township.code and "children_active" in body["figures"]


def test_submit_names_the_missing_sections(regions, binhe, leader_binhe):
    pk = start(binhe, regions.lishi_township.code).json()["id"]
    binhe.patch(f"{URL}{pk}/", {"work_done": "写了", "reviewed_by": leader_binhe.pk, "contact_phone": "13800000000"},
                format="json")
    response = binhe.post(f"{URL}{pk}/submit/", format="json")
    assert response.status_code == 400
    assert response.json() == {"problems": ["报送前请填写“存在问题”。"], "next_steps": ["报送前请填写“下步打算”。"]}


def test_submit_names_a_reviewer_equal_to_the_preparer(regions, binhe, staff_binhe):
    pk = start(binhe, regions.lishi_township.code).json()["id"]
    binhe.patch(f"{URL}{pk}/", {**SECTIONS, "reviewed_by": staff_binhe.pk, "contact_phone": "13800000000"},
                format="json")
    response = binhe.post(f"{URL}{pk}/submit/", format="json")
    assert response.status_code == 400
    assert response.json() == {"reviewed_by": ["审核人不能是填报人本人，请选择其他人员。"]}
    assert Submission.objects.get(pk=pk).status == SubmissionStatus.DRAFT


def test_editing_a_submitted_one_is_a_400(regions, binhe, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    response = binhe.patch(f"{URL}{submission.pk}/", {"work_done": "改"}, format="json")
    assert response.status_code == 400 and "不能再修改" in response.json()["status"][0]


def test_return_needs_a_reason(regions, county, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    assert county.post(f"{URL}{submission.pk}/return/", {}, format="json").status_code == 400
    response = county.post(f"{URL}{submission.pk}/return/", {"reason": " "}, format="json")
    assert response.status_code == 400 and response.json() == {"reason": ["请填写退回原因。"]}
    response = county.post(f"{URL}{submission.pk}/return/", {"reason": "请补充问题"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["returned_reason"]) == ("returned", "请补充问题")


def test_accept_by_the_level_above(regions, county, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    response = county.post(f"{URL}{submission.pk}/accept/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"


def test_accepting_ones_own_is_a_403_saying_why(regions, binhe, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    response = binhe.post(f"{URL}{submission.pk}/accept/", format="json")
    assert response.status_code == 403 and "本单位的报送由上级退回或接收" in response.json()["detail"]
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED


def test_outside_ones_scope_is_a_404_in_chinese(regions, api_client_for, staff_yuci, staff_binhe, leader_binhe, send):
    client = api_client_for(staff_yuci)
    response = start(client, regions.lishi.code)
    assert response.status_code == 404 and response.json() == {"detail": "区划不存在或不在您的管辖范围内。"}
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    for path in ("", "submit/", "accept/"):
        method = client.get if not path else client.post
        assert method(f"{URL}{submission.pk}/{path}", format="json").status_code == 404
    assert not Submission.objects.filter(region=regions.lishi).exists()


def test_a_future_month_is_a_400(regions, binhe):
    response = start(binhe, regions.lishi_township.code, month="2027-05")
    assert response.status_code == 400 and response.json() == {"month": ["2027-05 尚未到来。"]}


def test_a_read_only_leader_reads_but_does_not_write(regions, api_client_for, viewer_lvliang, staff_binhe,
                                                     leader_binhe):
    submission = write(staff_binhe, regions.lishi_township, leader_binhe)
    client = api_client_for(viewer_lvliang)
    assert client.get(f"{URL}{submission.pk}/").status_code == 200
    response = client.patch(f"{URL}{submission.pk}/", {"work_done": "改"}, format="json")
    assert response.status_code == 403 and "只读领导可以查看" in response.json()["detail"]


def test_wrong_types_are_400s(regions, binhe):
    pk = start(binhe, regions.lishi_township.code).json()["id"]
    response = binhe.patch(f"{URL}{pk}/", {"work_done": 5, "reviewed_by": "x", "prepared_by": 2**40}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"work_done", "reviewed_by", "prepared_by"}
    assert binhe.post(URL, {"region": 141102001000, "month": "2027-02"}, format="json").status_code == 400


def test_progress(regions, lianhua, county, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    response = county.get(f"{URL}progress/", {"region": regions.lishi.code, "month": "2027-02"})
    assert response.status_code == 200
    body = response.json()
    assert (body["region"], body["month"]) == (regions.lishi.code, "2027-02")
    rows = body["subregions"]
    assert [{key: row[key] for key in ("region", "status", "submission")} for row in rows] == [
        {"region": regions.lishi_township.code, "status": "submitted", "submission": submission.pk},
        {"region": LIANHUA, "status": "not_started", "submission": None}]
    assert datetime.fromisoformat(rows[0]["submitted_at"]) == submission.submitted_at
    assert rows[1]["submitted_at"] is None and rows[0]["submitted_by_name"] == "孙丽"


def test_progress_defaults_to_the_callers_region_and_checks_its_input(regions, county, api_client_for, staff_yuci):
    assert county.get(f"{URL}progress/", {"month": "2027-02"}).json()["region"] == regions.lishi.code
    assert county.get(f"{URL}progress/", {"month": "2027-13"}).status_code == 400
    assert county.get(f"{URL}progress/").status_code == 400
    assert county.get(f"{URL}progress/", {"region": "abc", "month": "2027-02"}).status_code == 400
    response = api_client_for(staff_yuci).get(f"{URL}progress/", {"region": regions.lishi.code, "month": "2027-02"})
    assert response.status_code == 404


def test_a_month_as_a_date_is_the_same_month(regions, staff_binhe):
    submission, _created = services.submission_get_or_create_draft(actor=staff_binhe, region=regions.lishi_township,
                                                                   month=date(2027, 2, 17))
    assert submission.month == MONTH
