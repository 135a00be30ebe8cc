"""One grouped pass for a report's two tables, and the trend in one query per measure: the figures of
reports.stats.region_stats_by_subregion and monthly_trend agree with region_stats asked region by
region and month by month, on the hand-computed world of tests/reports/stats_world.py — plus a child
and a caring mother registered at 吕梁市 itself and a training held by 山西省 itself, so the rows of
records "registered at this level" exist at every level of the pass — and build_report takes a fixed
number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from core import months
from reports import analytics, generator, stats
from reports.models import StatsMonth
from tests.factories import JINZHONG, LVLIANG, SHANXI, YUCI, RegionFactory
from tests.reports import stats_world
from tests.reports.stats_world import COUNTY, MONTH, T1, T2, VILLAGE
from volunteers import services as volunteers

pytestmark = pytest.mark.django_db

AGREEMENT_MONTHS = (date(2025, 2, 1), MONTH, date(2025, 4, 1))


@pytest.fixture
def world(staff_lishi, staff_yuci, make_child, make_volunteer, admin_province):
    w = stats_world.build(staff=staff_lishi, staff_yuci=staff_yuci, make_child=make_child,
                          make_volunteer=make_volunteer)
    w.mother_at_city = make_volunteer(admin_province, name="母市", region_code=LVLIANG, joined_on=date(2025, 3, 3))
    for code, title in ((SHANXI, "省级培训"), (LVLIANG, "市级培训")):
        volunteers.training_create(actor=admin_province, region=Region.objects.get(pk=code), title=title,
                                   held_on=date(2025, 3, 12), participants=40)
    return w


def _agrees(code: str, month: date) -> dict[str, bool]:
    """For each region of one pass: whether its payload equals region_stats of that region alone."""
    by_code = stats.region_stats_by_subregion(region=Region.objects.get(pk=code), month=month)
    return {key: payload == stats.region_stats(region=Region.objects.get(pk=key), month=month)
            for key, payload in by_code.items()}


# --- the world has what the agreement is about ----------------------------------------------------

def test_the_world_has_records_registered_at_the_province_and_at_a_city(world):
    figures = stats.region_stats(region=Region.objects.get(pk=SHANXI), month=MONTH)
    own = [row for row in figures["subregions"] if row["own_level"]]
    city = stats.region_stats(region=Region.objects.get(pk=LVLIANG), month=MONTH)
    assert ([row["trainings"] for row in own], [(row["trainings"], row["volunteers_new"])
                                                 for row in city["subregions"] if row["own_level"]]) == ([1], [(1, 1)])


# --- one pass, the same figures as region by region -----------------------------------------------

def test_the_province_pass_gives_the_province_and_each_city_as_asked_alone(world):
    assert _agrees(SHANXI, MONTH) == {SHANXI: True, JINZHONG: True, LVLIANG: True}


def test_the_city_pass_gives_the_city_and_its_county_as_asked_alone(world):
    assert _agrees(LVLIANG, MONTH) == {LVLIANG: True, COUNTY: True}


def test_the_county_pass_gives_the_county_and_each_township_as_asked_alone(world):
    assert _agrees(COUNTY, MONTH) == {COUNTY: True, T1: True, T2: True}


def test_the_township_pass_gives_the_township_and_its_village_as_asked_alone(world):
    assert _agrees(T1, MONTH) == {T1: True, VILLAGE: True}


def test_a_village_pass_is_the_village_alone(world):
    assert _agrees(VILLAGE, MONTH) == {VILLAGE: True}


@pytest.mark.parametrize("month", AGREEMENT_MONTHS[::2], ids=months.label)
def test_the_province_pass_agrees_in_other_months(world, month):
    assert all(_agrees(SHANXI, month).values())


def test_the_province_pass_agrees_in_the_current_month(world, today):
    assert all(_agrees(SHANXI, months.current_month(today=today)).values())


def test_the_pass_comes_in_code_order_with_the_region_first(world):
    by_code = stats.region_stats_by_subregion(region=Region.objects.get(pk=SHANXI), month=MONTH)
    assert list(by_code) == [SHANXI, JINZHONG, LVLIANG]


def test_the_live_pass_takes_eight_queries_whatever_the_number_of_sub_regions(world):
    # 1 the cities; 2 the cities' counties; 3 the contact rhythms; 4 children, 5 volunteers (one row
    # per person, grouped once on the county prefix); 6 activities; 7 trainings; 8 needs.
    province = Region.objects.get(pk=SHANXI)
    for number in range(3):
        RegionFactory(code=f"14{20 + number}00000000", name=f"测试{number}市")
        RegionFactory(code=f"14{20 + number}01000000", name=f"测试{number}区")
    with CaptureQueriesContext(connection) as captured:
        by_code = stats.region_stats_by_subregion(region=province, month=MONTH, live=True)
    assert (len(by_code), len(captured)) == (6, 8)


def test_the_pass_on_the_analytics_table_takes_four_queries(world):
    # 1 the cities; 2 the cities' counties; 3 the table's state for the month; 4 its rows, grouped once
    # on the county prefix.
    analytics.stats_month_rebuild(month=MONTH)
    province = Region.objects.get(pk=SHANXI)
    with CaptureQueriesContext(connection) as captured:
        by_code = stats.region_stats_by_subregion(region=province, month=MONTH)
    assert (len(by_code), len(captured)) == (3, 4)


# --- the trend: one grouped query per measure, the numbers of month-by-month statistics -------------

TREND_KEYS = ("activities", "participant_times", "children_active", "children_without_activity", "monthly_coverage")


@pytest.mark.parametrize("code", [SHANXI, COUNTY, T2])
def test_every_trend_month_equals_that_months_statistics(world, code):
    region = Region.objects.get(pk=code)
    trend = stats.monthly_trend(region=region, month=date(2025, 5, 1))
    by_month = [{key: stats.region_stats(region=region, month=m)[key] for key in TREND_KEYS}
                for m in months.months_ending(date(2025, 5, 1), 12)]
    assert [{key: point[key] for key in TREND_KEYS} for point in trend] == by_month


def test_a_long_trends_later_months_equal_their_statistics(world):
    # 40 months: the recorded months are bits 31 to 39 of the reached-months mask (past 32 bits).
    region = Region.objects.get(pk=COUNTY)
    trend = stats.monthly_trend(region=region, month=date(2025, 5, 1), count=40)
    recorded = months.months_ending(date(2025, 5, 1), 9)
    assert [{key: point[key] for key in TREND_KEYS} for point in trend[31:]] == [
        {key: stats.region_stats(region=region, month=m)[key] for key in TREND_KEYS} for m in recorded]


def test_the_trend_of_the_current_month_equals_its_statistics_so_far(world, today):
    region = Region.objects.get(pk=COUNTY)
    current = months.current_month(today=today)
    point = stats.monthly_trend(region=region, month=current, count=1)[0]
    figures = stats.region_stats(region=region, month=current)
    assert {key: point[key] for key in TREND_KEYS} == {key: figures[key] for key in TREND_KEYS}


# --- the report -----------------------------------------------------------------------------------

def _county_rows(figures: dict, city: str) -> list[tuple]:
    return [(row["region"]["code"], row["region"]["name"], [m.value(row) for m in generator.TABLE_METRICS])
            for row in figures["subregions"]]


def test_the_province_reports_county_table_is_each_citys_own_table(world):
    data = generator.build_report(region=Region.objects.get(pk=SHANXI), month=MONTH)
    expected = [(code, name, values) for city in (JINZHONG, LVLIANG)
                for code, name, values in _county_rows(
                    stats.region_stats(region=Region.objects.get(pk=city), month=MONTH), city)]
    assert [(row.code, row.name, row.values) for row in data.counties.rows] == expected


def test_the_county_table_groups_each_county_under_its_city(world):
    data = generator.build_report(region=Region.objects.get(pk=SHANXI), month=MONTH)
    assert {row.code: row.group for row in data.counties.rows if row.code in (YUCI, COUNTY)} == {
        YUCI: "晋中市", COUNTY: "吕梁市"}


def _report_reads(code: str) -> list[str]:
    """The queries of the report of MONTH, its 12 months' analytics table built (as every night)."""
    region = Region.objects.get(pk=code)
    for month in months.months_ending(MONTH, 12):
        if not StatsMonth.objects.filter(month=month, build__isnull=False).exists():
            analytics.stats_month_rebuild(month=month)
    with CaptureQueriesContext(connection) as captured:
        generator.build_report(region=region, month=MONTH)
    return [q["sql"] for q in captured.captured_queries]


def test_the_province_report_takes_six_queries(world):
    # region_stats_by_subregion: 1 the cities; 2 their counties; 3 the analytics table's state for the
    # month; 4 its rows grouped on the county prefix. monthly_trend: 5 the table's state for the 12
    # months; 6 its rows grouped by month. (A province has no ancestors: its path costs no query.)
    assert len(_report_reads(SHANXI)) == 6


def test_the_city_report_takes_six_queries(world):
    # region_stats: 1 the table's state; 2 its rows grouped on the county prefix; 3 the counties.
    # monthly_trend: 4 the table's state for the 12 months; 5 its rows by month. 6 the city's ancestors
    # for its path (Region.path_name).
    assert len(_report_reads(LVLIANG)) == 6


def test_the_province_reports_query_count_does_not_grow_with_its_cities(world):
    before = len(_report_reads(SHANXI))
    for number in range(3):
        RegionFactory(code=f"14{20 + number}00000000", name=f"测试{number}市")
        RegionFactory(code=f"14{20 + number}01000000", name=f"测试{number}区")
    assert len(_report_reads(SHANXI)) == before
