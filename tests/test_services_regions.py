"""accounts.services: importing the region tree and adding townships and villages in scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.models import Region
from tests.factories import REGION_ROWS

pytestmark = pytest.mark.django_db


# --- regions_import -------------------------------------------------------------------------------

def test_import_creates_rows_with_level_and_parent():
    created, updated = services.regions_import(rows=[("140000000000", "山西省"), ("141100000000", "吕梁市")])
    assert (created, updated) == (2, 0)
    lvliang = Region.objects.get(pk="141100000000")
    assert (lvliang.name, lvliang.level, lvliang.parent_id) == ("吕梁市", "city", "140000000000")


def test_import_accepts_children_before_their_parents():
    services.regions_import(rows=[("141102000000", "离石区"), ("141100000000", "吕梁市"), ("140000000000", "山西省")])
    assert Region.objects.get(pk="141102000000").parent_id == "141100000000"


def test_importing_the_same_rows_again_changes_nothing(regions):
    before = list(Region.objects.values_list("code", "name", "level", "parent_id"))
    assert services.regions_import(rows=REGION_ROWS) == (0, 0)
    assert list(Region.objects.values_list("code", "name", "level", "parent_id")) == before


def test_import_renames_an_existing_region(regions):
    assert services.regions_import(rows=[("141102001000", "莲花池街道")]) == (0, 1)
    assert Region.objects.get(pk="141102001000").name == "莲花池街道"


def test_import_may_rely_on_parents_already_in_the_database(regions):
    assert services.regions_import(rows=[("141102001201", "王家坡村")]) == (1, 0)
    assert Region.objects.get(pk="141102001201").parent_id == "141102001000"


def test_import_with_a_missing_parent_writes_nothing_and_names_the_parent(regions):
    before = Region.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.regions_import(rows=[("141102001201", "王家坡村"), ("141102009001", "无主村")])
    assert "141102009000" in " ".join(caught.value.messages)
    assert Region.objects.count() == before


def test_import_with_a_malformed_code_writes_nothing_and_names_the_line(regions):
    before = Region.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.regions_import(rows=[("141102001201", "王家坡村"), ("14110200120", "短码村")])
    message = " ".join(caught.value.messages)
    assert "14110200120" in message
    assert "2" in message.replace("14110200120", "")  # the line number (wording is translated)
    assert Region.objects.count() == before


def test_import_with_a_nameless_row_is_refused(regions):
    with pytest.raises(ValidationError):
        services.regions_import(rows=[("141102001201", "  ")])
    assert not Region.objects.filter(pk="141102001201").exists()


def test_import_strips_whitespace_around_codes_and_names():
    services.regions_import(rows=[(" 140000000000 ", " 山西省 ")])
    assert Region.objects.get(pk="140000000000").name == "山西省"


def test_shipped_table_loads_with_the_real_counties(db):
    from django.core.management import call_command

    call_command("load_regions", verbosity=0)
    assert Region.objects.filter(level="city").count() == 11
    assert Region.objects.filter(level="county").count() == 117
    assert Region.objects.get(pk="141102000000").name == "离石区"


# --- region_create --------------------------------------------------------------------------------

def test_admin_adds_a_village_under_a_township_in_scope(admin_lishi, regions):
    village = services.region_create(actor=admin_lishi, code="141102001201", name=" 王家坡村 ")
    village.refresh_from_db()
    assert (village.name, village.level, village.parent_id) == ("王家坡村", "village", "141102001000")


def test_admin_adds_a_township_under_their_county(admin_lishi, regions):
    township = services.region_create(actor=admin_lishi, code="141102002000", name="凤山街道")
    assert (township.level, township.parent_id) == ("township", "141102000000")


def test_province_admin_adds_a_village_anywhere_in_the_province(admin_province, regions):
    assert services.region_create(actor=admin_province, code="140702100201", name="东长寿村").parent_id == "140702100000"


@pytest.mark.parametrize("code", ["149900000000", "141199000000"], ids=["city", "county"])
def test_cities_and_counties_cannot_be_added_by_hand(admin_province, regions, code):
    before = Region.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.region_create(actor=admin_province, code=code, name="新区")
    assert "code" in caught.value.message_dict
    assert Region.objects.count() == before


@pytest.mark.parametrize("code", ["14110200120", "1411020012011", "14110200120x", "", "000000001000"])
def test_a_code_that_is_not_12_digits_is_refused_naming_code(admin_lishi, regions, code):
    before = Region.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.region_create(actor=admin_lishi, code=code, name="某村")
    assert "code" in caught.value.message_dict
    assert Region.objects.count() == before


def test_a_village_whose_township_does_not_exist_is_refused_naming_code(admin_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        services.region_create(actor=admin_lishi, code="141102009001", name="无主村")
    assert "code" in caught.value.message_dict
    assert not Region.objects.filter(pk="141102009001").exists()


def test_a_village_outside_the_admins_subtree_is_refused_naming_code(admin_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        services.region_create(actor=admin_lishi, code="140702100201", name="东长寿村")
    assert "code" in caught.value.message_dict
    assert not Region.objects.filter(pk="140702100201").exists()


def test_an_existing_code_is_refused_naming_code(admin_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        services.region_create(actor=admin_lishi, code="141102001200", name="重复村")
    assert "code" in caught.value.message_dict
    assert Region.objects.get(pk="141102001200").name == "东关村"


def test_a_region_without_a_name_is_refused_naming_name(admin_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        services.region_create(actor=admin_lishi, code="141102001201", name=" ")
    assert "name" in caught.value.message_dict


@pytest.mark.parametrize("actor_fixture", ["staff_lishi", "viewer_lvliang", "volunteer_lishi"])
def test_only_administrators_add_regions(request, actor_fixture, regions):
    actor = request.getfixturevalue(actor_fixture)
    with pytest.raises(PermissionDenied):
        services.region_create(actor=actor, code="141102001201", name="王家坡村")
    assert not Region.objects.filter(pk="141102001201").exists()
