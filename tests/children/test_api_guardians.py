"""The guardians of a child in the API are replaced as a whole list, and every guardian needs its name
and relation in a PATCH too (DRF skips missing nested fields in a partial update: a guardian without
its relation used to reach the view and answer 500 with KeyError 'relation'). The error names the
guardian by its place in the list: ``{"guardians": {"0": {"relation": [...]}}}``."""

import pytest

from children.models import Guardian

pytestmark = pytest.mark.django_db


def detail(child) -> str:
    return f"/api/v1/children/{child.pk}/"


def guardians(child) -> list[tuple[str, str, str]]:
    return list(Guardian.objects.filter(child=child).values_list("name", "relation", "phone"))


@pytest.mark.parametrize("method", ["patch", "put"])
def test_a_guardian_without_a_relation_is_a_field_error(api_client_for, staff_lishi, child_lishi, method):
    client = api_client_for(staff_lishi)
    body = client.get(detail(child_lishi)).json() if method == "put" else {}
    body = {key: value for key, value in body.items() if key not in ("id_number_masked",)}
    response = getattr(client, method)(detail(child_lishi), {**body, "guardians": [{"name": "张三"}]}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {"guardians": {"0": {"relation": ["每位监护人都须填写“与儿童关系”。"]}}}


def test_nothing_changes_when_a_guardian_is_refused(api_client_for, staff_lishi, child_lishi):
    before = guardians(child_lishi)
    api_client_for(staff_lishi).patch(detail(child_lishi), {"guardians": [{"name": "张三"}]}, format="json")
    assert guardians(child_lishi) == before


def test_the_error_names_the_guardian_by_its_place_in_the_list(api_client_for, staff_lishi, child_lishi):
    sent = [{"name": "王秀英", "relation": "祖母"}, {"relation": "父亲", "phone": "13935800002"}]
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"guardians": sent}, format="json")
    assert response.status_code == 400
    assert response.json() == {"guardians": {"1": {"name": ["每位监护人都须填写“监护人姓名”。"]}}}


def test_other_errors_of_the_guardian_come_with_the_missing_field(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"guardians": [{"name": "张" * 41}]},
                                                 format="json")
    assert response.status_code == 400
    assert set(response.json()["guardians"]["0"]) == {"name", "relation"}


def test_a_guardian_that_is_not_an_object_is_a_field_error(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"guardians": ["张三"]}, format="json")
    assert response.status_code == 400
    assert "guardians" in response.json()


def test_a_guardian_without_a_phone_is_kept_with_an_empty_phone(api_client_for, staff_lishi, child_lishi):
    response = api_client_for(staff_lishi).patch(detail(child_lishi), {"guardians": [{"name": "张三", "relation": "父亲"}]},
                                                 format="json")
    assert response.status_code == 200, response.json()
    assert guardians(child_lishi) == [("张三", "父亲", "")]


def test_a_patch_without_guardians_keeps_them(api_client_for, staff_lishi, child_lishi):
    before = guardians(child_lishi)
    assert api_client_for(staff_lishi).patch(detail(child_lishi), {"school": "信义镇中学"}, format="json").status_code == 200
    assert guardians(child_lishi) == before
