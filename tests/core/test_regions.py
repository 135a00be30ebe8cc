"""The region tree as pages use it (core.regions): the code check, the roll-up by direct sub-region,
the region a page is about, the way back up, and the region picker — on the real slice of the tree
(tests/conftest.py ``regions``)::

    山西省 140000000000
    ├── 晋中市 140700000000 ── 榆次区 140702000000 ── 修文镇 140702100000
    └── 吕梁市 141100000000 ── 离石区 141102000000 ── 滨河街道 141102001000 ── 东关村 141102001200
"""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from accounts.models import Region, User
from accounts.roles import Role
from core import regions as core_regions
from core.regions import (
    CODE_MESSAGE,
    breadcrumbs,
    chosen_region,
    default_root,
    in_scope,
    region_options,
    rollup,
    sub_prefix_length,
    validate_code,
)
from core.shares import Share
from tests.factories import RegionFactory, UserFactory

INDENT = "\u3000"


def codes(regions_list) -> list[str]:
    return [region.code for region in regions_list]


def codes_of(options) -> list[str]:
    return [code for code, _label in options]


# --- validate_code --------------------------------------------------------------------------------

def test_validate_code_returns_a_valid_code():
    assert validate_code("141102001200") == "141102001200"


def test_validate_code_strips_the_code():
    assert validate_code("  141102000000\n") == "141102000000"


@pytest.mark.parametrize("value", [
    pytest.param("", id="empty"),
    pytest.param(None, id="none"),
    pytest.param("14110200120", id="11-digits"),
    pytest.param("1411020012000", id="13-digits"),
    pytest.param("14110200120A", id="a-letter"),
    pytest.param("abcdefghijkl", id="letters"),
    pytest.param("141102\x00001200", id="nul-byte-inside"),
    pytest.param("141102001200\x00", id="nul-byte-after"),
    pytest.param("１４１１０２００１２００", id="full-width-digits"),
    pytest.param("000000000000", id="no-province"),
    pytest.param("141102 001200", id="a-space-inside"),
])
def test_validate_code_refuses_anything_but_twelve_digits(value):
    with pytest.raises(ValidationError):
        validate_code(value)


def test_validate_code_keys_its_message_by_region():
    with pytest.raises(ValidationError) as refused:
        validate_code("14110200120")
    assert refused.value.message_dict == {"region": [str(CODE_MESSAGE)]}


def test_validate_code_keys_its_message_by_the_field_given():
    with pytest.raises(ValidationError) as refused:
        validate_code("x", field="parent")
    assert list(refused.value.message_dict) == ["parent"]


# --- sub_prefix_length ----------------------------------------------------------------------------

@pytest.mark.parametrize(("level", "length"), [
    ("province", 4), ("city", 6), ("county", 9), ("township", 12), ("village", 12),
])
def test_sub_prefix_length_names_the_direct_sub_regions_of_each_level(level, length):
    assert sub_prefix_length(Region(code="x", name="x", level=level)) == length


def test_sub_prefix_length_of_no_region_names_the_provinces():
    assert sub_prefix_length(None) == 2


# --- rollup ---------------------------------------------------------------------------------------

def lishi_rollup(regions, counts):
    return rollup(region=regions.lishi, counts=counts, zero=Share, combine=Share.sum)


@pytest.fixture
def second_township(regions):
    """A second township of 离石区, with nothing registered in it."""
    return RegionFactory(code="141102002000", name="城北街道")


@pytest.mark.django_db
def test_rollup_has_a_row_per_direct_sub_region_in_code_order(regions, second_township):
    result = lishi_rollup(regions, {"141102001": Share(2, 3)})
    assert [row.name for row in result.rows] == ["滨河街道", "城北街道"]


@pytest.mark.django_db
def test_rollup_gives_a_sub_region_without_records_a_zero_row(regions, second_township):
    result = lishi_rollup(regions, {"141102001": Share(2, 3)})
    assert result.rows[1].values == Share(0, 0)


@pytest.mark.django_db
def test_rollup_rows_carry_their_sub_regions_figures(regions, second_township):
    result = lishi_rollup(regions, {"141102001": Share(2, 3)})
    assert (result.rows[0].region, result.rows[0].part, result.rows[0].whole) == (regions.lishi_township, 2, 3)


