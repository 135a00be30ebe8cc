"""Person-times (人次) of an activity have a ceiling and, above a lower threshold, need a confirmation.

``participants: 2147483647`` from a caring mother's token used to be stored, and 离石区's month then
counted 3,147,483,687 人次 from 42 activities; 2147483648 answered 500 on PostgreSQL ("integer out of
range"). activities.services refuses more than ACTIVITY_MAX_PARTICIPANTS (2000) and asks for a
confirmation above ACTIVITY_CONFIRM_PARTICIPANTS (200), for the staff form, the API and the phone
alike, and the database refuses more than activities.models.PARTICIPANTS_CEILING whatever the
settings say. Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://… bin/test …)."""

import re
import uuid
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import override_settings

from activities import services
from activities.models import PARTICIPANTS_CEILING, Activity
from tests.test_settings_env import DEV, run, setup_django

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"
CREATE = "/activities/new/"
VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)
CJK = re.compile(r"[\u4e00-\u9fff]")
INT_MAX = 2_147_483_647  # PostgreSQL's integer


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    """王小雨 (离石区), led by the caring mother behind ``volunteer_lishi`` since 2025-03-01."""
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def group_children(staff_lishi, make_child):
    return [make_child(staff_lishi, name=name) for name in ("李小花", "王小雨", "赵小军")]


