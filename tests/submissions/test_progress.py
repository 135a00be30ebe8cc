"""报送进度 (submissions.selectors.submission_progress): every direct sub-region with its state, sending
time and sender, in two queries whatever the number of sub-regions."""

import pytest

from submissions import selectors, services
from tests.factories import RegionFactory, UserFactory
from tests.submissions.conftest import LIANHUA, MONTH, write

pytestmark = pytest.mark.django_db


def test_each_township_with_its_state(regions, lianhua, staff_binhe, leader_binhe, staff_lianhua, send):
    sent = send(staff_binhe, regions.lishi_township, leader_binhe)
    rows = selectors.submission_progress(region=regions.lishi, month=MONTH)
    assert [(row.region.code, row.status, row.submitted_by) for row in rows] == [
        (regions.lishi_township.code, "submitted", staff_binhe), (LIANHUA, "not_started", None)]
    assert rows[0].submitted_at == sent.submitted_at and rows[1].submitted_at is None


def test_a_draft_and_a_returned_one_show_as_such(regions, lianhua, staff_binhe, leader_binhe, staff_lianhua,
                                                 leader_lianhua, staff_lishi, send):
    services.submission_return(actor=staff_lishi, submission=send(staff_binhe, regions.lishi_township, leader_binhe),
                               reason="请补充")
    write(staff_lianhua, lianhua, leader_lianhua)
    assert [row.status for row in selectors.submission_progress(region=regions.lishi, month=MONTH)] == [
        "returned", "draft"]


def test_other_months_do_not_count(regions, lianhua, staff_binhe, leader_binhe, send):
    send(staff_binhe, regions.lishi_township, leader_binhe)
    rows = selectors.submission_progress(region=regions.lishi, month=MONTH.replace(month=1))
    assert [row.status for row in rows] == ["not_started", "not_started"]


def test_two_queries_whatever_the_number_of_sub_regions(regions, lianhua, staff_binhe, leader_binhe, send,
                                                        django_assert_num_queries):
    send(staff_binhe, regions.lishi_township, leader_binhe)
    with django_assert_num_queries(2):
        few = selectors.submission_progress(region=regions.lishi, month=MONTH)
        [(row.status, row.submitted_at, row.submitted_by) for row in few]
    for number in range(3, 9):
        township = RegionFactory(code=f"141102{number:03d}000")
        staff = UserFactory(role="staff", region=township)
        reviewer = UserFactory(role="viewer", region=township)
        if number % 2:
            send(staff, township, reviewer)
    with django_assert_num_queries(2):
        many = selectors.submission_progress(region=regions.lishi, month=MONTH)
        [(row.status, row.submitted_at, row.submitted_by) for row in many]
    assert len(many) == 8 and sum(row.status == "submitted" for row in many) == 4


def test_a_province_sees_its_cities(regions):
    rows = selectors.submission_progress(region=regions.shanxi, month=MONTH)
    assert [row.region.code for row in rows] == [regions.jinzhong.code, regions.lvliang.code]


@pytest.mark.parametrize("level", ["lishi_township", "lishi_village"])
def test_below_a_county_nobody_sends_and_nothing_is_asked(regions, level, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.submission_progress(region=getattr(regions, level), month=MONTH) == []
