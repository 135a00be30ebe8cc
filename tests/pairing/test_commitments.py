"""A pairing's yearly commitments (pairing.commitments): progress computed from the records, the
regions' plans (nearest ancestor wins, defaults in code), the settings page and where progress shows.

The clock is pinned at 2027-03-15 (tests/clock.py); progress is asked for a given ``today`` in 2026 so
a whole year of records can be written through the services (which refuse future dates).
``child_lishi`` was born on 8 March 2015 in 东关村 (离石区); the pairing began on 1 March 2025."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEvent
from activities import services as activity_services
from children import services as child_services
from pairing import commitments
from pairing.commitments import OccasionRule, RuleData, State, commitments_for
from pairing.models import CommitmentPlan, Pairing, PairingRole

pytestmark = pytest.mark.django_db

K = commitments.CommitmentKind


@pytest.fixture
def lead(pair, child_lishi, mother_lishi):
    return pair(child_lishi, mother_lishi)


@pytest.fixture
def visit(staff_lishi, mother_lishi, child_lishi):
    """``visit(day, kind="home_visit", volunteer=mother_lishi, child=child_lishi)``: an activity through the service."""

    def make(day: date, kind: str = "home_visit", *, volunteer=None, child=None):
        activity, _created = activity_services.activity_record(
            actor=staff_lishi, children=[(child or child_lishi).pk], occurred_on=day, kind=kind,
            volunteer=volunteer or mother_lishi, confirm_repeat=True)
        return activity

    return make


def progress(pairing: Pairing, today: date):
    pairing = Pairing.objects.select_related("child").get(pk=pairing.pk)
    return commitments_for([pairing], today=today).get(pairing.pk)


def item(pairing: Pairing, today: date, key: str):
    return next(i for i in progress(pairing, today).items if i.key == key)


def plan_for(actor, region, **changes):
    """Set ``region``'s plan: the defaults, with ``changes`` (``rules``, ``occasions``, birthday days)."""
    values = {"rules": {}, "birthday_remind_days": 7, "birthday_window_days": 7,
              "occasions": [OccasionRule("六一儿童节", 6, 1, 7, 7), OccasionRule("开学", 9, 1, 7, 14)], **changes}
    return commitments.commitment_plan_set(actor=actor, region=region, **values)


# --- progress, kind by kind ------------------------------------------------------------------------

def test_monthly_contact_counts_the_months_with_a_contact_since_january(lead, visit):
    for day in (date(2026, 1, 9), date(2026, 2, 3), date(2026, 2, 20), date(2026, 4, 2)):
        visit(day)
    monthly = item(lead, date(2026, 4, 30), K.MONTHLY_CONTACT)
    assert (monthly.done, monthly.target, monthly.state) == (3, 4, State.OPEN)


def test_a_pairing_begun_this_year_counts_months_from_its_start(pair, child_lishi, mother_lishi, visit):
    pairing = pair(child_lishi, mother_lishi, started_on=date(2026, 3, 10))
    visit(date(2026, 3, 12))
    visit(date(2026, 4, 1))
    monthly = item(pairing, date(2026, 4, 30), K.MONTHLY_CONTACT)
    assert (monthly.done, monthly.target, monthly.state) == (2, 2, State.MET)


def test_a_contact_with_the_class_teacher_is_not_a_contact_with_the_child(lead, visit):
    visit(date(2026, 1, 9), "teacher_contact")
    assert item(lead, date(2026, 1, 31), K.MONTHLY_CONTACT).done == 0


def test_teacher_contacts_are_counted_twice_a_year_by_default(lead, visit):
    visit(date(2026, 3, 2), "teacher_contact")
    teacher = item(lead, date(2026, 4, 30), K.TEACHER_CONTACT)
    assert (teacher.done, teacher.target, teacher.state) == (1, 2, State.OPEN)


def test_a_letter_meets_the_letter_commitment(lead, visit):
    visit(date(2026, 5, 4), "letter")
    letter = item(lead, date(2026, 5, 31), K.LETTER)
    assert (letter.done, letter.target, letter.state) == (1, 1, State.MET)