@pytest.fixture
def staff(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def visit(actor, child, **fields) -> Activity:
    activity, _created = services.activity_record(actor=actor, children=[child.pk], occurred_on=VISIT_DAY,
                                                  kind="home_visit", **fields)
    return activity


def group(actor, children, volunteer, **fields) -> Activity:
    activity, _created = services.activity_record(actor=actor, children=[c.pk for c in children],
                                                  occurred_on=VISIT_DAY, kind="outing", is_group=True,
                                                  volunteer=volunteer, title="红色研学", **fields)
    return activity


def refused_on_participants(call) -> str:
    with pytest.raises(ValidationError) as refused:
        call()
    assert list(refused.value.message_dict) == ["participants"]
    message = refused.value.message_dict["participants"][0]
    assert CJK.search(message), message
    return message


def api_payload(child, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "children": [child.pk], "occurred_on": VISIT_DAY.isoformat(),
            "kind": "home_visit", "participants": 1, **fields}


def group_payload(children, volunteer, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "volunteer": volunteer.pk, "children": [c.pk for c in children],
            "occurred_on": VISIT_DAY.isoformat(), "kind": "outing", "is_group": True, "title": "红色研学", **fields}


# --- the service: one place for the form, the API and the phone -----------------------------------

@pytest.mark.parametrize("participants", [2001, INT_MAX, INT_MAX + 1, 10**30])
def test_more_than_the_maximum_is_refused_even_when_confirmed(staff_lishi, group_children, my_mother, participants):
    message = refused_on_participants(lambda: group(staff_lishi, group_children, my_mother,
                                                    participants=participants, confirm_large_participants=True))
    assert "2000" in message
    assert not Activity.objects.exists()


def test_the_maximum_itself_is_taken_when_confirmed(staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=2000, confirm_large_participants=True)
    assert activity.participants == 2000


def test_above_the_threshold_needs_a_confirmation(staff_lishi, group_children, my_mother):
    refused_on_participants(lambda: group(staff_lishi, group_children, my_mother, participants=201))
    assert not Activity.objects.exists()


def test_the_threshold_itself_needs_no_confirmation(staff_lishi, group_children, my_mother):
    assert group(staff_lishi, group_children, my_mother, participants=200).participants == 200


def test_a_caring_mothers_huge_visit_is_refused(volunteer_lishi, my_child):
    refused_on_participants(lambda: visit(volunteer_lishi, my_child, participants=INT_MAX))
    assert not Activity.objects.exists()


@override_settings(ACTIVITY_MAX_PARTICIPANTS=50, ACTIVITY_CONFIRM_PARTICIPANTS=10)
def test_the_limits_come_from_the_settings(staff_lishi, group_children, my_mother):
    assert "50" in refused_on_participants(lambda: group(staff_lishi, group_children, my_mother, participants=51,
                                                         confirm_large_participants=True))
    refused_on_participants(lambda: group(staff_lishi, group_children, my_mother, participants=11))
    assert group(staff_lishi, group_children, my_mother, participants=11,
                 confirm_large_participants=True).participants == 11


def test_a_correction_above_the_threshold_needs_a_confirmation(staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    refused_on_participants(lambda: services.activity_update(actor=staff_lishi, activity=activity, participants=300))
    services.activity_update(actor=staff_lishi, activity=activity, participants=300, confirm_large_participants=True)
    assert Activity.objects.get().participants == 300


def test_a_correction_above_the_maximum_is_refused(staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    refused_on_participants(lambda: services.activity_update(actor=staff_lishi, activity=activity,
                                                             participants=INT_MAX + 1,
                                                             confirm_large_participants=True))
    assert Activity.objects.get().participants == 40


def test_a_correction_of_something_else_does_not_ask_again(staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=300, confirm_large_participants=True)
    services.activity_update(actor=staff_lishi, activity=activity, notes="补记")
    assert Activity.objects.get().notes == "补记"


# --- the database: no overflow whatever the settings ----------------------------------------------

def test_the_database_refuses_more_than_the_ceiling(staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(participants=PARTICIPANTS_CEILING + 1)
    assert Activity.objects.get().participants == 40


def test_the_database_takes_the_ceiling(staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    Activity.objects.filter(pk=activity.pk).update(participants=PARTICIPANTS_CEILING)
    assert Activity.objects.get().participants == PARTICIPANTS_CEILING


# --- the API --------------------------------------------------------------------------------------

@pytest.mark.parametrize("participants", [INT_MAX, INT_MAX + 1])
def test_a_phones_huge_number_is_a_400_naming_the_field(api_client_for, volunteer_lishi, my_child, participants):
    response = api_client_for(volunteer_lishi).post(URL, api_payload(my_child, participants=participants,
                                                                     confirm_large_participants=True), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["participants"]
    assert CJK.search(response.json()["participants"][0])
    assert not Activity.objects.exists()


@pytest.mark.parametrize("participants", [INT_MAX, INT_MAX + 1])
def test_staffs_huge_number_is_a_400_naming_the_field(api_client_for, staff_lishi, group_children, my_mother,
                                                      participants):
    response = api_client_for(staff_lishi).post(URL, group_payload(group_children, my_mother,
                                                                   participants=participants), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["participants"]
    assert not Activity.objects.exists()


def test_the_api_takes_a_large_number_with_the_flag(api_client_for, staff_lishi, group_children, my_mother):
    client = api_client_for(staff_lishi)
    sent = group_payload(group_children, my_mother, participants=300)
    assert client.post(URL, sent, format="json").status_code == 400
    response = client.post(URL, {**sent, "confirm_large_participants": True}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["participants"] == 300
    assert "confirm_large_participants" not in response.json()  # write-only


def test_an_api_correction_above_the_threshold_needs_the_flag(api_client_for, staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    client = api_client_for(staff_lishi)
    assert client.patch(f"{URL}{activity.pk}/", {"participants": 300}, format="json").status_code == 400
    response = client.patch(f"{URL}{activity.pk}/", {"participants": 300, "confirm_large_participants": True},
                            format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["participants"] == 300


def test_an_api_correction_beyond_the_integer_range_is_a_400(api_client_for, staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    response = api_client_for(staff_lishi).patch(f"{URL}{activity.pk}/", {"participants": INT_MAX + 1},
                                                 format="json")
    assert response.status_code == 400
    assert "participants" in response.json()


# --- the staff form -------------------------------------------------------------------------------

def record_form(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "occurred_on": "2025-04-12", "kind": "home_visit", "services": ["emotional"],
            "duration_minutes": "30", "place": "", "participants": "", "aid_value_yuan": "", "notes": "", **fields}


@pytest.mark.parametrize("participants", [str(INT_MAX + 1), "99999999999999999999"])
def test_the_staff_form_puts_a_huge_number_back_on_its_field(staff, my_child, my_mother, participants):
    response = staff.post(f"{CREATE}?volunteer={my_mother.pk}",
                          record_form(volunteer=my_mother.pk, children=[my_child.pk], participants=participants,
                                      confirm_large_participants="on"))
    assert response.status_code == 400
    assert CJK.search(response.context["form"].errors["participants"][0])
    assert not Activity.objects.exists()


def test_the_staff_form_asks_to_confirm_a_large_number(staff, staff_lishi, group_children, my_mother):
    url = f"{CREATE}?group=1&region=141102000000"
    sent = record_form(volunteer=my_mother.pk, children=[c.pk for c in group_children], kind="outing",
                       title="红色研学", participants="300")
    response = staff.post(url, sent)
    assert response.status_code == 400
    assert response.context["form"].errors["participants"]
    assert "confirm_large_participants" in response.context["form"].fields
    response = staff.post(url, {**sent, "confirm_large_participants": "on"})
    assert response.status_code == 302, response.context["form"].errors
    assert Activity.objects.get().participants == 300


def test_the_staff_form_shows_the_thresholds(staff, my_mother):
    page = staff.get(f"{CREATE}?volunteer={my_mother.pk}").content.decode()
    assert "人次超过 200 时须勾选（最多 2000）" in page


def test_the_correction_form_puts_a_huge_number_back_on_its_field(staff, staff_lishi, group_children, my_mother):
    activity = group(staff_lishi, group_children, my_mother, participants=40)
    response = staff.post(f"/activities/{activity.pk}/edit/", {
        "occurred_on": activity.occurred_on.isoformat(), "kind": activity.kind, "services": activity.services,
        "title": activity.title, "duration_minutes": "", "place": "", "participants": str(INT_MAX + 1),
        "aid_value_yuan": "0", "notes": "", "confirm_large_participants": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors["participants"]
    assert Activity.objects.get().participants == 40


# --- the phone without JavaScript -----------------------------------------------------------------

def test_the_phone_form_puts_a_huge_number_back_on_its_field(client, volunteer_lishi, my_child):
    client.force_login(volunteer_lishi)
    response = client.post("/m/log/", {"child": my_child.pk, "occurred_on": VISIT_DAY.isoformat(),
                                       "kind": "home_visit", "participants": str(INT_MAX + 1)})
    assert response.status_code == 200
    assert CJK.search(response.context["form"].errors["participants"][0])
    assert not Activity.objects.exists()


# --- the settings: checked at start-up ------------------------------------------------------------

@pytest.mark.parametrize(("env", "named"), [
    ({"ACTIVITY_MAX_PARTICIPANTS": "many"}, "ACTIVITY_MAX_PARTICIPANTS"),
    ({"ACTIVITY_MAX_PARTICIPANTS": "0"}, "ACTIVITY_MAX_PARTICIPANTS"),
    ({"ACTIVITY_MAX_PARTICIPANTS": str(PARTICIPANTS_CEILING + 1)}, "ACTIVITY_MAX_PARTICIPANTS"),
    ({"ACTIVITY_CONFIRM_PARTICIPANTS": "0"}, "ACTIVITY_CONFIRM_PARTICIPANTS"),
    ({"ACTIVITY_CONFIRM_PARTICIPANTS": "2001"}, "ACTIVITY_CONFIRM_PARTICIPANTS"),
    ({"ACTIVITY_MAX_PARTICIPANTS": "100", "ACTIVITY_CONFIRM_PARTICIPANTS": "150"}, "ACTIVITY_CONFIRM_PARTICIPANTS"),
], ids=["not-a-number", "zero", "above-the-ceiling", "confirm-zero", "confirm-above-default-max",
        "confirm-above-max"])
def test_a_bad_limit_stops_start_up_naming_it(tmp_path, env, named):
    result = setup_django({**DEV, **env}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr


def test_the_limits_are_read_from_the_environment(tmp_path):
    script = ("import django; django.setup(); from django.conf import settings; "
              "print(settings.ACTIVITY_MAX_PARTICIPANTS, settings.ACTIVITY_CONFIRM_PARTICIPANTS)")
    result = run(["-c", script], {**DEV, "ACTIVITY_MAX_PARTICIPANTS": str(PARTICIPANTS_CEILING),
                                  "ACTIVITY_CONFIRM_PARTICIPANTS": "500"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(PARTICIPANTS_CEILING), "500"]
