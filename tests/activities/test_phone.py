"""The caring mother's phone pages (/m/): her children only, what she may see of a child, logging a
visit, her history, and the PWA plumbing (service worker, offline page, manifest)."""

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders

from activities.models import Activity
from children import services as children_services
from pairing import services as pairing_services
from pairing.models import EndReason
from tests.factories import PASSWORD
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    """王小雨 (离石区), paired with the caring mother behind ``volunteer_lishi`` as her lead."""
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def other_child(make_child, staff_lishi, mother_lishi, pair):
    """赵小军, a 离石区 child paired with another caring mother."""
    child = make_child(staff_lishi, name="赵小军", gender="male")
    pair(child, mother_lishi)
    return child


@pytest.fixture
def phone(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    return client


def listed_ids(response) -> list[int]:
    return [child.pk for child in response.context["children"]]


# --- 我的孩子 ---------------------------------------------------------------------------------------

def test_home_lists_only_her_paired_children(phone, my_child, other_child, child_yuci):
    response = phone.get("/m/")
    assert response.status_code == 200
    assert listed_ids(response) == [my_child.pk]


def test_home_shows_the_given_name_not_the_full_name(phone, my_child):
    content = phone.get("/m/").content.decode()
    assert "小雨" in content
    assert "王小雨" not in content


def test_home_hides_a_child_once_the_pairing_ended(phone, my_child, staff_lishi, today):
    pairing = my_child.pairings.get()
    pairing_services.pairing_end(actor=staff_lishi, pairing=pairing, ended_on=today, end_reason=EndReason.MOVED)
    assert listed_ids(phone.get("/m/")) == []


def test_home_next_due_is_the_last_contact_plus_the_colour_interval(phone, my_child, volunteer_lishi, record,
                                                                    today):
    last = today - timedelta(days=3)
    record(volunteer_lishi, children=[my_child], occurred_on=last)
    child = phone.get("/m/").context["children"][0]
    # Not assessed: the settings' default of 30 days.
    assert (child.last_contact, child.next_due_on, child.days_overdue) == (last, last + timedelta(days=30), 0)


def test_home_highlights_an_overdue_child(phone, my_child, volunteer_lishi, staff_lishi, record, today):
    children_services.child_assess(actor=staff_lishi, child=my_child, color="red", reasons=["guardianship"],
                                   assessed_on=today - timedelta(days=20))
    record(volunteer_lishi, children=[my_child], occurred_on=today - timedelta(days=10))
    response = phone.get("/m/")
    assert response.context["children"][0].days_overdue == 3  # red: every 7 days
    assert 'class="kid card kid-overdue"' in response.content.decode()


def test_home_has_a_log_button_for_each_child(phone, my_child):
    assert f'href="/m/log/?child={my_child.pk}"' in phone.get("/m/").content.decode()


def test_home_query_count_does_not_grow_with_the_children(phone, my_mother, make_child, staff_lishi, pair,
                                                          volunteer_lishi, record, django_assert_num_queries,
                                                          today):
    volunteer_services.volunteer_update(actor=staff_lishi, volunteer=my_mother, capacity=10)

    def add_children(n: int) -> None:
        for _ in range(n):
            child = make_child(staff_lishi, name="李小花")
            pair(child, my_mother)
            record(volunteer_lishi, children=[child], occurred_on=today - timedelta(days=2))

    def count(n_expected: int) -> None:
        # 1 session, 2 the user,
        # 3 the children with last contact and lead pairing (one annotated query),
        # 4 the regions' contact rhythms (one query for all the children's regions),
        # 5 her Volunteer row (is the login linked to the roster?),
        # 6-9 this year's commitments (pairing.commitments): her pairings, the regions' plans, this
        #     year's activities with the children, their fulfilled needs,
        # 10 the unread-notification badge (activities.context_processors).
        with django_assert_num_queries(10):
            response = phone.get("/m/")
        assert len(response.context["children"]) == n_expected

    add_children(2)
    count(2)
    add_children(4)
    count(6)


def test_home_tells_a_login_without_a_roster_entry_to_ask_the_federation(phone, volunteer_lishi):
    response = phone.get("/m/")
    assert response.context["linked"] is False


# --- a child's page -------------------------------------------------------------------------------

def test_child_page_shows_age_school_and_a_tap_to_call_guardian(phone, my_child):
    content = phone.get(f"/m/children/{my_child.pk}/").content.decode()
    assert "小雨" in content
    assert 'href="tel:13935800001"' in content


def test_child_page_is_404_for_a_child_she_is_not_paired_with(phone, my_child, other_child):
    assert phone.get(f"/m/children/{other_child.pk}/").status_code == 404


def test_child_page_is_404_for_a_child_outside_her_region(phone, my_child, child_yuci):
    assert phone.get(f"/m/children/{child_yuci.pk}/").status_code == 404


def test_child_pages_never_contain_the_id_number_or_its_last_four(phone, make_child, staff_lishi, my_mother, pair):
    child = make_child(staff_lishi, name="王小雨")
    pair(child, my_mother)
    number = child.reveal_id_number()
    pages = [phone.get(url).content.decode() for url in
             ("/m/", f"/m/children/{child.pk}/", f"/m/log/?child={child.pk}", "/m/history/")]
    for content in pages:
        assert number not in content
        # The last four, outside the random tokens a page carries (CSRF, the ids a form gives its record):
        # a UUID's hex may hold any four digits.
        assert number[-4:] not in re.sub(r"[A-Za-z0-9_-]{20,}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}", "", content)
        assert child.id_number_masked not in content


def test_child_page_lists_open_needs_only(phone, my_child, staff_lishi):
    children_services.need_create(actor=staff_lishi, child=my_child, kind="study", description="需要一套课外读物")
    done = children_services.need_create(actor=staff_lishi, child=my_child, kind="material", description="冬季棉衣")
    children_services.need_transition(actor=staff_lishi, need=done, to_status="cancelled")
    content = phone.get(f"/m/children/{my_child.pk}/").content.decode()
    assert "需要一套课外读物" in content
    assert "冬季棉衣" not in content


# --- who may open the phone pages -----------------------------------------------------------------

def test_staff_opening_the_phone_home_are_sent_to_the_staff_home(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get("/m/")
    assert (response.status_code, response["Location"]) == (302, "/")


@pytest.mark.parametrize("path", ["/m/children/1/", "/m/log/", "/m/history/"])
def test_staff_get_403_on_the_other_phone_pages(client, staff_lishi, path):
    client.force_login(staff_lishi)
    assert client.get(path).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/m/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/m/")


def test_a_volunteer_lands_on_the_phone_home_after_logging_in(client, volunteer_lishi):
    response = client.post("/login/", {"username": volunteer_lishi.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/m/"


def test_staff_still_land_on_the_staff_home(client, staff_lishi):
    client.force_login(staff_lishi)
    assert client.get("/").status_code == 200


# --- 记录一次关爱 ------------------------------------------------------------------------------------

def test_log_form_opens_with_today_a_home_visit_and_that_child(phone, my_child, today):
    form = phone.get(f"/m/log/?child={my_child.pk}").context["form"]
    assert (form["child"].value(), form["kind"].value(), form["occurred_on"].value()) == (
        my_child.pk, "home_visit", today)


def test_log_form_ignores_a_child_she_is_not_paired_with(phone, my_child, other_child):
    form = phone.get(f"/m/log/?child={other_child.pk}").context["form"]
    assert form["child"].value() is None


def test_log_form_without_javascript_records_through_the_service(phone, my_child, my_mother, today):
    activity_id = uuid.uuid4()
    response = phone.post("/m/log/", {"id": str(activity_id), "child": my_child.pk,
                                      "occurred_on": today.isoformat(), "kind": "home_visit", "participants": 1})
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.pk, activity.volunteer, list(activity.children.all())) == (activity_id, my_mother, [my_child])


def test_log_form_refuses_a_future_date_naming_the_field(phone, my_child, today):
    response = phone.post("/m/log/", {"child": my_child.pk, "occurred_on": (today + timedelta(days=1)).isoformat(),
                                      "kind": "home_visit", "participants": 1})
    assert response.status_code == 200
    assert response.context["form"].errors["occurred_on"]
    assert not Activity.objects.exists()


def test_log_form_refuses_a_child_she_is_not_paired_with(phone, my_child, other_child, today):
    response = phone.post("/m/log/", {"child": other_child.pk, "occurred_on": today.isoformat(),
                                      "kind": "home_visit", "participants": 1})
    assert response.context["form"].errors["child"]
    assert not Activity.objects.exists()


def test_log_page_carries_the_queue_settings_for_the_script(phone, my_child, volunteer_lishi):
    content = phone.get("/m/log/").content.decode()
    config = json.loads(content.split('<script id="phone-config" type="application/json">')[1].split("</script>")[0])
    assert (config["user"], config["api"], config["scope"]) == (volunteer_lishi.pk, "/api/v1/activities/", "/m/")


def test_log_page_tells_the_script_above_which_figures_to_ask(phone, my_child, settings):
    settings.ACTIVITY_CONFIRM_PARTICIPANTS = 150
    content = phone.get("/m/log/").content.decode()
    config = json.loads(content.split('<script id="phone-config" type="application/json">')[1].split("</script>")[0])
    assert config["confirmAbove"]["participants"] == 150


def _many(phone, child, today, **extra):
    return phone.post("/m/log/", {"child": child.pk, "occurred_on": today.isoformat(), "kind": "home_visit",
                                  "participants": 300, **extra})


def test_log_form_without_javascript_asks_to_confirm_many_participants(phone, my_child, today):
    response = _many(phone, my_child, today)
    assert response.context["form"].errors["participants"]
    assert 'name="confirm_large"' in response.content.decode()
    assert not Activity.objects.exists()


def test_log_form_without_javascript_saves_many_participants_once_confirmed(phone, my_child, today):
    response = _many(phone, my_child, today, confirm_large="on")
    assert response.status_code == 302
    assert Activity.objects.get().participants == 300


def test_log_form_without_javascript_counts_one_participant_when_left_empty(phone, my_child, today):
    response = phone.post("/m/log/", {"child": my_child.pk, "occurred_on": today.isoformat(), "kind": "home_visit",
                                      "participants": ""})
    assert response.status_code == 302
    assert Activity.objects.get().participants == 1


def test_log_form_marks_nothing_in_the_optional_part_as_required(phone, my_child):
    form = phone.get("/m/log/").context["form"]
    optional = ("services", "duration_minutes", "participants", "aid_value_yuan", "notes", "follow_up")
    assert [name for name in optional if form.fields[name].required] == []


# --- history --------------------------------------------------------------------------------------

def test_history_lists_her_activities_newest_first(phone, my_child, volunteer_lishi, record, today):
    older = record(volunteer_lishi, children=[my_child], occurred_on=today - timedelta(days=9))
    newer = record(volunteer_lishi, children=[my_child], occurred_on=today - timedelta(days=1), kind="call")
    page = phone.get("/m/history/").context["page"]
    assert [a.pk for a in page] == [newer.pk, older.pk]


def test_history_leaves_out_other_volunteers_activities(phone, my_child, other_child, staff_lishi, mother_lishi,
                                                        record, today):
    record(staff_lishi, children=[other_child], occurred_on=today, volunteer=mother_lishi)
    assert list(phone.get("/m/history/").context["page"]) == []


def test_history_is_paginated(phone, my_child, volunteer_lishi, record, today):
    for days in range(21):
        record(volunteer_lishi, children=[my_child], occurred_on=today - timedelta(days=days))
    page = phone.get("/m/history/?page=2").context["page"]
    assert (page.number, len(page.object_list)) == (2, 1)


# --- the PWA --------------------------------------------------------------------------------------

def test_service_worker_is_javascript_scoped_to_the_phone_pages(client):
    response = client.get("/m/sw.js")
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/m/"
    assert 'const SCOPE = "/m/";' in response.content.decode()


def test_service_worker_caches_the_shell_and_the_offline_page(client):
    content = client.get("/m/sw.js").content.decode()
    shell = json.loads(content.split("const SHELL = ")[1].split(";\n")[0])
    assert shell[0] == "/m/offline/"
    assert {"/static/phone/app.js", "/static/phone/phone.css", "/static/css/app.css"} <= set(shell)


def test_offline_page_opens_without_login_and_names_nobody(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get("/m/offline/")
    assert response.status_code == 200
    assert volunteer_lishi.name not in response.content.decode()


def test_manifest_installs_the_phone_pages_as_an_app():
    with open(finders.find("phone/manifest.webmanifest"), encoding="utf-8") as f:
        manifest = json.load(f)
    assert (manifest["name"], manifest["start_url"], manifest["display"], manifest["theme_color"]) == (
        "爱心妈妈", "/m/", "standalone", "#c2185b")
    assert all(finders.find(f"phone/{icon['src']}") for icon in manifest["icons"])


def test_phone_pages_link_the_manifest(phone, my_child):
    assert '<link rel="manifest" href="/static/phone/manifest.webmanifest">' in phone.get("/m/").content.decode()