def test_a_wish_fulfilled_this_year_counts_and_last_years_does_not(lead, staff_lishi, child_lishi):
    for opened, fulfilled in ((date(2025, 11, 1), date(2025, 12, 20)), (date(2026, 2, 1), date(2026, 3, 1))):
        need = child_services.need_create(actor=staff_lishi, child=child_lishi, kind="study", description="一套课外书",
                                          opened_on=opened)
        child_services.need_transition(actor=staff_lishi, need=need, to_status="claimed", on=opened,
                                       claimed_by_name="刘秀兰")
        child_services.need_transition(actor=staff_lishi, need=need, to_status="fulfilled", on=fulfilled)
    assert item(lead, date(2026, 3, 31), K.WISH).done == 1


def test_a_home_visit_near_the_birthday_meets_the_birthday_visit(lead, visit):
    visit(date(2026, 3, 12))  # born 8 March: within 7 days
    birthday = item(lead, date(2026, 4, 30), "birthday")
    assert (birthday.on, birthday.state) == (date(2026, 3, 8), State.MET)


def test_a_call_is_not_a_birthday_visit_and_the_passed_birthday_is_missed(lead, visit):
    visit(date(2026, 3, 8), "call")
    assert item(lead, date(2026, 4, 30), "birthday").state == State.MISSED


def test_a_birthday_still_ahead_is_coming_up(lead):
    assert item(lead, date(2026, 2, 1), "birthday").state == State.UPCOMING


def test_a_leap_day_birthday_falls_on_28_february_in_a_common_year(make_child, staff_lishi, mother_lishi, pair):
    child = make_child(staff_lishi, name="闰小宝", birth_date=date(2016, 2, 29))
    pairing = pair(child, mother_lishi)
    assert item(pairing, date(2026, 2, 1), "birthday").on == date(2026, 2, 28)


def test_any_activity_with_the_child_around_children_s_day_meets_it(lead, visit):
    visit(date(2026, 6, 3), "call")
    assert item(lead, date(2026, 6, 30), "0601").state == State.MET


def test_an_occasion_ahead_is_coming_up_and_one_in_its_window_is_open(lead):
    assert item(lead, date(2026, 5, 1), "0601").state == State.UPCOMING
    assert item(lead, date(2026, 6, 2), "0601").state == State.OPEN


def test_an_occasion_before_the_pairing_began_is_left_out(pair, child_lishi, mother_lishi):
    pairing = pair(child_lishi, mother_lishi, started_on=date(2026, 7, 1))
    assert "0601" not in {i.key for i in progress(pairing, date(2026, 7, 31)).items}


def test_only_her_own_activities_count_for_her_pairing(lead, visit, make_volunteer, staff_lishi, pair, child_lishi):
    other = make_volunteer(staff_lishi, name="赵春花")
    pair(child_lishi, other, PairingRole.HELPER)
    visit(date(2026, 5, 4), "letter", volunteer=other)
    assert item(lead, date(2026, 5, 31), K.LETTER).done == 0


def test_an_activity_she_joined_as_co_volunteer_counts(lead, staff_lishi, child_lishi, mother_lishi, make_volunteer,
                                                       pair):
    organiser = make_volunteer(staff_lishi, name="赵春花")
    pair(child_lishi, organiser, PairingRole.HELPER)
    activity_services.activity_record(actor=staff_lishi, children=[child_lishi.pk], occurred_on=date(2026, 5, 4),
                                      kind="letter", volunteer=organiser, co_volunteers=[mother_lishi.pk])
    assert item(lead, date(2026, 5, 31), K.LETTER).done == 1


def test_a_pairing_ended_before_this_year_has_no_progress(lead, staff_lishi):
    lead.end(on=date(2025, 12, 1), reason="moved", actor=staff_lishi)
    assert progress(lead, date(2026, 3, 1)) is None


# --- the plans: defaults, nearest region, switched off ----------------------------------------------

def test_without_any_plan_the_programme_defaults_apply(lead):
    result = progress(lead, date(2026, 3, 31))
    assert [i.key for i in result.items] == ["monthly_contact", "letter", "wish", "birthday", "0601", "0901",
                                             "teacher_contact"]


def test_the_county_s_plan_overrides_the_province_s(lead, admin_province, admin_lishi, regions):
    plan_for(admin_province, regions.shanxi, rules={K.LETTER: RuleData(enabled=True, target=4)})
    plan_for(admin_lishi, regions.lishi, rules={K.LETTER: RuleData(enabled=True, target=2)})
    assert item(lead, date(2026, 3, 31), K.LETTER).target == 2


def test_the_province_s_plan_applies_where_the_county_has_none(lead, admin_province, regions):
    plan_for(admin_province, regions.shanxi, rules={K.LETTER: RuleData(enabled=True, target=4)})
    assert item(lead, date(2026, 3, 31), K.LETTER).target == 4


