"""The pages: a region's month (write, save, send; frozen or live figures) and 报送进度 (return, accept)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from submissions.models import Submission, SubmissionStatus
from tests.factories import RegionFactory, UserFactory
from tests.submissions.conftest import MONTH, SECTIONS, write

pytestmark = pytest.mark.django_db

PAGE = "/submissions/"
PROGRESS = "/submissions/progress/"


def form_data(reviewer, action="save", **fields):
    return {**SECTIONS, "reviewed_by": reviewer.pk, "contact_phone": "13800000000", "action": action, **fields}


def test_the_own_regions_last_month_by_default(client, staff_binhe):
    client.force_login(staff_binhe)
    page = client.get(PAGE).content.decode()
    assert "月度报送 · 滨河街道 · 2027-02" in page
    assert "未开始" in page and "保存草稿" in page and "工作开展情况" in page
    assert 'href="/submissions/"' in page  # the side bar's 月度报送


def test_saving_starts_the_draft(client, regions, staff_binhe, leader_binhe):
    client.force_login(staff_binhe)
    response = client.post(PAGE, form_data(leader_binhe))
    assert response.status_code == 302
    submission = Submission.objects.get(region=regions.lishi_township, month=MONTH)
    assert (submission.status, submission.reviewed_by, submission.work_done) == (
        SubmissionStatus.DRAFT, leader_binhe, SECTIONS["work_done"])
    assert "草稿已保存" in client.get(response["Location"]).content.decode()


def test_sending_from_the_page_freezes_it(client, regions, staff_binhe, leader_binhe):
    client.force_login(staff_binhe)
    response = client.post(f"{PAGE}?month=2027-02", form_data(leader_binhe, action="submit"))
    assert response.status_code == 302
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    page = client.get(response["Location"]).content.decode()
    assert "报送时的统计数据" in page and "报送后变化" in page and "保存草稿" not in page


def test_a_send_refused_keeps_the_draft_and_names_the_fields(client, regions, staff_binhe):
    client.force_login(staff_binhe)
    response = client.post(PAGE, form_data(staff_binhe, action="submit", problems=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "报送前请填写“存在问题”。" in page and "审核人不能是填报人本人" in page
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_the_current_month_is_drafted_but_not_sent(client, staff_binhe):
    client.force_login(staff_binhe)
    page = client.get(f"{PAGE}?month=2027-03").content.decode()
    assert "尚未结束" in page and 'value="submit"' not in page


def test_a_future_month_is_a_400(client, staff_binhe):
    client.force_login(staff_binhe)
    response = client.get(f"{PAGE}?month=2027-09")
    assert response.status_code == 400 and "尚未到来" in response.content.decode()


def test_a_region_outside_ones_scope_is_a_404(client, regions, staff_yuci):
    client.force_login(staff_yuci)
    assert client.get(f"{PAGE}?region={regions.lishi_township.code}").status_code == 404


def test_the_county_reads_a_townships_submission(client, regions, staff_lishi, staff_binhe, leader_binhe, send):
    send(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(staff_lishi)
    page = client.get(f"{PAGE}?region={regions.lishi_township.code}&month=2027-02").content.decode()
    assert SECTIONS["problems"] in page and "保存草稿" not in page and "返回上级报送进度" in page
    response = client.post(f"{PAGE}?region={regions.lishi_township.code}&month=2027-02", form_data(leader_binhe))
    assert response.status_code == 403


def test_a_leader_reads_only(client, regions, viewer_lvliang, staff_binhe, leader_binhe):
    write(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(viewer_lvliang)
    page = client.get(f"{PAGE}?region={regions.lishi_township.code}").content.decode()
    assert "草稿" in page and "保存草稿" not in page
    assert client.post(f"{PAGE}?region={regions.lishi.code}", form_data(viewer_lvliang)).status_code == 403
    assert not Submission.objects.filter(region=regions.lishi).exists()


def test_progress_lists_the_townships_with_return_and_accept(client, regions, lianhua, staff_lishi, staff_binhe,
                                                             leader_binhe, send):
    send(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(staff_lishi)
    page = client.get(f"{PROGRESS}?month=2027-02").content.decode()
    assert "报送进度 · 离石区 · 2027-02" in page
    assert "滨河街道" in page and "莲花池街道" in page and "孙丽" in page and "未开始" in page
    assert page.count('name="reason"') == 1 and "接收" in page


def test_accepting_from_the_progress_page(client, regions, staff_lishi, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(staff_lishi)
    response = client.post(f"/submissions/{submission.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == f"{PROGRESS}?region={regions.lishi.code}&month=2027-02"
    assert Submission.objects.get().status == SubmissionStatus.ACCEPTED


def test_returning_without_a_reason_from_the_page_says_so(client, regions, staff_lishi, staff_binhe, leader_binhe,
                                                          send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(staff_lishi)
    response = client.post(f"/submissions/{submission.pk}/return/", {"reason": ""}, follow=True)
    assert "滨河街道：请填写退回原因。" in response.content.decode()
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    client.post(f"/submissions/{submission.pk}/return/", {"reason": "请补充问题"})
    assert Submission.objects.get().returned_reason == "请补充问题"


def test_the_township_cannot_accept_its_own_from_the_page(client, regions, staff_binhe, leader_binhe, send):
    submission = send(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(staff_binhe)
    assert client.post(f"/submissions/{submission.pk}/accept/").status_code == 403


def test_the_progress_page_asks_the_same_queries_for_more_townships(client, regions, staff_lishi, staff_binhe,
                                                                    leader_binhe, send):
    send(staff_binhe, regions.lishi_township, leader_binhe)
    client.force_login(staff_lishi)
    client.get(f"{PROGRESS}?month=2027-02")  # warm the session and the caches

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{PROGRESS}?month=2027-02").status_code == 200
        return len(queries)

    few = count()
    for number in range(3, 8):
        township = RegionFactory(code=f"141102{number:03d}000")
        send(UserFactory(role="staff", region=township), township, UserFactory(role="viewer", region=township))
    assert count() == few
