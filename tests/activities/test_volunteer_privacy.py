"""What a caring mother (role volunteer) may see: her phone pages (/m/) and the phone's few API
endpoints, where a child is shown by the given name only, with no address or region, and only while
she is paired with the child. The federation's pages (full names, 省/市/区/镇/村 paths) send her to /m/;
the rest of the API refuses her.

The child 王小雨 lives in 东关村 (滨河街道, 离石区); she is paired with the mother behind ``volunteer_lishi``.
"""

import json

import pytest
from django.urls import reverse

from pairing import services as pairing_services
from pairing.models import EndReason, Pairing

pytestmark = pytest.mark.django_db

FULL_NAME, GIVEN_NAME, SURNAME = "王小雨", "小雨", "王"
PLACES = ("东关村", "滨河街道", "离石区", "141102001200")


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def pairing(my_child):
    return Pairing.objects.get(child=my_child)


@pytest.fixture
def phone(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    return client


@pytest.fixture
def api(api_client_for, volunteer_lishi):
    return api_client_for(volunteer_lishi)


@pytest.fixture
def ended(pairing, staff_lishi, today):
    """The pairing, ended today by the county's staff."""
    pairing_services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=today, end_reason=EndReason.MOVED)
    return pairing


def names_nobody(body: str) -> None:
    """Neither the child's full name nor any place of her address is in ``body``."""
    assert FULL_NAME not in body
    for place in PLACES:
        assert place not in body


# --- the federation's pages send her to her own ------------------------------------------------------

@pytest.mark.parametrize("page", ["children:list", "pairing:list", "children:need-list"])
def test_federation_lists_send_her_to_the_phone_pages(phone, my_child, page):
    response = phone.get(reverse(page))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


@pytest.mark.parametrize("page", ["pairing:detail", "pairing:card"])
def test_a_pairing_page_sends_her_to_the_phone_pages(phone, pairing, page):
    response = phone.get(reverse(page, args=[pairing.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_the_child_record_sends_her_to_the_phone_pages(phone, my_child):
    response = phone.get(reverse("children:detail", args=[my_child.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_following_the_redirect_shows_the_given_name_only(phone, my_child):
    response = phone.get(reverse("pairing:list"), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("phone:home")
    assert GIVEN_NAME in body
    names_nobody(body)


def test_staff_still_get_the_pairing_page_with_the_full_name_and_path(client, staff_lishi, pairing):
    client.force_login(staff_lishi)
    body = client.get(reverse("pairing:detail", args=[pairing.pk])).content.decode()
    assert FULL_NAME in body and "东关村" in body


# --- the API: reduced serializers, the phone's endpoints only ---------------------------------------

def test_her_pairings_name_the_child_by_the_given_name_only(api, pairing):
    response = api.get("/api/v1/pairings/")
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["child"], row["child_given_name"], row["role"], row["ended_on"]) == (
        pairing.pk, pairing.child_id, GIVEN_NAME, "lead", None)
    assert "child_name" not in row
    names_nobody(response.content.decode())


def test_her_pairing_record_names_the_child_by_the_given_name_only(api, pairing):
    response = api.get(f"/api/v1/pairings/{pairing.pk}/")
    assert (response.status_code, response.json()["child_given_name"]) == (200, GIVEN_NAME)
    names_nobody(response.content.decode())


def test_her_children_carry_the_given_name_and_no_address(api, my_child):
    for path in ("/api/v1/children/", f"/api/v1/children/{my_child.pk}/"):
        response = api.get(path)
        assert response.status_code == 200
        assert GIVEN_NAME in response.content.decode()
        names_nobody(response.content.decode())


def test_her_activities_carry_no_region(api, my_child, volunteer_lishi, record, today):
    record(volunteer_lishi, children=[my_child], occurred_on=today)
    response = api.get("/api/v1/activities/")
    [row] = response.json()["results"]
    assert row["children"] == [my_child.pk] and "region" not in row
    names_nobody(response.content.decode())


@pytest.mark.parametrize("query", [f"search={SURNAME}", "search=李", "region=141102001200", "region=140702000000"])
def test_her_lists_take_no_filters_that_would_reveal_a_surname_or_a_place(api, my_child, pairing, query):
    """Filtering by a surname or a region would tell her what the serializers leave out: her lists are
    the same whatever she asks."""
    assert [c["id"] for c in api.get(f"/api/v1/children/?{query}").json()["results"]] == [my_child.pk]
    assert [p["id"] for p in api.get(f"/api/v1/pairings/?{query}").json()["results"]] == [pairing.pk]


@pytest.mark.parametrize("path", [
    "/api/v1/children/{child}/assessments/", "/api/v1/children/{child}/history/", "/api/v1/children/{child}/needs/",
    "/api/v1/needs/", "/api/v1/volunteers/", "/api/v1/teams/", "/api/v1/trainings/", "/api/v1/regions/",
])
def test_the_other_endpoints_refuse_her(api, my_child, path):
    assert api.get(path.format(child=my_child.pk)).status_code == 403


# --- after the pairing ended, the child is gone for her ---------------------------------------------

def test_after_the_end_her_phone_pages_no_longer_show_the_child(phone, my_child, volunteer_lishi, record,
                                                                  staff_lishi, pairing, today):
    """Home, the child's page, the log form and her history: the visit she logged stays hers, the
    child is no longer named."""
    record(volunteer_lishi, children=[my_child], occurred_on=today)
    assert GIVEN_NAME in phone.get(reverse("phone:history")).content.decode()
    pairing_services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=today, end_reason=EndReason.MOVED)
    assert GIVEN_NAME not in phone.get(reverse("phone:home")).content.decode()
    assert phone.get(reverse("phone:child", args=[my_child.pk])).status_code == 404
    assert GIVEN_NAME not in phone.get(reverse("phone:log"), {"child": my_child.pk}).content.decode()
    history = phone.get(reverse("phone:history"))
    assert len(history.context["page"]) == 1
    assert GIVEN_NAME not in history.content.decode()
    assert "已不再与您结对的孩子" in history.content.decode()


def test_after_the_end_the_api_no_longer_shows_the_child_or_the_pairing(api, ended, my_child):
    assert api.get("/api/v1/children/").json()["results"] == []
    assert api.get(f"/api/v1/children/{my_child.pk}/").status_code == 404
    assert api.get("/api/v1/pairings/").json()["results"] == []
    assert api.get(f"/api/v1/pairings/{ended.pk}/").status_code == 404
    assert GIVEN_NAME not in json.dumps(api.get("/api/v1/pairings/?active=false").json(), ensure_ascii=False)