def test_a_commitment_switched_off_is_not_shown(lead, admin_lishi, regions):
    plan_for(admin_lishi, regions.lishi, rules={K.TEACHER_CONTACT: RuleData(enabled=False)})
    assert K.TEACHER_CONTACT not in {i.kind for i in progress(lead, date(2026, 3, 31)).items}


def test_a_region_s_own_occasions_replace_the_defaults(lead, admin_lishi, regions):
    plan_for(admin_lishi, regions.lishi, occasions=[OccasionRule("中秋", 9, 25, 5, 3)])
    occasions = [i.label for i in progress(lead, date(2026, 3, 31)).items if i.kind == K.OCCASION_VISIT]
    assert occasions == ["中秋"]


def test_progress_of_many_pairings_is_a_fixed_number_of_queries(pair, make_child, make_volunteer, staff_lishi,
                                                                admin_lishi, regions, visit,
                                                                django_assert_num_queries):
    plan_for(admin_lishi, regions.lishi)

    def count(n: int) -> None:
        for i in range(n):
            child = make_child(staff_lishi, name=f"王小{i}")
            pair(child, make_volunteer(staff_lishi, name=f"刘{i}"))
            visit(date(2026, 2, 2), child=child, volunteer=Pairing.objects.get(child=child).volunteer)
        pairings = list(Pairing.objects.select_related("child"))
        # 1 the plans of the children's regions and their ancestors, 2 their rules, 3 their occasions,
        # 4 this year's activities with the children (with recorder and co-volunteers), 5 their
        # fulfilled needs.
        with django_assert_num_queries(5):
            result = commitments_for(pairings, today=date(2026, 3, 31))
        assert len(result) == len(pairings)

    count(1)
    count(4)


# --- setting a region's plan ----------------------------------------------------------------------

def test_an_impossible_day_is_refused_in_chinese_naming_the_field(admin_lishi, regions):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        plan_for(admin_lishi, regions.lishi, occasions=[OccasionRule("开学", 2, 30, 7, 7)])
    assert caught.value.message_dict["occasion_0_day"] == ["日：2月30日不是有效日期（2月没有30日）。"]
    assert not CommitmentPlan.objects.exists()


def test_29_february_is_a_valid_occasion_day(admin_lishi, regions):
    plan_for(admin_lishi, regions.lishi, occasions=[OccasionRule("闰日", 2, 29, 7, 7)])
    assert CommitmentPlan.objects.get().occasions.get().day == 29


def test_a_target_out_of_range_is_refused_naming_the_commitment(admin_lishi, regions):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        plan_for(admin_lishi, regions.lishi, rules={K.LETTER: RuleData(enabled=True, target=0)})
    assert caught.value.message_dict["letter_target"] == ["爱心家书：请输入1到12之间的数。"]


def test_setting_a_plan_is_audited_with_before_and_after(admin_lishi, regions):
    plan_for(admin_lishi, regions.lishi)
    plan_for(admin_lishi, regions.lishi, birthday_remind_days=10)
    event = AuditEvent.objects.filter(target_type="pairing.commitmentplan").order_by("pk").last()
    assert (event.detail["before"]["birthday_remind_days"], event.detail["after"]["birthday_remind_days"]) == (7, 10)


def test_an_administrator_cannot_set_a_region_outside_her_subtree(admin_lishi, regions):
    with pytest.raises(ValidationError):
        plan_for(admin_lishi, regions.yuci)


def test_clearing_a_plan_brings_back_the_plan_above(lead, admin_province, admin_lishi, regions):
    plan_for(admin_province, regions.shanxi, rules={K.LETTER: RuleData(enabled=True, target=4)})
    plan_for(admin_lishi, regions.lishi, rules={K.LETTER: RuleData(enabled=True, target=2)})
    commitments.commitment_plan_clear(actor=admin_lishi, region=regions.lishi)
    assert item(lead, date(2026, 3, 31), K.LETTER).target == 4


# --- the settings page ----------------------------------------------------------------------------

URL = reverse("pairing:commitments")


def form_data(**changes) -> dict:
    data = {"birthday_remind_days": "7", "birthday_window_days": "7", "action": "save",
            "occasion_0_name": "六一儿童节", "occasion_0_month": "6", "occasion_0_day": "1",
            "occasion_0_remind_days_before": "7", "occasion_0_window_days": "7"}
    for kind in K.values:
        data[f"{kind}_enabled"] = "on"
        if kind in commitments.COUNTED:
            data[f"{kind}_target"] = str(commitments.DEFAULT_TARGETS[kind])
    data.update(changes)
    return data


