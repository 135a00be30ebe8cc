"""/api/v1/volunteers/ and /api/v1/teams/ (the roster), and the ``volunteer`` field of /api/v1/users/.

Writes go through volunteers.services; refused input answers 400 naming the field and changes nothing;
objects outside the caller's region subtree are 404; viewers and volunteers read but never write."""

from datetime import date, timedelta

import pytest

from accounts.models import User
from pairing import services as pairing_services
from pairing.models import EndReason, Pairing
from volunteers import services
from volunteers.models import (
    Recognition,
    ReserveHelper,
    Team,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/volunteers/"
TEAMS = "/api/v1/teams/"
USERS = "/api/v1/users/"
GOOD_PASSWORD = "Kx9!pl2mQ"


def detail(volunteer, suffix: str = "") -> str:
    return f"{URL}{volunteer.pk}/{suffix}"


def tomorrow(today: date) -> str:
    return (today + timedelta(days=1)).isoformat()


def payload(**overrides) -> dict:
    return {"name": "王春花", "phone": "13935811111", "region": "141102001200", "sector": "teacher",
            "skills": ["tutoring", "family_education"], "capacity": 2, "employer": "东关小学",
            "joined_on": "2024-03-08", **overrides}


def names(response) -> set[str]:
    assert response.status_code == 200, response.content.decode()
    return {row["name"] for row in response.json()["results"]}


def snapshot() -> list[tuple]:
    """Every roster row that a refused request must leave alone."""
    return [
        *Volunteer.objects.order_by("pk").values_list("pk", "name", "phone", "region", "team", "capacity", "status",
                                                      "sector", "skill_tutoring", "user"),
        ("status changes", VolunteerStatusChange.objects.count()),
        ("users", User.objects.count()),
        ("pairings", *Pairing.objects.order_by("pk").values_list("pk", "ended_on")),
        ("teams", *Team.objects.order_by("pk").values_list("pk", "name")),
        ("helpers", *ReserveHelper.objects.order_by("pk").values_list("pk", "removed_on")),
        ("recognitions", Recognition.objects.count()),
    ]


@pytest.fixture
def mother_lishi(make_volunteer, staff_lishi):
    """An active caring mother of 东关村 (离石区), a teacher who tutors, capacity 3."""
    return make_volunteer(staff_lishi, name="刘秀兰", sector="teacher", skills=["tutoring"])


@pytest.fixture
def mother_yuci(make_volunteer, staff_yuci):
    """A caring mother of 修文镇 (榆次区), outside 离石区 staff's scope."""
    return make_volunteer(staff_yuci, name="赵春梅", region_code="140702100000")


@pytest.fixture
def team_lishi(staff_lishi, regions):
    return services.team_create(actor=staff_lishi, name="东关村爱心妈妈服务队", region=regions.lishi_township)


@pytest.fixture
def team_yuci(staff_yuci, regions):
    return services.team_create(actor=staff_yuci, name="修文镇爱心妈妈服务队", region=regions.yuci_township)


# --- teams ----------------------------------------------------------------------------------------

def test_staff_creates_a_team_in_scope(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post(TEAMS, {"name": "第一服务队", "region": "141102001000"},
                                                format="json")
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    assert (body["name"], body["region"], body["region_name"]) == ("第一服务队", "141102001000", "滨河街道")
    assert Team.objects.get(pk=body["id"]).region_id == "141102001000"


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "第二服务队", "region": "140702000000"}, "region"),  # 榆次区: outside 离石区
    ({"name": "第二服务队", "region": "1411"}, "region"),
    ({"name": "东关村爱心妈妈服务队", "region": "141102001000"}, "name"),  # the same name in the same region
    ({"name": "  ", "region": "141102001000"}, "name"),
], ids=["region-outside", "region-malformed", "name-taken", "name-blank"])
def test_refused_team_names_the_field_and_creates_nothing(api_client_for, staff_lishi, team_lishi, data, field):
    before = snapshot()
    response = api_client_for(staff_lishi).post(TEAMS, data, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


def test_viewer_reads_teams_but_may_not_create_one(api_client_for, viewer_lvliang, team_lishi, team_yuci):
    client = api_client_for(viewer_lvliang)
    assert names(client.get(TEAMS)) == {"东关村爱心妈妈服务队"}
    response = client.post(TEAMS, {"name": "第三服务队", "region": "141102001000"}, format="json")
    assert response.status_code == 403
    assert Team.objects.count() == 2


def test_team_outside_scope_is_404(api_client_for, staff_yuci, team_lishi):
    assert api_client_for(staff_yuci).get(f"{TEAMS}{team_lishi.pk}/").status_code == 404


def test_province_admin_lists_every_team(api_client_for, admin_province, team_lishi, team_yuci):
    assert names(api_client_for(admin_province).get(TEAMS)) == {"东关村爱心妈妈服务队", "修文镇爱心妈妈服务队"}


def test_teams_filter_by_region_subtree(api_client_for, admin_province, team_lishi, team_yuci):
    response = api_client_for(admin_province).get(TEAMS, {"region": "140700000000"})
    assert names(response) == {"修文镇爱心妈妈服务队"}


def test_team_list_query_count_does_not_grow(api_client_for, staff_lishi, regions, django_assert_num_queries):
    client = api_client_for(staff_lishi)
    for size in (3, 20):
        while Team.objects.count() < size:
            services.team_create(actor=staff_lishi, name=f"服务队{Team.objects.count()}", region=regions.lishi)
        # 1. the token JOIN its user; 2. COUNT(*); 3. the page of teams JOIN region.
        with django_assert_num_queries(3):
            response = client.get(TEAMS)
        assert response.json()["count"] == size


# --- create ---------------------------------------------------------------------------------------

def test_staff_registers_a_caring_mother(api_client_for, staff_lishi, team_lishi):
    response = api_client_for(staff_lishi).post(URL, payload(team=team_lishi.pk), format="json")
    assert response.status_code == 201, response.content.decode()
    volunteer = Volunteer.objects.get(pk=response.json()["id"])
    assert (volunteer.name, volunteer.phone, volunteer.region_id, volunteer.team_id, volunteer.capacity,
            volunteer.sector, volunteer.skills, volunteer.joined_on) == (
        "王春花", "13935811111", "141102001200", team_lishi.pk, 2, "teacher", ["tutoring", "family_education"],
        date(2024, 3, 8))


def test_create_answers_with_the_contract_fields(api_client_for, staff_lishi, team_lishi):
    body = api_client_for(staff_lishi).post(URL, payload(team=team_lishi.pk), format="json").json()
    assert {k: body[k] for k in ("name", "phone", "region", "team", "capacity", "status", "sector", "skills",
                                 "employer", "joined_on", "active_leads", "user")} == {
        "name": "王春花", "phone": "13935811111", "region": "141102001200", "team": team_lishi.pk, "capacity": 2,
        "status": "active", "sector": "teacher", "skills": ["tutoring", "family_education"], "employer": "东关小学",
        "joined_on": "2024-03-08", "active_leads": 0, "user": None}


def test_create_defaults_capacity_to_three(api_client_for, staff_lishi):
    data = payload()
    del data["capacity"]
    body = api_client_for(staff_lishi).post(URL, data, format="json").json()
    assert body["capacity"] == 3


def test_create_with_a_login_opens_her_volunteer_login(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post(
        URL, payload(login={"username": "wang_chunhua", "password": GOOD_PASSWORD}), format="json")
    assert response.status_code == 201, response.content.decode()
    login = User.objects.get(username="wang_chunhua")
    assert (response.json()["user"], login.role, login.region_id) == (login.pk, "volunteer", "141102001200")
    assert "login" not in response.json()  # write-only: the password is never echoed


def test_the_login_opened_with_her_record_can_obtain_a_token(api_client_for, staff_lishi):
    api_client_for(staff_lishi).post(URL, payload(login={"username": "wang_chunhua", "password": GOOD_PASSWORD}),
                                     format="json")
    client = api_client_for(User.objects.get(username="wang_chunhua"), password=GOOD_PASSWORD)
    assert client.get("/api/v1/me/").json()["username"] == "wang_chunhua"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"phone": "1393581111"}, "phone"),  # 10 digits
    ({"phone": "12935811111"}, "phone"),  # 12… is no mobile prefix
    ({"phone": "TAKEN"}, "phone"),  # mother_lishi's number
    ({"region": "140702100000"}, "region"),  # 修文镇 (榆次区): outside 离石区
    ({"region": "141100000000"}, "region"),  # 吕梁市: above 离石区
    ({"region": "14110200120"}, "region"),  # 11 digits
    ({"region": "141102009000"}, "region"),  # well-formed, no such region
    ({"team": "YUCI"}, "team"),  # 榆次区's team
    ({"team": 999999}, "team"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 21}, "capacity"),
    ({"sector": "astronaut"}, "sector"),
    ({"skills": ["juggling"]}, "skills"),
    ({"name": "  "}, "name"),
    ({"login": {"username": "staff_lishi", "password": GOOD_PASSWORD}}, "username"),
    ({"login": {"username": "wang_chunhua", "password": "12345678"}}, "password"),
], ids=["phone-10-digits", "phone-prefix", "phone-taken", "region-outside", "region-above", "region-11-digits",
        "region-unknown", "team-outside", "team-unknown", "capacity-0", "capacity-21", "sector-unknown",
        "skill-unknown", "name-blank", "login-username-taken",
        "login-password-weak"])
