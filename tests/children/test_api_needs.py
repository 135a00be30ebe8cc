"""Needs and small wishes through the API: under a child, the scoped list, and transitions."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from children import services
from children.models import Need

pytestmark = pytest.mark.django_db

URL = "/api/v1/needs/"


def child_needs(child) -> str:
    return f"/api/v1/children/{child.pk}/needs/"


def transition(need) -> str:
    return f"{URL}{need.pk}/transition/"


@pytest.fixture
def need_lishi(staff_lishi, child_lishi):
    return services.need_create(actor=staff_lishi, child=child_lishi, kind="study", description="一套课外书",
                                opened_on=date(2025, 1, 5))


@pytest.fixture
def need_yuci(staff_yuci, child_yuci):
    return services.need_create(actor=staff_yuci, child=child_yuci, kind="material", description="冬季棉衣",
                                opened_on=date(2025, 1, 6))


def row(need: Need) -> tuple:
    need.refresh_from_db()
    return (need.status, need.claimed_on, need.claimed_by_name, need.fulfilled_on, need.value_yuan)


# --- under a child --------------------------------------------------------------------------------

def test_create_a_need_for_a_child(api_client_for, staff_lishi, child_lishi, today):
    response = api_client_for(staff_lishi).post(child_needs(child_lishi), {"kind": "health", "description": "配一副眼镜",
                                                                "value_yuan": "380.00"}, format="json")
    assert response.status_code == 201, response.json()
    need = Need.objects.get()
    assert (need.child, need.region_id, need.status, need.value_yuan) == (
        child_lishi, child_lishi.region_id, "open", Decimal("380.00"))
    assert response.json()["value_yuan"] == "380.00"
    assert response.json()["opened_on"] == today.isoformat()


def test_a_childs_needs_are_listed(api_client_for, viewer_lvliang, need_lishi, child_lishi):
    body = api_client_for(viewer_lvliang).get(child_needs(child_lishi)).json()
    assert [(n["id"], n["kind"], n["status"]) for n in body] == [(need_lishi.pk, "study", "open")]


def test_need_with_an_unknown_kind_is_refused(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(child_needs(child_lishi), {"kind": "toys", "description": "玩具"}, format="json")
    assert response.status_code == 400
    assert "kind" in response.json()
    assert not Need.objects.exists()


def test_need_without_a_description_is_refused(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(child_needs(child_lishi), {"kind": "study", "description": "  "}, format="json")
    assert response.status_code == 400
    assert "description" in response.json()
    assert not Need.objects.exists()


def test_need_opened_in_the_future_is_refused(api_client_for, staff_lishi, child_lishi, today):
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = api_client_for(staff_lishi).post(child_needs(child_lishi), {"kind": "study", "description": "书包",
                                                                "opened_on": tomorrow}, format="json")
    assert response.status_code == 400
    assert "opened_on" in response.json()
    assert not Need.objects.exists()


def test_need_for_an_exited_child_is_refused(api_client_for, staff_lishi, child_lishi):
    services.child_exit(actor=staff_lishi, child=child_lishi, reason="parents_returned", exited_on=date(2025, 1, 5))
    response = api_client_for(staff_lishi).post(child_needs(child_lishi), {"kind": "study", "description": "书包"}, format="json")
    assert response.status_code == 400
    assert "child" in response.json()
    assert not Need.objects.exists()


def test_need_with_a_negative_value_is_refused(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).post(child_needs(child_lishi), {"kind": "study", "description": "书包",
                                                                "value_yuan": "-5"}, format="json")
    assert response.status_code == 400
    assert "value_yuan" in response.json()
    assert not Need.objects.exists()


def test_viewer_cannot_create_a_need(api_client_for, viewer_lvliang, child_lishi):
    response = api_client_for(viewer_lvliang).post(child_needs(child_lishi), {"kind": "study", "description": "书包"},
                                        format="json")
    assert response.status_code == 403
    assert not Need.objects.exists()


def test_staff_of_another_county_cannot_create_a_need(api_client_for, staff_yuci, child_lishi):
    response = api_client_for(staff_yuci).post(child_needs(child_lishi), {"kind": "study", "description": "书包"}, format="json")
    assert response.status_code == 404
    assert not Need.objects.exists()


# --- the scoped list ------------------------------------------------------------------------------

def ids(client, query: str = "") -> set[int]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.json()
    return {n["id"] for n in response.json()["results"]}


def test_list_is_scoped_to_the_county(api_client_for, staff_lishi, need_lishi, need_yuci):
    assert ids(api_client_for(staff_lishi)) == {need_lishi.pk}


def test_city_viewer_lists_the_countys_needs(api_client_for, viewer_lvliang, need_lishi, need_yuci):
    assert ids(api_client_for(viewer_lvliang)) == {need_lishi.pk}


def test_province_admin_lists_both(api_client_for, admin_province, need_lishi, need_yuci):
    assert ids(api_client_for(admin_province)) == {need_lishi.pk, need_yuci.pk}


def test_volunteer_is_refused_the_needs(api_client_for, volunteer_lishi, need_lishi):
    """Needs name the child in full: the phone shows her children's open needs instead."""
    assert api_client_for(volunteer_lishi).get("/api/v1/needs/").status_code == 403