def test_an_administrator_saves_her_county_s_commitments(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(f"{URL}?region={regions.lishi.code}", form_data(letter_target="3"))
    assert response.status_code == 302
    assert CommitmentPlan.objects.get(region=regions.lishi).rules.get(kind="letter").target == 3


def test_the_page_refuses_30_february_in_chinese_and_stores_nothing(client, admin_lishi, regions):
    client.force_login(admin_lishi)
    response = client.post(f"{URL}?region={regions.lishi.code}", form_data(occasion_0_month="2", occasion_0_day="30"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "2月没有30日" in response.content.decode()
    assert not CommitmentPlan.objects.exists()


def test_staff_of_another_county_get_404_for_a_region_outside_their_subtree(client, staff_yuci, regions):
    client.force_login(staff_yuci)
    assert client.get(f"{URL}?region={regions.lishi.code}").status_code == 404


def test_staff_read_the_page_but_cannot_change_it(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    assert client.get(f"{URL}?region={regions.lishi.code}").status_code == 200
    assert client.post(f"{URL}?region={regions.lishi.code}", form_data()).status_code == 403


def test_a_caring_mother_cannot_reach_the_page(client, volunteer_lishi, regions):
    client.force_login(volunteer_lishi)
    response = client.get(f"{URL}?region={regions.lishi.code}")
    assert response.status_code == 302 and response["Location"].startswith("/m/")


def test_the_page_says_where_the_commitments_come_from(client, admin_province, staff_lishi, regions):
    plan_for(admin_province, regions.shanxi)
    client.force_login(staff_lishi)
    with translation.override("zh-hans"):
        content = client.get(f"{URL}?region={regions.lishi.code}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "由山西省设置" in content


# --- where progress shows -------------------------------------------------------------------------

def test_the_pairing_page_shows_the_year_s_commitments(client, staff_lishi, lead):
    client.force_login(staff_lishi)
    response = client.get(reverse("pairing:detail", args=[lead.pk]))
    assert response.context["commitments"].year == 2027
    assert 'class="card commitments"' in response.content.decode()


def test_the_pair_card_carries_the_year_s_commitments(lead):
    from pairing import paircard

    card = paircard.pair_card(Pairing.objects.select_related("child", "volunteer").get(pk=lead.pk))
    assert card.commitments is not None and card.commitments.total == 7


def test_her_phone_page_of_the_child_shows_the_commitments(client, volunteer_mother_lishi, volunteer_lishi, pair,
                                                           child_lishi):
    pair(child_lishi, volunteer_mother_lishi)
    client.force_login(volunteer_lishi)
    response = client.get(reverse("phone:child", args=[child_lishi.pk]))
    assert response.context["commitments"].total == 7


def test_her_phone_home_shows_a_line_per_child(client, volunteer_mother_lishi, volunteer_lishi, pair, child_lishi):
    pair(child_lishi, volunteer_mother_lishi)
    client.force_login(volunteer_lishi)
    [child] = client.get(reverse("phone:home")).context["children"]
    assert child.commitments.total == 7


def test_a_helper_pairing_has_its_own_progress(pair, child_lishi, mother_lishi, make_volunteer, staff_lishi, visit):
    pair(child_lishi, mother_lishi)
    helper = pair(child_lishi, make_volunteer(staff_lishi, name="赵春花"), PairingRole.HELPER)
    visit(date(2026, 5, 4), "letter")  # the lead's letter
    assert item(helper, date(2026, 5, 31), K.LETTER).done == 0


def test_the_pairings_api_carries_the_commitments_read_only(api_client_for, staff_lishi, lead):
    body = api_client_for(staff_lishi).get("/api/v1/pairings/").json()
    [row] = body["results"]
    assert (row["commitments"]["year"], row["commitments"]["total"]) == (2027, 7)
    assert row["commitments"]["items"][0] == {"kind": "monthly_contact", "key": "monthly_contact",
                                              "label": "每月联系", "done": 0, "target": 3, "state": "open",
                                              "on": None}


def test_one_pairing_from_the_api_carries_its_commitments(api_client_for, staff_lishi, lead):
    body = api_client_for(staff_lishi).get(f"/api/v1/pairings/{lead.pk}/").json()
    assert body["commitments"]["total"] == 7
