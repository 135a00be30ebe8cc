"""/api/v1/alerts/ and /api/v1/notifications/: create (201 / 200 replay / 409), read in scope, act, and
one's own notifications only."""

import uuid

import pytest
from rest_framework.test import APIClient

from activities.models import Notification
from alerts.models import Alert
from tests.alerts.conftest import OCCURRED

pytestmark = pytest.mark.django_db
FIELDS = {"id", "child", "kind", "description", "occurred_on", "reported_by", "reported_at", "status", "photo",
          "acknowledged_by", "acknowledged_at", "escalated", "outcome"}


def payload(child, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "child": child.pk, "kind": "missing", "description": "放学未回家",
            "occurred_on": OCCURRED.isoformat(), **fields}


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_caring_mother_reports_201_then_the_same_again_200(api_client_for, volunteer_lishi, child, staff_lishi):
    client, body = api_client_for(volunteer_lishi), payload(child)
    first = client.post("/api/v1/alerts/", body, format="json")
    assert first.status_code == 201, first.content
    assert set(first.json()) == FIELDS and first.json()["status"] == "open" and first.json()["child"] == child.pk
    again = client.post("/api/v1/alerts/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Alert.objects.count() == 1 and Notification.objects.filter(recipient=staff_lishi).count() == 1


@pytest.mark.parametrize("bad_id", [False, 0, 12, "", "报告一"])
def test_an_id_that_is_not_a_uuid_text_is_refused_naming_it(api_client_for, volunteer_lishi, child, bad_id):
    response = api_client_for(volunteer_lishi).post("/api/v1/alerts/", payload(child, id=bad_id), format="json")
    assert (response.status_code, list(response.json())) == (400, ["id"])
    assert not Alert.objects.exists()


def test_the_same_id_with_other_content_is_409(api_client_for, volunteer_lishi, child):
    client, body = api_client_for(volunteer_lishi), payload(child)
    client.post("/api/v1/alerts/", body, format="json")
    response = client.post("/api/v1/alerts/", {**body, "description": "另一件事"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "已有同一编号但内容不同的紧急情况报告。", "id": body["id"]}


def test_a_child_she_is_not_paired_with_is_refused(api_client_for, volunteer_lishi, my_mother, child_lishi):
    response = api_client_for(volunteer_lishi).post("/api/v1/alerts/", payload(child_lishi), format="json")
    assert response.status_code == 400
    assert response.json() == {"child": ["只能为目前与您结对的儿童报告紧急情况。"]}
    assert not Alert.objects.exists()


def test_staff_reporting_for_a_child_outside_their_area_get_404(api_client_for, staff_yuci, child):
    response = api_client_for(staff_yuci).post("/api/v1/alerts/", payload(child), format="json")
    assert response.status_code == 404 and not Alert.objects.exists()


def test_a_future_date_is_refused_naming_the_field(api_client_for, staff_lishi, child):
    response = api_client_for(staff_lishi).post("/api/v1/alerts/", payload(child, occurred_on="2027-03-16"),
                                                format="json")
    assert response.status_code == 400 and response.json() == {"occurred_on": ["日期 2027-03-16 晚于今天。"]}


def test_a_caring_mother_sees_only_her_own_alerts(volunteer_lishi, child, other_mother, staff_lishi, report):
    mine = report(volunteer_lishi, child=child)
    theirs = report(other_mother, child=other_mother.child)
    by_staff = report(staff_lishi, child=child)
    client = client_of(volunteer_lishi)
    assert [row["id"] for row in client.get("/api/v1/alerts/").json()["results"]] == [str(mine.pk)]
    assert client.get(f"/api/v1/alerts/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/alerts/{by_staff.pk}/").status_code == 404


def test_staff_see_their_subtree_and_nothing_outside(volunteer_lishi, child, staff_lishi, staff_yuci, report):
    alert = report(volunteer_lishi, child=child)
    assert client_of(staff_lishi).get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
    assert client_of(staff_yuci).get(f"/api/v1/alerts/{alert.pk}/").status_code == 404
    assert client_of(staff_yuci).get("/api/v1/alerts/").json()["count"] == 0
    assert client_of(staff_yuci).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 404


def test_acknowledge_then_close(volunteer_lishi, child, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    client = client_of(staff_lishi)
    acknowledged = client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert acknowledged.status_code == 200 and acknowledged.json()["status"] == "acknowledged"
    assert acknowledged.json()["acknowledged_by"] == staff_lishi.pk
    assert client.post(f"/api/v1/alerts/{alert.pk}/close/", {"outcome": ""}, format="json").json() == {
        "outcome": ["请填写处理结果。"]}
    closed = client.post(f"/api/v1/alerts/{alert.pk}/close/", {"outcome": "孩子已找到"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["outcome"] == "孩子已找到"


@pytest.mark.parametrize("action", ["acknowledge", "close"])
def test_a_leader_reads_but_may_not_act(volunteer_lishi, child, viewer_lvliang, report, action):
    alert = report(volunteer_lishi, child=child)
    client = client_of(viewer_lvliang)
    assert client.get(f"/api/v1/alerts/{alert.pk}/").status_code == 200
    response = client.post(f"/api/v1/alerts/{alert.pk}/{action}/", {"outcome": "x"}, format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "您的角色只能查看紧急情况报告，不能处理。"}


def test_a_caring_mother_may_not_acknowledge_her_own_report(volunteer_lishi, child, report):
    alert = report(volunteer_lishi, child=child)
    assert client_of(volunteer_lishi).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403


def test_the_list_takes_two_queries_whatever_its_length(volunteer_lishi, child, staff_lishi, report,
                                                       django_assert_num_queries):
    for _n in range(3):
        report(volunteer_lishi, child=child)
    client = client_of(staff_lishi)
    # Queries: the count; the page.
    with django_assert_num_queries(2):
        assert client.get("/api/v1/alerts/").json()["count"] == 3


def test_open_alerts_come_first(volunteer_lishi, child, staff_lishi, report):
    older = report(volunteer_lishi, child=child)
    newer = report(volunteer_lishi, child=child, description="又摔了一次")
    client_of(staff_lishi).post(f"/api/v1/alerts/{newer.pk}/acknowledge/")
    ids = [row["id"] for row in client_of(staff_lishi).get("/api/v1/alerts/").json()["results"]]
    assert ids == [str(older.pk), str(newer.pk)]


# --- notifications --------------------------------------------------------------------------------

def test_the_notifications_are_the_callers_own(volunteer_lishi, child, staff_lishi, staff_binhe, report):
    report(volunteer_lishi, child=child)
    response = client_of(staff_lishi).get("/api/v1/notifications/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 1 and set(rows[0]) == {"id", "kind", "title", "body", "link", "created_at", "read_at"}
    assert rows[0]["kind"] == "alert" and rows[0]["read_at"] is None
    assert rows[0]["id"] == Notification.objects.get(recipient=staff_lishi).pk


def test_marking_a_notification_read(volunteer_lishi, child, staff_lishi, report):
    report(volunteer_lishi, child=child)
    note = Notification.objects.get(recipient=staff_lishi)
    response = client_of(staff_lishi).post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_is_not_found(volunteer_lishi, child, staff_lishi, staff_binhe, report):
    report(volunteer_lishi, child=child)
    theirs = Notification.objects.get(recipient=staff_binhe)
    assert client_of(staff_lishi).post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_notifications_list_takes_two_queries(volunteer_lishi, child, staff_lishi, report,
                                                  django_assert_num_queries):
    for _n in range(3):
        report(volunteer_lishi, child=child)
    client = client_of(staff_lishi)
    # Queries: the count; the page.
    with django_assert_num_queries(2):
        assert client.get("/api/v1/notifications/").json()["count"] == 3


def test_anonymous_callers_get_401(api_client):
    assert api_client.get("/api/v1/notifications/").status_code == 401
    assert api_client.get("/api/v1/alerts/").status_code == 401
