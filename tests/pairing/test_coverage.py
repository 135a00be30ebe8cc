"""Pairing coverage (pairing.coverage): rate per direct sub-region in one aggregate query, totals that
add up, "full coverage" only when true, and the unpaired list."""

from datetime import date

import pytest

from accounts.models import Region
from children import services as child_services
from children.models import ExitReason, Status
from pairing import coverage
from pairing.models import PairingRole
from tests.factories import ensure_region

TOWNSHIP_A, VILLAGE_A = "141102001000", "141102001200"  # 滨河街道 / 东关村
TOWNSHIP_B = "141102002000"


@pytest.fixture
def township_b(regions):
    return ensure_region(TOWNSHIP_B)


def by_name(result) -> dict[str, tuple[int, int]]:
    return {row.name: (row.active, row.paired) for row in result.rows}


def test_rate_per_township_of_a_county(make_child, pair, staff_lishi, mother_lishi, regions, township_b):
    paired = make_child(staff_lishi, name="甲小一")  # in 东关村, 滨河街道
    pair(paired, mother_lishi)
    make_child(staff_lishi, name="乙小二", region_code=TOWNSHIP_A)
    make_child(staff_lishi, name="丙小三", region_code=TOWNSHIP_B)
    result = coverage.region_coverage(actor=staff_lishi, region=regions.lishi)
    assert by_name(result) == {"滨河街道": (2, 1), township_b.name: (1, 0)}
    assert (result.total.active, result.total.paired) == (3, 1)
    assert result.rows[0].rate == 0.5 and result.rows[1].rate == 0.0
    assert result.total.percent == 33.3
    assert not result.full


def test_one_aggregate_query_and_one_for_the_region_names(make_child, staff_lishi, regions, township_b,
                                                          django_assert_num_queries):
    for i in range(5):
        make_child(staff_lishi, name=f"孩子{i}", region_code=(VILLAGE_A, TOWNSHIP_B)[i % 2])
    with django_assert_num_queries(2):
        coverage.region_coverage(actor=staff_lishi, region=regions.lishi)


def test_a_city_is_split_by_county(make_child, pair, staff_lishi, viewer_lvliang, mother_lishi, regions):
    pair(make_child(staff_lishi, name="甲小一"), mother_lishi)
    result = coverage.region_coverage(actor=viewer_lvliang, region=regions.lvliang)
    assert by_name(result) == {"离石区": (1, 1)}
    assert result.full


def test_children_registered_at_the_region_itself_get_their_own_row(make_child, staff_lishi, regions):
    make_child(staff_lishi, name="甲小一", region_code="141102000000")
    make_child(staff_lishi, name="乙小二")
    result = coverage.region_coverage(actor=staff_lishi, region=regions.lishi)
    assert [(r.is_self, r.active) for r in result.rows] == [(False, 1), (True, 1)]
    assert result.total.active == sum(r.active for r in result.rows) == 2


def test_a_village_has_only_its_total(make_child, pair, staff_lishi, mother_lishi, regions):
    pair(make_child(staff_lishi, name="甲小一"), mother_lishi)
    make_child(staff_lishi, name="乙小二")
    result = coverage.region_coverage(actor=staff_lishi, region=regions.lishi_village)
    assert result.rows == []
    assert (result.total.active, result.total.paired) == (2, 1)


def test_only_active_children_count_and_a_helper_alone_is_not_paired(make_child, make_volunteer, pair, staff_lishi,
                                                                     mother_lishi, regions):
    child = make_child(staff_lishi, name="甲小一")
    lead = pair(child, mother_lishi)
    pair(child, make_volunteer(staff_lishi, name="医生张"), PairingRole.HELPER)
    from pairing.services import pairings_end_for_volunteer

    pairings_end_for_volunteer(actor=staff_lishi, volunteer=lead.volunteer, on=date(2025, 6, 1), reason="other")
    exited = make_child(staff_lishi, name="乙小二")
    child_services.child_exit(actor=staff_lishi, child=exited, reason=ExitReason.MOVED_AWAY,
                              exited_on=date(2025, 2, 1))
    suspended = make_child(staff_lishi, name="丙小三")
    child_services.child_change_status(actor=staff_lishi, child=suspended, to_status=Status.SUSPENDED,
                                       effective_on=date(2025, 2, 1))
    result = coverage.region_coverage(actor=staff_lishi, region=regions.lishi)
    assert (result.total.active, result.total.paired) == (1, 0)


def test_full_coverage_needs_children(staff_lishi, regions):
    result = coverage.region_coverage(actor=staff_lishi, region=regions.lishi)
    assert result.total.active == 0 and result.total.rate is None
    assert not result.full


def test_full_coverage_when_every_active_child_has_a_lead(make_child, make_volunteer, pair, staff_lishi, regions):
    mother = make_volunteer(staff_lishi, name="刘秀兰", capacity=2)
    pair(make_child(staff_lishi, name="甲小一"), mother)
    pair(make_child(staff_lishi, name="乙小二", region_code=TOWNSHIP_A), mother)
    result = coverage.region_coverage(actor=staff_lishi, region=regions.lishi)
    assert result.full and result.total.percent == 100.0


def test_a_region_outside_the_scope_is_refused(staff_lishi, regions):
    with pytest.raises(Region.DoesNotExist):
        coverage.region_coverage(actor=staff_lishi, region=regions.yuci)
    with pytest.raises(Region.DoesNotExist):
        coverage.region_coverage(actor=staff_lishi, region=regions.lvliang)  # an ancestor is not in scope


def test_the_unpaired_list_puts_red_first(make_child, pair, staff_lishi, mother_lishi):
    green = make_child(staff_lishi, name="绿小一")
    child_services.child_assess(actor=staff_lishi, child=green, color="green", reasons=[],
                                assessed_on=date(2025, 3, 1))
    unassessed = make_child(staff_lishi, name="未小二")
    red = make_child(staff_lishi, name="红小三", entered_on=date(2025, 1, 1))
    child_services.child_assess(actor=staff_lishi, child=red, color="red", reasons=["safety"],
                                assessed_on=date(2025, 3, 1))
    pair(make_child(staff_lishi, name="已结对"), mother_lishi)
    assert list(coverage.unpaired_children(actor=staff_lishi)) == [red, unassessed, green]


def test_the_unpaired_list_filters_by_region(make_child, staff_lishi, regions, township_b):
    make_child(staff_lishi, name="甲小一")
    b = make_child(staff_lishi, name="乙小二", region_code=TOWNSHIP_B)
    assert list(coverage.unpaired_children(actor=staff_lishi, region=township_b)) == [b]
