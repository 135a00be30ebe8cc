"""Monthly coverage, 月月有活动 (activities.coverage): of the children paired in a month, the share with at
least one activity dated in it — per sub-region in one aggregate query, month edges, group
activities, scope, and the page."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import coverage
from activities.models import ActivityChild
from core import months
from tests.factories import LISHI, LISHI_TOWNSHIP, YUCI, ensure_region

pytestmark = pytest.mark.django_db

TOWNSHIP_B = "141102002000"


@pytest.fixture
def month_ledger(make_child, make_volunteer, pair, record, staff_lishi, staff_yuci, mother_yuci, today):
    """Last month in 离石区 (and one child in 榆次区), activities through activity_record:

    滨河街道 (in 东关村): ``last_day`` (one visit, on the month's last day), ``twice`` (the group activity
    on the month's first day and a visit mid-month), ``group_only`` (only the group activity),
    ``outside`` (visits the day before the month and the day after it): paired 4, covered 3.
    凤山街道: ``quiet`` (paired, no activity): paired 1, covered 0; ``unpaired`` (in the group activity,
    but not paired: not counted).
    离石区 itself: ``county`` (paired, a visit mid-month): paired 1, covered 1.
    ``late`` (东关村): paired on the current month's first day, after the month: not counted in it.
    榆次区: ``yuci`` (paired, visited): never counted for 离石区 staff.
    """
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    ensure_region(TOWNSHIP_B)
    mother = make_volunteer(staff_lishi, name="王秀珍", capacity=20)
    started = first - timedelta(days=40)

    def child(name, region_code="141102001200", *, paired=True, started_on=started):
        made = make_child(staff_lishi, name=name, region_code=region_code)
        if paired:
            pair(made, mother, started_on=started_on)
        return made

    ledger = SimpleNamespace(today=today, month=first, last=last, mother=mother)
    ledger.last_day = child("甲末日")
    ledger.twice = child("壬两次")
    ledger.group_only = child("乙集体")
    ledger.outside = child("丙月外")
    ledger.quiet = child("丁无活", TOWNSHIP_B)
    ledger.unpaired = child("戊未结", TOWNSHIP_B, paired=False)
    ledger.county = child("己区级", LISHI)
    ledger.late = child("庚新结", started_on=today.replace(day=1))
    ledger.yuci = make_child(staff_yuci, name="辛榆次", region_code="140702100000")
    pair(ledger.yuci, mother_yuci, actor=staff_yuci, started_on=started)

    record(staff_lishi, children=[ledger.last_day], occurred_on=last, volunteer=mother)
    record(staff_lishi, children=[ledger.twice, ledger.group_only, ledger.unpaired], occurred_on=first,
           volunteer=mother, kind="festival", is_group=True, title="中秋节活动")
    record(staff_lishi, children=[ledger.twice], occurred_on=first + timedelta(days=9), volunteer=mother)
    record(staff_lishi, children=[ledger.outside], occurred_on=first - timedelta(days=1), volunteer=mother)
    record(staff_lishi, children=[ledger.outside], occurred_on=last + timedelta(days=1), volunteer=mother)
    record(staff_lishi, children=[ledger.county], occurred_on=first + timedelta(days=14), volunteer=mother)
    record(staff_yuci, children=[ledger.yuci], occurred_on=first + timedelta(days=3), volunteer=mother_yuci)
    return ledger


def rows_by_name(result) -> dict[str, tuple[int, int]]:
    return {row.name: (row.paired, row.covered) for row in result.rows}


def last_month(ledger, actor, region):
    return coverage.monthly_coverage(actor=actor, region=region, month=ledger.month, today=ledger.today)


def uncovered_names(ledger, actor, region, month=None) -> set[str]:
    return {c.name for c in coverage.uncovered_children(actor=actor, region=region, month=month or ledger.month,
                                                        today=ledger.today)}


# --- the counts -----------------------------------------------------------------------------------

def test_coverage_per_township_for_a_month(month_ledger, staff_lishi, regions):
    result = last_month(month_ledger, staff_lishi, regions.lishi)
    assert rows_by_name(result)["滨河街道"] == (4, 3)
    assert rows_by_name(result)[ensure_region(TOWNSHIP_B).name] == (1, 0)


def test_children_registered_at_the_region_itself_get_their_own_row(month_ledger, staff_lishi, regions):
    result = last_month(month_ledger, staff_lishi, regions.lishi)
    assert [(r.paired, r.covered) for r in result.rows if r.is_self] == [(1, 1)]


def test_the_rows_add_up_to_the_total(month_ledger, staff_lishi, regions):
    result = last_month(month_ledger, staff_lishi, regions.lishi)
    assert (result.total.paired, result.total.covered) == (6, 4)
    assert result.total.percent == 66.7


def test_an_activity_on_the_month_s_last_day_counts_in_that_month(month_ledger, staff_lishi, regions):
    assert month_ledger.last_day.name not in uncovered_names(month_ledger, staff_lishi, regions.lishi)


def test_activities_just_before_and_after_the_month_do_not_count(month_ledger, staff_lishi, regions):
    assert month_ledger.outside.name in uncovered_names(month_ledger, staff_lishi, regions.lishi)


def test_a_group_activity_counts_each_of_its_children_once(month_ledger, staff_lishi, regions):
    first, last = months.bounds(month_ledger.month)
    links = ActivityChild.objects.filter(region_id="141102001200", occurred_on__gte=first, occurred_on__lte=last)
    assert links.count() == 4  # last_day once, twice twice (group + visit), group_only once
    assert rows_by_name(last_month(month_ledger, staff_lishi, regions.lishi))["滨河街道"] == (4, 3)


def test_an_unpaired_child_is_not_in_the_denominator_even_with_an_activity(month_ledger, staff_lishi, regions):
    assert rows_by_name(last_month(month_ledger, staff_lishi, regions.lishi))[ensure_region(TOWNSHIP_B).name] == (1, 0)


def test_a_child_paired_after_the_month_is_not_counted_in_it(month_ledger, staff_lishi, regions):
    assert month_ledger.late.name not in uncovered_names(month_ledger, staff_lishi, regions.lishi)


def test_a_child_paired_this_month_is_counted_in_this_month(month_ledger, staff_lishi, regions):
    this_month = month_ledger.today.replace(day=1)
    assert month_ledger.late.name in uncovered_names(month_ledger, staff_lishi, regions.lishi, this_month)


def test_a_child_who_exited_after_the_month_still_counts_in_it(month_ledger, staff_lishi, regions):
    from children import services as child_services

    child_services.child_exit(actor=staff_lishi, child=month_ledger.quiet, reason="parents_returned",
                              exited_on=month_ledger.today)
    assert month_ledger.quiet.name in uncovered_names(month_ledger, staff_lishi, regions.lishi)


def test_a_city_is_split_by_county(month_ledger, viewer_lvliang, regions):
    assert rows_by_name(last_month(month_ledger, viewer_lvliang, regions.lvliang)) == {"离石区": (6, 4)}


def test_staff_lishi_never_counts_yuci(month_ledger, staff_lishi, regions):
    assert month_ledger.yuci.name not in uncovered_names(month_ledger, staff_lishi, regions.lishi)
    counts = coverage.coverage_counts(actor=staff_lishi, region=regions.shanxi, month=month_ledger.month,
                                      today=month_ledger.today)
    assert set(counts) == {"1411"}  # 吕梁市 only, though asked about the province


def test_the_counts_are_one_aggregate_query(month_ledger, staff_lishi, regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        coverage.coverage_counts(actor=staff_lishi, region=regions.lishi, month=month_ledger.month,
                                 today=month_ledger.today)


# --- months ---------------------------------------------------------------------------------------

def test_parse_month_reads_yyyy_mm():
    assert months.parse_month("2025-03", today=date(2025, 6, 9)) == date(2025, 3, 1)


@pytest.mark.parametrize("value", ["2025-13", "2025/03", "March", "", "1999-12"])
def test_a_malformed_month_is_refused_naming_the_field(value):
    with pytest.raises(ValidationError) as caught:
        months.parse_month(value, today=date(2025, 6, 9))
    assert set(caught.value.message_dict) == {"month"}


def test_a_future_month_is_refused():
    with pytest.raises(ValidationError):
        months.parse_month("2025-07", today=date(2025, 6, 30))


def test_month_bounds_end_on_the_last_day_of_february_in_a_leap_year():
    assert months.bounds(date(2028, 2, 1)) == (date(2028, 2, 1), date(2028, 2, 29))


# --- the page -------------------------------------------------------------------------------------

def test_the_page_defaults_to_the_current_month(client, month_ledger, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("rhythm:coverage"))
    assert response.context["month"] == month_ledger.today.replace(day=1)


def test_the_page_shows_the_chosen_month(client, month_ledger, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("rhythm:coverage"), {"month": f"{month_ledger.month:%Y-%m}"})
    total = response.context["coverage"].total
    assert (total.paired, total.covered) == (6, 4)
    assert {c.name for c in response.context["page"]} == {"丙月外", "丁无活"}


def test_a_bad_month_on_the_page_is_400_with_a_chinese_error(client, month_ledger, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("rhythm:coverage"), {"month": "2025-13"})
    assert response.status_code == 400
    assert "YYYY-MM" in response.context["month_error"]


def test_a_sub_region_is_chosen_with_region(client, month_ledger, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("rhythm:coverage"), {"region": LISHI_TOWNSHIP, "month": f"{month_ledger.month:%Y-%m}"})
    total = response.context["coverage"].total
    assert (total.paired, total.covered) == (4, 3)


def test_a_region_outside_the_scope_is_404(client, month_ledger, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get(reverse("rhythm:coverage"), {"region": YUCI}).status_code == 404


def test_volunteers_are_sent_to_their_phone_pages(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("rhythm:coverage"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_the_page_runs_a_fixed_number_of_queries(client, month_ledger, staff_lishi, make_child, pair,
                                                 django_assert_num_queries):
    for i in range(4):
        pair(make_child(staff_lishi, name=f"多孩{i}"), month_ledger.mother,
             started_on=month_ledger.month - timedelta(days=10))
    client.force_login(staff_lishi)
    # 1 session, 2 user, 3 the chosen region, 4 the grouped counts, 5 the sub-regions' names, 6 the
    # count of children without an activity, 7 one page of them with their regions, 8 the badge.
    with django_assert_num_queries(8):
        response = client.get(reverse("rhythm:coverage"), {"month": f"{month_ledger.month:%Y-%m}"})
    assert response.context["coverage"].total.paired == 10