def test_refused_create_names_the_field_and_changes_nothing(api_client_for, staff_lishi, mother_lishi, team_yuci,
                                                            overrides, field):
    overrides = {key: {"TAKEN": mother_lishi.phone, "YUCI": team_yuci.pk}.get(value, value)
                 if isinstance(value, (str, int)) else value for key, value in overrides.items()}
    before = snapshot()
    response = api_client_for(staff_lishi).post(URL, payload(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_refused_create_joined_in_the_future_names_the_field_and_changes_nothing(api_client_for, staff_lishi,
                                                                                 mother_lishi, today):
    before = snapshot()
    response = api_client_for(staff_lishi).post(URL, payload(joined_on=tomorrow(today)), format="json")
    assert response.status_code == 400
    assert "joined_on" in response.json(), response.json()
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["viewer_lvliang", "volunteer_lishi"])
def test_read_only_roles_may_not_register(api_client_for, request, actor):
    response = api_client_for(request.getfixturevalue(actor)).post(URL, payload(), format="json")
    assert response.status_code == 403
    assert not Volunteer.objects.exists()


def test_status_sent_on_create_is_ignored(api_client_for, staff_lishi):
    body = api_client_for(staff_lishi).post(URL, payload(status="inactive"), format="json").json()
    assert body["status"] == "active"


def test_anonymous_is_401(api_client, mother_lishi):
    assert api_client.get(URL).status_code == 401


# --- read -----------------------------------------------------------------------------------------

def test_staff_lists_only_mothers_in_scope(api_client_for, staff_lishi, mother_lishi, mother_yuci):
    assert names(api_client_for(staff_lishi).get(URL)) == {"刘秀兰"}


def test_viewer_reads_the_city_roster(api_client_for, viewer_lvliang, mother_lishi, mother_yuci):
    client = api_client_for(viewer_lvliang)
    assert names(client.get(URL)) == {"刘秀兰"}
    assert client.get(detail(mother_lishi)).status_code == 200


def test_viewer_sees_phone_numbers_masked(api_client_for, viewer_lvliang, mother_lishi):
    body = api_client_for(viewer_lvliang).get(detail(mother_lishi)).json()
    assert body["phone"] == mother_lishi.phone[:3] + "****" + mother_lishi.phone[-4:]


def test_staff_sees_the_full_phone_number(api_client_for, staff_lishi, mother_lishi):
    assert api_client_for(staff_lishi).get(detail(mother_lishi)).json()["phone"] == mother_lishi.phone


def test_province_admin_lists_every_mother(api_client_for, admin_province, mother_lishi, mother_yuci):
    assert names(api_client_for(admin_province).get(URL)) == {"刘秀兰", "赵春梅"}


def test_mother_outside_scope_is_404(api_client_for, staff_yuci, mother_lishi):
    assert api_client_for(staff_yuci).get(detail(mother_lishi)).status_code == 404


def test_a_caring_mothers_login_is_refused_the_roster(api_client_for, volunteer_lishi, volunteer_mother_lishi,
                                                      mother_lishi):
    """The roster is the federation's; her phone uses her children, pairings and activities only."""
    client = api_client_for(volunteer_lishi)
    assert [client.get(url).status_code for url in (URL, detail(volunteer_mother_lishi), detail(mother_lishi))] \
        == [403, 403, 403]


def test_active_leads_counts_the_children_she_leads(api_client_for, staff_lishi, mother_lishi, child_lishi):
    pairing_services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi, role="lead",
                                    started_on=date(2025, 3, 1))
    assert api_client_for(staff_lishi).get(detail(mother_lishi)).json()["active_leads"] == 1


