"""/api/v1/pairings/: pairing a caring mother with a child (lead or helper) and ending it.

Every rule lives in pairing.services; through the API a refused pairing is a 400 naming the field
and changes nothing; a pairing outside the caller's region subtree is a 404; viewers and volunteers
read but never write; a volunteer user lists only her own pairings. History is never deleted."""

from datetime import date, timedelta

import pytest

from children import services as child_services
from pairing.models import Pairing
from tests.pairing.conftest import START
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db

URL = "/api/v1/pairings/"


def detail(pairing, suffix: str = "") -> str:
    return f"{URL}{pairing.pk}/{suffix}"


def tomorrow(today: date) -> str:
    return (today + timedelta(days=1)).isoformat()


def snapshot() -> list[tuple]:
    """Every pairing as stored: a refused request leaves all of them alone and adds none."""
    return list(Pairing.objects.order_by("pk").values_list("pk", "child", "volunteer", "role", "started_on",
                                                           "ended_on", "end_reason"))


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content.decode()
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def helper_lishi(make_volunteer, staff_lishi):
    """A second caring mother of 离石区 who can help or lead."""
    return make_volunteer(staff_lishi, name="王春花")


# --- create ---------------------------------------------------------------------------------------

def test_staff_pairs_a_lead(api_client_for, staff_lishi, child_lishi, mother_lishi):
    response = api_client_for(staff_lishi).post(URL, {"child": child_lishi.pk, "volunteer": mother_lishi.pk,
                                                      "role": "lead", "started_on": "2025-03-01"}, format="json")
    assert response.status_code == 201, response.content.decode()
    pairing = Pairing.objects.get(pk=response.json()["id"])
    assert (pairing.child_id, pairing.volunteer_id, pairing.role, pairing.started_on, pairing.ended_on,
            pairing.created_by_id) == (child_lishi.pk, mother_lishi.pk, "lead", START, None, staff_lishi.pk)


def test_create_answers_with_the_contract_fields(api_client_for, staff_lishi, child_lishi, mother_lishi):
    body = api_client_for(staff_lishi).post(URL, {"child": child_lishi.pk, "volunteer": mother_lishi.pk,
                                                  "role": "lead", "started_on": "2025-03-01"}, format="json").json()
    assert {k: body[k] for k in ("child", "volunteer", "role", "started_on", "ended_on", "end_reason", "child_name",
                                 "volunteer_name", "active")} == {
        "child": child_lishi.pk, "volunteer": mother_lishi.pk, "role": "lead", "started_on": "2025-03-01",
        "ended_on": None, "end_reason": None, "child_name": "王小雨", "volunteer_name": "刘秀兰", "active": True}


def test_started_on_defaults_to_today(api_client_for, staff_lishi, child_lishi, mother_lishi, today):
    body = api_client_for(staff_lishi).post(URL, {"child": child_lishi.pk, "volunteer": mother_lishi.pk,
                                                  "role": "lead"}, format="json").json()
    assert body["started_on"] == today.isoformat()


def test_staff_adds_a_helper_beside_the_lead(api_client_for, staff_lishi, child_lishi, mother_lishi, helper_lishi,
                                             pair):
    pair(child_lishi, mother_lishi)
    response = api_client_for(staff_lishi).post(URL, {"child": child_lishi.pk, "volunteer": helper_lishi.pk,
                                                      "role": "helper", "started_on": "2025-04-01"}, format="json")
    assert response.status_code == 201, response.content.decode()
    assert Pairing.objects.filter(child=child_lishi, ended_on__isnull=True).count() == 2


def test_one_mother_leads_several_children(api_client_for, staff_lishi, make_child, mother_lishi):
    client = api_client_for(staff_lishi)
    for name in ("甲", "乙", "丙"):
        response = client.post(URL, {"child": make_child(staff_lishi, name=name).pk, "volunteer": mother_lishi.pk,
                                     "role": "lead", "started_on": "2025-03-01"}, format="json")
        assert response.status_code == 201, response.content.decode()


