"""The home page's to-do list (accounts.home): counts of the user's subtree, each linked to the list
that shows exactly those rows, and the direct sub-regions as tiles with their own counts.

Built on ``contact_ledger`` (tests/activities/conftest.py): in 离石区 three children overdue for
contact and one unpaired; 榆次区 has one overdue child. On top of it, each test's ``todo_ledger`` adds
one red card overdue for review, one child ageing out in 8 days and one open need in each county.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.home import home_todo
from children import services as child_services
from children.models import Child
from tests.factories import RegionFactory

# Each figure's list page, and where that page keeps the paginator of the rows it lists.
LIST_PAGINATORS = {"overdue": "page", "review": "page", "unpaired": "unpaired", "ageing": "page", "needs": "page",
                   "coverage": "page", "transfers": "page", "actions": "page", "consent": "page"}
LISHI_COUNTS = {"overdue": 3, "review": 1, "unpaired": 1, "ageing": 1, "needs": 1}


@pytest.fixture
def todo_ledger(contact_ledger, staff_lishi, staff_yuci):
    """``contact_ledger`` plus, in each county, a red card overdue for review, a child ageing out in
    8 days and an open need."""
    today = contact_ledger.today
    for red, other, actor in ((contact_ledger.red_late, contact_ledger.green_late, staff_lishi),
                              (contact_ledger.yuci_late, contact_ledger.yuci_late, staff_yuci)):
        Child.objects.filter(pk=red.pk).update(next_review_on=today - timedelta(days=1))
        Child.objects.filter(pk=other.pk).update(ages_out_on=today + timedelta(days=8))
        child_services.need_create(actor=actor, child=red, kind="study", description="书包", opened_on=today)
    return contact_ledger


def counts(user, today) -> dict:
    # The transfers waiting for the user's side (staff only) are counted in tests/children/test_transfers.py.
    # The user's own overdue case-plan actions are counted in tests/casework/test_pages.py, the children
    # without a consent in tests/casework/test_consent_uses.py.
    return {key: todo.count for key, todo in home_todo(user, today).todos.items()
            if key not in ("coverage", "transfers", "actions", "consent")}


def visible_text(client) -> str:
    return re.sub(r"<[^>]+>", " ", client.get(reverse("home")).content.decode())


def test_county_staff_sees_the_counts_of_her_subtree_only(staff_lishi, todo_ledger, today):
    assert counts(staff_lishi, today) == LISHI_COUNTS


def test_city_leader_sees_the_same_counts_for_his_subtree(viewer_lvliang, todo_ledger, today):
    assert counts(viewer_lvliang, today) == LISHI_COUNTS


def test_another_countys_staff_sees_only_hers(staff_yuci, todo_ledger, today):
    assert counts(staff_yuci, today) == {"overdue": 1, "review": 1, "unpaired": 0, "ageing": 1, "needs": 1}


def test_the_home_page_shows_the_counts_as_links(client, staff_lishi, todo_ledger, today):
    client.force_login(staff_lishi)
    page = client.get(reverse("home")).content.decode()
    overdue = home_todo(staff_lishi, today).todos["overdue"]
    assert f'href="{overdue.url}">3</a>' in page.replace("&amp;", "&")


def test_the_raw_region_code_is_not_shown(client, staff_lishi, todo_ledger):
    client.force_login(staff_lishi)
    text = visible_text(client)
    assert "141102000000" not in text
    assert "山西省 / 吕梁市 / 离石区" in text


@pytest.mark.parametrize("actor", ["staff_lishi", "viewer_lvliang"])
def test_each_count_equals_the_rows_of_the_list_it_links_to(client, request, actor, todo_ledger, today):
    user = request.getfixturevalue(actor)
    client.force_login(user)
    for key, todo in home_todo(user, today).todos.items():
        response = client.get(todo.url)
        assert response.status_code == 200, key
        assert response.context[LIST_PAGINATORS[key]].paginator.count == todo.count, key


def test_each_tile_count_equals_the_rows_of_the_list_it_links_to(client, viewer_lvliang, todo_ledger, today):
    client.force_login(viewer_lvliang)
    [tile] = home_todo(viewer_lvliang, today).tiles
    assert (tile.region.name, tile.overdue, tile.unpaired) == ("离石区", 3, 1)
    assert client.get(tile.overdue_url).context["page"].paginator.count == 3
    assert client.get(tile.unpaired_url).context["unpaired"].paginator.count == 1


def test_the_tiles_are_the_direct_subregions_with_their_own_counts(staff_lishi, todo_ledger, today):
    tiles = home_todo(staff_lishi, today).tiles
    assert [(t.region.name, t.overdue, t.unpaired) for t in tiles] == [("滨河街道", 3, 1)]


def test_the_home_page_links_each_tile(client, viewer_lvliang, todo_ledger, today):
    client.force_login(viewer_lvliang)
    page = client.get(reverse("home")).content.decode().replace("&amp;", "&")
    [tile] = home_todo(viewer_lvliang, today).tiles
    assert f'href="{tile.url}">离石区</a>' in page


def test_the_counts_take_a_fixed_number_of_queries_whatever_the_subregions(viewer_lvliang, todo_ledger, today,
                                                                        django_assert_num_queries):
    # Queries: the rhythms; overdue by sub-region; active/paired by sub-region; the reds overdue for
    # review; the children ageing out; the open needs; the children without a consent; the month's
    # coverage; the direct sub-regions.
    with django_assert_num_queries(9):
        home_todo(viewer_lvliang, today)
    for code in ("141121000000", "141122000000", "141123000000"):
        RegionFactory(code=code)
    with django_assert_num_queries(9):
        home = home_todo(viewer_lvliang, today)
    assert len(home.tiles) == 4
