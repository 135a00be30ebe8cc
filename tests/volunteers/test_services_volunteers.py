"""volunteers.services called directly: the roster's rules, each refusal naming its field and writing nothing."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User
from accounts.roles import Role
from pairing import services as pairing_services
from pairing.models import Pairing
from tests.volunteers.conftest import new_phone
from volunteers import services
from volunteers.models import (
    Recognition,
    ReserveHelper,
    Team,
    Training,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
    WorkStation,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Lx7#mother2025"


def refused(field: str, call, *args, **kwargs) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    assert field in caught.value.message_dict, caught.value.message_dict
    return caught.value


def register(actor, region, **fields) -> Volunteer:
    values = {"name": "刘秀兰", "phone": new_phone(), "joined_on": date(2024, 1, 1), **fields}
    return services.volunteer_create(actor=actor, region=region, **values)


def lead(actor, child, volunteer) -> Pairing:
    return pairing_services.pairing_create(actor=actor, child=child, volunteer=volunteer, role="lead",
                                           started_on=date(2025, 3, 1))


@pytest.fixture
def mother(make_volunteer, staff_lishi):
    return make_volunteer(staff_lishi, name="刘秀兰")


# --- volunteer_create -----------------------------------------------------------------------------

def test_create_registers_her_with_a_joined_entry_in_her_history(staff_lishi, regions):
    volunteer = register(staff_lishi, regions.lishi_village, skills=["tutoring"], capacity=2, sector="teacher")
    assert (volunteer.status, volunteer.capacity, volunteer.skills) == (VolunteerStatus.ACTIVE, 2, ["tutoring"])
    [change] = VolunteerStatusChange.objects.filter(volunteer=volunteer)
    assert (change.to_status, change.effective_on, change.actor) == ("active", date(2024, 1, 1), staff_lishi)


def test_create_defaults_capacity_to_three_and_joined_to_today(staff_lishi, regions, today):
    volunteer = services.volunteer_create(actor=staff_lishi, name="郝秀珍", phone=new_phone(),
                                          region=regions.lishi_village)
    assert (volunteer.capacity, volunteer.joined_on) == (3, today)


@pytest.mark.parametrize("phone", ["1383580123", "23835801234", "138358012345", "1383580123a", ""])
def test_create_refuses_an_invalid_mobile(staff_lishi, regions, phone):
    refused("phone", register, staff_lishi, regions.lishi_village, phone=phone)
    assert not Volunteer.objects.exists()


def test_create_refuses_a_duplicate_mobile(staff_lishi, regions, mother):
    refused("phone", register, staff_lishi, regions.lishi_village, phone=mother.phone)
    assert Volunteer.objects.count() == 1


def test_duplicate_mobile_is_refused_across_counties(staff_yuci, regions, mother):
    refused("phone", register, staff_yuci, regions.yuci, phone=mother.phone)
    assert Volunteer.objects.count() == 1


@pytest.mark.parametrize("capacity", [0, 25, -1])
def test_create_refuses_capacity_out_of_range(staff_lishi, regions, capacity):
    refused("capacity", register, staff_lishi, regions.lishi_village, capacity=capacity)
    assert not Volunteer.objects.exists()


def test_create_refuses_a_future_joined_date(staff_lishi, regions, today):
    refused("joined_on", register, staff_lishi, regions.lishi_village, joined_on=today + timedelta(days=1))
    assert not Volunteer.objects.exists()


def test_create_refuses_an_empty_name(staff_lishi, regions):
    refused("name", register, staff_lishi, regions.lishi_village, name="  ")
    assert not Volunteer.objects.exists()


def test_create_refuses_a_region_outside_the_area(staff_lishi, regions):
    refused("region", register, staff_lishi, regions.yuci)
    assert not Volunteer.objects.exists()


def test_create_refuses_a_team_outside_the_area(staff_lishi, staff_yuci, regions):
    team = services.team_create(actor=staff_yuci, name="修文镇志愿服务队", region=regions.yuci)
    refused("team", register, staff_lishi, regions.lishi_village, team=team)
    assert not Volunteer.objects.exists()


def test_create_refuses_a_work_station_outside_the_area(staff_lishi, staff_yuci, regions):
    station = services.station_create(actor=staff_yuci, name="修文镇爱心妈妈工作站", region=regions.yuci)
    refused("station", register, staff_lishi, regions.lishi_village, station=station)
    assert not Volunteer.objects.exists()


def test_create_refuses_an_unknown_skill(staff_lishi, regions):
    refused("skills", register, staff_lishi, regions.lishi_village, skills=["juggling"])
    assert not Volunteer.objects.exists()


def test_create_refuses_an_unknown_sector(staff_lishi, regions):
    refused("sector", register, staff_lishi, regions.lishi_village, sector="astronaut")
    assert not Volunteer.objects.exists()


def test_viewer_cannot_create(viewer_lvliang, regions):
    with pytest.raises(PermissionDenied):
        register(viewer_lvliang, regions.lishi_village)
    assert not Volunteer.objects.exists()


def test_create_with_login_opens_a_volunteer_login_in_her_region(staff_lishi, regions):
    volunteer = register(staff_lishi, regions.lishi_village,
                         login=services.LoginData(username="liu_xiulan", password=PASSWORD))
    user = volunteer.user
    assert (user.username, user.role, user.region, user.name) == ("liu_xiulan", Role.VOLUNTEER,
                                                                  regions.lishi_village, "刘秀兰")
    assert user.check_password(PASSWORD)


def test_create_with_a_weak_password_writes_nothing(staff_lishi, regions):
    refused("password", register, staff_lishi, regions.lishi_village,
            login=services.LoginData(username="liu_xiulan", password="123"))
    assert not Volunteer.objects.exists()
    assert not User.objects.filter(username="liu_xiulan").exists()


def test_create_with_a_taken_username_writes_nothing(staff_lishi, regions):
    refused("username", register, staff_lishi, regions.lishi_village,
            login=services.LoginData(username="staff_lishi", password=PASSWORD))
    assert not Volunteer.objects.exists()


# --- volunteer_create_login -----------------------------------------------------------------------

def test_create_login_for_a_mother_on_the_roster(staff_lishi, mother):
    user = services.volunteer_create_login(actor=staff_lishi, volunteer=mother, username="liu_xiulan",
                                           password=PASSWORD)
    mother.refresh_from_db()
    assert mother.user == user and user.role == Role.VOLUNTEER


def test_create_login_twice_is_refused(staff_lishi, volunteer_mother_lishi):
    refused("username", services.volunteer_create_login, actor=staff_lishi, volunteer=volunteer_mother_lishi,
            username="second_login", password=PASSWORD)
    assert not User.objects.filter(username="second_login").exists()


def test_create_login_outside_the_area_is_not_found(staff_yuci, mother):
    # Not found in her scope: a refusal naming the caring mother (the users API shows it as a 400).
    refused("volunteer", services.volunteer_create_login, actor=staff_yuci, volunteer=mother, username="x_login",
            password=PASSWORD)
    assert not User.objects.filter(username="x_login").exists()


# --- volunteer_update -----------------------------------------------------------------------------

def test_update_changes_her_record(staff_lishi, mother, regions):
    team = services.team_create(actor=staff_lishi, name="城北巾帼志愿服务队", region=regions.lishi)
    services.volunteer_update(actor=staff_lishi, volunteer=mother, capacity=5, skills=["legal"], team=team,
                              employer="离石区人民法院")
    mother.refresh_from_db()
    assert (mother.capacity, mother.skills, mother.team, mother.employer) == (5, ["legal"], team, "离石区人民法院")


def test_update_refuses_lowering_capacity_below_her_current_leads(staff_lishi, mother, make_child):
    for name in ("王小雨", "李小花"):
        lead(staff_lishi, make_child(staff_lishi, name=name), mother)
    refused("capacity", services.volunteer_update, actor=staff_lishi, volunteer=mother, capacity=1)
    mother.refresh_from_db()
    assert mother.capacity == 3


def test_update_allows_capacity_equal_to_her_current_leads(staff_lishi, mother, make_child):
    lead(staff_lishi, make_child(staff_lishi), mother)
    services.volunteer_update(actor=staff_lishi, volunteer=mother, capacity=1)
    mother.refresh_from_db()
    assert mother.capacity == 1


def test_update_refuses_a_taken_mobile(staff_lishi, mother, make_volunteer):
    other = make_volunteer(staff_lishi, name="韩梅")
    refused("phone", services.volunteer_update, actor=staff_lishi, volunteer=mother, phone=other.phone)
    assert Volunteer.objects.get(pk=mother.pk).phone == mother.phone


def test_update_refuses_moving_her_outside_the_area(staff_lishi, mother, regions):
    refused("region", services.volunteer_update, actor=staff_lishi, volunteer=mother, region=regions.yuci)
    assert Volunteer.objects.get(pk=mother.pk).region == regions.lishi_village


def test_update_refuses_a_work_station_outside_the_area(staff_lishi, staff_yuci, mother, regions):
    station = services.station_create(actor=staff_yuci, name="修文镇爱心妈妈工作站", region=regions.yuci)
    refused("station", services.volunteer_update, actor=staff_lishi, volunteer=mother, station=station)
    assert Volunteer.objects.get(pk=mother.pk).station is None


def test_update_outside_the_area_is_not_found(staff_yuci, mother):
    with pytest.raises(Volunteer.DoesNotExist):
        services.volunteer_update(actor=staff_yuci, volunteer=mother, capacity=5)


def test_viewer_cannot_update(viewer_lvliang, mother):
    with pytest.raises(PermissionDenied):
        services.volunteer_update(actor=viewer_lvliang, volunteer=mother, capacity=5)


# --- volunteer_set_status -------------------------------------------------------------------------

def test_deactivation_ends_her_pairings_and_returns_the_children_she_led(staff_lishi, mother, make_volunteer,
                                                                         make_child, today):
    led, helped = make_child(staff_lishi, name="王小雨"), make_child(staff_lishi, name="李小花")
    lead(staff_lishi, led, mother)
    lead(staff_lishi, helped, make_volunteer(staff_lishi, name="韩梅"))
    pairing_services.pairing_create(actor=staff_lishi, child=helped, volunteer=mother, role="helper",
                                    started_on=date(2025, 3, 2))
    needing = services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                            effective_on=today, reason="工作调动")
    assert needing == [led]
    assert not Pairing.objects.filter(volunteer=mother, ended_on__isnull=True).exists()
    assert Pairing.objects.filter(volunteer=mother).count() == 2  # history kept
    mother.refresh_from_db()
    assert (mother.status, mother.left_on) == (VolunteerStatus.INACTIVE, today)


def test_deactivation_deactivates_her_login(staff_lishi, volunteer_mother_lishi, volunteer_lishi, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=volunteer_mother_lishi, status="inactive",
                                  effective_on=today, reason="退出")
    volunteer_lishi.refresh_from_db()
    assert not volunteer_lishi.is_active


def test_deactivation_needs_a_reason(staff_lishi, mother, today):
    refused("reason", services.volunteer_set_status, actor=staff_lishi, volunteer=mother, status="inactive",
            effective_on=today, reason=" ")
    assert Volunteer.objects.get(pk=mother.pk).status == VolunteerStatus.ACTIVE


def test_deactivation_before_she_joined_is_refused(staff_lishi, mother):
    refused("effective_on", services.volunteer_set_status, actor=staff_lishi, volunteer=mother, status="inactive",
            effective_on=date(2023, 12, 31), reason="退出")
    assert Volunteer.objects.get(pk=mother.pk).status == VolunteerStatus.ACTIVE


def test_deactivation_in_the_future_is_refused(staff_lishi, mother, today):
    refused("effective_on", services.volunteer_set_status, actor=staff_lishi, volunteer=mother, status="inactive",
            effective_on=today + timedelta(days=1), reason="退出")
    assert VolunteerStatusChange.objects.filter(volunteer=mother).count() == 1


def test_setting_the_same_status_is_refused(staff_lishi, mother, today):
    refused("status", services.volunteer_set_status, actor=staff_lishi, volunteer=mother, status="active",
            effective_on=today)


def test_reactivation_clears_the_leaving_date(staff_lishi, mother, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive", effective_on=today,
                                  reason="生病")
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="active", effective_on=today)
    mother.refresh_from_db()
    assert (mother.status, mother.left_on) == (VolunteerStatus.ACTIVE, None)
    assert VolunteerStatusChange.objects.filter(volunteer=mother).count() == 3


def test_inactive_mother_cannot_be_paired(staff_lishi, mother, make_child, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                  effective_on=today, reason="退出")
    refused("volunteer", lead, staff_lishi, make_child(staff_lishi), mother)


def test_viewer_cannot_change_her_status(viewer_lvliang, mother, today):
    with pytest.raises(PermissionDenied):
        services.volunteer_set_status(actor=viewer_lvliang, volunteer=mother, status="inactive",
                                      effective_on=today, reason="退出")


# --- reserve helpers ------------------------------------------------------------------------------

def test_reserve_helper_is_added_and_removed_with_dates(staff_lishi, mother):
    helper = services.reserve_helper_add(actor=staff_lishi, volunteer=mother, name="王丽", phone="13711112222",
                                         specialty="心理咨询师", added_on=date(2025, 1, 5))
    services.reserve_helper_remove(actor=staff_lishi, helper=helper, removed_on=date(2025, 6, 1))
    helper.refresh_from_db()
    assert (helper.added_on, helper.removed_on) == (date(2025, 1, 5), date(2025, 6, 1))


def test_reserve_helper_with_an_invalid_phone_is_refused(staff_lishi, mother):
    refused("phone", services.reserve_helper_add, actor=staff_lishi, volunteer=mother, name="王丽", phone="12345")
    assert not ReserveHelper.objects.exists()


def test_reserve_helper_needs_a_name(staff_lishi, mother):
    refused("name", services.reserve_helper_add, actor=staff_lishi, volunteer=mother, name="")
    assert not ReserveHelper.objects.exists()


def test_reserve_helper_outside_the_area_is_not_found(staff_yuci, mother):
    with pytest.raises(Volunteer.DoesNotExist):
        services.reserve_helper_add(actor=staff_yuci, volunteer=mother, name="王丽")


# --- teams and work stations ----------------------------------------------------------------------

def test_team_names_are_unique_within_a_region(staff_lishi, regions):
    services.team_create(actor=staff_lishi, name="城北巾帼志愿服务队", region=regions.lishi)
    refused("name", services.team_create, actor=staff_lishi, name="城北巾帼志愿服务队", region=regions.lishi)
    assert Team.objects.count() == 1


def test_the_same_team_name_may_exist_in_another_region(staff_lishi, regions):
    services.team_create(actor=staff_lishi, name="巾帼志愿服务队", region=regions.lishi)
    services.team_create(actor=staff_lishi, name="巾帼志愿服务队", region=regions.lishi_township)
    assert Team.objects.count() == 2


def test_team_outside_the_area_is_refused(staff_lishi, regions):
    refused("region", services.team_create, actor=staff_lishi, name="修文镇志愿服务队", region=regions.yuci)
    assert not Team.objects.exists()


def test_station_outside_the_area_is_refused(staff_lishi, regions):
    refused("region", services.station_create, actor=staff_lishi, name="修文镇工作站", region=regions.yuci)
    assert not WorkStation.objects.exists()


def test_viewer_cannot_create_a_team(viewer_lvliang, regions):
    with pytest.raises(PermissionDenied):
        services.team_create(actor=viewer_lvliang, name="城北巾帼志愿服务队", region=regions.lishi)


# --- trainings and recognition --------------------------------------------------------------------

def test_training_records_attendees_and_participants(staff_lishi, mother, make_volunteer, regions):
    other = make_volunteer(staff_lishi, name="韩梅")
    training = services.training_create(actor=staff_lishi, title="赋能培训", held_on=date(2025, 4, 12),
                                        region=regions.lishi, attendees=[mother.pk, other.pk], participants=60)
    assert set(training.attendees.all()) == {mother, other}
    assert training.participants == 60
    assert list(mother.trainings.all()) == [training]


def test_training_participants_default_to_the_attendee_count(staff_lishi, mother, regions):
    training = services.training_create(actor=staff_lishi, title="赋能培训", held_on=date(2025, 4, 12),
                                        region=regions.lishi, attendees=[mother.pk])
    assert training.participants == 1


def test_training_participants_below_the_attendee_count_are_refused(staff_lishi, mother, make_volunteer, regions):
    other = make_volunteer(staff_lishi, name="韩梅")
    refused("participants", services.training_create, actor=staff_lishi, title="赋能培训",
            held_on=date(2025, 4, 12), region=regions.lishi, attendees=[mother.pk, other.pk], participants=1)
    assert not Training.objects.exists()


def test_training_attendee_outside_the_area_is_refused(staff_lishi, staff_yuci, mother, make_volunteer, regions):
    other = make_volunteer(staff_yuci, name="赵春梅", region_code="140702100000")
    refused("attendees", services.training_create, actor=staff_lishi, title="赋能培训", held_on=date(2025, 4, 12),
            region=regions.lishi, attendees=[mother.pk, other.pk])
    assert not Training.objects.exists()


def test_training_in_the_future_is_refused(staff_lishi, regions, today):
    refused("held_on", services.training_create, actor=staff_lishi, title="赋能培训",
            held_on=today + timedelta(days=1), region=regions.lishi)
    assert not Training.objects.exists()


def test_training_needs_a_title(staff_lishi, regions):
    refused("title", services.training_create, actor=staff_lishi, title="", held_on=date(2025, 4, 12),
            region=regions.lishi)


def test_recognition_is_recorded(staff_lishi, mother):
    recognition = services.recognition_create(actor=staff_lishi, volunteer=mother, kind="gift_pack",
                                              title="三八节慰问礼包", awarded_on=date(2025, 3, 8), reason="结对一年")
    assert list(mother.recognitions.all()) == [recognition]
    assert recognition.created_by == staff_lishi


def test_recognition_of_an_unknown_kind_is_refused(staff_lishi, mother):
    refused("kind", services.recognition_create, actor=staff_lishi, volunteer=mother, kind="medal",
            title="表彰", awarded_on=date(2025, 3, 8))
    assert not Recognition.objects.exists()


def test_recognition_in_the_future_is_refused(staff_lishi, mother, today):
    refused("awarded_on", services.recognition_create, actor=staff_lishi, volunteer=mother, kind="award",
            title="表彰", awarded_on=today + timedelta(days=1))
    assert not Recognition.objects.exists()


def test_recognition_outside_the_area_is_not_found(staff_yuci, mother):
    with pytest.raises(Volunteer.DoesNotExist):
        services.recognition_create(actor=staff_yuci, volunteer=mother, kind="award", title="表彰",
                                    awarded_on=date(2025, 3, 8))
