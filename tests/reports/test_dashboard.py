"""The statistics dashboard (reports:dashboard) with named actors, and the server-drawn SVG charts."""

import re
from datetime import date
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Region
from core import months
from core.regions import CODE_MESSAGE
from reports import analytics, charts, stats
from tests.factories import LISHI, LISHI_VILLAGE, LVLIANG, SHANXI, YUCI, RegionFactory
from tests.reports import stats_world
from tests.reports.stats_world import MONTH, T1, T2

URL = reverse("reports:dashboard")


@pytest.fixture
def world(staff_lishi, staff_yuci, make_child, make_volunteer):
    return stats_world.build(staff=staff_lishi, staff_yuci=staff_yuci, make_child=make_child,
                             make_volunteer=make_volunteer)


@pytest.fixture(autouse=True)
def empty_cache():
    """The dashboard caches the trend's earlier months: every test starts without."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def browser(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def _page(client, **params):
    return client.get(URL, params)


# --- the page -------------------------------------------------------------------------------------

def test_staff_see_their_countys_figures(world, staff_lishi, browser):
    response = _page(browser(staff_lishi), region=LISHI, month="2025-03")
    assert (response.status_code, response.context["figures"]["children_active"]) == (200, 5)


def test_the_page_shows_the_pairing_rate_card(world, staff_lishi, browser):
    assert "60.0%" in _page(browser(staff_lishi), region=LISHI, month="2025-03").content.decode()


def test_the_page_draws_four_charts_inline(world, staff_lishi, browser):
    html = _page(browser(staff_lishi), region=LISHI, month="2025-03").content.decode()
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg"') == 4


def test_the_page_loads_no_script_and_nothing_external(world, staff_lishi, browser):
    html = _page(browser(staff_lishi), region=LISHI, month="2025-03").content.decode()
    assert "<script" not in html and not re.search(r'(src|href)="(https?:)?//', html)


def test_each_sub_region_links_to_its_own_figures(world, staff_lishi, browser):
    html = _page(browser(staff_lishi), region=LISHI, month="2025-03").content.decode()
    assert all(f'href="?region={code}&amp;month=2025-03"' in html for code in (T1, T2))


def test_the_own_level_row_is_not_a_link(world, staff_lishi, browser):
    html = _page(browser(staff_lishi), region=LISHI, month="2025-03").content.decode()
    assert f'href="?region={LISHI}&amp;month=2025-03">离石区' not in html


def test_drilling_down_shows_the_township(world, staff_lishi, browser):
    response = _page(browser(staff_lishi), region=T1, month="2025-03")
    assert response.context["figures"]["activities"] == 3


def test_without_parameters_the_users_region_and_last_complete_month_are_shown(world, staff_lishi, browser, today):
    response = _page(browser(staff_lishi))
    assert (response.context["region"].code, response.context["month_label"], response.context["so_far"]) == (
        LISHI, months.label(months.previous_month(months.current_month(today=today))), False)


def test_the_current_month_is_labelled_as_of_today(world, staff_lishi, browser, today):
    html = _page(browser(staff_lishi), region=LISHI, month=today.strftime("%Y-%m")).content.decode()
    assert "截至今日" in html


def test_a_complete_month_is_not_labelled_as_of_today(world, staff_lishi, browser):
    assert "截至今日" not in _page(browser(staff_lishi), region=LISHI, month="2025-03").content.decode()


def test_the_city_viewer_sees_the_city(world, viewer_lvliang, browser):
    assert _page(browser(viewer_lvliang), region=LVLIANG, month="2025-03").status_code == 200


def test_the_breadcrumbs_stop_at_the_users_region(world, viewer_lvliang, browser):
    response = _page(browser(viewer_lvliang), region=T1, month="2025-03")
    assert [r.code for r in response.context["crumbs"]] == [LVLIANG, LISHI]


def test_the_breadcrumbs_keep_the_month(world, viewer_lvliang, browser):
    html = _page(browser(viewer_lvliang), region=T1, month="2025-03").content.decode()
    assert all(f'href="?region={code}&amp;month=2025-03"' in html for code in (LVLIANG, LISHI))


def test_a_superuser_starts_at_the_first_province(world, superuser, browser):
    assert _page(browser(superuser), month="2025-03").context["region"].code == SHANXI


def _picker(response) -> list[str]:
    return [code for code, _label in response.context["region_options"]]


def test_the_picker_offers_county_staff_their_townships_but_no_villages(world, staff_lishi, browser):
    codes = _picker(_page(browser(staff_lishi), region=LISHI, month="2025-03"))
    assert (codes[:3], LISHI_VILLAGE in codes) == ([LISHI, T1, T2], False)


def test_a_village_chosen_in_the_address_is_kept_in_the_picker_by_name(world, staff_lishi, browser):
    options = _page(browser(staff_lishi), region=LISHI_VILLAGE, month="2025-03").context["region_options"]
    assert options[-1] == (LISHI_VILLAGE, Region.objects.get(pk=LISHI_VILLAGE).name)


def _queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert _page(client, region=LISHI, month="2025-03").status_code == 200
    return len(captured.captured_queries)


def test_the_page_takes_as_many_queries_for_ten_sub_regions_as_for_two(world, staff_lishi, make_child, browser):
    # session, user, the region, region_stats' 8, the trend's 3, the region options (+ the navigation's
    # own; the breadcrumbs take none at the user's own region) — none per sub-region or per row.
    client = browser(staff_lishi)
    _queries(client)  # the first look asks for the closed months' analytics table (see test_analytics)
    with_two = _queries(client)
    for number in range(8):
        code = f"141102{100 + number:03d}000"
        RegionFactory(code=code, name=f"测试{number}镇")
        make_child(staff_lishi, name=f"孩{number}", region_code=code, entered_on=date(2025, 1, 1))
    assert _queries(client) == with_two


def test_the_trends_last_point_is_the_months_own_figures(world, staff_lishi, browser):
    response = _page(browser(staff_lishi), region=LISHI, month="2025-03")
    last, figures = response.context["trend"][-1], response.context["figures"]
    assert (last["month"], last["activities"], last["monthly_coverage"]) == (
        "2025-03", figures["activities"], figures["monthly_coverage"])


def test_the_trends_earlier_months_match_the_statistics(world, staff_lishi, browser):
    trend = _page(browser(staff_lishi), region=LISHI, month="2025-04").context["trend"]
    assert trend[:-1] == stats.monthly_trend(region=world.region, month=MONTH, count=11)


def _selects(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        _page(client, region=LISHI, month="2025-03")
    return sum(q["sql"].lstrip().upper().startswith(("SELECT", "WITH")) for q in captured.captured_queries)


def test_once_the_table_is_built_the_page_reads_the_closed_months_from_it(world, staff_lishi, browser):
    client = browser(staff_lishi)
    first = _selects(client)
    for month in months.months_ending(MONTH, 12):
        analytics.stats_month_rebuild(month=month)
    # region_stats: 6 live queries → 1 on the table; the trend: 2 live queries → 1 on the table.
    assert _selects(client) == first - 6


# --- scope and bad input --------------------------------------------------------------------------

def test_county_staff_cannot_open_their_city(world, staff_lishi, browser):
    assert _page(browser(staff_lishi), region=LVLIANG, month="2025-03").status_code == 404


def test_county_staff_cannot_open_another_county(world, staff_lishi, browser):
    assert _page(browser(staff_lishi), region=YUCI, month="2025-03").status_code == 404


def test_a_volunteer_is_sent_to_her_phone_pages(volunteer_lishi, browser):
    response = _page(browser(volunteer_lishi))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert _page(client).status_code == 302


def test_a_malformed_month_is_shown_on_the_form(staff_lishi, browser):
    response = _page(browser(staff_lishi), region=LISHI, month="2025-13")
    assert (response.status_code, list(response.context["errors"])) == (400, ["month"])


def test_a_future_month_is_shown_on_the_form(staff_lishi, browser, today):
    response = _page(browser(staff_lishi), region=LISHI, month=f"{today.year + 1}-01")
    assert (response.status_code, list(response.context["errors"])) == (400, ["month"])


def test_a_malformed_region_is_shown_on_the_form(staff_lishi, browser):
    response = _page(browser(staff_lishi), region="lishi", month="2025-03")
    assert (response.status_code, list(response.context["errors"])) == (400, ["region"])


def test_a_malformed_region_is_told_what_a_region_code_is(staff_lishi, browser):
    response = _page(browser(staff_lishi), region="1411", month="2025-03")
    assert response.context["errors"]["region"] == str(CODE_MESSAGE)


def test_a_malformed_region_and_month_are_both_shown(staff_lishi, browser):
    response = _page(browser(staff_lishi), region="lishi", month="March")
    assert (response.status_code, sorted(response.context["errors"])) == (400, ["month", "region"])


def test_a_bad_month_for_a_region_outside_the_scope_is_shown_on_the_form(staff_lishi, browser):
    response = _page(browser(staff_lishi), region=YUCI, month="2025-13")
    assert (response.status_code, list(response.context["errors"])) == (400, ["month"])


def test_the_navigation_offers_statistics_to_staff(staff_lishi, browser):
    assert f'href="{URL}"' in browser(staff_lishi).get("/").content.decode()


def test_the_navigation_hides_statistics_from_volunteers(volunteer_lishi, browser):
    assert f'href="{URL}"' not in browser(volunteer_lishi).get("/m/").content.decode()


# --- the charts -----------------------------------------------------------------------------------

def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def test_a_bar_chart_is_well_formed_svg_with_a_bar_per_row():
    svg = charts.bar_chart([("滨河街道", 0.5, "50.0%"), ("凤山街道", 1.0, "100.0%")], title="结对率", max_value=1)
    bars = [r for r in _parse(svg).iter("{http://www.w3.org/2000/svg}rect") if r.find("{*}title") is not None]
    assert [float(b.get("width")) for b in bars] == [121.0, 242.0]


def test_chart_labels_are_escaped():
    svg = charts.bar_chart([("<b>&", 1, "1")], title="a<b")
    assert "<b>" not in svg and _parse(svg) is not None


def test_a_donut_with_one_colour_is_a_full_ring():
    svg = charts.donut_chart([("红色", 0, "#d32f2f"), ("绿色", 3, "#2e7d32")], title="三色卡")
    assert len(list(_parse(svg).iter("{http://www.w3.org/2000/svg}circle"))) == 1


def test_a_donut_has_a_segment_per_colour_present():
    svg = charts.donut_chart([("红色", 1, "#d32f2f"), ("黄色", 0, "#f2b600"), ("绿色", 3, "#2e7d32")], title="三色卡")
    assert len(list(_parse(svg).iter("{http://www.w3.org/2000/svg}path"))) == 2


def test_an_empty_donut_says_so():
    assert "无在册儿童" in charts.donut_chart([("红色", 0, "#d32f2f")], title="三色卡", empty="无在册儿童")


def test_the_trend_has_a_bar_and_a_point_per_month():
    points = [(f"2025-{m:02d}", m, m / 12) for m in range(1, 13)]
    root = _parse(charts.trend_chart(points, title="趋势", bars_label="活动", line_label="覆盖率"))
    dots = [c for c in root.iter("{http://www.w3.org/2000/svg}circle") if c.find("{*}title") is not None]
    bars = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.find("{*}title") is not None]
    assert (len(bars), len(dots)) == (12, 12)


def test_the_report_charts_of_a_county(world):
    figures = stats.region_stats(region=world.region, month=MONTH)
    trend = stats.monthly_trend(region=world.region, month=MONTH)
    assert [c.title for c in charts.report_charts(figures, trend)] == [
        "各下级区划结对率", "各下级区划关爱活动（次）", "在册儿童三色卡分布", "近12个月关爱活动与月月有活动覆盖率"]


def test_a_village_report_has_no_sub_region_charts(world):
    figures = stats.region_stats(region=world.t1.subregions.get(), month=date(2025, 3, 1))
    assert [c.title for c in charts.report_charts(figures)] == ["在册儿童三色卡分布"]
