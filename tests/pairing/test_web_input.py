"""Malformed input in the pairing pages' URLs: a 400 naming the field, never a 500 (PostgreSQL refuses a
NUL character in a string: these run on both databases; core.errors refuses a NUL before any view)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CODE_MESSAGE = "区划代码应为 12 位数字（统计用区划代码），例如 141102000000。"


@pytest.mark.parametrize("value", ["abc", "1411"])
def test_coverage_of_a_malformed_region_is_400_with_the_code_message(client, staff_lishi, value):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:coverage") + f"?region={value}")
    assert response.status_code == 400
    assert CODE_MESSAGE in response.content.decode()


@pytest.fixture
def nul_urls(pair, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    return {"coverage": reverse("pairing:coverage") + "?region=%00",
            "suggest": reverse("pairing:suggest", args=[child_lishi.pk]) + "?q=%00同村",
            "detail": reverse("pairing:detail", args=[pairing.pk]) + "?q=同村%00",
            "list": reverse("pairing:list") + "?q=%00"}


@pytest.mark.parametrize("page", ["coverage", "suggest", "detail", "list"])
def test_a_nul_character_in_a_query_value_is_400_naming_the_field(client, staff_lishi, nul_urls, page):
    client.force_login(staff_lishi)
    response = client.get(nul_urls[page])
    field = "region" if page == "coverage" else "q"
    assert response.status_code == 400
    assert f"“{field}”中含有空字符" in response.content.decode()
