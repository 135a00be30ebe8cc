"""The new-child form: the 身份证号 first, checked with the other fields (its check digit before anything
else), and the birth date and gender taken from it when left blank."""

from datetime import date

import pytest
from django.urls import reverse

from accounts import idcard
from children.models import Child
from tests.children.conftest import new_id_number

pytestmark = pytest.mark.django_db

BORN = date(2014, 5, 20)


def create_data(**overrides) -> dict:
    data = {
        "id_number": new_id_number(birth_date=BORN, gender="male"),
        "name": "刘小军", "gender": "", "birth_date": "", "region": "141102001200",
        "categories": ["left_behind"], "household": "rural", "entered_on": "2024-09-01",
        "guardians-0-name": "刘大山", "guardians-0-relation": "祖父", "guardians-0-phone": "13935800001",
    }
    data.update(overrides)
    return data


def post(client, staff, **overrides):
    client.force_login(staff)
    return client.post(reverse("children:create"), create_data(**overrides))


def errors_of(client, staff, **overrides):
    response = post(client, staff, **overrides)
    assert response.status_code == 200
    return response.context["form"].errors


def with_wrong_check_digit(first17: str) -> str:
    return first17 + ("0" if idcard.check_char(first17) != "0" else "1")


def test_id_number_is_the_first_field(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:create")).content.decode()
    assert page.index('id="id_id_number"') < page.index('id="id_name"')


def test_create_form_loads_the_fill_in_script(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    assert "children/id_number.js" in client.get(reverse("children:create")).content.decode()


def test_blank_birth_date_is_taken_from_the_id_number(client, staff_lishi, regions):
    post(client, staff_lishi)
    assert Child.objects.get().birth_date == BORN


def test_blank_gender_is_taken_from_the_id_number(client, staff_lishi, regions):
    post(client, staff_lishi)
    assert Child.objects.get().gender == "male"


def test_id_number_errors_come_with_the_other_fields_errors(client, staff_lishi, regions):
    bad = with_wrong_check_digit(new_id_number(birth_date=BORN)[:17])
    assert set(errors_of(client, staff_lishi, id_number=bad, name="")) == {"id_number", "name"}


def test_check_digit_is_checked_first(client, staff_lishi, regions):
    # Not a real date (31 February) and a wrong check digit: a typo, and the check digit says so.
    bad = with_wrong_check_digit("14110220140231001")
    response = post(client, staff_lishi, id_number=bad)
    assert [e.code for e in response.context["form"].errors.as_data()["id_number"]] == ["checksum"]


def test_gender_disagreeing_with_the_id_number_is_an_error_on_the_id_number(client, staff_lishi, regions):
    errors = errors_of(client, staff_lishi, gender="female", name="")
    assert set(errors) == {"id_number", "name"}


def test_invalid_id_number_asks_for_nothing_else(client, staff_lishi, regions):
    assert list(errors_of(client, staff_lishi, id_number="123")) == ["id_number"]


def test_edit_still_requires_the_birth_date(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:edit", args=[child_lishi.pk]), create_data(id_number="", birth_date=""))
    assert "birth_date" in response.context["form"].errors