@pytest.mark.django_db
def test_rollup_has_no_itself_row_when_nothing_is_registered_at_the_region(regions, second_township):
    result = lishi_rollup(regions, {"141102001": Share(2, 3), "141102002": Share(1, 1)})
    assert not any(row.is_self for row in result.rows)


@pytest.mark.django_db
def test_rollup_adds_an_itself_row_last_for_records_registered_at_the_region(regions, second_township):
    result = lishi_rollup(regions, {"141102001": Share(2, 3), "141102000": Share(1, 4)})
    itself = result.rows[-1]
    assert (itself.is_self, itself.region, itself.values, len(result.rows)) == (True, regions.lishi, Share(1, 4), 3)


@pytest.mark.django_db
def test_rollup_names_the_itself_row_after_the_region(regions):
    result = lishi_rollup(regions, {"141102000": Share(1, 4)})
    assert "离石区" in result.rows[-1].name


@pytest.mark.django_db
def test_rollup_total_is_the_sum_of_its_rows(regions, second_township):
    result = lishi_rollup(regions, {"141102001": Share(2, 3), "141102000": Share(1, 4), "141102002": Share(0, 5)})
    assert result.total == Share.sum(row.values for row in result.rows) == Share(3, 12)


@pytest.mark.django_db
def test_rollup_of_nothing_recorded_totals_zero(regions, second_township):
    result = lishi_rollup(regions, {})
    assert (result.total, [row.values for row in result.rows]) == (Share(0, 0), [Share(0, 0), Share(0, 0)])


@pytest.mark.django_db
def test_rollup_of_a_village_has_no_rows_only_the_total(regions):
    result = rollup(region=regions.lishi_village, counts={"141102001200": 7}, zero=int, combine=sum)
    assert (result.rows, result.total) == ([], 7)


@pytest.mark.django_db
def test_rollup_of_a_village_reads_no_sub_regions(regions, django_assert_num_queries):
    with django_assert_num_queries(0):
        rollup(region=regions.lishi_village, counts={"141102001200": 7}, zero=int, combine=sum)


@pytest.mark.django_db
def test_rollup_of_a_township_has_a_row_per_village_and_one_for_the_township_itself(regions):
    result = rollup(region=regions.lishi_township, counts={"141102001200": 3, "141102001000": 2}, zero=int,
                    combine=sum)
    assert [(row.region, row.values, row.is_self) for row in result.rows] == [
        (regions.lishi_village, 3, False), (regions.lishi_township, 2, True),
    ]


@pytest.mark.django_db
def test_rollup_of_no_region_has_a_row_per_province(regions):
    result = rollup(region=None, counts={"14": 5}, zero=int, combine=sum)
    assert [(row.name, row.values) for row in result.rows] == [("山西省", 5)]


