"""The region picker's search (GET /accounts/regions/search/, accounts.views.region_search): scoped to
the user's own subtree, or to where they may transfer a child; names and code prefixes; paths built
from the code's ancestors; bad parameters are 400s naming them."""

import pytest
from django.urls import reverse

from core.regions import SEARCH_LIMIT, region_search
from tests.factories import RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("accounts:region-search")
WUCHENG_TOWN = "141102102000"  # 吴城镇, a township of 离石区 (county A)
WUCHENG_VILLAGE = "141102102201"  # 吴城村, a village of 吴城镇
YUCI_WUCHENG = "140702104000"  # 吴城乡, a township of 榆次区 (county B) with the same word in its name
SHAANXI_WUCHENG = "610102001000"  # 吴城街道 in another province (陕西省)


@pytest.fixture
def wucheng(regions):
    RegionFactory(code=WUCHENG_TOWN, name="吴城镇")
    RegionFactory(code=WUCHENG_VILLAGE, name="吴城村")
    RegionFactory(code=YUCI_WUCHENG, name="吴城乡")
    RegionFactory(code=SHAANXI_WUCHENG, name="吴城街道")


def search(client, user, **params):
    client.force_login(user)
    return client.get(SEARCH, params)


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [hit["code"] for hit in response.json()]


# --- what it answers ------------------------------------------------------------------------------

def test_a_name_typed_finds_the_township_with_its_path(client, staff_lishi, wucheng):
    response = search(client, staff_lishi, q="吴城", levels="township")
    assert response.json() == [
        {"code": WUCHENG_TOWN, "name": "吴城镇", "path": "吕梁市 / 离石区 / 吴城镇", "level": "township"}]


def test_higher_levels_come_first(client, staff_lishi, wucheng):
    assert codes(search(client, staff_lishi, q="吴城")) == [WUCHENG_TOWN, WUCHENG_VILLAGE]


def test_levels_limit_what_is_offered(client, staff_lishi, wucheng):
    assert codes(search(client, staff_lishi, q="吴城", levels="village")) == [WUCHENG_VILLAGE]


def test_leading_digits_find_a_code(client, staff_lishi, wucheng):
    assert codes(search(client, staff_lishi, q="141102102")) == [WUCHENG_TOWN, WUCHENG_VILLAGE]


def test_no_text_offers_the_top_of_the_users_area(client, staff_lishi, wucheng):
    assert codes(search(client, staff_lishi, levels="county,township"))[:2] == ["141102000000", "141102001000"]


def test_a_typed_path_searches_its_last_part(client, staff_lishi, wucheng):
    assert codes(search(client, staff_lishi, q="吕梁市 / 离石区 / 吴城镇")) == [WUCHENG_TOWN]


def test_at_most_twenty_are_listed(client, staff_lishi, regions):
    for n in range(SEARCH_LIMIT + 5):
        RegionFactory(code=f"141102001{n + 1:03d}", name=f"东关{n}村")
    assert len(codes(search(client, staff_lishi, q="东关"))) == SEARCH_LIMIT


def test_a_superusers_paths_start_at_the_province(client, superuser, wucheng):
    assert search(client, superuser, q="吴城镇").json()[0]["path"] == "山西省 / 吕梁市 / 离石区 / 吴城镇"


def test_a_nul_byte_is_a_400_not_a_server_error(client, staff_lishi, wucheng):
    assert search(client, staff_lishi, q="吴\x00城").status_code == 400


def test_the_search_takes_two_queries(staff_lishi, wucheng, django_assert_num_queries):
    from accounts.models import Region

    with django_assert_num_queries(2):
        region_search(Region.objects.manageable_by(staff_lishi), text="吴城")


# --- scope ------------------------------------------------------------------------------------------

def test_county_a_staff_never_see_county_b(client, staff_lishi, wucheng):
    assert YUCI_WUCHENG not in codes(search(client, staff_lishi, q="吴城"))


def test_county_b_staff_never_see_county_a(client, staff_yuci, wucheng):
    assert codes(search(client, staff_yuci, q="吴城")) == [YUCI_WUCHENG]


def test_the_city_leader_sees_her_city_only(client, viewer_lvliang, wucheng):
    assert codes(search(client, viewer_lvliang, q="吴城")) == [WUCHENG_TOWN, WUCHENG_VILLAGE]


def test_a_transfer_destination_may_lie_in_another_county_of_the_province(client, staff_yuci, wucheng):
    response = search(client, staff_yuci, q="吴城", scope="transfer", levels="county,township,village")
    assert codes(response) == [YUCI_WUCHENG, WUCHENG_TOWN, WUCHENG_VILLAGE]


def test_a_transfer_destination_never_lies_in_another_province(client, staff_lishi, wucheng):
    assert SHAANXI_WUCHENG not in codes(search(client, staff_lishi, q="吴城", scope="transfer"))


def test_a_transfer_destination_is_never_a_city(client, staff_lishi, wucheng):
    assert codes(search(client, staff_lishi, q="吕梁", scope="transfer")) == []


def test_a_read_only_leader_may_not_search_transfer_destinations(client, viewer_lvliang, wucheng):
    assert search(client, viewer_lvliang, q="吴城", scope="transfer").status_code == 403


def test_an_inactive_user_is_sent_to_log_in(client, regions):
    user = UserFactory(region=regions.lishi)
    client.force_login(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(SEARCH, {"q": "离石"}).status_code == 302


# --- bad input ------------------------------------------------------------------------------------

def test_an_unknown_level_is_a_400_naming_levels(client, staff_lishi):
    response = search(client, staff_lishi, q="吴城", levels="township,hamlet")
    assert (response.status_code, list(response.json())) == (400, ["levels"])
    assert "hamlet" in response.json()["levels"][0]


def test_an_unknown_scope_is_a_400_naming_scope(client, staff_lishi):
    response = search(client, staff_lishi, q="吴城", scope="everything")
    assert (response.status_code, list(response.json())) == (400, ["scope"])
