"""Where a guardian's consent is asked for beyond referrals: the ledger filters children by it (pages,
API, export alike: children.filters) and the home page counts the children without a consent to keep
their information, linked to that filtered ledger."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.home import home_todo
from casework.consents import consent_withdraw
from tests.children.conftest import give_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_child, staff_lishi):
    """In 离石区: 甲 with a consent to keep her information and photos, 乙 with one to sharing only, 丙 with
    none."""
    a, b, c = (make_child(staff_lishi, name=name) for name in ("甲小雨", "乙小雨", "丙小雨"))
    give_consent(a)
    give_consent(b, "sharing")
    return a, b, c


def ledger_names(client, **params) -> list[str]:
    response = client.get(reverse("children:list"), params)
    assert response.status_code == 200
    return sorted(child.name for child in response.context["page"])


@pytest.mark.parametrize(("value", "names"), [
    ("missing", ["丙小雨", "乙小雨"]), ("processing", ["甲小雨"]), ("photos", ["甲小雨"]), ("sharing", ["乙小雨"])])
def test_the_ledger_filters_by_consent(client, staff_lishi, three, value, names):
    client.force_login(staff_lishi)
    assert ledger_names(client, consent=value) == names


def test_a_withdrawn_consent_counts_as_missing(client, staff_lishi, three):
    consent_withdraw(actor=staff_lishi, consent=three[0].consents.get())
    client.force_login(staff_lishi)
    assert ledger_names(client, consent="missing") == ["丙小雨", "乙小雨", "甲小雨"]


def test_a_bad_consent_value_is_a_400_in_the_api(api_client_for, staff_lishi, three):
    response = api_client_for(staff_lishi).get("/api/v1/children/", {"consent": "maybe"})
    assert response.status_code == 400 and list(response.json()) == ["consent"]


def test_the_api_filters_by_consent(api_client_for, staff_lishi, three):
    response = api_client_for(staff_lishi).get("/api/v1/children/", {"consent": "missing"})
    assert sorted(c["name"] for c in response.json()["results"]) == ["丙小雨", "乙小雨"]


def test_the_home_page_counts_the_children_without_consent_and_links_them(client, staff_lishi, three):
    todo = home_todo(staff_lishi, timezone.localdate()).todos["consent"]
    assert todo.count == 2
    client.force_login(staff_lishi)
    assert ledger_names(client, **dict(p.split("=") for p in todo.url.split("?")[1].split("&"))) == ["丙小雨", "乙小雨"]
