"""Arithmetic on 12-digit 统计用区划代码 (core.regioncodes)."""

import pytest
from django.db.models import Q

from accounts.models import Region
from core import regioncodes

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE = "140000000000", "141100000000", "141102000000", "141102001000", "141102001200"


@pytest.mark.parametrize(("code", "level"), [
    (PROVINCE, "province"),
    (CITY, "city"),
    (COUNTY, "county"),
    (TOWNSHIP, "township"),
    (VILLAGE, "village"),
])
def test_level_of_reads_the_level_from_the_trailing_zeros(code, level):
    assert regioncodes.level_of(code) == level


@pytest.mark.parametrize(("code", "parent"), [
    (PROVINCE, None),
    (CITY, PROVINCE),
    (COUNTY, CITY),
    (TOWNSHIP, COUNTY),
    (VILLAGE, TOWNSHIP),
])
def test_parent_code_is_one_level_up(code, parent):
    assert regioncodes.parent_code(code) == parent


def test_parent_of_a_township_directly_under_a_city_is_the_city():
    # 东莞市 has no counties: its townships carry 00 in the county digits.
    assert regioncodes.parent_code("441900003000") == "441900000000"


@pytest.mark.parametrize(("code", "ancestors"), [
    (PROVINCE, []),
    (CITY, [PROVINCE]),
    (COUNTY, [CITY, PROVINCE]),
    (TOWNSHIP, [COUNTY, CITY, PROVINCE]),
    (VILLAGE, [TOWNSHIP, COUNTY, CITY, PROVINCE]),
])
def test_ancestor_codes_are_listed_nearest_first(code, ancestors):
    assert regioncodes.ancestor_codes(code) == ancestors


@pytest.mark.parametrize(("code", "bounds"), [
    (PROVINCE, ("140000000000", "149999999999")),
    (CITY, ("141100000000", "141199999999")),
    (COUNTY, ("141102000000", "141102999999")),
    (TOWNSHIP, ("141102001000", "141102001999")),
    (VILLAGE, ("141102001200", "141102001200")),
])
def test_subtree_bounds_span_every_code_sharing_the_prefix(code, bounds):
    assert regioncodes.subtree_bounds(code) == bounds


@pytest.mark.parametrize("code", [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE])
def test_subtree_q_is_the_closed_range_of_the_bounds(code):
    low, high = regioncodes.subtree_bounds(code)
    assert regioncodes.subtree_q("region", code) == Q(region__gte=low, region__lte=high)


@pytest.mark.parametrize(("code", "expected"), [
    (PROVINCE, {"140000000000", "141100000000", "141102000000", "141102001000", "141102001200",
                "140700000000", "140702000000", "140702100000"}),
    (CITY, {"141100000000", "141102000000", "141102001000", "141102001200"}),
    (COUNTY, {"141102000000", "141102001000", "141102001200"}),
    (TOWNSHIP, {"141102001000", "141102001200"}),
    (VILLAGE, {"141102001200"}),
])
def test_subtree_q_selects_the_subtree_in_the_database(regions, code, expected):
    found = set(Region.objects.filter(regioncodes.subtree_q("code", code)).values_list("code", flat=True))
    assert found == expected


def test_in_subtree_excludes_a_sibling_county():
    assert not regioncodes.in_subtree(COUNTY, "140702100000")


@pytest.mark.parametrize("code", [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE, "441900003000"])
def test_real_codes_are_valid(code):
    assert regioncodes.is_valid_code(code)


@pytest.mark.parametrize("code", [
    "14110200120",  # 11 digits
    "1411020012000",  # 13 digits
    "14110200120a",
    "1411-2001200",
    " 141102001200",
    "000000000000",  # no province is 00
    "",
    None,
])
def test_malformed_codes_are_invalid(code):
    assert not regioncodes.is_valid_code(code)


def test_a_code_with_a_trailing_newline_is_invalid():
    # Python's ``$`` also matches before a final newline.
    assert not regioncodes.is_valid_code("141102001200\n")


def test_full_width_digits_are_not_a_code():
    # Chinese input methods produce full-width digits; ``\d`` matches them, the database check does not.
    assert not regioncodes.is_valid_code("１４１１０２００１２００")
