"""/api/v1/audit/: administrators read the audit log of their subtree, read-only, paginated."""

from datetime import datetime

import pytest

from accounts import services
from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent
from tests.factories import LISHI_VILLAGE, YUCI_TOWNSHIP

pytestmark = pytest.mark.django_db

URL = "/api/v1/audit/"


def detail(event) -> str:
    return f"{URL}{event.pk}/"


def child_event(actor, action, *, record: str, region_code: str, detail=None) -> AuditEvent:
    """An event as the children services record it."""
    return audit_record(actor=actor, action=action, target_type="children.child", target_id=record,
                        target_label=f"孩子{record}", region_code=region_code, detail=detail)


@pytest.fixture
def events(regions, staff_lishi, staff_yuci):
    """A view and a reveal in 离石区, a view in 榆次区."""
    return {
        "lishi_view": child_event(staff_lishi, AuditAction.VIEW, record="11", region_code=LISHI_VILLAGE),
        "lishi_reveal": child_event(staff_lishi, AuditAction.REVEAL, record="11", region_code=LISHI_VILLAGE,
                                    detail={"reason": "为孩子办理助学金"}),
        "yuci_view": child_event(staff_yuci, AuditAction.VIEW, record="22", region_code=YUCI_TOWNSHIP),
    }


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content.decode()
    return {row["id"] for row in response.json()["results"]}


# --- who reads it ---------------------------------------------------------------------------------

def test_county_admin_reads_only_the_countys_events(api_client_for, admin_lishi, events):
    assert ids(api_client_for(admin_lishi).get(URL)) == {events["lishi_view"].pk, events["lishi_reveal"].pk}


def test_province_admin_reads_the_whole_province(api_client_for, admin_province, events):
    assert ids(api_client_for(admin_province).get(URL)) == {e.pk for e in events.values()}


@pytest.mark.parametrize("actor", ["staff_lishi", "viewer_lvliang", "volunteer_lishi"])
def test_only_administrators_read_the_log(request, api_client_for, events, actor):
    assert api_client_for(request.getfixturevalue(actor)).get(URL).status_code == 403


def test_anonymous_is_401(api_client, events):
    assert api_client.get(URL).status_code == 401


def test_the_log_is_read_only(api_client_for, admin_lishi, events):
    response = api_client_for(admin_lishi).post(URL, {"action": "view", "target_type": "x"}, format="json")
    assert response.status_code == 405


# --- the shape ------------------------------------------------------------------------------------

def test_an_event_has_the_contract_fields(api_client_for, admin_lishi, staff_lishi, events):
    reveal = events["lishi_reveal"]
    body = api_client_for(admin_lishi).get(detail(reveal)).json()
    assert datetime.fromisoformat(body.pop("at")) == AuditEvent.objects.get(pk=reveal.pk).at
    assert body == {
        "id": reveal.pk, "actor": staff_lishi.pk, "action": "reveal", "target_type": "children.child",
        "target_id": "11", "target_label": "孩子11", "region": LISHI_VILLAGE, "changes": {},
        "detail": {"reason": "为孩子办理助学金"}, "ip": None, "count": 1, "last_at": None,
    }


def test_a_folded_view_shows_its_count_and_last_time(api_client_for, admin_lishi, staff_lishi, events):
    child_event(staff_lishi, AuditAction.VIEW, record="11", region_code=LISHI_VILLAGE)
    body = api_client_for(admin_lishi).get(detail(events["lishi_view"])).json()
    assert (body["count"], body["last_at"] is not None) == (2, True)


def test_a_role_change_shows_the_old_and_new_role(api_client_for, admin_lishi, staff_lishi, regions):
    services.user_update(actor=admin_lishi, user=staff_lishi, role="admin")
    rows = api_client_for(admin_lishi).get(URL, {"action": "update", "target_type": "accounts.user"}).json()
    assert [(row["target_id"], row["changes"]) for row in rows["results"]] == [
        (str(staff_lishi.pk), {"role": ["staff", "admin"]})]


def test_a_system_event_has_no_actor(api_client_for, admin_lishi, regions):
    child_event(None, AuditAction.STATUS, record="33", region_code=LISHI_VILLAGE)
    assert [row["actor"] for row in api_client_for(admin_lishi).get(URL).json()["results"]] == [None]


def test_the_list_is_newest_first_and_paginated(api_client_for, admin_lishi, events):
    body = api_client_for(admin_lishi).get(URL, {"page_size": 1}).json()
    assert (body["count"], [row["id"] for row in body["results"]]) == (2, [events["lishi_reveal"].pk])


def test_an_event_outside_the_subtree_is_404(api_client_for, admin_lishi, events):
    assert api_client_for(admin_lishi).get(detail(events["yuci_view"])).status_code == 404


def test_staff_may_not_read_one_event(api_client_for, staff_lishi, events):
    assert api_client_for(staff_lishi).get(detail(events["lishi_view"])).status_code == 403


# --- filters --------------------------------------------------------------------------------------

def test_filter_by_action(api_client_for, admin_province, events):
    assert ids(api_client_for(admin_province).get(URL, {"action": "reveal"})) == {events["lishi_reveal"].pk}


def test_filter_by_actor_id(api_client_for, admin_province, staff_yuci, events):
    assert ids(api_client_for(admin_province).get(URL, {"actor": staff_yuci.pk})) == {events["yuci_view"].pk}


def test_filter_by_target_type(api_client_for, admin_lishi, staff_lishi, events):
    services.user_update(actor=admin_lishi, user=staff_lishi, name="李敏敏")
    rows = api_client_for(admin_lishi).get(URL, {"target_type": "accounts.user"}).json()["results"]
    assert [(row["action"], row["target_id"]) for row in rows] == [("update", str(staff_lishi.pk))]


def test_filter_by_target_id(api_client_for, admin_province, events):
    assert ids(api_client_for(admin_province).get(URL, {"target_id": "22"})) == {events["yuci_view"].pk}


def test_an_unknown_action_is_400_naming_action(api_client_for, admin_lishi, events):
    response = api_client_for(admin_lishi).get(URL, {"action": "delete"})
    assert response.status_code == 400
    assert list(response.json()) == ["action"]


def test_a_non_integer_actor_is_400_in_chinese(api_client_for, admin_lishi, events):
    response = api_client_for(admin_lishi).get(URL, {"actor": "staff_lishi"})
    assert response.status_code == 400
    assert response.json() == {"actor": ["输入整数。"]}  # Django's own "Enter a whole number."


# --- cost and documentation -----------------------------------------------------------------------

@pytest.mark.parametrize("n_events", [3, 30])
def test_list_query_count_does_not_grow_with_the_events(api_client_for, admin_province, staff_lishi, regions,
                                                        django_assert_num_queries, n_events):
    for i in range(n_events):
        child_event(staff_lishi, AuditAction.REVEAL, record=str(i), region_code=LISHI_VILLAGE)
    client = api_client_for(admin_province)
    # 1: the token and its user; 2: the count; 3: the page (the actor is its id: no join).
    with django_assert_num_queries(3):
        client.get(URL)


def test_the_schema_documents_the_audit_endpoints_and_their_errors(api_client):
    paths = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    # 404: a page past the last one (core.openapi documents it on every paginated list).
    assert set(paths[URL]["get"]["responses"]) == {"200", "400", "401", "403", "404"}
    assert set(paths[URL + "{id}/"]["get"]["responses"]) == {"200", "401", "403", "404"}
    assert {p["name"] for p in paths[URL]["get"]["parameters"]} >= {"action", "actor", "target_type", "target_id"}