@pytest.mark.django_db
def test_rollup_reads_the_sub_regions_in_one_query(regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        lishi_rollup(regions, {"141102001": Share(2, 3)})


@pytest.mark.django_db
def test_rollup_with_the_sub_regions_given_reads_nothing(regions, django_assert_num_queries):
    with django_assert_num_queries(0):
        result = rollup(region=regions.lishi, counts={"141102001": 4}, zero=int, combine=sum,
                        subregions=[regions.lishi_township])
    assert [row.values for row in result.rows] == [4]


# --- default_root and chosen_region ---------------------------------------------------------------

def test_default_root_is_the_users_own_region(staff_lishi, regions):
    assert default_root(staff_lishi) == regions.lishi


def test_default_root_of_a_superuser_is_the_first_province(superuser):
    RegionFactory(code="110000000000", name="北京市")
    assert default_root(superuser).code == "110000000000"


@pytest.mark.django_db
def test_default_root_of_a_superuser_on_an_empty_tree_is_404():
    with pytest.raises(Http404):
        default_root(UserFactory(region=None, is_superuser=True, role=Role.ADMIN))


@pytest.mark.parametrize("value", ["", None, "   "])
def test_chosen_region_without_a_code_is_the_default_root(staff_lishi, regions, value):
    assert chosen_region(staff_lishi, value) == regions.lishi


def test_chosen_region_gives_a_region_inside_the_users_subtree(staff_lishi, regions):
    assert chosen_region(staff_lishi, regions.lishi_village.code) == regions.lishi_village


def test_chosen_region_accepts_the_users_own_region(staff_lishi, regions):
    assert chosen_region(staff_lishi, regions.lishi.code) == regions.lishi


def test_chosen_region_strips_the_code(staff_lishi, regions):
    assert chosen_region(staff_lishi, f" {regions.lishi_township.code} ") == regions.lishi_township


def test_chosen_region_outside_the_users_subtree_is_404(staff_lishi, regions):
    with pytest.raises(Http404):
        chosen_region(staff_lishi, regions.yuci.code)


def test_chosen_region_above_the_users_region_is_404(staff_lishi, regions):
    with pytest.raises(Http404):
        chosen_region(staff_lishi, regions.lvliang.code)


def test_chosen_region_of_a_code_nobody_has_is_404(staff_lishi):
    with pytest.raises(Http404):
        chosen_region(staff_lishi, "141102999999")


def test_chosen_region_lets_a_superuser_choose_any_region(superuser, regions):
    assert chosen_region(superuser, regions.yuci_township.code) == regions.yuci_township


def test_chosen_region_refuses_a_malformed_code_keyed_by_region(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        chosen_region(staff_lishi, "14110200x000")
    assert list(refused.value.message_dict) == ["region"]


def test_chosen_region_refuses_a_malformed_code_keyed_by_the_field_given(staff_lishi):
    with pytest.raises(ValidationError) as refused:
        chosen_region(staff_lishi, "1411", field="area")
    assert list(refused.value.message_dict) == ["area"]


def test_chosen_region_refuses_a_nul_byte_before_asking_the_database(staff_lishi, django_assert_num_queries):
    with django_assert_num_queries(0), pytest.raises(ValidationError):
        chosen_region(staff_lishi, "141102\x00001200")


def test_chosen_region_takes_one_query(staff_lishi, regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        chosen_region(staff_lishi, regions.lishi_village.code)


# --- breadcrumbs ----------------------------------------------------------------------------------

def test_there_are_no_breadcrumbs_at_the_users_own_region(staff_lishi, regions):
    assert breadcrumbs(staff_lishi, regions.lishi) == []


def test_breadcrumbs_at_the_users_own_region_read_nothing(staff_lishi, regions, django_assert_num_queries):
    with django_assert_num_queries(0):
        breadcrumbs(staff_lishi, regions.lishi)


def test_breadcrumbs_lead_from_the_users_region_down_to_the_parent(staff_lishi, regions):
    assert codes(breadcrumbs(staff_lishi, regions.lishi_village)) == [regions.lishi.code, regions.lishi_township.code]


def test_breadcrumbs_one_level_below_name_the_users_region(viewer_lvliang, regions):
    assert codes(breadcrumbs(viewer_lvliang, regions.lishi)) == [regions.lvliang.code]


def test_breadcrumbs_never_go_above_the_users_region(viewer_lvliang, regions):
    assert regions.shanxi.code not in codes(breadcrumbs(viewer_lvliang, regions.lishi_village))


def test_breadcrumbs_of_a_superuser_start_at_the_province(superuser, regions):
    assert codes(breadcrumbs(superuser, regions.lishi)) == [regions.shanxi.code, regions.lvliang.code]


def test_breadcrumbs_take_one_query_when_drilled_below(staff_lishi, regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        breadcrumbs(staff_lishi, regions.lishi_village)


def test_breadcrumbs_of_no_region_are_empty(staff_lishi):
    assert breadcrumbs(staff_lishi, None) == []


# --- in_scope -------------------------------------------------------------------------------------

def test_in_scope_holds_for_the_users_own_region(staff_lishi, regions):
    assert in_scope(staff_lishi, regions.lishi.code)


def test_in_scope_holds_for_a_region_below(staff_lishi, regions):
    assert in_scope(staff_lishi, regions.lishi_village.code)


def test_in_scope_fails_for_another_county(staff_lishi, regions):
    assert not in_scope(staff_lishi, regions.yuci_township.code)


def test_in_scope_fails_for_the_region_above(staff_lishi, regions):
    assert not in_scope(staff_lishi, regions.lvliang.code)


def test_in_scope_holds_everywhere_for_a_superuser(superuser):
    assert in_scope(superuser, "650000000000")


def test_in_scope_fails_everywhere_for_a_user_without_a_region():
    assert not in_scope(User(username="regionless", role=Role.STAFF), "141102000000")


def test_in_scope_reads_nothing(staff_lishi, regions, django_assert_num_queries):
    with django_assert_num_queries(0):
        in_scope(staff_lishi, regions.lishi_village.code)


# --- region_options -------------------------------------------------------------------------------

def test_a_county_user_is_offered_no_villages(staff_lishi, regions):
    assert region_options(staff_lishi) == [(regions.lishi.code, "离石区"), (regions.lishi_township.code, INDENT + "滨河街道")]


def test_a_township_user_is_offered_the_villages(regions):
    township_staff = UserFactory(role=Role.STAFF, region=regions.lishi_township)
    assert region_options(township_staff) == [
        (regions.lishi_township.code, "滨河街道"), (regions.lishi_village.code, INDENT + "东关村"),
    ]


def test_a_village_user_is_offered_the_village(regions):
    village_staff = UserFactory(role=Role.STAFF, region=regions.lishi_village)
    assert region_options(village_staff) == [(regions.lishi_village.code, "东关村")]


def test_a_county_user_is_offered_villages_when_the_levels_say_so(staff_lishi, regions):
    assert region_options(staff_lishi, levels=["village"]) == [(regions.lishi_village.code, INDENT * 2 + "东关村")]


def test_the_levels_limit_what_a_township_user_is_offered(regions):
    township_staff = UserFactory(role=Role.STAFF, region=regions.lishi_township)
    assert region_options(township_staff, levels=["township"]) == [(regions.lishi_township.code, "滨河街道")]


def test_the_options_go_depth_levels_down_indented_by_level_in_code_order(admin_province, regions):
    assert region_options(admin_province) == [
        (regions.shanxi.code, "山西省"),
        (regions.jinzhong.code, INDENT + "晋中市"),
        (regions.yuci.code, INDENT * 2 + "榆次区"),
        (regions.lvliang.code, INDENT + "吕梁市"),
        (regions.lishi.code, INDENT * 2 + "离石区"),
    ]


def test_a_depth_of_one_offers_only_the_users_region(admin_province, regions):
    assert region_options(admin_province, depth=1) == [(regions.shanxi.code, "山西省")]


def test_a_depth_of_two_offers_one_level_below(viewer_lvliang, regions):
    assert codes_of(region_options(viewer_lvliang, depth=2)) == [regions.lvliang.code, regions.lishi.code]


def test_a_depth_of_four_reaches_the_townships(admin_province, regions):
    assert regions.yuci_township.code in codes_of(region_options(admin_province, depth=4))


def test_the_options_never_leave_the_users_subtree(staff_lishi, regions):
    assert set(codes_of(region_options(staff_lishi, levels=["county", "township", "village"]))) \
        == {regions.lishi.code, regions.lishi_township.code, regions.lishi_village.code}


def test_a_superuser_is_offered_the_provinces_first(superuser, regions):
    assert region_options(superuser, depth=2) == [
        (regions.shanxi.code, "山西省"), (regions.jinzhong.code, INDENT + "晋中市"), (regions.lvliang.code, INDENT + "吕梁市"),
    ]


def test_the_options_with_codes_show_each_code(staff_lishi, regions):
    assert region_options(staff_lishi, with_codes=True) == [
        (regions.lishi.code, "离石区（141102000000）"), (regions.lishi_township.code, INDENT + "滨河街道（141102001000）"),
    ]


def test_a_selected_region_not_offered_is_kept_last(staff_lishi, regions):
    assert region_options(staff_lishi, selected=regions.lishi_village)[-1] == (regions.lishi_village.code, "东关村")


def test_a_selected_code_not_offered_is_kept_last(staff_lishi, regions):
    assert region_options(staff_lishi, selected=regions.lishi_village.code)[-1] \
        == (regions.lishi_village.code, regions.lishi_village.code)


def test_a_selected_region_already_offered_is_not_repeated(staff_lishi, regions):
    assert codes_of(region_options(staff_lishi, selected=regions.lishi_township)) \
        == [regions.lishi.code, regions.lishi_township.code]


def test_the_options_stop_at_the_limit(admin_province, regions, monkeypatch):
    monkeypatch.setattr(core_regions, "OPTIONS_LIMIT", 2)
    assert codes_of(region_options(admin_province)) == [regions.shanxi.code, regions.jinzhong.code]


def test_the_options_take_one_query(admin_province, regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        region_options(admin_province, depth=5, selected=regions.lishi_village, with_codes=True)


def test_an_inactive_user_is_offered_nothing(regions):
    inactive = UserFactory(role=Role.STAFF, region=regions.lishi, is_active=False)
    assert region_options(inactive) == []