def test_list_query_count_does_not_grow_with_the_page(api_client_for, staff_lishi, make_volunteer, team_lishi,
                                                      django_assert_num_queries):
    client = api_client_for(staff_lishi)
    for size in (3, 20):
        while Volunteer.objects.count() < size:
            make_volunteer(staff_lishi, name=f"妈妈{Volunteer.objects.count()}", team=team_lishi,
                           skills=["tutoring", "legal"])
        # 1. the token JOIN its user; 2. COUNT(*) of the scoped mothers;
        # 3. the page JOIN region, team, with active_leads as one subquery.
        with django_assert_num_queries(3):
            response = client.get(URL)
        assert response.json()["count"] == size


# --- filters --------------------------------------------------------------------------------------

@pytest.fixture
def roster(make_volunteer, staff_lishi, team_lishi, child_lishi, make_child):
    """Four mothers of 离石区: a tutor in the team leading one child with capacity 1 (full); a legal
    adviser (a judge) in the township; an inactive doctor; a counsellor in the village."""
    full = make_volunteer(staff_lishi, name="满员", team=team_lishi, skills=["tutoring"], capacity=1)
    pairing_services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=full, role="lead",
                                    started_on=date(2025, 3, 1))
    make_volunteer(staff_lishi, name="法官", region_code="141102001000", sector="judicial", skills=["legal"])
    doctor = make_volunteer(staff_lishi, name="医生", sector="medical", skills=["health"], phone="13812345678")
    services.volunteer_set_status(actor=staff_lishi, volunteer=doctor, status=VolunteerStatus.INACTIVE,
                                  effective_on=date(2025, 1, 1), reason="调离")
    make_volunteer(staff_lishi, name="咨询师", sector="counselling", skills=["psychological"])