def test_retrieve_outside_scope_is_404(api_client_for, staff_yuci, need_lishi):
    assert api_client_for(staff_yuci).get(f"{URL}{need_lishi.pk}/").status_code == 404


def test_filter_by_status(api_client_for, admin_province, staff_lishi, need_lishi, need_yuci):
    services.need_transition(actor=staff_lishi, need=need_lishi, to_status="claimed", on=date(2025, 1, 7),
                             claimed_by_name="离石区妇联执委")
    client = api_client_for(admin_province)
    assert ids(client, "?status=claimed") == {need_lishi.pk}
    assert ids(client, "?status=open") == {need_yuci.pk}


def test_filter_by_kind(api_client_for, admin_province, need_lishi, need_yuci):
    assert ids(api_client_for(admin_province), "?kind=material") == {need_yuci.pk}


def test_filter_by_region_takes_the_subtree(api_client_for, admin_province, need_lishi, need_yuci):
    client = api_client_for(admin_province)
    assert ids(client, "?region=141100000000") == {need_lishi.pk}
    assert ids(client, "?region=140700000000") == {need_yuci.pk}


def test_filter_by_a_malformed_region_names_region(api_client_for, admin_province, need_lishi):
    response = api_client_for(admin_province).get(URL + "?region=abc")
    assert response.status_code == 400
    assert "region" in response.json()


# --- transitions ----------------------------------------------------------------------------------

def test_claim_then_fulfil(api_client_for, staff_lishi, need_lishi):
    client = api_client_for(staff_lishi)
    response = client.post(transition(need_lishi), {"to": "claimed", "on": "2025-01-07",
                                                    "claimed_by_name": "爱心妈妈李红"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "claimed"
    response = client.post(transition(need_lishi), {"to": "fulfilled", "on": "2025-01-20", "value_yuan": "120.50"},
                           format="json")
    assert response.status_code == 200, response.json()
    assert row(need_lishi) == ("fulfilled", date(2025, 1, 7), "爱心妈妈李红", date(2025, 1, 20), Decimal("120.50"))


def test_claim_without_a_claimant_is_refused(api_client_for, staff_lishi, need_lishi):
    before = row(need_lishi)
    response = api_client_for(staff_lishi).post(transition(need_lishi), {"to": "claimed", "on": "2025-01-07"}, format="json")
    assert response.status_code == 400
    assert "claimed_by_name" in response.json()
    assert row(need_lishi) == before


def test_skipping_the_claim_is_refused(api_client_for, staff_lishi, need_lishi):
    before = row(need_lishi)
    response = api_client_for(staff_lishi).post(transition(need_lishi), {"to": "fulfilled", "on": "2025-01-07"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    assert row(need_lishi) == before


def test_an_unknown_target_status_is_refused(api_client_for, staff_lishi, need_lishi):
    before = row(need_lishi)
    response = api_client_for(staff_lishi).post(transition(need_lishi), {"to": "done"}, format="json")
    assert response.status_code == 400
    assert "to" in response.json()
    assert row(need_lishi) == before


def test_a_date_before_the_need_opened_is_refused(api_client_for, staff_lishi, need_lishi):
    before = row(need_lishi)
    response = api_client_for(staff_lishi).post(transition(need_lishi), {"to": "claimed", "on": "2025-01-01",
                                                              "claimed_by_name": "爱心妈妈李红"}, format="json")
    assert response.status_code == 400
    assert "on" in response.json()
    assert row(need_lishi) == before


def test_viewer_cannot_transition(api_client_for, viewer_lvliang, need_lishi):
    before = row(need_lishi)
    response = api_client_for(viewer_lvliang).post(transition(need_lishi), {"to": "cancelled"}, format="json")
    assert response.status_code == 403
    assert row(need_lishi) == before


def test_staff_of_another_county_cannot_transition(api_client_for, staff_yuci, need_lishi):
    before = row(need_lishi)
    response = api_client_for(staff_yuci).post(transition(need_lishi), {"to": "cancelled"}, format="json")
    assert response.status_code == 404
    assert row(need_lishi) == before
