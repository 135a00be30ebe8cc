"""The staff child page: last contact and next due by the phone's rule (activities.rhythm), and its
history in pages of TIMELINE_PAGE_SIZE entries in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from children import services as child_services
from children.models import ExitReason
from children.views.ledger import TIMELINE_PAGE_SIZE

pytestmark = pytest.mark.django_db

VISITED_ON = date(2025, 4, 1)


def child_page(client, child, **params):
    response = client.get(reverse("children:detail", args=[child.pk]), params)
    assert response.status_code == 200
    return response


@pytest.fixture
def visited_lishi(child_lishi, mother_lishi, pair, record, staff_lishi):
    pair(child_lishi, mother_lishi)
    record(staff_lishi, children=[child_lishi], occurred_on=VISITED_ON, volunteer=mother_lishi)
    return child_lishi


def test_child_page_shows_the_last_contact(client, staff_lishi, visited_lishi):
    client.force_login(staff_lishi)
    assert child_page(client, visited_lishi).context["child"].last_contact == VISITED_ON


def test_child_page_shows_next_due_by_the_contact_rhythm(client, staff_lishi, visited_lishi):
    client.force_login(staff_lishi)
    expected = VISITED_ON + timedelta(days=settings.CONTACT_DAYS[""])  # unassessed, no regional rhythm
    assert child_page(client, visited_lishi).context["child"].next_due_on == expected


def test_unpaired_child_has_no_next_due(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    assert child_page(client, child_lishi).context["child"].next_due_on is None


def test_paired_child_page_shows_next_due(client, staff_lishi, visited_lishi):
    client.force_login(staff_lishi)
    assert "下次应联系" in child_page(client, visited_lishi).content.decode()


def test_exited_child_page_shows_no_next_due(client, staff_lishi, visited_lishi):
    child_services.child_exit(actor=staff_lishi, child=visited_lishi, reason=ExitReason.MOVED_AWAY,
                              exited_on=date(2025, 6, 1))
    client.force_login(staff_lishi)
    assert "下次应联系" not in child_page(client, visited_lishi).content.decode()


@pytest.fixture
def long_history(child_lishi, mother_lishi, pair, record, staff_lishi):
    """Registered + the pairing's start + 30 visits: 32 entries."""
    pair(child_lishi, mother_lishi)
    for n in range(30):
        record(staff_lishi, children=[child_lishi], occurred_on=date(2025, 4, 1) + timedelta(days=n),
               volunteer=mother_lishi)
    return child_lishi


def test_history_first_page_holds_a_page_of_entries(client, staff_lishi, long_history):
    client.force_login(staff_lishi)
    assert len(child_page(client, long_history).context["timeline"]) == TIMELINE_PAGE_SIZE


def test_history_second_page_holds_the_rest(client, staff_lishi, long_history):
    client.force_login(staff_lishi)
    assert len(child_page(client, long_history, page=2).context["timeline"]) == 32 - TIMELINE_PAGE_SIZE


def test_history_pages_are_numbered_links(client, staff_lishi, long_history):
    client.force_login(staff_lishi)
    assert 'href="?page=2"' in child_page(client, long_history).content.decode()


def test_child_page_query_count_does_not_grow_with_the_history(client, staff_lishi, long_history,
                                                                django_assert_num_queries):
    client.force_login(staff_lishi)
    # As test_child_page_runs_a_fixed_number_of_queries (12), plus the region's contact rhythms.
    with django_assert_num_queries(13):
        child_page(client, long_history, page=2)