@pytest.mark.parametrize(("params", "expected"), [
    ({"region": "141102001200"}, {"满员", "医生", "咨询师"}),
    ({"region": "141102001000"}, {"满员", "法官", "医生", "咨询师"}),
    ({"status": "inactive"}, {"医生"}),
    ({"sector": "judicial"}, {"法官"}),
    ({"skill": "legal"}, {"法官"}),
    ({"has_capacity": "true"}, {"法官", "咨询师"}),
    ({"has_capacity": "false"}, {"满员"}),
    ({"search": "咨询"}, {"咨询师"}),
    ({"search": "12345678"}, {"医生"}),
], ids=["region-village", "region-township", "status", "sector", "skill", "has-capacity", "full", "search-name",
        "search-phone"])
def test_list_filters(api_client_for, staff_lishi, roster, params, expected):
    assert names(api_client_for(staff_lishi).get(URL, params)) == expected


def test_list_filters_by_team(api_client_for, staff_lishi, roster, team_lishi):
    assert names(api_client_for(staff_lishi).get(URL, {"team": team_lishi.pk})) == {"满员"}


def test_malformed_region_filter_names_region(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get(URL, {"region": "1411"})
    assert response.status_code == 400
    assert "region" in response.json()


# --- update ---------------------------------------------------------------------------------------

def test_patch_changes_the_given_fields(api_client_for, staff_lishi, mother_lishi, team_lishi):
    response = api_client_for(staff_lishi).patch(
        detail(mother_lishi), {"capacity": 5, "skills": ["legal"], "team": team_lishi.pk}, format="json")
    assert response.status_code == 200, response.content.decode()
    mother_lishi.refresh_from_db()
    assert (mother_lishi.capacity, mother_lishi.skills, mother_lishi.team_id, mother_lishi.sector) == (
        5, ["legal"], team_lishi.pk, "teacher")


def test_patch_clears_the_team(api_client_for, staff_lishi, make_volunteer, team_lishi):
    volunteer = make_volunteer(staff_lishi, team=team_lishi)
    api_client_for(staff_lishi).patch(detail(volunteer), {"team": None}, format="json")
    volunteer.refresh_from_db()
    assert volunteer.team_id is None


def test_put_changes_the_record(api_client_for, staff_lishi, mother_lishi):
    response = api_client_for(staff_lishi).put(detail(mother_lishi), payload(name="刘秀兰", phone="13935822222"),
                                               format="json")
    assert response.status_code == 200, response.content.decode()
    mother_lishi.refresh_from_db()
    assert (mother_lishi.phone, mother_lishi.capacity, mother_lishi.joined_on) == (
        "13935822222", 2, date(2024, 1, 1))  # the join date is not changed by an update


@pytest.mark.parametrize(("data", "field"), [
    ({"capacity": 0}, "capacity"),
    ({"capacity": 1}, "capacity"),  # she leads two children now
    ({"phone": "TAKEN"}, "phone"),
    ({"phone": "0351123456"}, "phone"),
    ({"region": "140702100000"}, "region"),
    ({"team": "YUCI"}, "team"),
    ({"status": "inactive"}, "status"),  # only through …/deactivate/
    ({"name": ""}, "name"),
    ({"skills": ["juggling"]}, "skills"),
], ids=["capacity-0", "capacity-below-leads", "phone-taken", "phone-landline", "region-outside", "team-outside",
        "status", "name-blank", "skill-unknown"])
def test_refused_update_names_the_field_and_changes_nothing(api_client_for, staff_lishi, mother_lishi, make_volunteer,
                                                            make_child, team_yuci, data, field):
    for name in ("甲", "乙"):
        pairing_services.pairing_create(actor=staff_lishi, child=make_child(staff_lishi, name=name),
                                        volunteer=mother_lishi, role="lead", started_on=date(2025, 3, 1))
    other = make_volunteer(staff_lishi, name="另一位")
    data = {key: {"TAKEN": other.phone, "YUCI": team_yuci.pk}.get(value, value) if isinstance(value, str) else value
            for key, value in data.items()}
    before = snapshot()
    response = api_client_for(staff_lishi).patch(detail(mother_lishi), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


@pytest.mark.parametrize("actor", ["viewer_lvliang", "volunteer_lishi"])
def test_read_only_roles_may_not_update(api_client_for, request, volunteer_mother_lishi, actor):
    client = api_client_for(request.getfixturevalue(actor))
    before = snapshot()
    response = client.patch(detail(volunteer_mother_lishi), {"capacity": 5}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_update_outside_scope_is_404(api_client_for, staff_yuci, mother_lishi):
    before = snapshot()
    assert api_client_for(staff_yuci).patch(detail(mother_lishi), {"capacity": 5}, format="json").status_code == 404
    assert snapshot() == before


def test_delete_is_not_allowed(api_client_for, admin_province, mother_lishi):
    assert api_client_for(admin_province).delete(detail(mother_lishi)).status_code == 405
    assert Volunteer.objects.filter(pk=mother_lishi.pk).exists()


# --- status ---------------------------------------------------------------------------------------

def test_deactivate_ends_her_pairings_and_lists_the_children_needing_a_lead(api_client_for, staff_lishi,
                                                                           mother_lishi, child_lishi):
    pairing_services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi, role="lead",
                                    started_on=date(2025, 3, 1))
    response = api_client_for(staff_lishi).post(detail(mother_lishi, "deactivate/"),
                                                {"effective_on": "2025-06-30", "reason": "调往外地工作"}, format="json")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert (body["status"], body["left_on"], body["children_needing_lead"], body["active_leads"]) == (
        "inactive", "2025-06-30", [child_lishi.pk], 0)
    pairing = Pairing.objects.get(volunteer=mother_lishi)
    assert (pairing.ended_on, pairing.end_reason) == (date(2025, 6, 30), EndReason.VOLUNTEER_LEFT)


def test_deactivate_keeps_a_dated_history(api_client_for, staff_lishi, mother_lishi):
    api_client_for(staff_lishi).post(detail(mother_lishi, "deactivate/"),
                                     {"effective_on": "2025-06-30", "reason": "调往外地工作"}, format="json")
    change = mother_lishi.status_changes.last()
    assert (change.to_status, change.effective_on, change.reason) == ("inactive", date(2025, 6, 30), "调往外地工作")


def test_reactivate_makes_her_active_again(api_client_for, staff_lishi, mother_lishi):
    client = api_client_for(staff_lishi)
    client.post(detail(mother_lishi, "deactivate/"), {"effective_on": "2025-06-30", "reason": "休假"}, format="json")
    response = client.post(detail(mother_lishi, "reactivate/"), {"effective_on": "2025-09-01"}, format="json")
    assert response.status_code == 200, response.content.decode()
    assert (response.json()["status"], response.json()["left_on"]) == ("active", None)


@pytest.mark.parametrize(("action", "data", "field"), [
    ("deactivate/", {"effective_on": "2025-06-30"}, "reason"),
    ("deactivate/", {"effective_on": "2025-06-30", "reason": "  "}, "reason"),
    ("deactivate/", {"effective_on": "2023-12-31", "reason": "调离"}, "effective_on"),  # before she joined
    ("deactivate/", {"reason": "调离"}, "effective_on"),
    ("reactivate/", {"effective_on": "2025-06-30"}, "status"),  # she is already active
], ids=["no-reason", "blank-reason", "before-joining", "no-date", "already-active"])
def test_refused_status_change_names_the_field_and_changes_nothing(api_client_for, staff_lishi, mother_lishi,
                                                                  child_lishi, action, data, field):
    pairing_services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi, role="lead",
                                    started_on=date(2025, 3, 1))
    before = snapshot()
    response = api_client_for(staff_lishi).post(detail(mother_lishi, action), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_refused_deactivation_in_the_future_names_the_field_and_changes_nothing(api_client_for, staff_lishi,
                                                                                mother_lishi, child_lishi,
                                                                                today):
    pairing_services.pairing_create(actor=staff_lishi, child=child_lishi, volunteer=mother_lishi, role="lead",
                                    started_on=date(2025, 3, 1))
    before = snapshot()
    data = {"effective_on": tomorrow(today), "reason": "调离"}
    response = api_client_for(staff_lishi).post(detail(mother_lishi, "deactivate/"), data, format="json")
    assert response.status_code == 400
    assert "effective_on" in response.json(), response.json()
    assert snapshot() == before


def test_deactivating_an_inactive_mother_names_status(api_client_for, staff_lishi, mother_lishi):
    client = api_client_for(staff_lishi)
    client.post(detail(mother_lishi, "deactivate/"), {"effective_on": "2025-06-30", "reason": "休假"}, format="json")
    before = snapshot()
    response = client.post(detail(mother_lishi, "deactivate/"), {"effective_on": "2025-07-01", "reason": "再次"},
                           format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    assert snapshot() == before


def test_viewer_may_not_deactivate(api_client_for, viewer_lvliang, mother_lishi):
    response = api_client_for(viewer_lvliang).post(detail(mother_lishi, "deactivate/"),
                                                   {"effective_on": "2025-06-30", "reason": "调离"}, format="json")
    assert response.status_code == 403
    mother_lishi.refresh_from_db()
    assert mother_lishi.status == "active"


def test_deactivate_outside_scope_is_404(api_client_for, staff_yuci, mother_lishi):
    response = api_client_for(staff_yuci).post(detail(mother_lishi, "deactivate/"),
                                               {"effective_on": "2025-06-30", "reason": "调离"}, format="json")
    assert response.status_code == 404
    mother_lishi.refresh_from_db()
    assert mother_lishi.status == "active"


# --- reserve helpers, recognition, training history -----------------------------------------------

def test_staff_attaches_a_reserve_helper(api_client_for, staff_lishi, mother_lishi):
    client = api_client_for(staff_lishi)
    response = client.post(detail(mother_lishi, "reserve-helpers/"),
                           {"name": "张医生", "phone": "13935833333", "specialty": "儿科", "added_on": "2025-02-01"},
                           format="json")
    assert response.status_code == 201, response.content.decode()
    rows = client.get(detail(mother_lishi, "reserve-helpers/")).json()
    assert [(r["name"], r["specialty"], r["added_on"], r["removed_on"]) for r in rows] == [
        ("张医生", "儿科", "2025-02-01", None)]


def test_staff_detaches_a_reserve_helper_and_the_row_stays(api_client_for, staff_lishi, mother_lishi):
    helper = services.reserve_helper_add(actor=staff_lishi, volunteer=mother_lishi, name="张医生",
                                         added_on=date(2025, 2, 1))
    response = api_client_for(staff_lishi).post(detail(mother_lishi, f"reserve-helpers/{helper.pk}/remove/"),
                                                {"removed_on": "2025-05-01"}, format="json")
    assert response.status_code == 200, response.content.decode()
    helper.refresh_from_db()
    assert helper.removed_on == date(2025, 5, 1)


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "张医生", "phone": "1393583333"}, "phone"),
    ({"name": " "}, "name"),
], ids=["phone", "name-blank"])
def test_refused_reserve_helper_names_the_field_and_adds_nothing(api_client_for, staff_lishi, mother_lishi,
                                                                 data, field):
    before = snapshot()
    response = api_client_for(staff_lishi).post(detail(mother_lishi, "reserve-helpers/"), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_refused_reserve_helper_added_in_the_future_names_the_field_and_adds_nothing(api_client_for,
                                                                                     staff_lishi, mother_lishi,
                                                                                     today):
    before = snapshot()
    data = {"name": "张医生", "added_on": tomorrow(today)}
    response = api_client_for(staff_lishi).post(detail(mother_lishi, "reserve-helpers/"), data, format="json")
    assert response.status_code == 400
    assert "added_on" in response.json(), response.json()
    assert snapshot() == before


def test_viewer_reads_reserve_helpers_but_may_not_add(api_client_for, viewer_lvliang, staff_lishi, mother_lishi):
    services.reserve_helper_add(actor=staff_lishi, volunteer=mother_lishi, name="张医生")
    client = api_client_for(viewer_lvliang)
    assert len(client.get(detail(mother_lishi, "reserve-helpers/")).json()) == 1
    assert client.post(detail(mother_lishi, "reserve-helpers/"), {"name": "李老师"}, format="json").status_code == 403
    assert ReserveHelper.objects.count() == 1


def test_viewer_sees_reserve_helper_phones_masked(api_client_for, viewer_lvliang, staff_lishi, mother_lishi):
    services.reserve_helper_add(actor=staff_lishi, volunteer=mother_lishi, name="张医生", phone="13935833333")
    rows = api_client_for(viewer_lvliang).get(detail(mother_lishi, "reserve-helpers/")).json()
    assert [r["phone"] for r in rows] == ["139****3333"]


def test_reserve_helpers_outside_scope_are_404(api_client_for, staff_yuci, mother_lishi):
    client = api_client_for(staff_yuci)
    assert client.get(detail(mother_lishi, "reserve-helpers/")).status_code == 404
    assert client.post(detail(mother_lishi, "reserve-helpers/"), {"name": "李老师"}, format="json").status_code == 404
    assert not ReserveHelper.objects.exists()


def test_staff_records_a_recognition(api_client_for, staff_lishi, mother_lishi):
    client = api_client_for(staff_lishi)
    response = client.post(detail(mother_lishi, "recognitions/"),
                           {"kind": "award", "title": "优秀爱心妈妈", "awarded_on": "2025-03-08", "reason": "结对三年"},
                           format="json")
    assert response.status_code == 201, response.content.decode()
    rows = client.get(detail(mother_lishi, "recognitions/")).json()
    assert [(r["kind"], r["title"], r["awarded_on"]) for r in rows] == [("award", "优秀爱心妈妈", "2025-03-08")]


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "medal", "title": "优秀", "awarded_on": "2025-03-08"}, "kind"),
    ({"kind": "award", "title": " ", "awarded_on": "2025-03-08"}, "title"),
], ids=["kind", "title-blank"])
def test_refused_recognition_names_the_field_and_records_nothing(api_client_for, staff_lishi, mother_lishi,
                                                                 data, field):
    response = api_client_for(staff_lishi).post(detail(mother_lishi, "recognitions/"), data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Recognition.objects.exists()


def test_refused_recognition_in_the_future_names_the_field_and_records_nothing(api_client_for, staff_lishi,
                                                                               mother_lishi, today):
    data = {"kind": "award", "title": "优秀", "awarded_on": tomorrow(today)}
    response = api_client_for(staff_lishi).post(detail(mother_lishi, "recognitions/"), data, format="json")
    assert response.status_code == 400
    assert "awarded_on" in response.json(), response.json()
    assert not Recognition.objects.exists()


def test_volunteer_neither_reads_nor_records_recognitions(api_client_for, staff_lishi, volunteer_lishi,
                                                           volunteer_mother_lishi):
    services.recognition_create(actor=staff_lishi, volunteer=volunteer_mother_lishi, kind="gift_pack",
                                title="节日礼包", awarded_on=date(2025, 2, 1))
    client = api_client_for(volunteer_lishi)
    assert client.get(detail(volunteer_mother_lishi, "recognitions/")).status_code == 403
    response = client.post(detail(volunteer_mother_lishi, "recognitions/"),
                           {"kind": "award", "title": "自封", "awarded_on": "2025-03-08"}, format="json")
    assert response.status_code == 403
    assert Recognition.objects.count() == 1


def test_recognitions_outside_scope_are_404(api_client_for, staff_yuci, mother_lishi):
    response = api_client_for(staff_yuci).post(detail(mother_lishi, "recognitions/"),
                                               {"kind": "award", "title": "优秀", "awarded_on": "2025-03-08"},
                                               format="json")
    assert response.status_code == 404
    assert not Recognition.objects.exists()


def test_training_history_lists_the_trainings_she_attended(api_client_for, staff_lishi, mother_lishi, regions):
    services.training_create(actor=staff_lishi, title="心理疏导培训", held_on=date(2025, 4, 1), region=regions.lishi,
                             attendees=[mother_lishi.pk], participants=40)
    services.training_create(actor=staff_lishi, title="她没去的培训", held_on=date(2025, 5, 1), region=regions.lishi)
    rows = api_client_for(staff_lishi).get(detail(mother_lishi, "trainings/")).json()
    assert [(r["title"], r["attendees"], r["participants"]) for r in rows] == [("心理疏导培训", [mother_lishi.pk], 40)]


# --- users: a login linked to a caring mother (the contract's ``volunteer`` field) -----------------

def login_payload(mother, **overrides) -> dict:
    return {"username": "liu_xiulan", "password": GOOD_PASSWORD, "role": "volunteer", "region": mother.region_id,
            "volunteer": mother.pk, **overrides}


def test_admin_opens_a_login_for_a_mother_on_the_roster(api_client_for, admin_lishi, mother_lishi):
    response = api_client_for(admin_lishi).post(USERS, login_payload(mother_lishi), format="json")
    assert response.status_code == 201, response.content.decode()
    mother_lishi.refresh_from_db()
    login = User.objects.get(username="liu_xiulan")
    assert (mother_lishi.user_id, login.role, login.name, login.phone) == (
        login.pk, "volunteer", "刘秀兰", mother_lishi.phone)
    assert response.json()["volunteer"] == mother_lishi.pk


def test_users_show_the_linked_mother_or_null(api_client_for, admin_lishi, volunteer_mother_lishi, staff_lishi):
    rows = {r["username"]: r["volunteer"] for r in api_client_for(admin_lishi).get(USERS).json()["results"]}
    assert (rows["volunteer_lishi"], rows["staff_lishi"]) == (volunteer_mother_lishi.pk, None)


def test_user_list_query_count_stays_flat_with_linked_mothers(api_client_for, admin_lishi, staff_lishi,
                                                              make_volunteer, django_assert_num_queries):
    for n in range(4):
        services.volunteer_create_login(actor=staff_lishi, volunteer=make_volunteer(staff_lishi, name=f"妈妈{n}"),
                                        username=f"mama{n}", password=GOOD_PASSWORD)
    client = api_client_for(admin_lishi)
    # 1. the token; 2. COUNT(*); 3. the page JOIN region, volunteer.
    with django_assert_num_queries(3):
        client.get(USERS)


@pytest.mark.parametrize(("overrides", "field"), [
    ({"role": "staff"}, "role"),  # a caring mother's login is a volunteer login
    ({"volunteer": "YUCI"}, "volunteer"),  # 榆次区's mother: outside 离石区
    ({"volunteer": 999999}, "volunteer"),
    ({"region": "141102000000"}, "region"),  # not her region
    ({"username": "staff_lishi"}, "username"),
    ({"password": "12345678"}, "password"),
], ids=["role-staff", "volunteer-outside", "volunteer-unknown", "region-not-hers", "username-taken",
        "password-weak"])
def test_refused_linked_login_names_the_field_and_changes_nothing(api_client_for, admin_lishi, mother_lishi,
                                                                  mother_yuci, overrides, field):
    overrides = {key: mother_yuci.pk if value == "YUCI" else value for key, value in overrides.items()}
    client = api_client_for(admin_lishi)
    before = snapshot()
    response = client.post(USERS, login_payload(mother_lishi, **overrides), format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_a_mother_with_a_login_gets_no_second_one(api_client_for, admin_lishi, volunteer_mother_lishi):
    before = snapshot()
    response = api_client_for(admin_lishi).post(USERS, login_payload(volunteer_mother_lishi), format="json")
    assert response.status_code == 400
    assert snapshot() == before
