"""reports.stats.region_stats against the hand-computed world of tests/reports/stats_world.py, the
parent = sum of its rows rule for every additive figure, the month edges, and the fixed query count."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Region
from activities import rhythm
from children import services as children
from core import months
from pairing import services as pairing
from pairing.models import PairingRole
from reports import stats
from tests.factories import JINZHONG, LVLIANG, SHANXI, RegionFactory
from tests.reports import stats_world
from tests.reports.stats_world import COUNTY, EXPECTED, MONTH, T1, T2

# The figures that add up (the parent's is the sum of its rows'); the rates do not.
ADDITIVE_KEYS = [key for key in stats.KEY_ORDER if key not in ("pairing_rate", "monthly_coverage",
                                                                 "paired_monthly_coverage")]


@pytest.fixture
def world(staff_lishi, staff_yuci, make_child, make_volunteer):
    return stats_world.build(staff=staff_lishi, staff_yuci=staff_yuci, make_child=make_child,
                             make_volunteer=make_volunteer)


@pytest.fixture
def county(world):
    return stats.region_stats(region=world.region, month=MONTH)


def _rows(figures: dict) -> dict:
    return {("own" if row["own_level"] else row["region"]["code"]): row for row in figures["subregions"]}


def _figures(row: dict) -> dict:
    return {key: row[key] for key in EXPECTED[COUNTY]}


def _add(total, value):
    if isinstance(value, dict):
        return {k: _add(total.get(k, 0) if isinstance(total, dict) else 0, v) for k, v in value.items()}
    if isinstance(value, str):
        return str(Decimal(total or 0) + Decimal(value))
    return (total or 0) + value


def _sum_rows(figures: dict, key: str):
    total = None
    for row in figures["subregions"]:
        total = row[key] if total is None else _add(total, row[key])
    return total


# --- the hand-computed figures --------------------------------------------------------------------

def test_county_figures_match_the_hand_computed_ones(county):
    assert _figures(county) == EXPECTED[COUNTY]


def test_first_township_figures_match(county):
    assert _figures(_rows(county)[T1]) == EXPECTED[T1]


def test_second_township_figures_match(county):
    assert _figures(_rows(county)[T2]) == EXPECTED[T2]


def test_children_registered_at_the_county_itself_form_their_own_row(county):
    row = _rows(county)["own"]
    assert (row["region"]["code"], _figures(row)) == (COUNTY, EXPECTED["own"])


def test_sub_regions_come_in_code_order_with_the_own_level_row_last(county):
    assert [(r["region"]["code"], r["own_level"]) for r in county["subregions"]] == [
        (T1, False), (T2, False), (COUNTY, True)]


def test_the_region_and_month_are_echoed(county):
    assert (county["region"], county["month"], county["as_of"]) == (
        {"code": COUNTY, "name": "离石区", "level": "county"}, "2025-03", "2025-03-31")


def test_every_contract_key_is_present(county):
    contract = {"region", "month", "children_active", "children_by_category", "children_by_risk", "children_paired",
                "pairing_rate", "children_without_activity", "volunteers_active", "volunteers_paired", "activities",
                "activities_by_kind", "participant_times", "aid_value_yuan", "trainings",
                "training_participant_times", "children_new", "children_exited", "subregions"}
    assert contract <= set(county)


def test_a_township_asked_directly_gives_the_same_figures_as_its_row(world, county):
    direct = stats.region_stats(region=world.t1, month=MONTH)
    assert _figures(direct) == _figures(_rows(county)[T1])


def test_a_village_has_no_sub_regions(world):
    village = stats.region_stats(region=Region.objects.get(pk=stats_world.VILLAGE), month=MONTH)
    assert (village["subregions"], village["children_active"]) == ([], 3)


def test_the_outside_activity_is_not_counted(world, county):
    assert stats.region_stats(region=Region.objects.get(pk="140702000000"), month=MONTH)["activities"] == 1


# --- parent = sum of its rows ---------------------------------------------------------------------

def test_the_county_is_the_sum_of_its_rows_for_every_additive_key(county):
    assert {key: county[key] for key in ADDITIVE_KEYS} == {key: _sum_rows(county, key) for key in ADDITIVE_KEYS}


def test_the_province_is_the_sum_of_its_cities_for_every_additive_key(world):
    province = stats.region_stats(region=Region.objects.get(pk=SHANXI), month=MONTH)
    assert {key: province[key] for key in ADDITIVE_KEYS} == {key: _sum_rows(province, key) for key in ADDITIVE_KEYS}


def test_the_province_rows_are_its_cities(world):
    province = stats.region_stats(region=Region.objects.get(pk=SHANXI), month=MONTH)
    assert [r["region"]["code"] for r in province["subregions"]] == [JINZHONG, LVLIANG]


def test_the_city_row_of_the_province_equals_the_city(world):
    province = stats.region_stats(region=Region.objects.get(pk=SHANXI), month=MONTH)
    city = stats.region_stats(region=Region.objects.get(pk=LVLIANG), month=MONTH)
    assert _figures(_rows(province)[LVLIANG]) == _figures(city)


def test_the_city_equals_its_only_county(world, county):
    city = stats.region_stats(region=Region.objects.get(pk=LVLIANG), month=MONTH)
    assert _figures(city) == _figures(county)


# --- month edges ----------------------------------------------------------------------------------

def test_an_activity_on_the_months_last_day_counts_in_that_month(world):
    # 甲's only March home visit is on 03-31.
    assert stats.region_stats(region=world.t1, month=MONTH)["activities_by_kind"]["home_visit"] == 2


def test_an_activity_on_the_first_of_the_next_month_counts_in_the_next(world):
    april = stats.region_stats(region=world.t2, month=date(2025, 4, 1))
    assert april["activities_by_kind"]["call"] == 1


def test_a_child_exited_mid_month_is_new_and_exited_but_not_active(world):
    row = stats.region_stats(region=world.t1, month=MONTH)
    assert (row["children_new"], row["children_exited"], row["children_by_status"]["exited"],
            row["children_active"]) == (1, 1, 1, 3)


def test_a_child_exited_after_the_month_was_active_at_its_end(world):
    assert stats.region_stats(region=world.t2, month=MONTH)["children_by_status"]["active"] == 1  # 戊


def test_a_child_exited_after_the_month_is_not_active_in_the_month_of_its_exit(world):
    assert stats.region_stats(region=world.t2, month=date(2025, 4, 1))["children_exited"] == 1  # 戊 on 04-20


def test_a_suspension_lifted_after_the_month_still_counts_as_suspended(world):
    assert stats.region_stats(region=world.t2, month=MONTH)["children_by_status"]["suspended"] == 1  # 丁


def test_a_child_entering_after_the_month_is_in_no_count(world):
    row = stats.region_stats(region=world.t2, month=MONTH)  # 辛 entered 04-02
    assert sum(row["children_by_status"].values()) == 2


def test_a_reassessment_after_the_month_does_not_change_its_colour(world):
    assert stats.region_stats(region=world.t1, month=MONTH)["children_by_risk"]["yellow"] == 1  # 乙, green on 04-05


def test_a_lead_pairing_ended_mid_month_is_not_paired_at_its_end(world):
    row = stats.region_stats(region=world.t1, month=MONTH)  # 庚's lead ended 03-25
    assert (row["children_active"], row["children_paired"]) == (3, 2)


def test_a_volunteer_deactivated_after_the_month_was_active(world):
    assert _rows(stats.region_stats(region=world.region, month=MONTH))["own"]["volunteers_active"] == 1  # 母三


def test_february_has_the_activity_of_february_28(world):
    february = stats.region_stats(region=world.region, month=date(2025, 2, 1))
    assert (february["activities"], february["activities_by_kind"]["festival"]) == (1, 1)


def test_the_current_month_is_taken_as_of_today(world, staff_lishi):
    # As if it were 03-10: 丙 (in 03-05, out 03-15) is still active, 己 (in 03-20) not yet in.
    figures = stats.region_stats(region=world.region, month=MONTH, today=date(2025, 3, 10))
    assert (figures["as_of"], figures["children_by_status"]) == ("2025-03-10", {"active": 5, "suspended": 1,
                                                                              "exited": 0})


def test_a_region_without_records_has_zero_rates(world):
    empty = stats.region_stats(region=Region.objects.get(pk=JINZHONG), month=date(2024, 1, 1))
    assert (empty["children_active"], empty["pairing_rate"], empty["monthly_coverage"]) == (0, 0.0, 0.0)


# --- the contact rhythm ---------------------------------------------------------------------------

def test_a_regions_own_contact_rhythm_decides_overdue(world, admin_lishi):
    # 凤山街道 gives unassessed children 60 days: 戊 (lead since 02-01, never visited) is not overdue on 03-31.
    rhythm.rhythm_set(actor=admin_lishi, region=world.t2, red_days=7, yellow_days=14, green_days=30,
                      unassessed_days=60)
    assert stats.region_stats(region=world.region, month=MONTH)["overdue_by_color"]["unassessed"] == 0


def test_an_ancestors_rhythm_applies_below_it(world, admin_lishi):
    # 离石区 gives yellow children 30 days: 乙 (last visit 03-10) is not overdue on 03-31.
    rhythm.rhythm_set(actor=admin_lishi, region=world.region, red_days=7, yellow_days=30, green_days=30,
                      unassessed_days=30)
    assert stats.region_stats(region=world.t1, month=MONTH)["overdue_by_color"]["yellow"] == 0


# --- a fixed number of queries --------------------------------------------------------------------

def _queries(region: Region) -> int:
    with CaptureQueriesContext(connection) as captured:
        stats.region_stats(region=region, month=MONTH)
    return len(captured.captured_queries)


def _township_with_a_child(staff, make_child, number: int):
    code = f"141102{100 + number:03d}000"
    RegionFactory(code=code, name=f"测试{number}镇")
    kid = make_child(staff, name=f"孩{number}", region_code=code, entered_on=date(2025, 1, 1))
    children.child_assess(actor=staff, child=kid, color="green", reasons=[], assessed_on=date(2025, 1, 2))
    return kid


def test_the_query_count_does_not_grow_with_the_sub_regions(world, staff_lishi, make_child, make_volunteer):
    _queries(world.region)  # the first look asks for the closed month's analytics table (see test_analytics)
    with_two = _queries(world.region)
    mother = make_volunteer(staff_lishi, name="母五", region_code=COUNTY, joined_on=date(2024, 1, 1), capacity=10)
    for number in range(8):
        kid = _township_with_a_child(staff_lishi, make_child, number)
        pairing.pairing_create(actor=staff_lishi, child=kid, volunteer=mother, role=PairingRole.LEAD,
                               started_on=date(2025, 1, 5))
    assert Region.objects.filter(parent=world.region).count() == 10
    assert _queries(world.region) == with_two


def _reads(fn) -> list[str]:
    """The SELECTs ``fn`` runs."""
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


def test_the_statistics_computed_live_take_eight_reads(world):
    # 1 the analytics table's state (March is closed, its table not built: computed live);
    # 2 the contact rhythms; 3 children (one row per child, grouped once); 4 volunteers (likewise);
    # 5 activities; 6 trainings; 7 needs — each grouped on the code prefix; 8 the sub-regions.
    assert len(_reads(lambda: stats.region_stats(region=world.region, month=MONTH))) == 8


def test_the_trend_computed_live_takes_three_reads(world):
    # 1 the analytics table's state (no month built: all computed live); 2 activities grouped by month;
    # 3 children with a status column per month and a contacted-months mask.
    assert len(_reads(lambda: stats.monthly_trend(region=world.region, month=MONTH))) == 3


# --- the 12-month trend ---------------------------------------------------------------------------

def test_the_trend_has_twelve_months_ending_with_the_chosen_one(world):
    trend = stats.monthly_trend(region=world.region, month=MONTH)
    assert [p["month"] for p in trend] == [months.label(m) for m in months.months_ending(MONTH, 12)]


def test_each_trend_month_agrees_with_the_statistics_of_that_month(world):
    trend = {p["month"]: p for p in stats.monthly_trend(region=world.region, month=date(2025, 4, 1))}
    for month in (date(2025, 2, 1), MONTH, date(2025, 4, 1)):
        figures = stats.region_stats(region=world.region, month=month)
        point = trend[months.label(month)]
        assert (point["activities"], point["participant_times"], point["children_active"],
                point["children_without_activity"], point["monthly_coverage"]) == (
            figures["activities"], figures["participant_times"], figures["children_active"],
            figures["children_without_activity"], figures["monthly_coverage"])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (its JIT compiler)")
@pytest.mark.django_db
def test_every_postgresql_connection_runs_without_the_jit():
    # The statistics' cost estimates would otherwise make PostgreSQL compile each query for longer
    # than the query runs (bench/stats.py); settled once in config/settings.py.
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
