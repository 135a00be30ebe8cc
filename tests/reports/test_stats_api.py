"""GET /api/v1/stats/: the figures of the hand-computed world, who may read which region (named actors),
bad input (400 naming the field), and the 23:59 Beijing-time edge through the activities API."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone, translation

from activities.phone.forms import LogForm
from children.models import Child
from pairing import services as pairing
from pairing.models import PairingRole
from reports import stats
from reports.access import STATS_DENIED
from tests.factories import JINZHONG, LISHI, LVLIANG, SHANXI, YUCI
from tests.reports import stats_world
from tests.reports.stats_world import EXPECTED

URL = "/api/v1/stats/"


@pytest.fixture
def world(staff_lishi, staff_yuci, make_child, make_volunteer):
    return stats_world.build(staff=staff_lishi, staff_yuci=staff_yuci, make_child=make_child,
                             make_volunteer=make_volunteer)


def _get(client, **params):
    return client.get(URL, params)


# --- the figures ----------------------------------------------------------------------------------

def test_staff_read_their_county(world, staff_lishi, api_client_for):
    body = _get(api_client_for(staff_lishi), region=LISHI, month="2025-03").json()
    assert {key: body[key] for key in EXPECTED[LISHI]} == EXPECTED[LISHI]


def test_the_response_is_the_services_figures(world, staff_lishi, api_client_for):
    body = _get(api_client_for(staff_lishi), region=LISHI, month="2025-03").json()
    assert body == stats.region_stats(region=world.region, month=date(2025, 3, 1))


def test_the_sub_regions_carry_the_same_keys(world, staff_lishi, api_client_for):
    body = _get(api_client_for(staff_lishi), region=LISHI, month="2025-03").json()
    assert all(set(EXPECTED[LISHI]) <= set(row) and set(row["region"]) == {"code", "name", "level"}
               for row in body["subregions"])


def test_aid_value_is_a_decimal_string(world, staff_lishi, api_client_for):
    assert _get(api_client_for(staff_lishi), region=LISHI, month="2025-03").json()["aid_value_yuan"] == "500.50"


def test_without_a_region_the_callers_own_is_meant(world, staff_lishi, api_client_for):
    assert _get(api_client_for(staff_lishi), month="2025-03").json()["region"]["code"] == LISHI


def test_the_current_month_is_allowed(world, staff_lishi, api_client_for, today):
    month = today.strftime("%Y-%m")
    assert _get(api_client_for(staff_lishi), region=LISHI, month=month).json()["as_of"] == today.isoformat()


# --- scope, with named actors ---------------------------------------------------------------------

def test_a_city_viewer_reads_a_county_of_her_city(world, viewer_lvliang, api_client_for):
    assert _get(api_client_for(viewer_lvliang), region=LISHI, month="2025-03").status_code == 200


def test_a_city_viewer_reads_her_city(world, viewer_lvliang, api_client_for):
    body = _get(api_client_for(viewer_lvliang), region=LVLIANG, month="2025-03").json()
    assert body["activities"] == EXPECTED[LISHI]["activities"]


def test_county_staff_cannot_read_their_city(world, staff_lishi, api_client_for):
    # Its figures would include the other counties of 吕梁市.
    assert _get(api_client_for(staff_lishi), region=LVLIANG, month="2025-03").status_code == 404


def test_county_staff_cannot_read_the_province(world, staff_lishi, api_client_for):
    assert _get(api_client_for(staff_lishi), region=SHANXI, month="2025-03").status_code == 404


def test_county_staff_cannot_read_another_county(world, staff_lishi, api_client_for):
    assert _get(api_client_for(staff_lishi), region=YUCI, month="2025-03").status_code == 404


def test_an_unknown_region_is_404(world, staff_lishi, api_client_for):
    assert _get(api_client_for(staff_lishi), region="141102999000", month="2025-03").status_code == 404


def test_the_province_admin_reads_the_province(world, admin_province, api_client_for):
    body = _get(api_client_for(admin_province), region=SHANXI, month="2025-03").json()
    assert [row["region"]["code"] for row in body["subregions"]] == [JINZHONG, LVLIANG]


def test_a_superuser_reads_any_region(world, superuser, api_client_for):
    assert _get(api_client_for(superuser), region=YUCI, month="2025-03").json()["activities"] == 1


def test_a_volunteer_is_refused(world, volunteer_lishi, api_client_for):
    assert _get(api_client_for(volunteer_lishi), region=stats_world.VILLAGE, month="2025-03").status_code == 403


def test_a_volunteer_is_told_why(volunteer_lishi, api_client_for):
    detail = _get(api_client_for(volunteer_lishi), region=LISHI, month="2025-03").json()["detail"]
    with translation.override("zh-hans"):
        assert detail == str(STATS_DENIED)


def test_an_anonymous_caller_is_refused(api_client):
    assert _get(api_client, region=LISHI, month="2025-03").status_code == 401


# --- bad input ------------------------------------------------------------------------------------

def test_a_missing_month_is_400_naming_month(staff_lishi, api_client_for):
    response = _get(api_client_for(staff_lishi), region=LISHI)
    assert (response.status_code, list(response.json())) == (400, ["month"])


def test_a_malformed_month_is_400_naming_month(staff_lishi, api_client_for):
    response = _get(api_client_for(staff_lishi), region=LISHI, month="2025-13")
    assert (response.status_code, list(response.json())) == (400, ["month"])


def test_a_future_month_is_400_naming_month(staff_lishi, api_client_for, today):
    next_year = today.year + 1
    response = _get(api_client_for(staff_lishi), region=LISHI, month=f"{next_year}-01")
    assert (response.status_code, list(response.json())) == (400, ["month"])


def test_a_malformed_region_is_400_naming_region(staff_lishi, api_client_for):
    response = _get(api_client_for(staff_lishi), region="1411", month="2025-03")
    assert (response.status_code, list(response.json())) == (400, ["region"])


def test_a_superuser_without_a_region_must_name_one(superuser, api_client_for):
    response = _get(api_client_for(superuser), month="2025-03")
    assert (response.status_code, list(response.json())) == (400, ["region"])


def test_both_bad_fields_are_named_at_once(staff_lishi, api_client_for):
    response = _get(api_client_for(staff_lishi), region="lishi", month="March")
    assert sorted(response.json()) == ["month", "region"]


def test_the_error_is_in_chinese(staff_lishi, api_client_for):
    message = _get(api_client_for(staff_lishi), region="1411", month="2025-03").json()["region"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


# --- the month's last minute, Beijing time --------------------------------------------------------

@pytest.fixture
def paired_child(staff_lishi, make_child, make_volunteer):
    child = make_child(staff_lishi, name="王小雨", entered_on=date(2025, 1, 1))
    mother = make_volunteer(staff_lishi, name="刘秀兰", joined_on=date(2025, 1, 1))
    pairing.pairing_create(actor=staff_lishi, child=child, volunteer=mother, role=PairingRole.LEAD,
                           started_on=date(2025, 1, 2))
    return child, mother


def _log_now(client, child: Child, mother, at: datetime, monkeypatch) -> dict:
    """Log a visit "now" (``at``) as the phone does: the form's date is today's, in the platform's zone."""
    monkeypatch.setattr(timezone, "now", lambda: at)
    occurred_on = LogForm(children=Child.objects.filter(pk=child.pk))["occurred_on"].value()
    response = client.post("/api/v1/activities/", {"children": [child.pk], "volunteer": mother.pk,
                                                   "kind": "home_visit", "occurred_on": occurred_on.isoformat()},
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_visit_at_2359_beijing_time_on_the_last_day_counts_in_that_month(
        paired_child, staff_lishi, api_client_for, monkeypatch):
    client = api_client_for(staff_lishi)
    child, mother = paired_child
    _log_now(client, child, mother, datetime(2025, 3, 31, 15, 59, tzinfo=UTC), monkeypatch)  # 23:59 in Shanghai
    assert _get(client, region=LISHI, month="2025-03").json()["activities"] == 1


def test_a_visit_at_0030_beijing_time_on_the_first_counts_in_the_next_month(
        paired_child, staff_lishi, api_client_for, monkeypatch):
    client = api_client_for(staff_lishi)
    child, mother = paired_child
    # Still March 31 in UTC, already April 1 in Shanghai.
    _log_now(client, child, mother, datetime(2025, 3, 31, 16, 30, tzinfo=UTC), monkeypatch)
    march, april = (_get(client, region=LISHI, month=m).json()["activities"] for m in ("2025-03", "2025-04"))
    assert (march, april) == (0, 1)
