"""The pairing pages: list, suggestions with one-click pairing, a pairing's page and end form, coverage."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children import services as child_services
from pairing.models import EndReason, Pairing, PairingRole
from tests.factories import ensure_region

LEAD, HELPER = PairingRole.LEAD, PairingRole.HELPER


def page(response) -> str:
    return response.content.decode()


# --- navigation -----------------------------------------------------------------------------------

def test_nav_offers_pairings_and_coverage_to_staff(client, staff_lishi):
    client.force_login(staff_lishi)
    html = page(client.get(reverse("home")))
    assert reverse("pairing:list") in html and reverse("pairing:coverage") in html


def test_nav_offers_neither_to_volunteers(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    html = page(client.get(reverse("home")))
    assert reverse("pairing:list") not in html and reverse("pairing:coverage") not in html


# --- the list -------------------------------------------------------------------------------------

def test_list_shows_the_pairings_in_scope(client, pair, staff_lishi, child_lishi, mother_lishi, make_child, staff_yuci,
                                          mother_yuci):
    pair(child_lishi, mother_lishi)
    pair(make_child(staff_yuci, name="张小军", region_code="140702100000"), mother_yuci, actor=staff_yuci)
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:list")))
    assert "王小雨" in html and "刘秀兰" in html
    assert "张小军" not in html and "赵春梅" not in html


@pytest.mark.parametrize(("query", "expected"), [
    ("role=helper", {"医生张"}),
    ("role=lead", {"刘秀兰", "王翠花"}),
    ("state=ended", {"王翠花"}),
    ("state=active", {"刘秀兰", "医生张"}),
    ("q=医生", {"医生张"}),
])
def test_list_filters(client, pair, make_volunteer, staff_lishi, child_lishi, mother_lishi, make_child, query,
                      expected):
    from pairing import services

    old = pair(make_child(staff_lishi, name="甲小一"), make_volunteer(staff_lishi, name="王翠花"))
    services.pairing_end(actor=staff_lishi, pairing=old, ended_on=date(2025, 4, 1), end_reason=EndReason.OTHER)
    pair(child_lishi, mother_lishi)
    pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    client.force_login(staff_lishi)
    rows = client.get(reverse("pairing:list") + "?" + query).context["page"]
    assert {p.volunteer.name for p in rows} == expected


def test_list_filters_by_region_subtree_volunteer_and_child(client, pair, make_child, make_volunteer, staff_lishi,
                                                            mother_lishi):
    ensure_region("141102002200")
    near = make_child(staff_lishi, name="甲小一")
    far = make_child(staff_lishi, name="乙小二", region_code="141102002200")
    other = make_volunteer(staff_lishi, name="王翠花")
    pair(near, mother_lishi)
    pair(far, other)
    client.force_login(staff_lishi)
    url = reverse("pairing:list")
    assert [p.child for p in client.get(url + "?region=141102001000").context["page"]] == [near]
    assert [p.child for p in client.get(url + f"?volunteer={other.pk}").context["page"]] == [far]
    assert [p.child for p in client.get(url + f"?child={near.pk}").context["page"]] == [near]


def test_list_with_a_malformed_region_shows_an_error(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:list") + "?region=1411")
    assert response.status_code == 200
    assert response.context["form"].errors["region"]


def test_list_runs_a_constant_number_of_queries(client, pair, make_child, make_volunteer, staff_lishi):
    client.force_login(staff_lishi)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pairing:list")).status_code == 200
        return len(queries)

    mother = make_volunteer(staff_lishi, name="刘秀兰", capacity=10)
    pair(make_child(staff_lishi, name="甲小一"), mother)
    few = count()
    for i in range(6):
        pair(make_child(staff_lishi, name=f"孩子{i}"), mother)
    assert count() == few


def test_a_caring_mother_is_sent_to_her_phone_pages_naming_her_child_by_the_given_name(
        client, pair, volunteer_lishi, volunteer_mother_lishi, child_lishi, mother_lishi, make_child, staff_lishi):
    pair(child_lishi, volunteer_mother_lishi)
    pair(make_child(staff_lishi, name="甲小一"), mother_lishi)
    client.force_login(volunteer_lishi)
    response = client.get(reverse("pairing:list"), follow=True)
    assert response.redirect_chain == [(reverse("phone:home"), 302)]
    assert [c.given_name for c in response.context["children"]] == ["小雨"]
    assert "王小雨" not in response.content.decode()


# --- suggestions and pairing ----------------------------------------------------------------------

def test_suggestions_page_ranks_and_offers_one_click_lead(client, make_volunteer, staff_lishi, child_lishi):
    ensure_region("141102002200")
    make_volunteer(staff_lishi, name="同县妈妈", region_code="141102002200")
    near = make_volunteer(staff_lishi, name="同村妈妈")
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:suggest", args=[child_lishi.pk]))
    assert response.status_code == 200
    html = page(response)
    assert html.index("同村妈妈") < html.index("同县妈妈")
    assert f'value="{near.pk}:lead"' in html
    assert ":helper" not in html  # no lead yet: nobody can help


def test_suggestions_offer_helpers_once_there_is_a_lead(client, pair, make_volunteer, staff_lishi, child_lishi,
                                                        mother_lishi):
    pair(child_lishi, mother_lishi)
    other = make_volunteer(staff_lishi, name="医生张")
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:suggest", args=[child_lishi.pk])))
    assert f'value="{other.pk}:helper"' in html and ":lead" not in html


def test_suggestions_search_finds_any_mother_in_scope(client, make_volunteer, make_child, pair, staff_lishi,
                                                      child_lishi):
    full = make_volunteer(staff_lishi, name="满员妈妈", capacity=1)
    pair(make_child(staff_lishi, name="甲小一"), full)
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:suggest", args=[child_lishi.pk]) + "?q=满员")
    assert [s.volunteer for s in response.context["results"]] == [full]
    assert full not in [s.volunteer for s in response.context["suggestions"]]


def test_viewer_sees_suggestions_without_buttons(client, viewer_lvliang, make_volunteer, staff_lishi, child_lishi):
    make_volunteer(staff_lishi, name="同村妈妈")
    client.force_login(viewer_lvliang)
    html = page(client.get(reverse("pairing:suggest", args=[child_lishi.pk])))
    assert "同村妈妈" in html and 'name="choice"' not in html


def test_suggestions_for_a_child_outside_the_scope_is_404(client, staff_yuci, child_lishi):
    client.force_login(staff_yuci)
    assert client.get(reverse("pairing:suggest", args=[child_lishi.pk])).status_code == 404


def test_suggestions_are_not_for_volunteers(client, volunteer_lishi, child_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("pairing:suggest", args=[child_lishi.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_one_click_pairing(client, staff_lishi, child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]),
                           {"choice": f"{mother_lishi.pk}:lead", "started_on": "2025-03-01"})
    assert response.status_code == 302
    assert response["Location"] == reverse("children:detail", args=[child_lishi.pk])
    pairing = Pairing.objects.get()
    assert (pairing.child, pairing.volunteer, pairing.role, pairing.started_on) == (child_lishi, mother_lishi, LEAD,
                                                                                    date(2025, 3, 1))


def test_pairing_a_second_lead_shows_the_error_and_writes_nothing(client, pair, make_volunteer, staff_lishi,
                                                                  child_lishi, mother_lishi):
    pair(child_lishi, mother_lishi)
    other = make_volunteer(staff_lishi, name="王翠花")
    client.force_login(staff_lishi)
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]),
                           {"choice": f"{other.pk}:lead", "started_on": "2025-03-01"})
    assert response.status_code == 400
    assert "刘秀兰" in response.context["form"].errors["choice"][0]
    assert Pairing.objects.count() == 1


def test_pairing_with_a_future_date_is_refused(client, staff_lishi, child_lishi, mother_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]),
                           {"choice": f"{mother_lishi.pk}:lead", "started_on": "2999-01-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["started_on"]
    assert not Pairing.objects.exists()


def test_viewer_cannot_pair(client, viewer_lvliang, child_lishi, mother_lishi):
    client.force_login(viewer_lvliang)
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]), {"choice": f"{mother_lishi.pk}:lead"})
    assert response.status_code == 403
    assert not Pairing.objects.exists()


def test_pairing_a_child_outside_the_scope_is_404(client, staff_yuci, child_lishi, mother_yuci):
    client.force_login(staff_yuci)
    response = client.post(reverse("pairing:create", args=[child_lishi.pk]), {"choice": f"{mother_yuci.pk}:lead"})
    assert response.status_code == 404


# --- a pairing's page and ending it ---------------------------------------------------------------

def test_pairing_page(client, pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:detail", args=[pairing.pk])))
    assert "刘秀兰" in html and reverse("pairing:card", args=[pairing.pk]) in html
    assert reverse("pairing:end", args=[pairing.pk]) in html


def test_ending_a_pairing(client, pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    client.force_login(staff_lishi)
    response = client.post(reverse("pairing:end", args=[pairing.pk]),
                           {"ended_on": "2025-06-01", "end_reason": "moved", "note": "迁往太原", "new_lead": ""})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert (pairing.ended_on, pairing.end_reason, pairing.end_note) == (date(2025, 6, 1), "moved", "迁往太原")


def test_ending_before_the_start_is_refused(client, pair, staff_lishi, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    client.force_login(staff_lishi)
    response = client.post(reverse("pairing:end", args=[pairing.pk]), {"ended_on": "2025-01-01", "end_reason": "other"})
    assert response.status_code == 400
    assert response.context["form"].errors["ended_on"]
    pairing.refresh_from_db()
    assert pairing.is_active


def test_ending_a_lead_with_helpers_asks_for_the_new_lead(client, pair, make_volunteer, staff_lishi, child_lishi,
                                                          mother_lishi):
    lead = pair(child_lishi, mother_lishi)
    doctor = make_volunteer(staff_lishi, name="医生张")
    pair(child_lishi, doctor, HELPER)
    client.force_login(staff_lishi)
    url = reverse("pairing:end", args=[lead.pk])
    response = client.post(url, {"ended_on": "2025-06-01", "end_reason": "volunteer_left"})
    assert response.status_code == 400
    assert response.context["form"].errors["new_lead"]
    assert f'value="{doctor.pk}"' in page(response)  # the helper is offered
    response = client.post(url, {"ended_on": "2025-06-01", "end_reason": "volunteer_left", "new_lead": doctor.pk})
    assert response.status_code == 302
    assert Pairing.objects.get(child=child_lishi, role=LEAD, ended_on__isnull=True).volunteer == doctor


def test_a_new_lead_out_of_scope_is_an_error_on_the_choice(client, pair, make_volunteer, staff_lishi, child_lishi,
                                                           mother_lishi, mother_yuci):
    lead = pair(child_lishi, mother_lishi)
    client.force_login(staff_lishi)
    response = client.post(reverse("pairing:end", args=[lead.pk]),
                           {"ended_on": "2025-06-01", "end_reason": "reassigned", "new_lead": mother_yuci.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["new_lead"]
    lead.refresh_from_db()
    assert lead.is_active


def test_viewer_cannot_end_a_pairing(client, pair, viewer_lvliang, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    client.force_login(viewer_lvliang)
    assert "end-h" not in page(client.get(reverse("pairing:detail", args=[pairing.pk])))
    response = client.post(reverse("pairing:end", args=[pairing.pk]), {"ended_on": "2025-06-01", "end_reason": "other"})
    assert response.status_code == 403


def test_pairing_page_outside_the_scope_is_404(client, pair, staff_yuci, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi)
    client.force_login(staff_yuci)
    assert client.get(reverse("pairing:detail", args=[pairing.pk])).status_code == 404
    assert client.post(reverse("pairing:end", args=[pairing.pk]),
                       {"ended_on": "2025-06-01", "end_reason": "other"}).status_code == 404


# --- coverage -------------------------------------------------------------------------------------

FULL = "100% 结对：已全覆盖"  # "100% paired: full coverage", as the page says it in Chinese


def test_coverage_page_shows_rates_and_the_unpaired(client, pair, make_child, staff_lishi, mother_lishi):
    pair(make_child(staff_lishi, name="甲小一"), mother_lishi)
    waiting = make_child(staff_lishi, name="乙小二")
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:coverage"))
    html = page(response)
    assert response.context["coverage"].total.percent == 50.0
    assert "滨河街道" in html and "50.0%" in html
    assert FULL not in html
    assert reverse("pairing:suggest", args=[waiting.pk]) in html


def test_coverage_page_claims_full_coverage_only_when_true(client, pair, make_child, staff_lishi, mother_lishi):
    pair(make_child(staff_lishi, name="甲小一"), mother_lishi)
    client.force_login(staff_lishi)
    html = page(client.get(reverse("pairing:coverage")))
    assert FULL in html


def test_coverage_of_a_sub_region_and_back_up(client, make_child, viewer_lvliang, staff_lishi, regions):
    make_child(staff_lishi, name="甲小一")
    client.force_login(viewer_lvliang)
    response = client.get(reverse("pairing:coverage") + "?region=141102000000")
    assert response.status_code == 200
    assert [r.code for r in response.context["crumbs"]] == ["141100000000"]  # 吕梁市, not 山西省


def test_coverage_outside_the_scope_is_404(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    assert client.get(reverse("pairing:coverage") + "?region=140702000000").status_code == 404
    assert client.get(reverse("pairing:coverage") + "?region=141100000000").status_code == 404


def test_coverage_is_not_for_volunteers(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("pairing:coverage"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_coverage_page_runs_a_constant_number_of_queries(client, make_child, staff_lishi):
    client.force_login(staff_lishi)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("pairing:coverage")).status_code == 200
        return len(queries)

    make_child(staff_lishi, name="甲小一")
    few = count()
    for i in range(5):
        child = make_child(staff_lishi, name=f"孩子{i}")
        child_services.child_assess(actor=staff_lishi, child=child, color="red", reasons=["safety"],
                                    assessed_on=date(2025, 3, 1))
    assert count() == few


# --- the child page -------------------------------------------------------------------------------

def test_child_page_shows_the_lead_and_helpers_and_a_pair_button(client, pair, make_volunteer, staff_lishi,
                                                                 child_lishi, mother_lishi):
    pair(child_lishi, mother_lishi)
    pair(child_lishi, make_volunteer(staff_lishi, name="医生张"), HELPER)
    client.force_login(staff_lishi)
    response = client.get(reverse("children:detail", args=[child_lishi.pk]))
    assert [(p.volunteer.name, p.role) for p in response.context["pairings_now"]] == [("刘秀兰", LEAD),
                                                                                       ("医生张", HELPER)]
    assert reverse("pairing:suggest", args=[child_lishi.pk]) in page(response)


def test_child_page_offers_no_pair_button_to_viewers(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    html = page(client.get(reverse("children:detail", args=[child_lishi.pk])))
    assert reverse("pairing:suggest", args=[child_lishi.pk]) not in html


def test_child_timeline_shows_pairings_starting_and_ending(client, pair, staff_lishi, child_lishi, mother_lishi):
    from pairing import services

    pairing = pair(child_lishi, mother_lishi)
    services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=date(2025, 6, 1), end_reason=EndReason.MOVED)
    client.force_login(staff_lishi)
    timeline = client.get(reverse("children:detail", args=[child_lishi.pk])).context["timeline"]
    events = [(e.on, e.event) for e in timeline if e.kind == "pairing"]
    assert events == [(date(2025, 6, 1), "ended"), (date(2025, 3, 1), "started")]


def test_child_page_query_count_does_not_grow_with_pairings(client, pair, make_volunteer, staff_lishi, child_lishi,
                                                            mother_lishi):
    client.force_login(staff_lishi)
    url = reverse("children:detail", args=[child_lishi.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    pair(child_lishi, mother_lishi)
    one = count()
    for name in ("医生张", "老师李", "律师王"):
        pair(child_lishi, make_volunteer(staff_lishi, name=name), HELPER)
    assert count() == one


def test_child_timeline_puts_a_same_day_end_after_its_start(client, pair, staff_lishi, child_lishi, mother_lishi):
    from pairing import services

    pairing = pair(child_lishi, mother_lishi)
    services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=pairing.started_on, end_reason=EndReason.OTHER)
    client.force_login(staff_lishi)
    timeline = client.get(reverse("children:detail", args=[child_lishi.pk])).context["timeline"]
    assert [e.event for e in timeline if e.kind == "pairing"] == ["ended", "started"]  # newest first


def test_suggestions_page_runs_a_constant_number_of_queries(client, make_volunteer, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    url = reverse("pairing:suggest", args=[child_lishi.pk]) + "?q=妈妈"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for i in range(12):
        make_volunteer(staff_lishi, name=f"妈妈{i}")
    few = count()
    for i in range(12, 30):
        make_volunteer(staff_lishi, name=f"妈妈{i}")
    assert count() == few


# --- the Django admin -----------------------------------------------------------------------------

def test_admin_lists_pairings_of_the_subtree_only_and_read_only(client, pair, make_child, admin_lishi, staff_yuci,
                                                                child_lishi, mother_lishi, mother_yuci):
    mine = pair(child_lishi, mother_lishi)
    theirs = pair(make_child(staff_yuci, name="张小军", region_code="140702100000"), mother_yuci, actor=staff_yuci)
    client.force_login(admin_lishi)
    html = page(client.get(reverse("admin:pairing_pairing_changelist")))
    assert "王小雨" in html and "张小军" not in html
    assert client.get(reverse("admin:pairing_pairing_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:pairing_pairing_change", args=[theirs.pk])).status_code in (302, 404)
    assert client.get(reverse("admin:pairing_pairing_add")).status_code == 403
