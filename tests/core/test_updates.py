"""Changing a model's fields from a service's keyword arguments (core.updates.model_update): only the
allowed fields, strings stripped, what changed returned as ``(old, new)``, nothing saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import Region, User
from accounts.roles import Role
from core.updates import model_update

pytestmark = pytest.mark.django_db

ALLOWED = ("name", "phone", "role", "date_joined")


@pytest.fixture
def person(staff_lishi):
    staff_lishi.phone = "13935800001"
    staff_lishi.save(update_fields=["phone"])
    return staff_lishi


def test_a_field_outside_the_allowed_ones_is_refused(person):
    with pytest.raises(ValidationError):
        model_update(instance=person, data={"name": "新名字", "is_superuser": True}, allowed=ALLOWED)


def test_the_refusal_names_the_fields_refused(person):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        model_update(instance=person, data={"region": "x", "is_superuser": True, "name": "y"}, allowed=ALLOWED)
    assert refused.value.messages == ["These fields cannot be changed here: is_superuser, region"]


def test_nothing_is_set_when_a_field_is_refused(person):
    with pytest.raises(ValidationError):
        model_update(instance=person, data={"name": "新名字", "is_superuser": True}, allowed=ALLOWED)
    assert (person.name, person.is_superuser) == ("李敏", False)


def test_strings_are_stripped(person):
    model_update(instance=person, data={"name": "  李敏华\n"}, allowed=ALLOWED)
    assert person.name == "李敏华"


def test_strings_are_kept_as_given_without_strip(person):
    model_update(instance=person, data={"name": " 李敏华 "}, allowed=ALLOWED, strip=False)
    assert person.name == " 李敏华 "


def test_only_what_changed_is_returned_as_old_and_new(person):
    changes = model_update(instance=person, data={"name": "李敏华", "phone": "13935800001", "role": Role.STAFF},
                           allowed=ALLOWED)
    assert changes == {"name": ("李敏", "李敏华")}


def test_a_value_equal_after_stripping_is_no_change(person):
    assert model_update(instance=person, data={"name": " 李敏 "}, allowed=ALLOWED) == {}


def test_nothing_given_is_nothing_changed(person):
    assert model_update(instance=person, data={}, allowed=ALLOWED) == {}


def test_a_value_that_is_not_a_string_is_set_as_given(person):
    changes = model_update(instance=person, data={"role": Role.VIEWER}, allowed=ALLOWED)
    assert (changes, person.role) == ({"role": (Role.STAFF, Role.VIEWER)}, Role.VIEWER)


def test_the_changes_are_set_on_the_instance(person):
    model_update(instance=person, data={"name": "李敏华", "phone": "13935800002"}, allowed=ALLOWED)
    assert (person.name, person.phone) == ("李敏华", "13935800002")


def test_model_update_does_not_save(person):
    model_update(instance=person, data={"name": "李敏华", "phone": "13935800002"}, allowed=ALLOWED)
    stored = User.objects.get(pk=person.pk)
    assert (stored.name, stored.phone) == ("李敏", "13935800001")


def test_model_update_reads_and_writes_nothing(person, django_assert_num_queries):
    with django_assert_num_queries(0):
        model_update(instance=person, data={"name": "李敏华"}, allowed=ALLOWED)


def test_model_update_works_on_any_model(regions):
    village = Region.objects.get(pk=regions.lishi_village.pk)
    assert model_update(instance=village, data={"name": " 东关社区 "}, allowed=["name"]) == {"name": ("东关村", "东关社区")}


def test_an_unchanged_date_is_no_change(person):
    person.date_joined = date(2025, 1, 1)
    assert model_update(instance=person, data={"date_joined": date(2025, 1, 1)}, allowed=ALLOWED) == {}
