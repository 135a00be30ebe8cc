"""The roster's staff pages: the list, her page, the create and edit forms, her page's actions, and the
team and work-station pages, per role."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from pairing import services as pairing_services
from pairing.models import Pairing
from tests.volunteers.conftest import new_phone
from volunteers import services
from volunteers.models import Recognition, ReserveHelper, Team, Volunteer, VolunteerStatus, WorkStation

pytestmark = pytest.mark.django_db

VILLAGE_LISHI = "141102001200"
TOWNSHIP_YUCI = "140702100000"
NEW_PASSWORD = "Lx7#mother2025"


def create_data(**overrides) -> dict:
    data = {
        "name": "郝秀珍", "phone": "13835801234", "region": VILLAGE_LISHI, "sector": "teacher",
        "employer": "离石区城北小学", "skills": ["tutoring", "psychological"], "capacity": "3",
        "joined_on": "2024-05-01", "notes": "",
    }
    data.update(overrides)
    return data


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def logs_in(client, username: str, password: str) -> bool:
    """Through the real login page (django-axes wants the request)."""
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def lead(actor, child, volunteer) -> Pairing:
    return pairing_services.pairing_create(actor=actor, child=child, volunteer=volunteer, role="lead",
                                           started_on=date(2025, 3, 1))


@pytest.fixture
def mother(make_volunteer, staff_lishi):
    """A caring mother of 东关村 (离石区), a teacher tutoring homework."""
    return make_volunteer(staff_lishi, name="刘秀兰", phone="13935809876", sector="teacher", skills=["tutoring"])


@pytest.fixture
def mother_yuci(make_volunteer, staff_yuci):
    return make_volunteer(staff_yuci, name="赵春梅", region_code=TOWNSHIP_YUCI)


@pytest.fixture
def team_lishi(staff_lishi, regions):
    return services.team_create(actor=staff_lishi, name="城北巾帼志愿服务队", region=regions.lishi)


# --- who sees what --------------------------------------------------------------------------------

def test_staff_creates_a_volunteer_who_appears_on_the_roster(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:create"), create_data())
    volunteer = Volunteer.objects.get(name="郝秀珍")
    assert response.status_code == 302
    assert response.url == reverse("volunteers:detail", args=[volunteer.pk])
    assert "郝秀珍" in page_of(client, reverse("volunteers:list"))


def test_create_keeps_skills_team_station_and_capacity(client, staff_lishi, team_lishi, regions):
    station = services.station_create(actor=staff_lishi, name="东关村爱心妈妈工作站", region=regions.lishi_village)
    client.force_login(staff_lishi)
    client.post(reverse("volunteers:create"), create_data(team=team_lishi.pk, station=station.pk, capacity="5"))
    volunteer = Volunteer.objects.get(name="郝秀珍")
    assert (volunteer.team, volunteer.station, volunteer.capacity) == (team_lishi, station, 5)
    assert volunteer.skills == ["psychological", "tutoring"]


def test_create_form_offers_only_regions_and_teams_in_scope(client, staff_lishi, staff_yuci, team_lishi, regions):
    services.team_create(actor=staff_yuci, name="修文镇志愿服务队", region=regions.yuci)
    client.force_login(staff_lishi)
    page = page_of(client, reverse("volunteers:create"))
    assert 'value="141102001200"' in page
    assert "城北巾帼志愿服务队" in page
    assert "140702" not in page
    assert "修文镇志愿服务队" not in page


def test_roster_lists_only_the_users_area(client, staff_lishi, mother, mother_yuci):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("volunteers:list"))
    assert "刘秀兰" in page
    assert "赵春梅" not in page


def test_other_county_staff_gets_404_on_her_page(client, staff_yuci, mother):
    client.force_login(staff_yuci)
    assert client.get(reverse("volunteers:detail", args=[mother.pk])).status_code == 404


ACTIONS = ["edit", "status", "create-login", "helper-add", "recognition-create"]


@pytest.mark.parametrize("action", ACTIONS)
def test_other_county_staff_gets_404_on_every_action(client, staff_yuci, mother, action):
    client.force_login(staff_yuci)
    response = client.post(reverse(f"volunteers:{action}", args=[mother.pk]), {"reason": "x", "name": "x"})
    assert response.status_code == 404


def test_other_county_staff_gets_404_on_the_edit_form(client, staff_yuci, mother):
    client.force_login(staff_yuci)
    assert client.get(reverse("volunteers:edit", args=[mother.pk])).status_code == 404


def test_other_county_staff_gets_404_removing_her_helper(client, staff_lishi, staff_yuci, mother):
    helper = services.reserve_helper_add(actor=staff_lishi, volunteer=mother, name="王丽")
    client.force_login(staff_yuci)
    assert client.post(reverse("volunteers:helper-remove", args=[helper.pk])).status_code == 404
    assert ReserveHelper.objects.get(pk=helper.pk).removed_on is None


def test_viewer_reads_the_roster_and_her_page(client, viewer_lvliang, mother):
    client.force_login(viewer_lvliang)
    assert "刘秀兰" in page_of(client, reverse("volunteers:list"))
    assert "刘秀兰" in page_of(client, reverse("volunteers:detail", args=[mother.pk]))


def test_viewer_sees_phones_masked(client, viewer_lvliang, mother):
    client.force_login(viewer_lvliang)
    list_page = page_of(client, reverse("volunteers:list"))
    detail_page = page_of(client, reverse("volunteers:detail", args=[mother.pk]))
    for page in (list_page, detail_page):
        assert "139****9876" in page
        assert "13935809876" not in page


def test_editor_sees_full_phones(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    assert 'href="tel:13935809876"' in page_of(client, reverse("volunteers:list"))


def test_her_page_has_unique_element_ids(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    ids = re.findall(r'\sid="([^"]+)"', page_of(client, reverse("volunteers:detail", args=[mother.pk])))
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_viewer_sees_no_edit_buttons(client, viewer_lvliang, mother):
    client.force_login(viewer_lvliang)
    page = page_of(client, reverse("volunteers:detail", args=[mother.pk]))
    assert reverse("volunteers:edit", args=[mother.pk]) not in page
    assert reverse("volunteers:status", args=[mother.pk]) not in page


@pytest.mark.parametrize("action", ACTIONS)
def test_viewer_gets_403_on_every_action(client, viewer_lvliang, mother, action, today):
    client.force_login(viewer_lvliang)
    response = client.post(reverse(f"volunteers:{action}", args=[mother.pk]),
                           {"reason": "离职", "effective_on": today.isoformat(), "name": "王丽",
                            "username": "lxl_mother", "password": NEW_PASSWORD})
    assert response.status_code == 403
    mother.refresh_from_db()
    assert mother.status == VolunteerStatus.ACTIVE and mother.user_id is None


def test_viewer_gets_403_removing_a_helper(client, staff_lishi, viewer_lvliang, mother):
    helper = services.reserve_helper_add(actor=staff_lishi, volunteer=mother, name="王丽")
    client.force_login(viewer_lvliang)
    assert client.post(reverse("volunteers:helper-remove", args=[helper.pk])).status_code == 403
    assert ReserveHelper.objects.get(pk=helper.pk).removed_on is None


@pytest.mark.parametrize("url_name", ["volunteers:create", "volunteers:team-create", "volunteers:station-create"])
def test_viewer_gets_403_on_create_pages(client, viewer_lvliang, url_name):
    client.force_login(viewer_lvliang)
    assert client.post(reverse(url_name), create_data()).status_code == 403
    assert not Volunteer.objects.exists()


def test_viewer_gets_403_on_the_create_form(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("volunteers:create")).status_code == 403


@pytest.mark.parametrize("url_name", ["volunteers:list", "volunteers:team-list", "volunteers:station-list",
                                      "volunteers:training-list", "volunteers:create"])
def test_volunteer_user_is_sent_from_the_roster_to_her_phone_pages(client, volunteer_lishi, url_name):
    client.force_login(volunteer_lishi)
    response = client.get(reverse(url_name))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_volunteer_user_is_sent_from_her_own_roster_page_to_her_phone_pages(client, volunteer_mother_lishi,
                                                                            volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("volunteers:detail", args=[volunteer_mother_lishi.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_anonymous_is_sent_to_login(client, regions):
    response = client.get(reverse("volunteers:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_navigation_offers_the_roster_to_staff_but_not_to_volunteers(client, staff_lishi, volunteer_lishi):
    client.force_login(staff_lishi)
    assert reverse("volunteers:list") in page_of(client, reverse("home"))
    client.force_login(volunteer_lishi)
    response = client.get(reverse("home"), follow=True)  # a volunteer's home may be her phone page
    assert response.status_code == 200
    assert reverse("volunteers:list") not in response.content.decode()


# --- bad input on the create and edit forms: the field is named, nothing is written ------------------

def _refused(response, field: str) -> None:
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors


def test_invalid_mobile_is_refused(client, staff_lishi):
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:create"), create_data(phone="1383580123")), "phone")
    assert not Volunteer.objects.exists()


def test_duplicate_mobile_is_refused(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:create"), create_data(phone=mother.phone)), "phone")
    assert Volunteer.objects.count() == 1


@pytest.mark.parametrize("capacity", ["0", "25"])
def test_capacity_out_of_range_is_refused(client, staff_lishi, capacity):
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:create"), create_data(capacity=capacity)), "capacity")
    assert not Volunteer.objects.exists()


def test_future_joined_date_is_refused(client, staff_lishi, today):
    client.force_login(staff_lishi)
    tomorrow = (today + timedelta(days=1)).isoformat()
    _refused(client.post(reverse("volunteers:create"), create_data(joined_on=tomorrow)), "joined_on")
    assert not Volunteer.objects.exists()


def test_region_outside_the_area_is_refused(client, staff_lishi):
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:create"), create_data(region=TOWNSHIP_YUCI)), "region")
    assert not Volunteer.objects.exists()


def test_team_outside_the_area_is_refused(client, staff_lishi, staff_yuci, regions):
    other = services.team_create(actor=staff_yuci, name="修文镇志愿服务队", region=regions.yuci)
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:create"), create_data(team=other.pk)), "team")
    assert not Volunteer.objects.exists()


def test_lowering_capacity_below_current_leads_is_refused(client, staff_lishi, mother, make_child):
    for name in ("王小雨", "李小花"):
        lead(staff_lishi, make_child(staff_lishi, name=name), mother)
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:edit", args=[mother.pk]),
                           create_data(name=mother.name, phone=mother.phone, capacity="1"))
    _refused(response, "capacity")
    mother.refresh_from_db()
    assert mother.capacity == 3


def test_edit_saves_the_changes(client, staff_lishi, mother, team_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:edit", args=[mother.pk]),
                           create_data(name="刘秀兰", phone="13935809877", team=team_lishi.pk, capacity="4",
                                       skills=["legal"]))
    assert response.status_code == 302
    mother.refresh_from_db()
    assert (mother.phone, mother.team, mother.capacity, mother.skills) == ("13935809877", team_lishi, 4, ["legal"])


def test_edit_to_a_taken_mobile_is_refused(client, staff_lishi, mother, make_volunteer):
    other = make_volunteer(staff_lishi, name="韩梅")
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:edit", args=[mother.pk]),
                         create_data(name=mother.name, phone=other.phone)), "phone")
    mother.refresh_from_db()
    assert mother.phone == "13935809876"


# --- her login, in one step or later --------------------------------------------------------------

def test_login_created_in_one_step_can_log_in_as_a_volunteer(client, staff_lishi):
    client.force_login(staff_lishi)
    client.post(reverse("volunteers:create"),
                create_data(login_username="hao_xiuzhen", login_password=NEW_PASSWORD))
    volunteer = Volunteer.objects.select_related("user").get(name="郝秀珍")
    assert volunteer.user.username == "hao_xiuzhen"
    assert volunteer.user.role == Role.VOLUNTEER
    assert logs_in(client, "hao_xiuzhen", NEW_PASSWORD)


def test_username_without_password_is_refused(client, staff_lishi):
    client.force_login(staff_lishi)
    _refused(client.post(reverse("volunteers:create"), create_data(login_username="hao_xiuzhen")), "login_password")
    assert not Volunteer.objects.exists()


def test_taken_username_refuses_the_whole_registration(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:create"),
                           create_data(login_username="staff_lishi", login_password=NEW_PASSWORD))
    _refused(response, "login_username")
    assert not Volunteer.objects.exists()


def test_weak_password_refuses_the_whole_registration(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:create"),
                           create_data(login_username="hao_xiuzhen", login_password="123"))
    _refused(response, "login_password")
    assert not Volunteer.objects.exists()
    assert not User.objects.filter(username="hao_xiuzhen").exists()


def test_create_login_from_her_page(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:create-login", args=[mother.pk]),
                           {"username": "liu_xiulan", "password": NEW_PASSWORD})
    assert response.status_code == 302
    mother.refresh_from_db()
    assert mother.user.role == Role.VOLUNTEER
    assert logs_in(client, "liu_xiulan", NEW_PASSWORD)


def test_create_login_with_a_taken_username_names_the_field(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:create-login", args=[mother.pk]),
                           {"username": "staff_lishi", "password": NEW_PASSWORD})
    assert response.status_code == 400
    assert response.context["login_form"].errors["username"]
    mother.refresh_from_db()
    assert mother.user_id is None


def test_create_login_is_not_offered_once_she_has_one(client, staff_lishi, volunteer_mother_lishi):
    client.force_login(staff_lishi)
    page = page_of(client, reverse("volunteers:detail", args=[volunteer_mother_lishi.pk]))
    assert reverse("volunteers:create-login", args=[volunteer_mother_lishi.pk]) not in page
    assert "volunteer_lishi" in page


# --- deactivation and reactivation ----------------------------------------------------------------

def test_deactivation_ends_her_pairings_and_lists_the_children_needing_a_lead(client, staff_lishi, mother,
                                                                             make_child, today):
    child = make_child(staff_lishi, name="王小雨")
    pairing = lead(staff_lishi, child, mother)
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:status", args=[mother.pk]),
                           {"effective_on": today.isoformat(), "reason": "工作调动"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "王小雨" in page
    assert reverse("children:detail", args=[child.pk]) in page
    pairing.refresh_from_db()
    mother.refresh_from_db()
    assert pairing.ended_on == today
    assert (mother.status, mother.left_on) == (VolunteerStatus.INACTIVE, today)


def test_deactivation_without_a_reason_is_refused(client, staff_lishi, mother, today):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:status", args=[mother.pk]),
                           {"effective_on": today.isoformat(), "reason": ""})
    assert response.status_code == 400
    assert response.context["status_form"].errors["reason"]
    mother.refresh_from_db()
    assert mother.status == VolunteerStatus.ACTIVE


def test_deactivation_in_the_future_is_refused(client, staff_lishi, mother, today):
    client.force_login(staff_lishi)
    tomorrow = today + timedelta(days=1)
    response = client.post(reverse("volunteers:status", args=[mother.pk]),
                           {"effective_on": tomorrow.isoformat(), "reason": "工作调动"})
    assert response.status_code == 400
    assert response.context["status_form"].errors["effective_on"]
    mother.refresh_from_db()
    assert mother.status == VolunteerStatus.ACTIVE


def test_reactivation_makes_her_active_again(client, staff_lishi, mother, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive", effective_on=today,
                                  reason="生病")
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:status", args=[mother.pk]), {"effective_on": today.isoformat()})
    assert response.status_code == 302
    mother.refresh_from_db()
    assert (mother.status, mother.left_on) == (VolunteerStatus.ACTIVE, None)


def test_her_page_shows_the_status_history(client, staff_lishi, mother, today):
    services.volunteer_set_status(actor=staff_lishi, volunteer=mother, status="inactive",
                                  effective_on=today, reason="外出务工")
    client.force_login(staff_lishi)
    assert "外出务工" in page_of(client, reverse("volunteers:detail", args=[mother.pk]))


# --- her page: pairings, helpers, recognition ------------------------------------------------------

def test_her_page_shows_current_and_past_pairings_linking_to_the_children(client, staff_lishi, mother,
                                                                          make_child, today):
    current, past = make_child(staff_lishi, name="王小雨"), make_child(staff_lishi, name="李小花")
    lead(staff_lishi, current, mother)
    ended = lead(staff_lishi, past, mother)
    pairing_services.pairing_end(actor=staff_lishi, pairing=ended, ended_on=today, end_reason="moved")
    client.force_login(staff_lishi)
    page = page_of(client, reverse("volunteers:detail", args=[mother.pk]))
    assert reverse("children:detail", args=[current.pk]) in page
    assert reverse("children:detail", args=[past.pk]) in page
    assert "1/3" in page  # one active lead of a capacity of 3


def test_adding_a_reserve_helper(client, staff_lishi, mother, today):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:helper-add", args=[mother.pk]),
                           {"name": "王丽", "phone": "13711112222", "specialty": "心理咨询师",
                            "added_on": today.isoformat()})
    assert response.status_code == 302
    assert "王丽" in page_of(client, reverse("volunteers:detail", args=[mother.pk]))


def test_reserve_helper_with_an_invalid_phone_is_refused(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:helper-add", args=[mother.pk]), {"name": "王丽", "phone": "12345"})
    assert response.status_code == 400
    assert response.context["helper_form"].errors["phone"]
    assert not ReserveHelper.objects.exists()


def test_removing_a_reserve_helper_keeps_her_history(client, staff_lishi, mother, today):
    helper = services.reserve_helper_add(actor=staff_lishi, volunteer=mother, name="王丽")
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:helper-remove", args=[helper.pk]),
                           {"removed_on": today.isoformat()})
    assert response.status_code == 302
    helper.refresh_from_db()
    assert helper.removed_on == today


def test_adding_a_recognition(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:recognition-create", args=[mother.pk]),
                           {"kind": "award", "title": "最美爱心妈妈", "awarded_on": "2025-03-08",
                            "reason": "结对帮扶成效突出"})
    assert response.status_code == 302
    assert "最美爱心妈妈" in page_of(client, reverse("volunteers:detail", args=[mother.pk]))


def test_recognition_dated_in_the_future_is_refused(client, staff_lishi, mother, today):
    client.force_login(staff_lishi)
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = client.post(reverse("volunteers:recognition-create", args=[mother.pk]),
                           {"kind": "gift_pack", "title": "节日礼包", "awarded_on": tomorrow})
    assert response.status_code == 400
    assert response.context["recognition_form"].errors["awarded_on"]
    assert not Recognition.objects.exists()


# --- the roster's filters -------------------------------------------------------------------------

def names_on(client, **params) -> set[str]:
    response = client.get(reverse("volunteers:list"), params)
    assert response.status_code == 200
    return {v.name for v in response.context["page"]}


def test_filter_by_skill(client, staff_lishi, mother, make_volunteer):
    make_volunteer(staff_lishi, name="韩梅", skills=["legal"])
    client.force_login(staff_lishi)
    assert names_on(client, skill="legal") == {"韩梅"}


def test_filter_by_team(client, staff_lishi, mother, make_volunteer, team_lishi):
    make_volunteer(staff_lishi, name="韩梅", team=team_lishi)
    client.force_login(staff_lishi)
    assert names_on(client, team=team_lishi.pk) == {"韩梅"}


def test_filter_by_sector_and_status(client, staff_lishi, mother, make_volunteer, today):
    other = make_volunteer(staff_lishi, name="韩梅", sector="medical")
    services.volunteer_set_status(actor=staff_lishi, volunteer=other, status="inactive",
                                  effective_on=today, reason="退休")
    client.force_login(staff_lishi)
    assert names_on(client, sector="medical") == {"韩梅"}
    assert names_on(client, status="active") == {"刘秀兰"}


def test_filter_by_region_subtree(client, viewer_lvliang, mother, make_volunteer, staff_lishi):
    make_volunteer(staff_lishi, name="韩梅", region_code="141102000000")
    client.force_login(viewer_lvliang)
    assert names_on(client, region="141102001000") == {"刘秀兰"}
    assert names_on(client, region="141102000000") == {"刘秀兰", "韩梅"}


def test_filter_by_free_capacity(client, staff_lishi, mother, make_volunteer, make_child):
    full = make_volunteer(staff_lishi, name="韩梅", capacity=1)
    lead(staff_lishi, make_child(staff_lishi, name="王小雨"), full)
    client.force_login(staff_lishi)
    assert names_on(client, free="yes") == {"刘秀兰"}
    assert names_on(client, free="no") == {"韩梅"}


def test_search_by_name_or_phone_digits(client, staff_lishi, mother, make_volunteer):
    make_volunteer(staff_lishi, name="韩梅")
    client.force_login(staff_lishi)
    assert names_on(client, search="秀兰") == {"刘秀兰"}
    assert names_on(client, search="9876") == {"刘秀兰"}


def test_invalid_region_filter_shows_an_error_and_no_rows(client, staff_lishi, mother):
    client.force_login(staff_lishi)
    response = client.get(reverse("volunteers:list"), {"region": "1411"})
    assert response.status_code == 200
    assert response.context["filter_form"].errors["region"]
    assert list(response.context["page"]) == []


def test_roster_is_paginated_by_50(client, staff_lishi, make_volunteer):
    for i in range(51):
        make_volunteer(staff_lishi, name=f"志愿者{i:02d}")
    client.force_login(staff_lishi)
    response = client.get(reverse("volunteers:list"))
    assert len(response.context["page"].object_list) == 50
    assert response.context["page"].paginator.num_pages == 2


# --- query counts ---------------------------------------------------------------------------------

def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_roster_query_count_does_not_grow_with_rows(client, staff_lishi, make_volunteer, team_lishi, make_child):
    first = make_volunteer(staff_lishi, name="甲", team=team_lishi)
    lead(staff_lishi, make_child(staff_lishi, name="王小雨"), first)
    client.force_login(staff_lishi)
    url = reverse("volunteers:list")
    few = _queries(client, url)
    for i in range(12):
        volunteer = make_volunteer(staff_lishi, name=f"乙{i}", team=team_lishi, skills=["tutoring", "legal"],
                                   phone=new_phone())
        lead(staff_lishi, make_child(staff_lishi, name=f"孩子{i}"), volunteer)
    assert _queries(client, url) == few
    assert _queries(client, url, {"free": "yes", "skill": "legal"}) == few


def test_her_page_query_count_does_not_grow_with_her_history(client, staff_lishi, mother, make_child, regions):
    client.force_login(staff_lishi)
    url = reverse("volunteers:detail", args=[mother.pk])
    few = _queries(client, url)
    for i in range(3):
        lead(staff_lishi, make_child(staff_lishi, name=f"孩子{i}"), mother)
        services.reserve_helper_add(actor=staff_lishi, volunteer=mother, name=f"助手{i}", phone=new_phone())
        services.recognition_create(actor=staff_lishi, volunteer=mother, kind="award", title=f"表彰{i}",
                                    awarded_on=date(2025, 3, 8))
        services.training_create(actor=staff_lishi, title=f"培训{i}", held_on=date(2025, 4, 1), region=regions.lishi,
                                 attendees=[mother.pk])
    assert _queries(client, url) == few


# --- teams and work stations ----------------------------------------------------------------------

def test_team_list_shows_member_counts(client, staff_lishi, make_volunteer, team_lishi):
    for name in ("甲", "乙"):
        make_volunteer(staff_lishi, name=name, team=team_lishi)
    client.force_login(staff_lishi)
    response = client.get(reverse("volunteers:team-list"))
    [team] = response.context["page"]
    assert (team.name, team.n_members) == ("城北巾帼志愿服务队", 2)


def test_team_list_counts_members_in_one_query(client, staff_lishi, make_volunteer, regions):
    client.force_login(staff_lishi)
    url = reverse("volunteers:team-list")
    services.team_create(actor=staff_lishi, name="一队", region=regions.lishi)
    few = _queries(client, url)
    for i in range(5):
        team = services.team_create(actor=staff_lishi, name=f"队{i}", region=regions.lishi)
        make_volunteer(staff_lishi, name=f"队员{i}", team=team)
    assert _queries(client, url) == few


def test_staff_creates_a_team(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:team-create"),
                           {"name": "滨河街道爱心妈妈服务队", "region": "141102001000", "created_on": "2023-06-01"})
    assert response.status_code == 302
    assert "滨河街道爱心妈妈服务队" in page_of(client, reverse("volunteers:team-list"))


def test_duplicate_team_name_in_a_region_is_refused(client, staff_lishi, team_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:team-create"), {"name": team_lishi.name, "region": "141102000000"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert Team.objects.count() == 1


def test_team_of_another_county_is_not_listed(client, staff_yuci, team_lishi):
    client.force_login(staff_yuci)
    assert team_lishi.name not in page_of(client, reverse("volunteers:team-list"))


def test_staff_creates_a_work_station(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:station-create"),
                           {"name": "东关村爱心妈妈工作站", "region": VILLAGE_LISHI, "address": "东关村委会"})
    assert response.status_code == 302
    assert "东关村爱心妈妈工作站" in page_of(client, reverse("volunteers:station-list"))


def test_work_station_outside_the_area_is_refused(client, staff_lishi, regions):
    client.force_login(staff_lishi)
    response = client.post(reverse("volunteers:station-create"), {"name": "修文镇工作站", "region": TOWNSHIP_YUCI})
    assert response.status_code == 400
    assert response.context["form"].errors["region"]
    assert not WorkStation.objects.exists()


# --- the Django admin, scoped and through the services --------------------------------------------

def test_admin_changelist_lists_only_the_subtree(client, admin_lishi, mother, mother_yuci):
    client.force_login(admin_lishi)
    page = page_of(client, reverse("admin:volunteers_volunteer_changelist"))
    assert "刘秀兰" in page
    assert "赵春梅" not in page


def test_admin_change_page_outside_the_subtree_is_not_reachable(client, admin_lishi, mother_yuci):
    client.force_login(admin_lishi)
    response = client.get(reverse("admin:volunteers_volunteer_change", args=[mother_yuci.pk]))
    assert response.status_code in (302, 404)
    assert "赵春梅" not in response.content.decode()


@pytest.mark.parametrize("url_name", ["admin:volunteers_volunteer_change", "admin:volunteers_team_change",
                                      "admin:volunteers_workstation_change", "admin:volunteers_training_change"])
def test_admin_pages_of_the_subtree_render(client, admin_lishi, staff_lishi, mother, team_lishi, regions, url_name):
    station = services.station_create(actor=staff_lishi, name="东关村爱心妈妈工作站", region=regions.lishi_village)
    training = services.training_create(actor=staff_lishi, title="赋能培训", held_on=date(2025, 4, 1),
                                        region=regions.lishi, attendees=[mother.pk])
    obj = {"volunteer": mother, "team": team_lishi, "workstation": station, "training": training}[url_name.split("_")[1]]
    client.force_login(admin_lishi)
    assert client.get(reverse(url_name, args=[obj.pk])).status_code == 200


def _admin_data(**overrides) -> dict:
    data = {"name": "郝秀珍", "phone": "13835801234", "region": VILLAGE_LISHI, "sector": "teacher",
            "employer": "", "capacity": "3", "notes": "", "joined_on": "2024-05-01", "skill_tutoring": "on",
            "status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0",
            "recognitions-TOTAL_FORMS": "0", "recognitions-INITIAL_FORMS": "0"}
    data.update(overrides)
    return data


def test_admin_add_goes_through_the_service(client, admin_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:volunteers_volunteer_add"), _admin_data())
    assert response.status_code == 302, response.context["adminform"].form.errors
    volunteer = Volunteer.objects.get(name="郝秀珍")
    assert volunteer.skills == ["tutoring"]
    assert volunteer.status_changes.get().actor == admin_lishi  # the service wrote her history


def test_admin_add_with_bad_input_writes_nothing(client, admin_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:volunteers_volunteer_add"), _admin_data(capacity="25"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["capacity"]
    assert not Volunteer.objects.exists()


def test_admin_change_refuses_lowering_capacity_below_her_leads(client, admin_lishi, staff_lishi, mother,
                                                                make_child):
    lead(staff_lishi, make_child(staff_lishi), mother)
    lead(staff_lishi, make_child(staff_lishi, name="李小花"), mother)
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:volunteers_volunteer_change", args=[mother.pk]),
                           _admin_data(name=mother.name, phone=mother.phone, capacity="1"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["capacity"]
    mother.refresh_from_db()
    assert mother.capacity == 3


def test_admin_adds_a_team_through_the_service(client, admin_lishi, team_lishi):
    client.force_login(admin_lishi)
    response = client.post(reverse("admin:volunteers_team_add"), {"name": team_lishi.name, "region": "141102000000"})
    assert response.status_code == 200  # the service's duplicate-name error comes back on the form
    assert response.context["adminform"].form.errors["name"]
    assert Team.objects.count() == 1


def test_team_filter_works_beyond_the_team_options_shown(client, staff_lishi, make_volunteer, regions):
    from volunteers.forms import OPTIONS_LIMIT

    # The state the test starts from: more teams than the select offers (names sort before "二队").
    Team.objects.bulk_create(Team(name=f"一队{i:04d}", region=regions.lishi) for i in range(OPTIONS_LIMIT))
    later = services.team_create(actor=staff_lishi, name="二队", region=regions.lishi)
    make_volunteer(staff_lishi, name="韩梅", team=later)
    client.force_login(staff_lishi)
    assert names_on(client, team=later.pk) == {"韩梅"}
