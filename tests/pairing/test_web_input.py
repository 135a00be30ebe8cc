"""Malformed input in the pairing pages' URLs: a 400 naming the field or an ignored character, never a
500 (PostgreSQL refuses a NUL character in a string: these run on both databases)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CODE_MESSAGE = "区划代码应为 12 位数字（统计用区划代码），例如 141102000000。"


@pytest.mark.parametrize("value", ["abc", "%00", "1411"])
def test_coverage_of_a_malformed_region_is_400_with_the_code_message(client, staff_lishi, value):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:coverage") + f"?region={value}")
    assert response.status_code == 400
    assert CODE_MESSAGE in response.content.decode()


def test_suggestions_search_ignores_a_nul_character(client, make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="同村妈妈")
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:suggest", args=[child_lishi.pk]) + "?q=%00同村%00妈妈")
    assert response.status_code == 200
    assert response.context["query"] == "同村妈妈"
    assert [s.volunteer.name for s in response.context["results"]] == ["同村妈妈"]


def test_suggestions_search_of_only_a_nul_character_is_no_search(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:suggest", args=[child_lishi.pk]) + "?q=%00")
    assert response.status_code == 200
    assert response.context["results"] is None


def test_new_lead_search_ignores_a_nul_character(client, pair, make_volunteer, staff_lishi, child_lishi,
                                                 mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    make_volunteer(staff_lishi, name="同村妈妈")
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:detail", args=[pairing.pk]) + "?q=同村%00")
    assert response.status_code == 200
    assert [s.volunteer.name for s in response.context["results"]] == ["同村妈妈"]


def test_list_search_with_a_nul_character_is_a_form_error(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:list") + "?q=%00")
    assert response.status_code == 200
    assert response.context["form"].errors["q"]