@pytest.fixture
def refusal_world(staff_lishi, make_child, make_volunteer, child_lishi, mother_lishi, helper_lishi, pair):
    """Names for the refusal cases: a led child, an unled child, an exited child, an inactive mother,
    a mother at her capacity (1)."""
    led = make_child(staff_lishi, name="已结对")
    pair(led, mother_lishi)
    exited = make_child(staff_lishi, name="已退出")
    child_services.child_exit(actor=staff_lishi, child=exited, reason="parents_returned", exited_on=date(2025, 2, 1))
    inactive = make_volunteer(staff_lishi, name="已停用")
    volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=inactive, status="inactive",
                                            effective_on=date(2025, 1, 1), reason="调离")
    full = make_volunteer(staff_lishi, name="满员", capacity=1)
    pair(make_child(staff_lishi, name="满员的孩子"), full)
    late = make_volunteer(staff_lishi, name="新来的", joined_on=date(2025, 5, 1))
    return {"LED": led.pk, "UNLED": child_lishi.pk, "EXITED": exited.pk, "INACTIVE": inactive.pk, "FULL": full.pk,
            "MOTHER": mother_lishi.pk, "HELPER": helper_lishi.pk, "LATE": late.pk}


@pytest.mark.parametrize(("data", "field"), [
    ({"child": "YUCI_CHILD", "volunteer": "HELPER", "role": "lead"}, "child"),  # 榆次区's child: out of scope
    ({"child": 999999, "volunteer": "HELPER", "role": "lead"}, "child"),
    ({"child": "EXITED", "volunteer": "HELPER", "role": "lead"}, "child"),
    ({"child": "UNLED", "volunteer": "YUCI_MOTHER", "role": "lead"}, "volunteer"),  # out of scope
    ({"child": "UNLED", "volunteer": 999999, "role": "lead"}, "volunteer"),
    ({"child": "UNLED", "volunteer": "INACTIVE", "role": "lead"}, "volunteer"),
    ({"child": "UNLED", "volunteer": "FULL", "role": "lead"}, "volunteer"),  # over capacity
    ({"child": "LED", "volunteer": "HELPER", "role": "lead"}, "role"),  # a second lead
    ({"child": "UNLED", "volunteer": "HELPER", "role": "helper"}, "role"),  # a helper without a lead
    ({"child": "LED", "volunteer": "MOTHER", "role": "helper"}, "volunteer"),  # already paired with the child
    ({"child": "UNLED", "volunteer": "HELPER", "role": "boss"}, "role"),
    ({"child": "UNLED", "volunteer": "HELPER", "role": "lead", "started_on": "2024-08-31"}, "started_on"),
    ({"child": "UNLED", "volunteer": "LATE", "role": "lead", "started_on": "2025-03-01"}, "started_on"),
    ({"child": "UNLED", "volunteer": "HELPER", "role": "lead", "started_on": "2025-02-30"}, "started_on"),
    ({"volunteer": "HELPER", "role": "lead"}, "child"),
    ({"child": "UNLED", "role": "lead"}, "volunteer"),
    ({"child": "UNLED", "volunteer": "HELPER"}, "role"),
], ids=["child-outside", "child-unknown", "child-exited", "volunteer-outside", "volunteer-unknown",
        "volunteer-inactive", "volunteer-over-capacity", "second-lead", "helper-without-lead", "already-paired",
        "role-unknown", "start-before-child-entered", "start-before-mother-joined",
        "start-malformed", "child-missing", "volunteer-missing", "role-missing"])
def test_refused_pairing_names_the_field_and_changes_nothing(api_client_for, staff_lishi, refusal_world, child_yuci,
                                                             mother_yuci, data, field):
    names = {**refusal_world, "YUCI_CHILD": child_yuci.pk, "YUCI_MOTHER": mother_yuci.pk}
    data = {key: names.get(value, value) if isinstance(value, str) else value for key, value in data.items()}
    client = api_client_for(staff_lishi)
    before = snapshot()
    response = client.post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_refused_pairing_starting_in_the_future_names_the_field_and_changes_nothing(api_client_for, staff_lishi,
                                                                                    refusal_world, today):
    data = {"child": refusal_world["UNLED"], "volunteer": refusal_world["HELPER"], "role": "lead",
            "started_on": tomorrow(today)}
    client = api_client_for(staff_lishi)
    before = snapshot()
    response = client.post(URL, data, format="json")
    assert response.status_code == 400
    assert "started_on" in response.json(), response.json()
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["viewer_lvliang", "volunteer_lishi"])
def test_read_only_roles_may_not_pair(api_client_for, request, child_lishi, mother_lishi, actor):
    client = api_client_for(request.getfixturevalue(actor))
    response = client.post(URL, {"child": child_lishi.pk, "volunteer": mother_lishi.pk, "role": "lead"},
                           format="json")
    assert response.status_code == 403
    assert not Pairing.objects.exists()


