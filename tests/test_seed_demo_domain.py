"""seed_demo's children, roster, pairings and activities (small scale): what they contain, and that
every row obeys the rules the services enforce.

The demo data is seeded once for the module, on ``DEMO_DAY``, inside a transaction that is rolled back
after the module's last test; each test runs in a savepoint within it (the ``db`` fixture), so tests
cannot disturb each other and nothing leaks into later tests. The demo's dates are relative to the day
it was seeded on, so here ``today`` is that day rather than each of ``clock.CALENDAR_DAYS``: the
suite's sweep over ``AIXIN_TEST_TODAY`` moves both.
"""

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from accounts.models import User
from activities.models import Activity, ActivityChild, ActivityKind
from activities.services import activity_record, content_digest
from children.models import (
    Category,
    Child,
    ExitReason,
    NeedKind,
    NeedStatus,
    RiskAssessment,
    Status,
    StatusChange,
)
from children.services import check_id_number
from core.regioncodes import subtree_q
from pairing.models import EndReason, Pairing, PairingRole
from tests import clock
from volunteers.models import Sector, Skill, Training, Volunteer, VolunteerStatus

LISHI, YUCI = "141102000000", "140702000000"


# The day the demo is seeded on; the tests run on it too.
DEMO_DAY = clock.DEFAULT_TODAY


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker) -> Iterator[str]:
    """``seed_demo --scale small`` once for the module, on ``DEMO_DAY``; all rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        with clock.pinned(DEMO_DAY):
            call_command("seed_demo", scale="small", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def today():
    """The demo's day (overrides tests/conftest.py's ``today``: the demo is seeded once, not per day)."""
    return DEMO_DAY


def active_children():
    return Child.objects.filter(status=Status.ACTIVE)


# --- children --------------------------------------------------------------------------------------

def test_children_of_every_category(seeded, db):
    counts = {c: Child.objects.in_category(c).count() for c in Category.values}
    assert all(counts.values()), counts
    assert counts[Category.LEFT_BEHIND] == max(counts.values())


def test_some_children_are_in_two_categories(seeded, db):
    assert any(len(child.categories) > 1 for child in Child.objects.all())


def test_every_child_in_difficulty_says_why(seeded, db):
    for child in Child.objects.in_category(Category.IN_DIFFICULTY):
        assert child.difficulty_types, child.pk


def test_each_county_has_about_150_children(seeded, db):
    for county in (LISHI, YUCI):
        assert 140 <= Child.objects.filter(subtree_q("region", county)).count() <= 170


def test_children_of_every_status(seeded, db):
    counts = Counter(Child.objects.values_list("status", flat=True))
    assert set(counts) == set(Status.values)
    assert counts[Status.ACTIVE] > 0.85 * sum(counts.values())


def test_exits_of_every_reason(seeded, db):
    assert set(Child.objects.filter(status=Status.EXITED).values_list("exit_reason", flat=True)) == set(ExitReason.values)


def test_every_exit_is_a_dated_status_change_with_its_reason(seeded, db):
    for child in Child.objects.filter(status=Status.EXITED):
        last = child.status_changes.order_by("-effective_on", "-id").first()
        assert (last.to_status, last.reason, last.effective_on) == (Status.EXITED, child.exit_reason, child.exited_on)


def test_status_histories_start_at_entry_and_never_go_back_in_time(seeded, db):
    for child in Child.objects.prefetch_related("status_changes"):
        changes = list(child.status_changes.all())
        assert (changes[0].from_status, changes[0].effective_on) == ("", child.entered_on)
        assert [c.effective_on for c in changes] == sorted(c.effective_on for c in changes)
        assert changes[-1].to_status == child.status


def test_aged_out_children_exited_the_day_they_aged_out_recorded_by_the_system(seeded, db):
    aged = Child.objects.filter(exit_reason=ExitReason.AGED_OUT)
    assert aged.exists()
    for child in aged:
        exit_row = child.status_changes.get(to_status=Status.EXITED)
        assert (child.exited_on, exit_row.actor_id) == (child.compute_ages_out_on(), None)


def test_no_child_still_in_the_ledger_has_aged_out(seeded, db, today):
    assert not Child.objects.exclude(status=Status.EXITED).filter(ages_out_on__lte=today).exists()


def test_left_behind_children_are_under_16_and_the_others_under_18(seeded, db, today):
    for child in Child.objects.exclude(status=Status.EXITED):
        assert child.age_on(today) < (16 if child.is_left_behind else 18), child.pk


def test_ages_out_on_follows_the_categories(seeded, db):
    for child in Child.objects.all():
        assert child.ages_out_on == child.compute_ages_out_on()


def test_a_transfer_is_kept_in_the_history(seeded, db):
    transfer = StatusChange.objects.filter(to_region__isnull=False).select_related("child").first()
    assert transfer is not None
    assert transfer.child.region_id == transfer.to_region_id != transfer.from_region_id


def test_every_id_number_validates_and_agrees_with_the_record(seeded, db):
    for child in Child.objects.all():
        number = child.reveal_id_number()
        assert check_id_number(number, birth_date=child.birth_date, gender=child.gender) == number
        assert number[:6] == child.region_id[:6]
        assert (child.id_number_last4, child.id_number_masked[-4:]) == (number[-4:], number[-4:])


def test_id_numbers_are_unique(seeded, db):
    digests = list(Child.objects.values_list("id_number_digest", flat=True))
    assert len(digests) == len(set(digests))


def test_guardians_have_a_relation_and_the_first_a_mobile_number(seeded, db):
    for child in Child.objects.prefetch_related("guardians"):
        guardians = list(child.guardians.all())
        assert guardians and all(g.relation for g in guardians)
        assert len(guardians[0].phone) == 11


def test_schools_and_grades_are_filled_for_school_age_children(seeded, db, today):
    school_age = [c for c in Child.objects.all() if c.age_on(today) >= 8]
    assert all(c.school.endswith(("小学", "中学", "中心校", "学校")) and c.grade for c in school_age)


def test_left_behind_children_say_where_their_parents_work(seeded, db):
    assert not Child.objects.in_category(Category.LEFT_BEHIND).filter(parents_work_place="").exists()


# --- risk cards ------------------------------------------------------------------------------------

def test_colours_are_spread_roughly_like_the_practice(seeded, db):
    counts = Counter(active_children().values_list("risk_color", flat=True))
    total = sum(counts.values())
    shares = {color: counts[color] / total for color in ("red", "yellow", "green", "")}
    assert 0.04 < shares["red"] < 0.18 and 0.15 < shares["yellow"] < 0.35
    assert 0.4 < shares["green"] < 0.7 and 0.03 < shares[""] < 0.18


def test_the_colour_and_next_review_are_the_latest_assessments(seeded, db):
    for child in Child.objects.prefetch_related("assessments"):
        latest = child.assessments.order_by("-assessed_on", "-recorded_at", "-id").first()
        assert (child.risk_color, child.next_review_on) == ((latest.color, latest.next_review_on) if latest else ("", None))


def test_assessments_lie_between_entry_and_exit_or_today(seeded, db, today):
    for a in RiskAssessment.objects.select_related("child"):
        assert a.child.entered_on <= a.assessed_on <= (a.child.exited_on or today) and a.next_review_on > a.assessed_on


def test_a_child_went_from_red_through_yellow_to_green(seeded, db):
    histories = defaultdict(list)
    for child_id, color in RiskAssessment.objects.order_by("assessed_on", "id").values_list("child_id", "color"):
        histories[child_id].append(color)
    assert any(h[-3:] == ["red", "yellow", "green"] for h in histories.values())


def test_some_reds_are_overdue_for_review(seeded, db, today):
    reds = active_children().filter(risk_color="red")
    assert reds.filter(next_review_on__lt=today).exists()
    assert reds.filter(next_review_on__gte=today).exists()


def test_needs_of_every_kind_and_status(seeded, db):
    from children.models import Need

    assert set(Need.objects.values_list("kind", flat=True)) == set(NeedKind.values)
    assert set(Need.objects.values_list("status", flat=True)) == set(NeedStatus.values)


def test_needs_are_claimed_dated_and_fulfilled_with_a_value(seeded, db, today):
    from children.models import Need

    for need in Need.objects.exclude(status__in=[NeedStatus.OPEN, NeedStatus.CANCELLED]):
        assert need.claimed_by_name and need.opened_on <= need.claimed_on <= today
        if need.status == NeedStatus.FULFILLED:
            assert need.claimed_on <= need.fulfilled_on <= today
    assert Need.objects.filter(status=NeedStatus.FULFILLED, value_yuan__gt=0).exists()
    assert Need.objects.filter(claimed_by_name__endswith="妇联").exists()


# --- roster ----------------------------------------------------------------------------------------

def test_about_120_mothers_per_county_in_teams_of_every_township(seeded, db):
    for county in (LISHI, YUCI):
        assert 100 <= Volunteer.objects.filter(subtree_q("region", county)).count() <= 145
    assert Volunteer.objects.filter(team__name__endswith="爱心妈妈志愿服务队").exists()


def test_mothers_of_every_sector_and_skill_with_capacities_2_to_4(seeded, db):
    volunteers = list(Volunteer.objects.all())
    assert {v.sector for v in volunteers} == set(Sector.values)
    assert set().union(*(v.skills for v in volunteers)) == set(Skill.values)
    assert {v.capacity for v in volunteers} == {2, 3, 4}


def test_mothers_who_left_have_a_dated_reason(seeded, db):
    gone = Volunteer.objects.filter(status=VolunteerStatus.INACTIVE)
    assert gone.exists()
    for volunteer in gone:
        change = volunteer.status_changes.get(to_status=VolunteerStatus.INACTIVE)
        assert (change.effective_on, bool(change.reason)) == (volunteer.left_on, True)


def test_some_mothers_have_two_or_three_reserve_helpers(seeded, db):
    counts = Counter(Volunteer.objects.filter(reserve_helpers__isnull=False).values_list("pk", flat=True))
    assert counts and set(counts.values()) <= {2, 3}


def test_trainings_count_at_least_their_attendees(seeded, db):
    trainings = Training.objects.all()
    assert trainings.exists()
    for training in trainings:
        assert training.participants >= training.attendees.count() > 0


def test_recognitions_include_awards_and_gift_packs(seeded, db):
    from volunteers.models import Recognition

    assert {"award", "gift_pack"} <= set(Recognition.objects.values_list("kind", flat=True))


# --- pairings --------------------------------------------------------------------------------------

def test_about_92_percent_of_active_children_have_a_lead(seeded, db):
    children = active_children().with_paired()
    paired = children.filter(paired=True).count()
    assert 0.85 <= paired / children.count() <= 0.97  # the unpaired list has entries


def test_one_to_one_pairings_exist(seeded, db):
    active = Pairing.objects.filter(ended_on__isnull=True)
    with_helpers = set(active.filter(role=PairingRole.HELPER).values_list("child_id", flat=True))
    leads = Counter(active.filter(role=PairingRole.LEAD).values_list("volunteer_id", flat=True))
    single = active.filter(role=PairingRole.LEAD, volunteer_id__in=[v for v, n in leads.items() if n == 1])
    assert single.exclude(child_id__in=with_helpers).exists()


def test_many_to_one_pairings_have_a_lead_and_helpers(seeded, db):
    helped = set(Pairing.objects.filter(ended_on__isnull=True, role=PairingRole.HELPER).values_list("child_id", flat=True))
    assert helped
    led = set(Pairing.objects.filter(ended_on__isnull=True, role=PairingRole.LEAD).values_list("child_id", flat=True))
    assert helped <= led


def test_one_mother_leads_three_children(seeded, db):
    leads = Counter(Pairing.objects.filter(ended_on__isnull=True, role=PairingRole.LEAD)
                    .values_list("volunteer_id", flat=True))
    assert 3 in leads.values()


def test_ended_pairings_of_every_kind_are_kept(seeded, db):
    reasons = set(Pairing.objects.exclude(ended_on=None).values_list("end_reason", flat=True))
    assert {EndReason.VOLUNTEER_LEFT, EndReason.REASSIGNED, EndReason.CHILD_EXITED} <= reasons


def test_exited_childrens_pairings_ended_on_the_exit_date(seeded, db):
    for pairing in Pairing.objects.filter(child__status=Status.EXITED).select_related("child"):
        assert pairing.ended_on is not None and pairing.ended_on <= pairing.child.exited_on
        if pairing.end_reason == EndReason.CHILD_EXITED:
            assert pairing.ended_on == pairing.child.exited_on


def test_pairings_start_after_entry_and_joining_never_in_the_future(seeded, db, today):
    for p in Pairing.objects.select_related("child", "volunteer"):
        assert max(p.child.entered_on, p.volunteer.joined_on) <= p.started_on <= today
        assert p.ended_on is None or p.started_on <= p.ended_on <= today


def test_no_mother_ever_leads_more_children_than_her_capacity(seeded, db):
    leads = defaultdict(list)
    for p in Pairing.objects.filter(role=PairingRole.LEAD).select_related("volunteer"):
        leads[p.volunteer].append(p)
    for volunteer, rows in leads.items():
        for day in {p.started_on for p in rows}:
            at_once = sum(1 for p in rows if p.started_on <= day and (p.ended_on is None or day < p.ended_on))
            assert at_once <= volunteer.capacity, volunteer.pk


def test_a_helper_always_has_a_lead_beside_her_when_she_starts(seeded, db):
    for helper in Pairing.objects.filter(role=PairingRole.HELPER):
        assert Pairing.objects.filter(child_id=helper.child_id, role=PairingRole.LEAD,
                                      started_on__lte=helper.started_on).exists()


def test_inactive_mothers_have_no_active_pairings(seeded, db):
    assert not Pairing.objects.filter(ended_on=None, volunteer__status=VolunteerStatus.INACTIVE).exists()


# --- the demo volunteer ----------------------------------------------------------------------------

def test_the_demo_volunteer_sees_her_children(seeded, db):
    user = User.objects.get(username="volunteer")
    children = list(Child.objects.visible_to(user))
    assert 2 <= len(children) <= 3
    assert {c.status for c in children} == {Status.ACTIVE}
    assert user.volunteer.phone == user.phone


def test_the_demo_volunteers_children_show_every_colour_and_recent_contact(seeded, db, today):
    user = User.objects.get(username="volunteer")
    children = Child.objects.visible_to(user)
    assert set(children.values_list("risk_color", flat=True)) == {"red", "yellow", "green"}
    latest = ActivityChild.objects.filter(child__in=children).order_by("-occurred_on").first()
    assert (today - latest.occurred_on).days <= 7


def test_the_demo_volunteers_red_child_has_an_open_need(seeded, db):
    red = Child.objects.visible_to(User.objects.get(username="volunteer")).get(risk_color="red")
    assert red.needs.filter(status=NeedStatus.OPEN).exists()


# --- activities ------------------------------------------------------------------------------------

def test_about_a_dozen_and_more_activities_a_child_over_the_last_year(seeded, db, today):
    activities = Activity.objects.all()
    assert 10 * Child.objects.count() <= activities.count() <= 25 * Child.objects.count()
    assert activities.filter(occurred_on__lt=today - timedelta(days=364)).count() == 0


def test_activities_are_never_in_the_future(seeded, db, today):
    assert not Activity.objects.filter(occurred_on__gt=today).exists()


def test_activities_happen_only_within_a_pairing_with_one_of_their_mothers(seeded, db):
    pairings = defaultdict(list)
    for p in Pairing.objects.values("child_id", "volunteer_id", "started_on", "ended_on"):
        pairings[p["child_id"]].append(p)
    mothers = defaultdict(set)
    for activity_id, volunteer_id in Activity.co_volunteers.through.objects.values_list("activity_id", "volunteer_id"):
        mothers[activity_id].add(volunteer_id)
    for link in ActivityChild.objects.select_related("activity"):
        allowed = mothers[link.activity_id] | {link.activity.volunteer_id}
        assert any(p["volunteer_id"] in allowed and p["started_on"] <= link.occurred_on
                   and (p["ended_on"] is None or link.occurred_on <= p["ended_on"]) for p in pairings[link.child_id]), link


def test_activity_child_rows_copy_the_date_and_a_region_of_the_child(seeded, db):
    for link in ActivityChild.objects.select_related("activity", "child"):
        assert link.occurred_on == link.activity.occurred_on
        assert link.region_id[:9] == link.child.region_id[:9]  # transfers stay within the township


def test_home_visits_and_calls_are_the_most_common_kinds(seeded, db):
    kinds = Counter(Activity.objects.values_list("kind", flat=True))
    assert [k for k, _n in kinds.most_common(2)] == [ActivityKind.HOME_VISIT, ActivityKind.CALL]
    assert len(kinds) == len(ActivityKind.values)


def test_aid_is_mostly_zero_and_material_aid_50_to_800_yuan(seeded, db):
    activities = Activity.objects.filter(is_group=False)
    assert activities.filter(aid_value_yuan=0).count() > 0.8 * activities.count()
    for value in activities.filter(kind=ActivityKind.MATERIAL_AID).values_list("aid_value_yuan", flat=True):
        assert 50 <= value <= 800


def test_group_activities_count_every_child_and_mother(seeded, db):
    groups = Activity.objects.filter(is_group=True).prefetch_related("child_links", "co_volunteers")
    assert groups.exists()
    for group in groups:
        assert group.title and group.participants >= group.child_links.count() + group.co_volunteers.count() + 1


def test_the_content_digest_is_the_services(seeded, db):
    for activity in Activity.objects.prefetch_related("child_links", "co_volunteers")[:300]:
        assert activity.content_digest == content_digest(
            volunteer_id=activity.volunteer_id, children=[link.child_id for link in activity.child_links.all()],
            occurred_on=activity.occurred_on, kind=activity.kind, services=activity.services,
            is_group=activity.is_group, title=activity.title, duration_minutes=activity.duration_minutes,
            place=activity.place, participants=activity.participants, aid_value_yuan=activity.aid_value_yuan,
            notes=activity.notes, follow_up=activity.follow_up,
            co_volunteers=[v.pk for v in activity.co_volunteers.all()])


def test_seeded_activities_pass_activity_record_when_recorded_again(seeded, db):
    """The service accepts the same content under a new id (a repeat of the same day and kind, so
    confirmed): the seeded rows obey its rules."""
    staff = {LISHI[:6]: User.objects.get(username="ls_staff"), YUCI[:6]: User.objects.get(username="yc_staff")}
    seeded_rows = (Activity.objects.filter(volunteer__status=VolunteerStatus.ACTIVE)
                   .prefetch_related("child_links", "co_volunteers").order_by("content_digest"))
    sample = [*seeded_rows.filter(is_group=False)[:50], *seeded_rows.filter(is_group=True)[:10]]
    for activity in sample:
        _recorded, created = activity_record(
            actor=staff[activity.region_id[:6]], children=[link.child_id for link in activity.child_links.all()],
            occurred_on=activity.occurred_on, kind=activity.kind, volunteer=activity.volunteer_id,
            services=activity.services, is_group=activity.is_group, title=activity.title,
            duration_minutes=activity.duration_minutes, place=activity.place, participants=activity.participants,
            aid_value_yuan=activity.aid_value_yuan, notes=activity.notes,
            co_volunteers=[v.pk for v in activity.co_volunteers.all()], confirm_repeat=True)
        assert created


def test_follow_up_visits_opened_needs(seeded, db):
    from children.models import Need

    for activity in Activity.objects.filter(follow_up=True).prefetch_related("child_links"):
        for link in activity.child_links.all():
            assert Need.objects.filter(child_id=link.child_id, opened_on=activity.occurred_on,
                                       description=activity.notes).exists()


# --- idempotence -----------------------------------------------------------------------------------

def test_a_second_run_creates_nothing_new(seeded, db):
    models = (Child, Volunteer, Pairing, Activity, ActivityChild, RiskAssessment, Training)
    before = [m.objects.count() for m in models]
    call_command("seed_demo", scale="small", stdout=StringIO())
    assert [m.objects.count() for m in models] == before


def test_the_demo_pairings_show_progress_on_their_yearly_commitments(seeded, db, today):
    from pairing.commitments import State, commitments_for

    pairings = list(Pairing.objects.filter(ended_on__isnull=True).select_related("child")[:200])
    progress = commitments_for(pairings, today=today)
    states = {(item.kind, item.state) for p in progress.values() for item in p.items}
    assert ("monthly_contact", State.MET) in states
    assert {"letter", "teacher_contact"} <= {kind for kind, state in states if state == State.MET}
