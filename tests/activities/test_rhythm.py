"""The contact rhythm (activities.rhythm): intervals by colour and region, due dates, the overdue set in
SQL, setting a region's rhythm, and the staff pages (overdue by sub-region, the list, by caring mother,
the rhythm page): correct, scoped, and a fixed number of queries.

The hand-built ledger is ``contact_ledger`` in tests/activities/conftest.py (read its docstring: the
expected overdue set follows from its dates)."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEvent
from activities import rhythm
from activities.models import ContactRhythm
from children import services as child_services
from tests.factories import LISHI, LISHI_TOWNSHIP, LISHI_VILLAGE, SHANXI, YUCI

pytestmark = pytest.mark.django_db

DEFAULTS = {"red_days": 7, "yellow_days": 14, "green_days": 30, "unassessed_days": 30}
STAFF_PAGES = ["rhythm:overdue", "rhythm:overdue-list", "rhythm:overdue-volunteers", "rhythm:settings"]


def set_rhythm(actor, region, **days):
    return rhythm.rhythm_set(actor=actor, region=region, **{**DEFAULTS, **days})


def overdue_names(actor, region, today) -> set[str]:
    rhythms = rhythm.load_rhythms(subtree_of=region.code)
    return {c.name for c in rhythm.overdue_children(actor=actor, region=region, today=today, rhythms=rhythms)}


# --- intervals and due dates (Python) -------------------------------------------------------------

def test_next_due_adds_the_default_interval_of_the_colour(regions):
    book = rhythm.RhythmBook()
    assert rhythm.next_due(date(2025, 3, 1), "red", LISHI_VILLAGE, book) == date(2025, 3, 8)
    assert rhythm.next_due(date(2025, 3, 1), "yellow", LISHI_VILLAGE, book) == date(2025, 3, 15)
    assert rhythm.next_due(date(2025, 3, 1), "green", LISHI_VILLAGE, book) == date(2025, 3, 31)
    assert rhythm.next_due(date(2025, 3, 1), "", LISHI_VILLAGE, book) == date(2025, 3, 31)


def test_next_due_is_none_without_a_date(regions):
    assert rhythm.next_due(None, "red", LISHI_VILLAGE, rhythm.RhythmBook()) is None


def test_the_nearest_ancestor_rhythm_wins(admin_province, regions):
    set_rhythm(admin_province, regions.lvliang, red_days=5)
    set_rhythm(admin_province, regions.lishi, red_days=3)
    book = rhythm.load_rhythms([LISHI_VILLAGE])
    assert book.days("red", LISHI_VILLAGE) == 3
    assert book.intervals_for(LISHI_VILLAGE).source == LISHI


def test_a_region_without_a_rhythm_of_its_own_or_above_uses_the_defaults(admin_province, regions):
    set_rhythm(admin_province, regions.yuci, red_days=3)
    book = rhythm.load_rhythms([LISHI_VILLAGE, YUCI])
    assert book.days("red", LISHI_VILLAGE) == 7


def test_rhythms_of_all_the_regions_involved_load_in_one_query(admin_province, regions, django_assert_num_queries):
    set_rhythm(admin_province, regions.lvliang, red_days=5)
    set_rhythm(admin_province, regions.yuci, red_days=4)
    with django_assert_num_queries(1):
        book = rhythm.load_rhythms([LISHI_VILLAGE, YUCI])
    assert (book.days("red", LISHI_VILLAGE), book.days("red", YUCI)) == (5, 4)


# --- the overdue set (SQL) ------------------------------------------------------------------------

def test_overdue_children_are_exactly_those_due_before_today(contact_ledger, staff_lishi, regions):
    assert overdue_names(staff_lishi, regions.lishi, contact_ledger.today) == contact_ledger.overdue_lishi


def test_a_child_due_today_is_not_overdue(contact_ledger, staff_lishi, regions):
    assert contact_ledger.yellow_due.name not in overdue_names(staff_lishi, regions.lishi, contact_ledger.today)


def test_the_last_contact_is_the_latest_activity(contact_ledger, staff_lishi, regions):
    rows = rhythm.with_contact(rhythm.scope_children(actor=staff_lishi, region=regions.lishi))
    assert rows.get(pk=contact_ledger.red_late.pk).last_contact == contact_ledger.today - timedelta(days=8)


def test_a_child_never_contacted_is_due_from_the_pairing_start(contact_ledger, staff_lishi, regions):
    today = contact_ledger.today
    row = rhythm.with_contact(rhythm.scope_children(actor=staff_lishi, region=regions.lishi)).get(
        pk=contact_ledger.never_old.pk)
    assert row.last_contact is None
    assert rhythm.next_due(row.contact_base, row.risk_color, row.region_id, rhythm.RhythmBook()) \
        == today - timedelta(days=40) + timedelta(days=30)
    assert contact_ledger.never_old.name in overdue_names(staff_lishi, regions.lishi, today)


def test_a_child_newly_paired_and_never_contacted_is_not_yet_overdue(contact_ledger, staff_lishi, regions):
    assert contact_ledger.never_new.name not in overdue_names(staff_lishi, regions.lishi, contact_ledger.today)


def test_an_unpaired_child_is_never_overdue(contact_ledger, staff_lishi, regions):
    assert contact_ledger.unpaired_red.name not in overdue_names(staff_lishi, regions.lishi, contact_ledger.today)


def test_a_suspended_child_is_not_overdue(contact_ledger, staff_lishi, regions):
    child_services.child_change_status(actor=staff_lishi, child=contact_ledger.red_late, to_status="suspended",
                                       effective_on=contact_ledger.today)
    assert contact_ledger.red_late.name not in overdue_names(staff_lishi, regions.lishi, contact_ledger.today)


def test_a_region_rhythm_overrides_the_default(contact_ledger, admin_lishi, staff_lishi, regions):
    set_rhythm(admin_lishi, regions.lishi, red_days=2)  # red_recent, last seen 3 days ago, is now late
    assert contact_ledger.red_recent.name in overdue_names(staff_lishi, regions.lishi, contact_ledger.today)


def test_a_longer_region_rhythm_lifts_children_out_of_overdue(contact_ledger, admin_lishi, staff_lishi, regions):
    set_rhythm(admin_lishi, regions.lishi, red_days=10, green_days=45)
    assert overdue_names(staff_lishi, regions.lishi, contact_ledger.today) == set()


def test_a_rhythm_below_the_page_region_applies_to_its_children(contact_ledger, admin_lishi, viewer_lvliang, regions):
    set_rhythm(admin_lishi, regions.lishi_township, red_days=2)
    names = overdue_names(viewer_lvliang, regions.lvliang, contact_ledger.today)
    assert contact_ledger.red_recent.name in names


def test_a_nearer_rhythm_beats_an_ancestor_s_in_sql(contact_ledger, admin_province, viewer_lvliang, regions):
    set_rhythm(admin_province, regions.lvliang, red_days=2)
    set_rhythm(admin_province, regions.lishi_township, red_days=10)
    names = overdue_names(viewer_lvliang, regions.lvliang, contact_ledger.today)
    assert contact_ledger.red_recent.name not in names and contact_ledger.red_late.name not in names


def test_the_sql_overdue_set_agrees_with_next_due(contact_ledger, admin_lishi, staff_lishi, regions):
    set_rhythm(admin_lishi, regions.lishi_village, red_days=4, green_days=35, unassessed_days=9)
    today = contact_ledger.today
    book = rhythm.load_rhythms(subtree_of=LISHI)
    paired = rhythm.paired_active(rhythm.scope_children(actor=staff_lishi, region=regions.lishi))
    expected = {c.name for c in paired if rhythm.next_due(c.contact_base, c.risk_color, c.region_id, book) < today}
    assert overdue_names(staff_lishi, regions.lishi, today) == expected == {"乙红迟", "己久未", "戊新结"}


def test_overdue_counts_group_by_sub_region_and_colour(contact_ledger, viewer_lvliang, regions):
    counts = rhythm.overdue_counts(actor=viewer_lvliang, region=regions.lvliang, today=contact_ledger.today)
    assert counts == {"141102": {"paired": 6, "overdue": 3, "red": 1, "yellow": 0, "green": 2, "unassessed": 0}}


def test_overdue_counts_are_one_aggregate_query_with_the_rhythms(contact_ledger, staff_lishi, regions,
                                                                 django_assert_num_queries):
    # Query 1: the rhythms of 离石区's ancestors and subtree; query 2: the grouped counts.
    with django_assert_num_queries(2):
        rhythm.overdue_counts(actor=staff_lishi, region=regions.lishi, today=contact_ledger.today)


def test_overdue_by_volunteer_groups_on_the_lead(contact_ledger, staff_lishi, my_mother, mother_lishi, regions):
    book = rhythm.load_rhythms(subtree_of=LISHI)
    rows = list(rhythm.overdue_by_volunteer(actor=staff_lishi, region=regions.lishi, today=contact_ledger.today,
                                            rhythms=book))
    assert [(r["lead_volunteer_id"], r["overdue"], r["red"], r["green"]) for r in rows] == [
        (mother_lishi.pk, 2, 0, 2), (my_mother.pk, 1, 1, 0)]


# --- setting a region's rhythm --------------------------------------------------------------------

def test_an_admin_sets_the_rhythm_of_their_region(admin_lishi, regions):
    set_rhythm(admin_lishi, regions.lishi, red_days=5, yellow_days=10)
    stored = ContactRhythm.objects.get(region=regions.lishi)
    assert (stored.red_days, stored.yellow_days, stored.green_days, stored.unassessed_days) == (5, 10, 30, 30)
    assert stored.updated_by == admin_lishi


def test_setting_a_rhythm_is_audited(admin_lishi, regions):
    set_rhythm(admin_lishi, regions.lishi, red_days=5)
    event = AuditEvent.objects.get(target_type="activities.contactrhythm")
    assert (event.actor, event.region_code, event.detail["after"]["red_days"]) == (admin_lishi, LISHI, 5)


def test_changing_a_rhythm_audits_before_and_after(admin_lishi, regions):
    set_rhythm(admin_lishi, regions.lishi, red_days=5)
    set_rhythm(admin_lishi, regions.lishi, red_days=6)
    event = AuditEvent.objects.filter(target_type="activities.contactrhythm").order_by("-id").first()
    assert (event.detail["before"]["red_days"], event.detail["after"]["red_days"]) == (5, 6)


@pytest.mark.parametrize("field, value", [("red_days", 0), ("yellow_days", 366), ("green_days", -3),
                                          ("unassessed_days", "abc")])
def test_days_outside_1_to_365_are_refused_naming_the_field(admin_lishi, regions, field, value):
    with pytest.raises(ValidationError) as caught:
        set_rhythm(admin_lishi, regions.lishi, **{field: value})
    assert set(caught.value.message_dict) == {field}
    assert not ContactRhythm.objects.exists()


def test_an_admin_cannot_set_a_rhythm_outside_their_area(admin_lishi, regions):
    with pytest.raises(ValidationError) as caught:
        set_rhythm(admin_lishi, regions.yuci)
    assert "region" in caught.value.message_dict
    assert not ContactRhythm.objects.exists()


def test_an_admin_cannot_set_the_rhythm_above_their_region(admin_lishi, regions):
    with pytest.raises(ValidationError):
        set_rhythm(admin_lishi, regions.lvliang)


def test_staff_cannot_set_a_rhythm(staff_lishi, regions):
    with pytest.raises(PermissionDenied):
        set_rhythm(staff_lishi, regions.lishi)


def test_clearing_a_rhythm_returns_to_the_one_above(admin_province, regions):
    set_rhythm(admin_province, regions.lvliang, red_days=5)
    set_rhythm(admin_province, regions.lishi, red_days=3)
    assert rhythm.rhythm_clear(actor=admin_province, region=regions.lishi)
    assert rhythm.load_rhythms([LISHI_VILLAGE]).days("red", LISHI_VILLAGE) == 5


# --- pages: scope and permissions -----------------------------------------------------------------

@pytest.mark.parametrize("name", [*STAFF_PAGES, "rhythm:coverage"])
def test_volunteers_are_sent_from_staff_pages_to_their_phone_pages(client, volunteer_lishi, name):
    client.force_login(volunteer_lishi)
    response = client.get(reverse(name))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


@pytest.mark.parametrize("name", [*STAFF_PAGES, "rhythm:coverage"])
def test_a_region_outside_the_scope_is_404(client, staff_lishi, name):
    client.force_login(staff_lishi)
    assert client.get(reverse(name), {"region": YUCI}).status_code == 404


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, regions, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_staff_lishi_never_counts_yuci(client, contact_ledger, staff_lishi):
    client.force_login(staff_lishi)
    total = client.get(reverse("rhythm:overdue")).context["total"]
    assert (total.paired, total.overdue) == (6, 3)


def test_the_overdue_list_of_staff_lishi_has_no_yuci_child(client, contact_ledger, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("rhythm:overdue-list")).context["page"]
    assert {c.name for c in page} == contact_ledger.overdue_lishi


def test_the_province_admin_counts_both_counties(client, contact_ledger, admin_province):
    client.force_login(admin_province)
    total = client.get(reverse("rhythm:overdue")).context["total"]
    assert (total.paired, total.overdue) == (7, 4)


# --- pages: content -------------------------------------------------------------------------------

def test_the_overdue_page_has_a_row_per_sub_region_linked_to_the_list(client, contact_ledger, staff_lishi):
    client.force_login(staff_lishi)
    rows = client.get(reverse("rhythm:overdue")).context["rows"]
    township = next(r for r in rows if r.region and r.region.code == LISHI_TOWNSHIP)
    assert (township.overdue, township.counts["red"], township.counts["green"]) == (3, 1, 2)
    assert township.url == reverse("rhythm:overdue-list") + f"?region={LISHI_TOWNSHIP}"


def test_the_overdue_list_shows_colour_last_contact_due_date_and_lead(client, contact_ledger, staff_lishi, my_mother):
    client.force_login(staff_lishi)
    page = client.get(reverse("rhythm:overdue-list")).context["page"]
    first = page[0]  # reds first
    today = contact_ledger.today
    assert (first.name, first.risk_color, first.last_contact, first.next_due_on, first.days_overdue,
            first.lead_volunteer_name) == ("乙红迟", "red", today - timedelta(days=8), today - timedelta(days=1), 1,
                                           my_mother.name)


def test_the_overdue_list_filters_on_the_lead_caring_mother(client, contact_ledger, staff_lishi, mother_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("rhythm:overdue-list"), {"volunteer": mother_lishi.pk})
    assert {c.name for c in response.context["page"]} == {"丁绿迟", "己久未"}
    assert response.context["volunteer_name"] == mother_lishi.name


def test_the_overdue_by_volunteer_page_names_each_caring_mother(client, contact_ledger, staff_lishi, mother_lishi):
    client.force_login(staff_lishi)
    rows = client.get(reverse("rhythm:overdue-volunteers")).context["rows"]
    assert [(r["volunteer"].name, r["overdue"]) for r in rows] == [(mother_lishi.name, 2), ("陈桂英", 1)]


def test_the_rhythm_page_shows_the_inherited_rhythm(client, admin_province, staff_lishi, regions):
    set_rhythm(admin_province, regions.lvliang, red_days=5)
    client.force_login(staff_lishi)
    response = client.get(reverse("rhythm:settings"))
    assert response.context["effective"].red == 5 and response.context["inherited_from"] == regions.lvliang
    assert response.context["form"] is None  # staff read it; administrators change it


def test_an_admin_saves_the_rhythm_on_the_page(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(reverse("rhythm:settings") + f"?region={LISHI}",
                           {**DEFAULTS, "red_days": 4, "action": "save"})
    assert response.status_code == 302
    assert ContactRhythm.objects.get(region=regions.lishi).red_days == 4


def test_a_bad_rhythm_on_the_page_is_400_with_the_error_on_the_field(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(reverse("rhythm:settings") + f"?region={LISHI}", {**DEFAULTS, "red_days": 400})
    assert response.status_code == 400
    assert "365" in response.context["form"].errors["red_days"][0]
    assert not ContactRhythm.objects.exists()


def test_staff_posting_a_rhythm_get_403(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    response = client.post(reverse("rhythm:settings"), DEFAULTS)
    assert response.status_code == 403
    assert not ContactRhythm.objects.exists()


def test_an_admin_cannot_post_a_rhythm_for_a_region_outside_scope(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    assert client.post(reverse("rhythm:settings") + f"?region={SHANXI}", DEFAULTS).status_code == 404
    assert not ContactRhythm.objects.exists()


def test_the_nav_offers_overdue_contacts_to_staff(client, staff_lishi):
    client.force_login(staff_lishi)
    urls = [url for _label, url in client.get(reverse("rhythm:overdue")).context["nav_items"]]
    assert reverse("rhythm:overdue") in urls


# --- pages: queries -------------------------------------------------------------------------------

def more_overdue_children(make_child, pair, staff_lishi, make_volunteer, today, n=4):
    """``n`` more overdue reds (never contacted, paired 20 days ago), each led by a new caring mother."""
    for i in range(n):
        child = make_child(staff_lishi, name=f"多红{i}")
        child_services.child_assess(actor=staff_lishi, child=child, color="red", reasons=["safety"], assessed_on=today)
        pair(child, make_volunteer(staff_lishi, name=f"多妈{i}"), started_on=today - timedelta(days=20))


def test_the_overdue_page_runs_a_fixed_number_of_queries(client, contact_ledger, staff_lishi, make_child, pair,
                                                         make_volunteer, django_assert_num_queries):
    client.force_login(staff_lishi)
    more_overdue_children(make_child, pair, staff_lishi, make_volunteer, contact_ledger.today)
    # 1 session, 2 user, 3 the chosen region, 4 the rhythms, 5 the grouped counts, 6 the sub-regions,
    # 7 the unread-notifications badge.
    with django_assert_num_queries(7):
        client.get(reverse("rhythm:overdue"))


def test_the_overdue_list_runs_a_fixed_number_of_queries(client, contact_ledger, staff_lishi, make_child, pair,
                                                         make_volunteer, django_assert_num_queries):
    client.force_login(staff_lishi)
    more_overdue_children(make_child, pair, staff_lishi, make_volunteer, contact_ledger.today)
    # 1 session, 2 user, 3 the chosen region, 4 the rhythms, 5 the count, 6 the page (with regions and
    # leads joined), 7 the badge.
    with django_assert_num_queries(7):
        response = client.get(reverse("rhythm:overdue-list"))
    assert response.context["page"].paginator.count == 7


def test_the_overdue_by_volunteer_page_runs_a_fixed_number_of_queries(client, contact_ledger, staff_lishi, make_child,
                                                                      pair, make_volunteer, django_assert_num_queries):
    client.force_login(staff_lishi)
    more_overdue_children(make_child, pair, staff_lishi, make_volunteer, contact_ledger.today)
    # 1 session, 2 user, 3 the chosen region, 4 the rhythms, 5 the number of caring mothers, 6 the page
    # of grouped counts, 7 the page's caring mothers with their regions, 8 the badge.
    with django_assert_num_queries(8):
        response = client.get(reverse("rhythm:overdue-volunteers"))
    assert len(response.context["rows"]) == 6


def test_the_rhythm_page_runs_a_fixed_number_of_queries(client, admin_province, admin_lishi, regions,
                                                        django_assert_num_queries):
    set_rhythm(admin_province, regions.lvliang, red_days=5)
    set_rhythm(admin_province, regions.lishi_township, red_days=4)
    set_rhythm(admin_province, regions.lishi_village, red_days=3)
    client.force_login(admin_lishi)
    # 1 session, 2 user, 3 the chosen region, 4 the rhythms, 5 the ancestor whose rhythm applies,
    # 6 the names of the regions below with their own, 7 the badge.
    with django_assert_num_queries(7):
        client.get(reverse("rhythm:settings"))