def test_update_and_delete_are_not_allowed(api_client_for, admin_province, child_lishi, mother_lishi, pair):
    pairing = pair(child_lishi, mother_lishi)
    client = api_client_for(admin_province)
    before = snapshot()
    assert client.put(detail(pairing), {"child": child_lishi.pk, "volunteer": mother_lishi.pk, "role": "helper"},
                      format="json").status_code == 405
    assert client.patch(detail(pairing), {"role": "helper"}, format="json").status_code == 405
    assert client.delete(detail(pairing)).status_code == 405
    assert snapshot() == before


# --- read -----------------------------------------------------------------------------------------

@pytest.fixture
def pairings(staff_lishi, staff_yuci, child_lishi, child_yuci, mother_lishi, helper_lishi, mother_yuci,
             volunteer_mother_lishi, make_child, pair):
    """离石区: child_lishi led by mother_lishi with helper_lishi; another child led by the volunteer user's
    mother, ended; 榆次区: child_yuci led by mother_yuci."""
    other = make_child(staff_lishi, name="李小明")
    ended = pair(other, volunteer_mother_lishi)
    ended.end(on=date(2025, 6, 1), reason="moved", actor=staff_lishi)
    return {
        "lead": pair(child_lishi, mother_lishi),
        "helper": pair(child_lishi, helper_lishi, "helper"),
        "ended": ended,
        "yuci": pair(child_yuci, mother_yuci, actor=staff_yuci),
    }


def test_staff_lists_pairings_in_scope(api_client_for, staff_lishi, pairings):
    assert ids(api_client_for(staff_lishi).get(URL)) == {pairings[k].pk for k in ("lead", "helper", "ended")}


def test_viewer_reads_the_citys_pairings(api_client_for, viewer_lvliang, pairings):
    client = api_client_for(viewer_lvliang)
    assert ids(client.get(URL)) == {pairings[k].pk for k in ("lead", "helper", "ended")}
    assert client.get(detail(pairings["lead"])).json()["role"] == "lead"


def test_province_admin_lists_every_pairing(api_client_for, admin_province, pairings):
    assert ids(api_client_for(admin_province).get(URL)) == {p.pk for p in pairings.values()}


def test_pairing_outside_scope_is_404(api_client_for, staff_yuci, pairings):
    assert api_client_for(staff_yuci).get(detail(pairings["lead"])).status_code == 404


def test_volunteer_user_lists_only_her_own_active_pairings(api_client_for, volunteer_lishi, pairings, pair,
                                                          volunteer_mother_lishi, make_child, staff_lishi):
    """Her ended pairing is gone for her, with its child (core.scoping; the phone pages likewise)."""
    mine = pair(make_child(staff_lishi, name="赵小华"), volunteer_mother_lishi)
    client = api_client_for(volunteer_lishi)
    response = client.get(URL)
    assert ids(response) == {mine.pk}
    assert response.json()["results"][0]["child_given_name"] == "小华"
    assert [client.get(detail(pairings[k])).status_code for k in ("lead", "ended")] == [404, 404]


def test_an_ended_pairing_shows_its_end(api_client_for, staff_lishi, pairings):
    body = api_client_for(staff_lishi).get(detail(pairings["ended"])).json()
    assert (body["ended_on"], body["end_reason"], body["active"]) == ("2025-06-01", "moved", False)


@pytest.mark.parametrize(("params", "expected"), [
    ({"role": "helper"}, {"helper"}),
    ({"active": "true"}, {"lead", "helper", "yuci"}),
    ({"active": "false"}, {"ended"}),
    ({"region": "140700000000"}, {"yuci"}),
    ({"region": "141102000000"}, {"lead", "helper", "ended"}),
], ids=["role", "active", "ended", "region-jinzhong", "region-lishi"])
def test_list_filters(api_client_for, admin_province, pairings, params, expected):
    assert ids(api_client_for(admin_province).get(URL, params)) == {pairings[k].pk for k in expected}


