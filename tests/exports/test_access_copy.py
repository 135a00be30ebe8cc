"""A guardian's access copy (children.accesscopy): everything held about one child as a Chinese PDF, made
by an export job for staff of the child's area, audited; nothing about another child in it."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from activities import services as activity_services
from children import accesscopy
from exports.models import ExportRun, ExportStatus
from tests.children.conftest import child_lishi, give_consent, make_child  # noqa: F401
from tests.exports.helpers import drain, export_post, run_of
from tests.pairing.conftest import pair  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2027, 3, 1)


@pytest.fixture
def record_held(child_lishi, staff_lishi, volunteer_mother_lishi, make_child, pair):  # noqa: F811
    """王小雨 with a consent, a pairing, a home visit of her own (with notes), and a group activity shared
    with 赵小草 (another child of 离石区) whose notes name that other child."""
    give_consent(child_lishi)
    pair(child_lishi, volunteer_mother_lishi)
    other = make_child(staff_lishi, name="赵小草")
    activity_services.activity_record(actor=staff_lishi, children=[child_lishi.pk], occurred_on=VISIT_DAY,
                                      kind="home_visit", volunteer=volunteer_mother_lishi,
                                      notes="辅导数学作业，孩子很开心")
    activity_services.activity_record(actor=staff_lishi, children=[child_lishi.pk, other.pk], occurred_on=VISIT_DAY,
                                      kind="festival", is_group=True, title="六一联欢会",
                                      volunteer=volunteer_mother_lishi, notes="赵小草表演了舞蹈")
    return child_lishi


def html(child, actor) -> str:
    return accesscopy.render_html(accesscopy.collect(child.pk, made_by=actor))


def test_the_copy_holds_the_record_guardians_consents_pairings_and_her_own_visit(record_held, staff_lishi):
    text = html(record_held, staff_lishi)
    for expected in ("王小雨", "王大山", "保存和使用儿童信息", "陈桂英", "辅导数学作业，孩子很开心", "六一联欢会"):
        assert expected in text, expected


def test_the_copy_names_no_other_child_not_even_in_a_group_activitys_notes(record_held, staff_lishi):
    text = html(record_held, staff_lishi)
    assert "赵小草" not in text
    assert "其他参加者的信息不在本副本中" in text


def test_the_copy_shows_the_id_number_masked(record_held, staff_lishi):
    text = html(record_held, staff_lishi)
    assert record_held.id_number_masked in text and record_held.reveal_id_number() not in text


def test_collecting_takes_a_fixed_number_of_queries(record_held, staff_lishi, django_assert_num_queries):
    # Queries: the child with her region; guardians; status changes; assessments; needs; pairings with the
    # caring mothers; activities (with the count of other children); consents; alerts; plans (and their
    # actions, one more query, when there are plans: none here); referrals.
    with django_assert_num_queries(11):
        accesscopy.collect(record_held.pk, made_by=staff_lishi)


@pytest.mark.usefixtures("private_storage")
def test_staff_make_it_from_the_childs_page_and_download_a_pdf(client, record_held, staff_lishi):
    client.force_login(staff_lishi)
    run = run_of(export_post(client, "access_copy", child=record_held.pk))
    assert (run.status, run.kind) == (ExportStatus.DONE, "access_copy")
    response = client.get(reverse("exports:download", args=[run.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert drain(response).startswith(b"%PDF")
    assert run.filename.endswith(".pdf") and run.filename.startswith("个人信息副本_")


@pytest.mark.usefixtures("private_storage")
def test_the_making_is_audited_on_the_childs_record(client, record_held, staff_lishi):
    client.force_login(staff_lishi)
    export_post(client, "access_copy", child=record_held.pk)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.target_type, event.target_id, event.detail["format"]) == ("children.child", str(record_held.pk), "pdf")


def test_the_childs_page_offers_it_to_staff(client, record_held, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:detail", args=[record_held.pk])).content.decode()
    assert reverse("exports:create", args=["access_copy"]) + f"?child={record_held.pk}" in page


@pytest.mark.usefixtures("private_storage")
def test_the_api_answers_202_with_the_run(api_client_for, record_held, staff_lishi):
    response = api_client_for(staff_lishi).post(f"/api/v1/children/{record_held.pk}/access-copy/")
    assert response.status_code == 202
    run = ExportRun.objects.get()
    assert response.json() == {"id": run.pk, "status": run.status}


def test_staff_of_another_county_get_404(api_client_for, record_held, staff_yuci):
    assert api_client_for(staff_yuci).post(f"/api/v1/children/{record_held.pk}/access-copy/").status_code == 404
    assert not ExportRun.objects.exists()


def test_a_child_outside_the_area_is_refused_on_the_page_too(client, record_held, staff_yuci):
    client.force_login(staff_yuci)
    assert export_post(client, "access_copy", child=record_held.pk).status_code == 400
    assert not ExportRun.objects.exists()


def test_a_read_only_leader_may_not_make_one(api_client_for, record_held, viewer_lvliang):
    assert api_client_for(viewer_lvliang).post(f"/api/v1/children/{record_held.pk}/access-copy/").status_code == 403
    assert not ExportRun.objects.exists()
