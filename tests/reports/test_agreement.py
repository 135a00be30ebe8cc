"""One figure, one answer: the coverage page (月月有活动), the overdue page, the pairing-coverage page
and ``/api/v1/stats/`` count the same children, for every region and month, on a world with
suspended, resumed, transferred and exited children (tests/reports/stats_world.py plus the changes
below). They read the same definitions (children.selectors, pairing.selectors, activities.rhythm);
these tests pin that they agree.

Added to the world, each a case where "now" and "then" differ:
- 丁 (凤山街道) gets a lead caring mother (母二) on 2025-01-05, is suspended 02-20 and back 04-10: paired
  but suspended in March, so in no March count; paired and active in May;
- 乙 moves from 东关村 (T1) to 凤山街道 (T2) on 2025-04-15: every month counts her in T2 (region as of now);
- 甲 gets a visit on 05-06 and 丁 one on 05-07; 戊 exited 04-20.
"""

from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Region
from activities import coverage, rhythm
from activities.services import activity_record
from children import services as children
from core import months
from core.regions import rollup
from pairing import services as pairing
from pairing.models import PairingRole
from tests.reports import stats_world
from tests.reports.stats_world import COUNTY, T1, T2, VILLAGE

pytestmark = pytest.mark.django_db

MONTHS = [date(2025, m, 1) for m in (1, 2, 3, 4, 5)]
REGIONS = [COUNTY, T1, T2, VILLAGE]


@pytest.fixture
def world(staff_lishi, staff_yuci, make_child, make_volunteer):
    w = stats_world.build(staff=staff_lishi, staff_yuci=staff_yuci, make_child=make_child,
                          make_volunteer=make_volunteer)
    pairing.pairing_create(actor=staff_lishi, child=w.ding, volunteer=w.mu2, role=PairingRole.LEAD,
                           started_on=date(2025, 1, 5))
    children.child_transfer(actor=staff_lishi, child=w.yi, to_region=w.t2, effective_on=date(2025, 4, 15))
    for kid, day, mother in ((w.jia, date(2025, 5, 6), w.mu1), (w.ding, date(2025, 5, 7), w.mu2)):
        activity_record(actor=staff_lishi, children=[kid.pk], occurred_on=day, kind="home_visit",
                        volunteer=mother.pk)
    return w


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def stats_of(client, code: str, month: date) -> dict:
    response = client.get("/api/v1/stats/", {"region": code, "month": months.label(month)})
    assert response.status_code == 200, response.content
    return response.json()


def by_code(figures: dict) -> dict:
    """The API's rows by region code (the "itself" row under "own"), and the total under the region's code."""
    rows = {("own" if row["own_level"] else row["region"]["code"]): row for row in figures["subregions"]}
    rows[figures["region"]["code"]] = figures
    return rows


def page_rows(result) -> dict:
    """A roll-up's rows by region code ("own" for the "itself" row), and its total under the region's code."""
    rows = {("own" if row.is_self else row.region.code): row.values for row in result.rows}
    rows[result.region.code] = result.total
    return rows


def test_the_world_has_the_cases_that_differ(world, staff_lishi):
    """Guard: the cases the agreement is about are there (else it would agree trivially)."""
    march = by_code(stats_of(api_for(staff_lishi), COUNTY, date(2025, 3, 1)))
    assert march[T2]["children_by_status"]["suspended"] == 1  # 丁, paired but suspended
    assert march[T2]["children_paired"] == 2  # 戊, and 乙 (moved there in April)


def coverage_disagreements(client, api, month: date) -> list:
    disagreements = []
    for code in REGIONS:
        figures = by_code(stats_of(api, code, month))
        page = client.get(reverse("rhythm:coverage"), {"region": code, "month": months.label(month)})
        assert page.status_code == 200
        for key, share in page_rows(page.context["coverage"]).items():
            expected = (figures[key]["children_paired"],
                        figures[key]["children_paired"] - figures[key]["paired_children_without_activity"])
            if (share.paired, share.covered) != expected:
                disagreements.append((code, months.label(month), key, (share.paired, share.covered), expected))
    return disagreements


def test_the_coverage_page_agrees_with_the_statistics_for_every_region_and_past_month(world, staff_lishi, client):
    client.force_login(staff_lishi)
    api = api_for(staff_lishi)
    assert [d for month in MONTHS for d in coverage_disagreements(client, api, month)] == []


def test_the_coverage_page_agrees_with_the_statistics_of_the_current_month(world, staff_lishi, client, today):
    client.force_login(staff_lishi)
    assert coverage_disagreements(client, api_for(staff_lishi), months.current_month(today=today)) == []


def test_the_coverage_service_agrees_with_the_statistics_in_a_month_with_a_suspended_paired_child(
        world, staff_lishi):
    march = date(2025, 3, 1)
    result = coverage.monthly_coverage(actor=staff_lishi, region=world.t2, month=march, today=date(2025, 6, 1))
    figures = stats_of(api_for(staff_lishi), T2, march)
    assert (result.total.paired, result.total.covered) == (
        figures["children_paired"], figures["children_paired"] - figures["paired_children_without_activity"])


def overdue_rows(actor, region, day: date) -> dict:
    """rhythm.overdue_counts on ``day``, rolled up like the overdue page, by region code."""
    keys = ("paired", *rhythm.RISK_KEYS)
    result = rollup(region=region, counts=rhythm.overdue_counts(actor=actor, region=region, today=day), zero=dict,
                    combine=lambda parts: {k: sum(p.get(k, 0) for p in parts) for k in keys})
    return {code: {k: counts.get(k, 0) for k in keys} for code, counts in page_rows(result).items()}


def test_overdue_counts_agree_with_the_statistics_on_every_month_end(world, staff_lishi):
    api = api_for(staff_lishi)
    disagreements = []
    for code in REGIONS:
        region = Region.objects.get(pk=code)
        for month in MONTHS:
            figures = by_code(stats_of(api, code, month))
            for key, counts in overdue_rows(staff_lishi, region, months.last_day(month)).items():
                expected = {"paired": figures[key]["children_paired"], **figures[key]["overdue_by_color"]}
                if counts != expected:
                    disagreements.append((code, months.label(month), key, counts, expected))
    assert disagreements == []


def test_the_overdue_page_agrees_with_the_statistics_of_the_current_month(world, staff_lishi, client, today):
    client.force_login(staff_lishi)
    api = api_for(staff_lishi)
    for code in REGIONS:
        figures = by_code(stats_of(api, code, months.current_month(today=today)))
        page = client.get(reverse("rhythm:overdue"), {"region": code})
        rows = {row.region.code if row.region else "own": row for row in page.context["rows"]}
        rows[code] = page.context["total"]
        for key, row in rows.items():
            assert {k: row.counts.get(k, 0) for k in rhythm.RISK_KEYS} == figures[key]["overdue_by_color"], (code, key)
            assert row.paired == figures[key]["children_paired"], (code, key)


def test_the_pairing_coverage_page_agrees_with_the_statistics_of_the_current_month(world, staff_lishi, client, today):
    client.force_login(staff_lishi)
    api = api_for(staff_lishi)
    for code in REGIONS:
        figures = by_code(stats_of(api, code, months.current_month(today=today)))
        page = client.get(reverse("pairing:coverage"), {"region": code})
        for key, share in page_rows(page.context["coverage"]).items():
            assert (share.active, share.paired) == (figures[key]["children_active"], figures[key]["children_paired"]), \
                (code, key)