def test_list_filters_by_child(api_client_for, admin_province, pairings, child_lishi):
    response = api_client_for(admin_province).get(URL, {"child": child_lishi.pk})
    assert ids(response) == {pairings["lead"].pk, pairings["helper"].pk}


def test_list_filters_by_volunteer(api_client_for, admin_province, pairings, helper_lishi):
    assert ids(api_client_for(admin_province).get(URL, {"volunteer": helper_lishi.pk})) == {pairings["helper"].pk}


def test_malformed_region_filter_names_region(api_client_for, admin_province):
    response = api_client_for(admin_province).get(URL, {"region": "1411"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_list_query_count_does_not_grow_with_the_page(api_client_for, staff_lishi, make_child, make_volunteer,
                                                      django_assert_num_queries, pair):
    client = api_client_for(staff_lishi)
    mothers = [make_volunteer(staff_lishi, name=f"妈妈{n}", capacity=10) for n in range(2)]
    for size in (3, 20):
        while Pairing.objects.count() < size:
            n = Pairing.objects.count()
            pair(make_child(staff_lishi, name=f"孩子{n}"), mothers[n % 2])
        # 1. the token JOIN its user; 2. COUNT(*); 3. the page JOIN child, volunteer; 4–6. the page's
        # commitments (pairing.commitments: the regions' plans, this year's activities, fulfilled needs).
        with django_assert_num_queries(6):
            response = client.get(URL)
        assert response.json()["count"] == size


# --- end ------------------------------------------------------------------------------------------

def test_staff_ends_a_pairing_and_the_row_stays(api_client_for, staff_lishi, child_lishi, mother_lishi, pair):
    pairing = pair(child_lishi, mother_lishi)
    response = api_client_for(staff_lishi).post(detail(pairing, "end/"), {
        "ended_on": "2025-07-01", "end_reason": "moved", "note": "随父母迁往太原"}, format="json")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["ended_on"], body["end_reason"], body["end_note"], body["active"], body["new_lead_pairing"]) == (
        "2025-07-01", "moved", "随父母迁往太原", False, None)
    pairing.refresh_from_db()
    assert (pairing.ended_on, pairing.end_reason, pairing.ended_by_id) == (date(2025, 7, 1), "moved", staff_lishi.pk)


def test_ending_a_lead_with_helpers_promotes_the_new_lead(api_client_for, staff_lishi, child_lishi, mother_lishi,
                                                          helper_lishi, pair):
    lead = pair(child_lishi, mother_lishi)
    helper = pair(child_lishi, helper_lishi, "helper")
    response = api_client_for(staff_lishi).post(detail(lead, "end/"), {
        "ended_on": "2025-07-01", "end_reason": "volunteer_left", "new_lead": helper_lishi.pk}, format="json")
    assert response.status_code == 200, response.content.decode()
    new = response.json()["new_lead_pairing"]
    assert (new["volunteer"], new["role"], new["started_on"]) == (helper_lishi.pk, "lead", "2025-07-01")
    helper.refresh_from_db()
    assert (helper.ended_on, helper.end_reason) == (date(2025, 7, 1), "reassigned")


def test_ending_a_helper_leaves_the_lead(api_client_for, staff_lishi, child_lishi, mother_lishi, helper_lishi, pair):
    lead = pair(child_lishi, mother_lishi)
    helper = pair(child_lishi, helper_lishi, "helper")
    response = api_client_for(staff_lishi).post(detail(helper, "end/"), {"ended_on": "2025-07-01",
                                                                        "end_reason": "other"}, format="json")
    assert response.status_code == 200, response.content.decode()
    lead.refresh_from_db()
    assert lead.ended_on is None


@pytest.fixture
def led_with_helper(staff_lishi, make_volunteer, make_child, child_lishi, mother_lishi, helper_lishi, pair):
    """child_lishi led by mother_lishi since START, helped by helper_lishi; plus a mother at her capacity (1)
    and an inactive one."""
    lead = pair(child_lishi, mother_lishi)
    pair(child_lishi, helper_lishi, "helper")
    full = make_volunteer(staff_lishi, name="满员", capacity=1)
    pair(make_child(staff_lishi, name="满员的孩子"), full)
    inactive = make_volunteer(staff_lishi, name="已停用")
    volunteer_services.volunteer_set_status(actor=staff_lishi, volunteer=inactive, status="inactive",
                                            effective_on=date(2025, 1, 1), reason="调离")
    return {"LEAD": lead, "FULL": full.pk, "INACTIVE": inactive.pk}


@pytest.mark.parametrize(("data", "field"), [
    ({"ended_on": "2025-07-01", "end_reason": "volunteer_left"}, "new_lead"),  # helpers remain: who leads now?
    ({"ended_on": "2025-07-01", "end_reason": "volunteer_left", "new_lead": "YUCI_MOTHER"}, "new_lead"),
    ({"ended_on": "2025-07-01", "end_reason": "volunteer_left", "new_lead": 999999}, "new_lead"),
    ({"ended_on": "2025-07-01", "end_reason": "volunteer_left", "new_lead": "FULL"}, "new_lead"),
    ({"ended_on": "2025-07-01", "end_reason": "volunteer_left", "new_lead": "INACTIVE"}, "new_lead"),
    ({"ended_on": "2025-02-28", "end_reason": "volunteer_left", "new_lead": "HELPER"}, "ended_on"),  # before start
    ({"end_reason": "volunteer_left", "new_lead": "HELPER"}, "ended_on"),
    ({"ended_on": "2025-07-01", "end_reason": "bored", "new_lead": "HELPER"}, "end_reason"),
    ({"ended_on": "2025-07-01", "new_lead": "HELPER"}, "end_reason"),
], ids=["no-new-lead", "new-lead-outside", "new-lead-unknown", "new-lead-full", "new-lead-inactive",
        "end-before-start", "end-missing", "reason-unknown", "reason-missing"])
def test_refused_end_names_the_field_and_changes_nothing(api_client_for, staff_lishi, led_with_helper, helper_lishi,
                                                         mother_yuci, data, field):
    names = {**led_with_helper, "HELPER": helper_lishi.pk, "YUCI_MOTHER": mother_yuci.pk}
    data = {key: names.get(value, value) if isinstance(value, str) else value for key, value in data.items()}
    client = api_client_for(staff_lishi)
    before = snapshot()
    response = client.post(detail(led_with_helper["LEAD"], "end/"), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_refused_end_in_the_future_names_the_field_and_changes_nothing(api_client_for, staff_lishi, led_with_helper,
                                                                       helper_lishi, today):
    data = {"ended_on": tomorrow(today), "end_reason": "volunteer_left", "new_lead": helper_lishi.pk}
    client = api_client_for(staff_lishi)
    before = snapshot()
    response = client.post(detail(led_with_helper["LEAD"], "end/"), data, format="json")
    assert response.status_code == 400
    assert "ended_on" in response.json(), response.json()
    assert snapshot() == before


def test_ending_an_ended_pairing_names_ended_on(api_client_for, staff_lishi, child_lishi, mother_lishi, pair):
    pairing = pair(child_lishi, mother_lishi)
    client = api_client_for(staff_lishi)
    client.post(detail(pairing, "end/"), {"ended_on": "2025-07-01", "end_reason": "moved"}, format="json")
    before = snapshot()
    response = client.post(detail(pairing, "end/"), {"ended_on": "2025-08-01", "end_reason": "other"}, format="json")
    assert response.status_code == 400
    assert "ended_on" in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["viewer_lvliang", "volunteer_lishi"])
def test_read_only_roles_may_not_end_a_pairing(api_client_for, request, child_lishi, volunteer_mother_lishi, pair,
                                               actor):
    pairing = pair(child_lishi, volunteer_mother_lishi)
    client = api_client_for(request.getfixturevalue(actor))
    before = snapshot()
    response = client.post(detail(pairing, "end/"), {"ended_on": "2025-07-01", "end_reason": "moved"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_ending_outside_scope_is_404(api_client_for, staff_yuci, child_lishi, mother_lishi, pair):
    pairing = pair(child_lishi, mother_lishi)
    client = api_client_for(staff_yuci)
    before = snapshot()
    response = client.post(detail(pairing, "end/"), {"ended_on": "2025-07-01", "end_reason": "moved"}, format="json")
    assert response.status_code == 404
    assert snapshot() == before
