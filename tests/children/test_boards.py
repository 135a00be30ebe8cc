"""The risk board, the needs list and the ageing-out list: correct counts, scope, and constant queries."""

from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from accounts.models import Region
from children import services
from children.models import Category, Child, add_years

pytestmark = pytest.mark.django_db

LISHI = "141102000000"
TOWNSHIP_A = "141102001000"
VILLAGE_A = "141102001200"
TOWNSHIP_B = "141102002000"
YUCI_TOWNSHIP = "140702100000"


@pytest.fixture
def township_b(regions):
    """A second township of 离石区, so the board has two rows with children."""
    region, _created = Region.objects.get_or_create(
        code=TOWNSHIP_B, defaults={"name": "凤山街道", "level": "township", "parent_id": LISHI})
    return region


def assess(actor, child, color, *, today: date, days_ago: int = 0):
    return services.child_assess(actor=actor, child=child, color=color, reasons=["guardianship"],
                                 assessed_on=today - timedelta(days=days_ago))


@pytest.fixture
def lishi_children(make_child, staff_lishi, township_b, today):
    """A hand-built ledger of 离石区 with known colours, by township:

    township A (via its village): red 2, yellow 1, green 0, not assessed 1 — plus an exited red and a
    suspended yellow, neither counted; township B: green 2, not assessed 1; at 离石区 itself: yellow 1.
    """
    made = {}

    def child(key, region_code, color=None, **fields):
        made[key] = make_child(staff_lishi, region_code=region_code, name=f"孩子{key}", **fields)
        if color:
            assess(staff_lishi, made[key], color, today=today)
        return made[key]

    child("a_red1", VILLAGE_A, "red")
    child("a_red2", TOWNSHIP_A, "red")
    child("a_yellow", VILLAGE_A, "yellow")
    child("a_none", VILLAGE_A)
    exited = child("a_exited_red", VILLAGE_A, "red")
    services.child_exit(actor=staff_lishi, child=exited, reason="parents_returned", exited_on=today)
    suspended = child("a_suspended_yellow", VILLAGE_A, "yellow")
    services.child_change_status(actor=staff_lishi, child=suspended, to_status="suspended", effective_on=today)
    child("b_green1", TOWNSHIP_B, "green")
    child("b_green2", TOWNSHIP_B, "green")
    child("b_none", TOWNSHIP_B)
    child("county_yellow", LISHI, "yellow")
    return made


def counts(row) -> tuple:
    return (row.counts["red"], row.counts["yellow"], row.counts["green"], row.counts["unassessed"], row.total)


def rows_by_code(response) -> dict:
    return {row.code: row for row in response.context["rows"]}


# --- the risk board: counts -----------------------------------------------------------------------

def test_risk_board_counts_each_township_by_colour(client, staff_lishi, lishi_children):
    client.force_login(staff_lishi)
    rows = rows_by_code(client.get(reverse("children:risk-board")))
    assert counts(rows[TOWNSHIP_A]) == (2, 1, 0, 1, 4)
    assert counts(rows[TOWNSHIP_B]) == (0, 0, 2, 1, 3)


def test_risk_board_puts_children_registered_at_the_county_itself_in_their_own_row(client, staff_lishi,
                                                                                    lishi_children):
    client.force_login(staff_lishi)
    rows = client.get(reverse("children:risk-board")).context["rows"]
    direct = [row for row in rows if row.region is None]
    assert [counts(row) for row in direct] == [(0, 1, 0, 0, 1)]


def test_risk_board_totals_equal_the_active_children_of_the_scope(client, staff_lishi, lishi_children):
    client.force_login(staff_lishi)
    totals = client.get(reverse("children:risk-board")).context["totals"]
    assert counts(totals) == (2, 2, 2, 2, 8)
    assert totals.total == Child.objects.visible_to(staff_lishi).active().count()


