"""A second activity of the same kind by the same caring mother with the same child on the same day
(a double tap on the phone, a record queued twice) is refused unless confirmed — by the service, so the
phone, the API and the staff form agree; a replay of the same id stays idempotent. Recording a visit
marks her due/overdue reminders read once every child they list has been contacted."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import reminders, services
from activities.models import Activity, Notification

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def my_second_child(make_child, staff_lishi, my_mother, pair):
    child = make_child(staff_lishi, name="李小明", gender="male")
    pair(child, my_mother)
    return child


def visit(actor, child, **fields) -> tuple[Activity, bool]:
    values = {"children": [child.pk], "occurred_on": VISIT_DAY, "kind": "home_visit", **fields}
    return services.activity_record(actor=actor, **values)


def config_of(response) -> dict:
    content = response.content.decode()
    return json.loads(content.split('<script id="phone-config" type="application/json">')[1].split("</script>")[0])


# --- the service ----------------------------------------------------------------------------------

def test_a_second_visit_of_the_same_kind_the_same_day_is_refused_naming_the_field(volunteer_lishi, my_child):
    visit(volunteer_lishi, my_child)
    with pytest.raises(ValidationError) as caught:
        visit(volunteer_lishi, my_child)
    assert "confirm_repeat" in caught.value.message_dict
    assert Activity.objects.count() == 1


def test_the_refusal_names_the_child_by_given_name_to_a_caring_mother(volunteer_lishi, my_child):
    visit(volunteer_lishi, my_child)
    with pytest.raises(ValidationError) as caught:
        visit(volunteer_lishi, my_child)
    (message,) = caught.value.message_dict["confirm_repeat"]
    assert "小雨" in message and "王小雨" not in message


def test_a_confirmed_repeat_is_recorded(volunteer_lishi, my_child):
    visit(volunteer_lishi, my_child)
    _activity, created = visit(volunteer_lishi, my_child, confirm_repeat=True)
    assert created and Activity.objects.count() == 2


def test_another_kind_the_same_day_needs_no_confirmation(volunteer_lishi, my_child):
    visit(volunteer_lishi, my_child)
    _activity, created = visit(volunteer_lishi, my_child, kind="call")
    assert created


def test_the_same_kind_another_day_needs_no_confirmation(volunteer_lishi, my_child):
    visit(volunteer_lishi, my_child)
    _activity, created = visit(volunteer_lishi, my_child, occurred_on=VISIT_DAY + timedelta(days=1))
    assert created


def test_a_replay_of_the_same_id_is_idempotent_not_a_repeat(volunteer_lishi, my_child):
    activity_id = uuid.uuid4()
    first, _created = visit(volunteer_lishi, my_child, id=activity_id)
    again, created = visit(volunteer_lishi, my_child, id=activity_id)
    assert (again.pk, created) == (first.pk, False)


def test_staff_recording_for_her_are_asked_too(staff_lishi, volunteer_lishi, my_child, my_mother):
    visit(volunteer_lishi, my_child)
    with pytest.raises(ValidationError) as caught:
        visit(staff_lishi, my_child, volunteer=my_mother)
    assert "confirm_repeat" in caught.value.message_dict


# --- the API --------------------------------------------------------------------------------------

def payload(child, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "children": [child.pk], "occurred_on": VISIT_DAY.isoformat(),
            "kind": "home_visit", **fields}


def test_the_api_refuses_an_unconfirmed_repeat_with_400(api_client_for, volunteer_lishi, my_child):
    api = api_client_for(volunteer_lishi)
    assert api.post("/api/v1/activities/", payload(my_child), format="json").status_code == 201
    response = api.post("/api/v1/activities/", payload(my_child), format="json")
    assert (response.status_code, list(response.json())) == (400, ["confirm_repeat"])


def test_the_api_records_a_repeat_sent_with_confirm_repeat(api_client_for, volunteer_lishi, my_child):
    api = api_client_for(volunteer_lishi)
    api.post("/api/v1/activities/", payload(my_child), format="json")
    response = api.post("/api/v1/activities/", payload(my_child, confirm_repeat=True), format="json")
    assert response.status_code == 201
    assert Activity.objects.count() == 2


def test_the_api_answers_a_replayed_id_with_200(api_client_for, volunteer_lishi, my_child):
    api = api_client_for(volunteer_lishi)
    body = payload(my_child)
    api.post("/api/v1/activities/", body, format="json")
    assert api.post("/api/v1/activities/", body, format="json").status_code == 200


# --- the phone and the staff form -----------------------------------------------------------------

@pytest.fixture
def phone(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    return client


def phone_post(phone, child, today, **extra):
    return phone.post("/m/log/", {"child": child.pk, "occurred_on": today.isoformat(), "kind": "home_visit",
                                  "participants": 1, **extra})


def test_the_phone_form_returns_to_my_children_after_saving(phone, my_child, today):
    assert phone_post(phone, my_child, today).url == "/m/"


def test_the_phone_form_without_javascript_asks_to_confirm_a_repeat(phone, my_child, today):
    phone_post(phone, my_child, today)
    response = phone_post(phone, my_child, today)
    assert response.context["form"].errors["confirm_repeat"]
    assert 'name="confirm_repeat"' in response.content.decode()
    assert Activity.objects.count() == 1


def test_the_phone_form_saves_a_confirmed_repeat(phone, my_child, today):
    phone_post(phone, my_child, today)
    assert phone_post(phone, my_child, today, confirm_repeat="on").status_code == 302
    assert Activity.objects.count() == 2


def test_the_log_page_tells_the_script_what_she_recorded_today(phone, volunteer_lishi, my_child, today):
    visit(volunteer_lishi, my_child, occurred_on=today, kind="call")
    config = config_of(phone.get("/m/log/"))
    assert config["recorded"] == {"day": today.isoformat(), "visits": {str(my_child.pk): ["call"]}}


def test_the_staff_form_asks_to_confirm_a_repeat(client, staff_lishi, volunteer_lishi, my_child, my_mother):
    visit(volunteer_lishi, my_child)
    client.force_login(staff_lishi)
    response = client.post(f"{reverse('activities:create')}?child={my_child.pk}", {
        "id": str(uuid.uuid4()), "volunteer": my_mother.pk, "children": [my_child.pk],
        "occurred_on": VISIT_DAY.isoformat(), "kind": "home_visit"})
    assert response.context["form"].errors["confirm_repeat"]
    assert Activity.objects.count() == 1


def test_the_staff_form_records_a_confirmed_repeat(client, staff_lishi, volunteer_lishi, my_child, my_mother):
    visit(volunteer_lishi, my_child)
    client.force_login(staff_lishi)
    response = client.post(f"{reverse('activities:create')}?child={my_child.pk}", {
        "id": str(uuid.uuid4()), "volunteer": my_mother.pk, "children": [my_child.pk],
        "occurred_on": VISIT_DAY.isoformat(), "kind": "home_visit", "confirm_repeat": "on"})
    assert response.status_code == 302
    assert Activity.objects.count() == 2


# --- due/overdue reminders ------------------------------------------------------------------------

def reminder(user, children, day=VISIT_DAY) -> Notification:
    return Notification.objects.create(recipient=user, kind=reminders.KIND_DUE, title="due", link="/m/",
                                       dedupe_key=reminders.due_key(day), children=[c.pk for c in children])


def test_visiting_the_child_of_a_reminder_marks_it_read(volunteer_lishi, my_child):
    notice = reminder(volunteer_lishi, [my_child])
    visit(volunteer_lishi, my_child)
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_reminder_listing_another_child_not_yet_visited_stays_unread(volunteer_lishi, my_child, my_second_child):
    notice = reminder(volunteer_lishi, [my_child, my_second_child])
    visit(volunteer_lishi, my_child)
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_last_child_of_a_reminder_visited_marks_it_read(volunteer_lishi, my_child, my_second_child):
    notice = reminder(volunteer_lishi, [my_child, my_second_child])
    visit(volunteer_lishi, my_child)
    visit(volunteer_lishi, my_second_child)
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_visit_dated_before_the_reminder_leaves_it_unread(volunteer_lishi, my_child):
    notice = reminder(volunteer_lishi, [my_child], day=VISIT_DAY + timedelta(days=1))
    visit(volunteer_lishi, my_child)
    notice.refresh_from_db()
    assert notice.read_at is None


def test_someone_else_s_reminder_is_untouched(volunteer_lishi, staff_lishi, my_child):
    notice = reminder(staff_lishi, [my_child])
    visit(volunteer_lishi, my_child)
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_daily_reminder_lists_its_children_s_ids(contact_ledger, volunteer_lishi):
    reminders.send_daily()
    notice = Notification.objects.get(recipient=volunteer_lishi, kind=reminders.KIND_DUE)
    assert notice.children and set(notice.children) <= set(
        volunteer_lishi.volunteer.pairings.values_list("child_id", flat=True))


# --- the notifications tab ------------------------------------------------------------------------

def test_the_phone_tab_bar_links_to_the_notifications_with_the_unread_count(phone, volunteer_lishi):
    reminder(volunteer_lishi, [])
    content = phone.get("/m/").content.decode()
    tab = content.split("data-tab-notifications")[1].split("</a>")[0]
    assert 'class="tab-badge"' in tab and ">1<" in tab
    assert f'href="{reverse("rhythm:notifications")}" data-tab-notifications' in content


def test_the_notifications_tab_has_no_badge_when_all_are_read(phone, volunteer_lishi):
    content = phone.get("/m/").content.decode()
    assert "tab-badge" not in content.split("data-tab-notifications")[1].split("</a>")[0]


def test_a_caring_mother_s_notifications_page_is_a_phone_tab(phone, volunteer_lishi):
    content = phone.get(reverse("rhythm:notifications")).content.decode()
    assert 'aria-current="page"' in content.split("data-tab-notifications")[1].split(">")[0]


def test_staff_see_their_notifications_in_the_staff_layout(client, staff_lishi):
    client.force_login(staff_lishi)
    assert "data-tab-notifications" not in client.get(reverse("rhythm:notifications")).content.decode()
