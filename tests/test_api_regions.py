"""/api/v1/regions/: everyone reads their subtree and its ancestors; admins add townships and villages."""

import pytest

from accounts.models import Region

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions/"
ALL_CODES = {"140000000000", "141100000000", "141102000000", "141102001000", "141102001200",
             "140700000000", "140702000000", "140702100000"}
LISHI_AND_ANCESTORS = {"140000000000", "141100000000", "141102000000", "141102001000", "141102001200"}


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["code"] for row in response.json()["results"]}


# --- read -----------------------------------------------------------------------------------------

def test_region_detail_has_the_contract_fields(api_client_for, staff_lishi):
    body = api_client_for(staff_lishi).get(f"{URL}141102001000/").json()
    assert body == {"code": "141102001000", "name": "滨河街道", "level": "township", "parent": "141102000000"}


def test_province_has_no_parent(api_client_for, admin_province):
    assert api_client_for(admin_province).get(f"{URL}140000000000/").json()["parent"] is None


@pytest.mark.parametrize(("actor", "expected"), [
    ("staff_lishi", LISHI_AND_ANCESTORS),
    ("admin_lishi", LISHI_AND_ANCESTORS),
    ("viewer_lvliang", LISHI_AND_ANCESTORS),  # 吕梁市's subtree holds 离石区 only in this slice
    ("staff_yuci", {"140000000000", "140700000000", "140702000000", "140702100000"}),
    ("admin_province", ALL_CODES),
    ("superuser", ALL_CODES),
])
def test_list_is_the_subtree_and_its_ancestors(request, api_client_for, actor, expected):
    user = request.getfixturevalue(actor)
    assert codes(api_client_for(user).get(URL)) == expected


def test_list_by_parent_gives_the_children(api_client_for, staff_lishi):
    assert codes(api_client_for(staff_lishi).get(URL, {"parent": "141102000000"})) == {"141102001000"}


def test_list_by_an_ancestor_parent_shows_only_the_visible_child(api_client_for, staff_lishi):
    # 山西省's children are 吕梁市 and 晋中市; 离石区 staff see only 吕梁市.
    assert codes(api_client_for(staff_lishi).get(URL, {"parent": "140000000000"})) == {"141100000000"}


def test_list_by_a_parent_outside_scope_is_empty(api_client_for, staff_lishi):
    assert codes(api_client_for(staff_lishi).get(URL, {"parent": "140702000000"})) == set()


def test_province_admin_lists_the_cities(api_client_for, admin_province):
    assert codes(api_client_for(admin_province).get(URL, {"parent": "140000000000"})) == {"141100000000",
                                                                                          "140700000000"}


def test_list_by_a_malformed_parent_is_400_naming_parent(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get(URL, {"parent": "1411"})
    assert response.status_code == 400
    assert "parent" in response.json()


def test_list_by_level(api_client_for, admin_province):
    assert codes(api_client_for(admin_province).get(URL, {"level": "township"})) == {"141102001000", "140702100000"}


def test_staff_read_an_ancestor(api_client_for, staff_lishi):
    assert api_client_for(staff_lishi).get(f"{URL}141100000000/").status_code == 200


def test_staff_reading_a_region_outside_scope_is_404(api_client_for, staff_lishi):
    assert api_client_for(staff_lishi).get(f"{URL}140702000000/").status_code == 404


def test_a_caring_mother_is_refused_the_region_tree(api_client_for, volunteer_lishi):
    """The phone shows no addresses: the tree is for the federation's roles."""
    client = api_client_for(volunteer_lishi)
    assert (client.get(URL).status_code, client.get(f"{URL}141102001200/").status_code) == (403, 403)


def test_an_unknown_code_is_404(api_client_for, admin_province):
    assert api_client_for(admin_province).get(f"{URL}141102009000/").status_code == 404


def test_anonymous_list_is_401(api_client, regions):
    assert api_client.get(URL).status_code == 401


# --- create ---------------------------------------------------------------------------------------

def test_admin_adds_a_village_under_a_township_in_scope(api_client_for, admin_lishi):
    response = api_client_for(admin_lishi).post(URL, {"code": "141102001201", "name": "王家坡村"}, format="json")
    assert response.status_code == 201
    assert response.json() == {"code": "141102001201", "name": "王家坡村", "level": "village",
                               "parent": "141102001000"}
    assert Region.objects.get(pk="141102001201").parent_id == "141102001000"


def test_the_new_village_is_readable_by_the_countys_staff(api_client_for, admin_lishi, staff_lishi):
    api_client_for(admin_lishi).post(URL, {"code": "141102001201", "name": "王家坡村"}, format="json")
    assert api_client_for(staff_lishi).get(f"{URL}141102001201/").status_code == 200


@pytest.mark.parametrize("actor", ["staff_lishi", "viewer_lvliang", "volunteer_lishi"])
def test_non_admins_may_not_add_regions(request, api_client_for, actor):
    user = request.getfixturevalue(actor)
    before = Region.objects.count()
    response = api_client_for(user).post(URL, {"code": "141102001201", "name": "王家坡村"}, format="json")
    assert response.status_code == 403
    assert Region.objects.count() == before


@pytest.mark.parametrize(("payload", "field"), [
    ({"code": "14110200120", "name": "短码村"}, "code"),  # 11 digits
    ({"code": "14110200120x", "name": "字母村"}, "code"),
    ({"code": "141102009001", "name": "无主村"}, "code"),  # its township 141102009000 does not exist
    ({"code": "140702100201", "name": "东长寿村"}, "code"),  # under 榆次区: outside 离石区
    ({"code": "141102001200", "name": "重复村"}, "code"),  # exists already
    ({"code": "141199000000", "name": "新县"}, "code"),  # counties are loaded, not added
    ({"code": "141102001201", "name": ""}, "name"),
    ({"name": "无码村"}, "code"),
], ids=["11-digits", "letter", "parent-missing", "outside-subtree", "exists", "county", "no-name", "no-code"])
def test_refused_region_names_the_field_and_creates_nothing(api_client_for, admin_lishi, payload, field):
    before = Region.objects.count()
    response = api_client_for(admin_lishi).post(URL, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Region.objects.count() == before


def test_regions_cannot_be_deleted(api_client_for, admin_lishi):
    assert api_client_for(admin_lishi).delete(f"{URL}141102001200/").status_code == 405
    assert Region.objects.filter(pk="141102001200").exists()