def test_risk_board_lists_every_sub_region_even_without_children(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    rows = rows_by_code(client.get(reverse("children:risk-board")))
    expected = set(Region.objects.filter(parent_id=LISHI).values_list("code", flat=True))
    assert set(rows) == expected
    assert all(row.total == 0 for row in rows.values())


def test_risk_board_counts_link_to_the_filtered_ledger(client, staff_lishi, lishi_children):
    client.force_login(staff_lishi)
    row = rows_by_code(client.get(reverse("children:risk-board")))[TOWNSHIP_A]
    links = {key: url for key, _count, url in row.links}
    red = urlparse(links["red"])
    assert red.path == reverse("children:list")
    assert parse_qs(red.query) == {"region": [TOWNSHIP_A], "status": ["active"], "risk_color": ["red"]}
    assert parse_qs(urlparse(links["unassessed"]).query)["risk_color"] == ["none"]


def test_risk_board_link_opens_a_ledger_with_exactly_the_counted_children(client, staff_lishi, lishi_children):
    client.force_login(staff_lishi)
    row = rows_by_code(client.get(reverse("children:risk-board")))[TOWNSHIP_A]
    red_url = next(url for key, _count, url in row.links if key == "red")
    ledger = client.get(red_url)
    assert ledger.status_code == 200
    assert {c.name for c in ledger.context["page"]} == {"孩子a_red1", "孩子a_red2"}


def test_risk_board_of_staff_lishi_never_counts_yuci_children(client, staff_lishi, staff_yuci, make_child,
                                                              lishi_children, today):
    yuci = make_child(staff_yuci, region_code=YUCI_TOWNSHIP, name="榆次红", birth_date=date(2013, 6, 1))
    assess(staff_yuci, yuci, "red", today=today, days_ago=60)
    client.force_login(staff_lishi)
    response = client.get(reverse("children:risk-board"))
    assert response.context["totals"].total == 8
    assert "榆次红" not in response.content.decode()


def test_risk_board_for_a_region_outside_scope_is_404(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    assert client.get(reverse("children:risk-board"), {"region": "140702000000"}).status_code == 404


def test_risk_board_for_a_malformed_region_code_is_400_naming_the_code(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:risk-board"), {"region": "1411"})
    assert response.status_code == 400
    assert "141102000000" in response.content.decode()  # the example in the message of a region code


def test_risk_board_drills_down_to_a_township(client, staff_lishi, lishi_children):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:risk-board"), {"region": TOWNSHIP_A})
    rows = response.context["rows"]
    assert counts(rows_by_code(response)[VILLAGE_A]) == (1, 1, 0, 1, 3)
    assert [counts(r) for r in rows if r.region is None] == [(1, 0, 0, 0, 1)]  # registered at the township
    assert counts(response.context["totals"]) == (2, 1, 0, 1, 4)


def test_risk_board_of_a_village_has_one_row_for_the_village_itself(client, staff_lishi, lishi_children):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:risk-board"), {"region": VILLAGE_A})
    assert [(row.region, counts(row)) for row in response.context["rows"]] == [(None, (1, 1, 0, 1, 3))]
    assert counts(response.context["totals"]) == (1, 1, 0, 1, 3)


def test_viewer_of_the_city_reads_the_board_by_county(client, viewer_lvliang, lishi_children):
    client.force_login(viewer_lvliang)
    response = client.get(reverse("children:risk-board"))
    assert response.status_code == 200
    assert counts(rows_by_code(response)[LISHI]) == (2, 2, 2, 2, 8)


def test_superuser_without_a_region_starts_at_the_provinces(client, superuser, lishi_children):
    client.force_login(superuser)
    response = client.get(reverse("children:risk-board"))
    assert response.context["root"] is None
    assert counts(rows_by_code(response)["140000000000"]) == (2, 2, 2, 2, 8)


def test_superuser_drilled_into_a_province_gets_a_link_back_to_all_provinces(client, superuser, regions):
    client.force_login(superuser)
    page = client.get(reverse("children:risk-board"), {"region": "140000000000"}).content.decode()
    assert f'href="{reverse("children:risk-board")}"' in page


def test_volunteer_cannot_open_the_risk_board(client, volunteer_lishi, regions):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:risk-board"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_anonymous_risk_board_redirects_to_login(client):
    response = client.get(reverse("children:risk-board"))
    assert response.status_code == 302


# --- the risk board: overdue reds -----------------------------------------------------------------

@pytest.fixture
def overdue_reds(make_child, staff_lishi, today):
    """Red cards 10 and 5 days overdue (review every 30 days), a red not yet due, an overdue yellow."""
    made = {}
    for name, color, days_ago in (("红五天", "red", 35), ("红十天", "red", 40), ("红未到期", "red", 3),
                                  ("黄逾期", "yellow", 200)):
        made[name] = make_child(staff_lishi, name=name)
        assess(staff_lishi, made[name], color, today=today, days_ago=days_ago)
    return made


def test_overdue_reds_are_listed_oldest_first_with_days_overdue(client, staff_lishi, overdue_reds):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:risk-board")).context["page"]
    assert [(c.name, c.days_overdue) for c in page] == [("红十天", 10), ("红五天", 5)]


def test_overdue_reds_link_to_the_child_page(client, staff_lishi, overdue_reds):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:risk-board")).content.decode()
    assert reverse("children:detail", args=[overdue_reds["红十天"].pk]) in page


def test_overdue_reds_leave_out_exited_children(client, staff_lishi, overdue_reds, today):
    services.child_exit(actor=staff_lishi, child=overdue_reds["红十天"], reason="moved_away", exited_on=today)
    client.force_login(staff_lishi)
    page = client.get(reverse("children:risk-board")).context["page"]
    assert [c.name for c in page] == ["红五天"]


def test_overdue_reds_of_yuci_are_not_shown_to_lishi_staff(client, staff_lishi, staff_yuci, make_child,
                                                           regions, today):
    yuci = make_child(staff_yuci, region_code=YUCI_TOWNSHIP, name="榆次红", birth_date=date(2013, 6, 1))
    assess(staff_yuci, yuci, "red", today=today, days_ago=60)
    client.force_login(staff_lishi)
    assert list(client.get(reverse("children:risk-board")).context["page"]) == []


def test_risk_board_page_has_phone_labels(client, staff_lishi, overdue_reds):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:risk-board")).content.decode()
    assert 'class="table board"' in page
    assert page.count("data-label=") >= 6 * 2 + 4 * 2


# --- the risk board: queries ----------------------------------------------------------------------

def _more_children(make_child, staff_lishi, township_b, n: int, *, today: date) -> None:
    for i in range(n):
        child = make_child(staff_lishi, region_code=(VILLAGE_A, TOWNSHIP_B)[i % 2], name=f"多{i}")
        assess(staff_lishi, child, ("red", "yellow", "green")[i % 3], today=today, days_ago=40)


# Queries of the risk board at the user's own region: the session (1), the user (2), the board's
# region (3), its sub-regions (4), the one colour aggregate (5), the overdue count (6), one page of
# overdue reds with their regions (7), the red children without a case plan with their regions (8:
# casework.selectors.red_without_plan), the unread-notifications badge in the layout (9), the pending
# urgent reports of the banner heading the page (10: alerts.selectors.pending_count). No breadcrumbs
# query: nothing in scope lies above one's own region.
RISK_BOARD_QUERIES = 10


def test_risk_board_queries_are_constant(client, staff_lishi, make_child, township_b,
                                        django_assert_num_queries, today):
    _more_children(make_child, staff_lishi, township_b, 3, today=today)
    client.force_login(staff_lishi)
    with django_assert_num_queries(RISK_BOARD_QUERIES):
        client.get(reverse("children:risk-board"))
    _more_children(make_child, staff_lishi, township_b, 12, today=today)
    Region.objects.create(code="141102004000", name="城北街道", level="township", parent_id=LISHI)
    with django_assert_num_queries(RISK_BOARD_QUERIES):
        response = client.get(reverse("children:risk-board"))
    assert response.context["totals"].total == 15


def test_risk_board_drilled_down_adds_one_query_for_the_breadcrumbs(client, staff_lishi, make_child, township_b,
                                                                   django_assert_num_queries, today):
    _more_children(make_child, staff_lishi, township_b, 6, today=today)
    client.force_login(staff_lishi)
    # The seven above, plus the regions between 离石区 and the township (8).
    with django_assert_num_queries(RISK_BOARD_QUERIES + 1):
        response = client.get(reverse("children:risk-board"), {"region": TOWNSHIP_A})
    assert [a.code for a in response.context["ancestors"]] == [LISHI]


# --- needs ----------------------------------------------------------------------------------------

@pytest.fixture
def lishi_needs(child_lishi, staff_lishi, today):
    """An open study need, a claimed material need, and a fulfilled one for the 离石区 child."""
    study = services.need_create(actor=staff_lishi, child=child_lishi, kind="study", description="一套课外读物",
                                 value_yuan=None, opened_on=today - timedelta(days=5))
    material = services.need_create(actor=staff_lishi, child=child_lishi, kind="material", description="冬季棉衣",
                                    value_yuan=Decimal("200"), opened_on=today - timedelta(days=3))
    services.need_transition(actor=staff_lishi, need=material, to_status="claimed", claimed_by_name="吕梁市妇联执委刘芳")
    done = services.need_create(actor=staff_lishi, child=child_lishi, kind="health", description="配一副眼镜",
                                opened_on=today - timedelta(days=9))
    services.need_transition(actor=staff_lishi, need=done, to_status="claimed", claimed_by_name="爱心眼镜店")
    services.need_transition(actor=staff_lishi, need=done, to_status="fulfilled")
    return {"study": study, "material": material, "done": done}


def descriptions(response) -> list[str]:
    return [need.description for need in response.context["page"]]


def test_need_list_shows_open_and_claimed_needs_newest_first(client, staff_lishi, lishi_needs):
    client.force_login(staff_lishi)
    assert descriptions(client.get(reverse("children:need-list"))) == ["冬季棉衣", "一套课外读物"]


def test_need_list_shows_who_claimed_and_the_value(client, staff_lishi, lishi_needs):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:need-list")).content.decode()
    assert "吕梁市妇联执委刘芳" in page
    assert "200" in page
    assert reverse("children:detail", args=[lishi_needs["study"].child_id]) in page


def test_need_list_filters_by_kind(client, staff_lishi, lishi_needs):
    client.force_login(staff_lishi)
    assert descriptions(client.get(reverse("children:need-list"), {"kind": "study"})) == ["一套课外读物"]


def test_need_list_filters_by_status(client, staff_lishi, lishi_needs):
    client.force_login(staff_lishi)
    assert descriptions(client.get(reverse("children:need-list"), {"status": "fulfilled"})) == ["配一副眼镜"]


def test_need_list_filters_by_region_subtree(client, staff_lishi, lishi_needs, make_child, township_b):
    other = make_child(staff_lishi, region_code=TOWNSHIP_B, name="凤山孩子")
    services.need_create(actor=staff_lishi, child=other, kind="legal", description="法律咨询")
    client.force_login(staff_lishi)
    assert descriptions(client.get(reverse("children:need-list"), {"region": TOWNSHIP_B})) == ["法律咨询"]
    assert "法律咨询" not in descriptions(client.get(reverse("children:need-list"), {"region": TOWNSHIP_A}))


def test_staff_yuci_cannot_see_lishi_needs(client, staff_yuci, lishi_needs):
    client.force_login(staff_yuci)
    response = client.get(reverse("children:need-list"))
    assert response.status_code == 200
    assert descriptions(response) == []
    assert "冬季棉衣" not in response.content.decode()


def test_need_list_for_a_region_outside_scope_is_404(client, staff_yuci, lishi_needs):
    client.force_login(staff_yuci)
    assert client.get(reverse("children:need-list"), {"region": LISHI}).status_code == 404


def test_need_list_for_a_malformed_region_code_is_400(client, staff_lishi, lishi_needs):
    client.force_login(staff_lishi)
    assert client.get(reverse("children:need-list"), {"region": "1411"}).status_code == 400


def test_need_list_offers_the_users_region_and_the_regions_right_below_it(client, staff_lishi, township_b):
    client.force_login(staff_lishi)
    options = client.get(reverse("children:need-list")).context["region_options"]
    assert [code for code, _label in options] == [LISHI, TOWNSHIP_A, TOWNSHIP_B]


def test_need_list_keeps_a_chosen_village_among_the_regions_offered(client, staff_lishi, lishi_needs):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:need-list"), {"region": VILLAGE_A})
    assert (VILLAGE_A, "东关村") in response.context["region_options"]
    assert f'<option value="{VILLAGE_A}" selected>' in response.content.decode()


def test_viewer_of_the_city_reads_the_need_list(client, viewer_lvliang, lishi_needs):
    client.force_login(viewer_lvliang)
    assert descriptions(client.get(reverse("children:need-list"))) == ["冬季棉衣", "一套课外读物"]


def test_volunteer_is_sent_to_her_phone_pages_from_the_needs(client, volunteer_lishi, lishi_needs):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:need-list"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


# Queries of the needs list: the session (1), the user (2), the count (3), one page of needs with
# their child and region (4), the regions of the region filter (5), the unread-notifications badge (6).
NEED_LIST_QUERIES = 6


def test_need_list_queries_are_constant(client, staff_lishi, make_child, lishi_needs, django_assert_num_queries):
    client.force_login(staff_lishi)
    with django_assert_num_queries(NEED_LIST_QUERIES):
        client.get(reverse("children:need-list"))
    for i in range(8):
        child = make_child(staff_lishi, name=f"需{i}")
        services.need_create(actor=staff_lishi, child=child, kind="other", description=f"心愿{i}")
    with django_assert_num_queries(NEED_LIST_QUERIES):
        response = client.get(reverse("children:need-list"))
    assert response.context["page"].paginator.count == 10


def test_need_list_with_a_region_adds_one_query(client, staff_lishi, lishi_needs, django_assert_num_queries):
    client.force_login(staff_lishi)
    # The five above, plus the chosen region checked against the user's scope (6).
    with django_assert_num_queries(NEED_LIST_QUERIES + 1):
        client.get(reverse("children:need-list"), {"region": TOWNSHIP_A})


# --- ageing out -----------------------------------------------------------------------------------

@pytest.fixture
def ageing(make_child, staff_lishi, today):
    """A left-behind child turning 16 in 10 days, an orphan in difficulty turning 18 in 20 days, an
    orphan turning 18 in 60 days (too far), and a left-behind orphan who turns 16 in 5 days but stays
    an orphan until 18 (not ageing out)."""

    def born(years: int, in_days: int) -> date:
        return add_years(today + timedelta(days=in_days), -years)

    return {
        "lb": make_child(staff_lishi, name="十六岁", birth_date=born(16, 10), categories=["left_behind"]),
        "od": make_child(staff_lishi, name="十八岁", birth_date=born(18, 20), categories=["orphan", "in_difficulty"],
                         difficulty_types=["poverty"]),
        "far": make_child(staff_lishi, name="还早", birth_date=born(18, 60), categories=["orphan"]),
        "both": make_child(staff_lishi, name="两类", birth_date=born(16, 5), categories=["left_behind", "orphan"]),
    }


def test_aging_out_lists_children_within_the_warning_days_soonest_first(client, staff_lishi, ageing):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:aging-out")).context["page"]
    assert [(c.name, c.days_left) for c in page] == [("十六岁", 10), ("十八岁", 20)]


def test_aging_out_names_the_categories_that_end(client, staff_lishi, ageing):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:aging-out")).context["page"]
    assert [c.ending for c in page] == [[str(Category.LEFT_BEHIND.label)],
                                        [str(Category.IN_DIFFICULTY.label), str(Category.ORPHAN.label)]]


def test_aging_out_shows_the_date(client, staff_lishi, ageing):
    client.force_login(staff_lishi)
    page = client.get(reverse("children:aging-out")).content.decode()
    assert ageing["lb"].ages_out_on.isoformat() in page


def test_aging_out_leaves_out_exited_children(client, staff_lishi, ageing, today):
    services.child_exit(actor=staff_lishi, child=ageing["lb"], reason="parents_returned", exited_on=today)
    client.force_login(staff_lishi)
    assert [c.name for c in client.get(reverse("children:aging-out")).context["page"]] == ["十八岁"]


def test_aging_out_of_lishi_is_not_shown_to_yuci_staff(client, staff_yuci, ageing):
    client.force_login(staff_yuci)
    assert list(client.get(reverse("children:aging-out")).context["page"]) == []


def test_viewer_of_the_city_reads_the_aging_out_list(client, viewer_lvliang, ageing):
    client.force_login(viewer_lvliang)
    assert len(client.get(reverse("children:aging-out")).context["page"]) == 2


def test_volunteer_cannot_open_the_aging_out_list(client, volunteer_lishi, regions):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:aging-out"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


# Queries of the ageing-out list: the session (1), the user (2), the count (3), one page of children
# with their regions (4), the unread-notifications badge (5).
AGING_OUT_QUERIES = 5


def test_aging_out_queries_are_constant(client, staff_lishi, make_child, ageing, django_assert_num_queries,
                                        today):
    client.force_login(staff_lishi)
    with django_assert_num_queries(AGING_OUT_QUERIES):
        client.get(reverse("children:aging-out"))
    for i in range(6):
        make_child(staff_lishi, name=f"快{i}", birth_date=add_years(today + timedelta(days=i + 1), -16))
    with django_assert_num_queries(AGING_OUT_QUERIES):
        response = client.get(reverse("children:aging-out"))
    assert response.context["page"].paginator.count == 8


def test_aging_out_narrows_to_the_region_asked_for(client, viewer_lvliang, ageing, township_b):
    client.force_login(viewer_lvliang)
    page = client.get(reverse("children:aging-out"), {"region": TOWNSHIP_B}).context["page"]
    assert page.paginator.count == 0  # the two ageing out live in the other township


def test_aging_out_of_a_region_outside_the_scope_is_not_found(client, staff_lishi, ageing):
    client.force_login(staff_lishi)
    assert client.get(reverse("children:aging-out"), {"region": "140702000000"}).status_code == 404
