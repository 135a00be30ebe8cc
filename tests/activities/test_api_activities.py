"""The activities API (/api/v1/activities/): recording (idempotent on the client's UUID), bad input,
group activities, scoping by the named actors, corrections, filters and the query count."""

import re
import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import AuditAction, AuditEvent
from activities.models import Activity, ActivityChild, ActivityKind, CareService

pytestmark = pytest.mark.django_db

URL = "/api/v1/activities/"
VISIT_DAY = "2025-04-10"  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    """王小雨 (离石区), led by the caring mother behind ``volunteer_lishi`` since 2025-03-01."""
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def phone(api_client_for, volunteer_lishi):
    """The API client of the caring mother's phone."""
    return api_client_for(volunteer_lishi)


def payload(child, **fields) -> dict:
    return {"id": str(uuid.uuid4()), "children": [child.pk], "occurred_on": VISIT_DAY, "kind": "home_visit",
            "duration_minutes": 45, "participants": 1, "aid_value_yuan": "0.00", "notes": "陪孩子读绘本",
            "services": ["emotional", "tutoring"], **fields}


def detail(activity) -> str:
    return f"{URL}{activity.pk}/"


def days_ago(today: date, n: int) -> str:
    return (today - timedelta(days=n)).isoformat()


def counts() -> tuple[int, int]:
    return Activity.objects.count(), ActivityChild.objects.count()


# --- recording ------------------------------------------------------------------------------------

def test_a_volunteer_records_a_visit(phone, my_child, my_mother):
    response = phone.post(URL, payload(my_child), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["volunteer"], body["children"], body["kind"]) == (my_mother.pk, [my_child.pk], "home_visit")


def test_the_clients_id_is_kept(phone, my_child):
    sent = payload(my_child)
    assert phone.post(URL, sent, format="json").json()["id"] == sent["id"]


@pytest.mark.parametrize("bad_id", [False, 0, 7])
def test_an_id_that_is_not_uuid_text_is_refused_naming_it(phone, my_child, bad_id):
    response = phone.post(URL, payload(my_child, id=bad_id), format="json")
    assert (response.status_code, list(response.json())) == (400, ["id"])
    assert not Activity.objects.exists()


def test_the_aid_value_is_a_decimal_string(phone, my_child):
    body = phone.post(URL, payload(my_child, aid_value_yuan="35.5"), format="json").json()
    assert body["aid_value_yuan"] == "35.50"


def test_the_same_id_twice_creates_one_activity(phone, my_child):
    sent = payload(my_child)
    phone.post(URL, sent, format="json")
    phone.post(URL, sent, format="json")
    assert counts() == (1, 1)


def test_the_same_id_twice_answers_200_with_the_same_body(phone, my_child):
    sent = payload(my_child)
    first = phone.post(URL, sent, format="json")
    again = phone.post(URL, sent, format="json")
    assert (again.status_code, again.json()) == (200, first.json())


def test_the_same_id_with_other_content_is_a_409(phone, my_child):
    sent = payload(my_child)
    phone.post(URL, sent, format="json")
    response = phone.post(URL, {**sent, "notes": "辅导数学作业"}, format="json")
    assert response.status_code == 409
    assert response.json()["id"] == sent["id"]


def test_a_409_leaves_the_original_unchanged(phone, my_child):
    sent = payload(my_child)
    phone.post(URL, sent, format="json")
    phone.post(URL, {**sent, "notes": "辅导数学作业", "participants": 3}, format="json")
    stored = Activity.objects.get(pk=sent["id"])
    assert (stored.notes, stored.participants, counts()) == ("陪孩子读绘本", 1, (1, 1))


def inserts_tried(queries) -> int:
    return sum(q["sql"].startswith('INSERT INTO "activities_activity" ') for q in queries)


def test_an_id_stored_by_another_request_first_answers_200_with_the_stored_one(phone, my_child, volunteer_lishi,
                                                                              record):
    # Another request (a second phone queue, a retry racing the first sending) stored this id a moment
    # before: this one's checks see nothing amiss, its insert finds the id taken, and it answers as a
    # replay instead of a 500 (no IntegrityError escapes, the transaction is usable after it).
    sent = payload(my_child)
    stored = record(volunteer_lishi, children=[my_child], occurred_on=date.fromisoformat(VISIT_DAY),
                    id=sent["id"], duration_minutes=45, participants=1, aid_value_yuan="0.00",
                    notes="陪孩子读绘本", services=["emotional", "tutoring"])
    with CaptureQueriesContext(connection) as queries:
        response = phone.post(URL, sent, format="json")
    assert (response.status_code, response.json()["id"], counts()) == (200, str(stored.pk), (1, 1))
    assert inserts_tried(queries.captured_queries) == 1  # insert-or-fetch, not check-then-insert


def test_an_id_stored_first_by_another_request_with_other_content_is_a_409(phone, my_child, volunteer_lishi,
                                                                           record):
    sent = payload(my_child)
    record(volunteer_lishi, children=[my_child], occurred_on=date.fromisoformat(VISIT_DAY), kind="call",
           id=sent["id"])
    response = phone.post(URL, sent, format="json")
    assert (response.status_code, response.json()["id"], counts()) == (409, sent["id"], (1, 1))


def test_a_replay_is_answered_200_even_when_a_check_would_now_refuse_it(phone, my_child):
    # Since the first sending, another visit to the child that day was recorded (confirmed): a new
    # visit would now be a repeat, the replay of the stored one is not.
    sent = payload(my_child)
    phone.post(URL, sent, format="json")
    phone.post(URL, payload(my_child, confirm_repeat=True), format="json")
    response = phone.post(URL, sent, format="json")
    assert (response.status_code, response.json()["id"], counts()) == (200, sent["id"], (2, 2))


def test_the_201_body_is_the_record_as_read_back(phone, my_child):
    created = phone.post(URL, payload(my_child, follow_up=True), format="json").json()
    assert phone.get(f"{URL}{created['id']}/").json() == created


def test_a_group_activitys_201_body_is_the_record_as_read_back(api_client_for, staff_lishi, group_payload,
                                                              make_volunteer):
    # Several other volunteers: in the order a read lists them.
    helpers = [make_volunteer(staff_lishi, name=name).pk for name in ("孙玉兰", "周桂芳")]
    client = api_client_for(staff_lishi)
    body = {**group_payload, "co_volunteers": [*helpers, *group_payload["co_volunteers"]]}
    created = client.post(URL, body, format="json").json()
    assert client.get(f"{URL}{created['id']}/").json() == created


def test_an_aid_value_over_100000_yuan_is_taken_when_confirmed(phone, my_child):
    response = phone.post(URL, payload(my_child, aid_value_yuan="100001", confirm_large_aid=True), format="json")
    assert response.status_code == 201
    assert "confirm_large_aid" not in response.json()  # write-only


def test_the_follow_up_flag_opens_a_need(phone, my_child):
    phone.post(URL, payload(my_child, follow_up=True, notes="书包破了"), format="json")
    assert my_child.needs.get().description == "书包破了"


def test_the_kind_and_services_come_with_the_labels_the_pages_show(phone, my_child):
    body = phone.post(URL, payload(my_child), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    with translation.override("zh-hans"):
        expected = (str(ActivityKind.HOME_VISIT.label),
                    [str(CareService.EMOTIONAL.label), str(CareService.TUTORING.label)])
    assert (body["kind_display"], body["services_display"]) == expected == ("入户探访", ["情感慰藉", "学业辅导"])


def test_the_display_fields_are_in_the_callers_language(phone, my_child):
    body = phone.post(URL, payload(my_child), format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["kind_display"], body["services_display"]) == ("Home visit", ["Emotional comfort", "Homework tutoring"])


def test_the_display_fields_are_read_only(phone, my_child):
    response = phone.post(URL, payload(my_child, kind_display="学业辅导"), format="json")
    assert response.json()["kind"] == "home_visit" and response.json()["kind_display"] == "入户探访"


def test_the_schema_documents_the_display_fields_as_read_only(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fields = schema["components"]["schemas"]["Activity"]["properties"]
    assert (fields["kind_display"]["readOnly"], fields["services_display"]["readOnly"]) == (True, True)
    assert "kind_display" not in schema["components"]["schemas"]["ActivityRequest"]["properties"]


# --- bad input: 400 naming the field, nothing stored ----------------------------------------------

BAD_INPUT = {
    "before the pairing began": ({"occurred_on": "2025-02-28"}, "occurred_on"),
    "negative aid": ({"aid_value_yuan": "-1.00"}, "aid_value_yuan"),
    "100,001 yuan unconfirmed": ({"aid_value_yuan": "100001"}, "aid_value_yuan"),
    "unknown kind": ({"kind": "picnic"}, "kind"),
    "unknown service": ({"services": ["magic"]}, "services"),
    "no children": ({"children": []}, "children"),
    "duration out of range": ({"duration_minutes": 0}, "duration_minutes"),
}


def bad_payload(child, case: str) -> tuple[dict, str]:
    fields, field = BAD_INPUT[case]
    return payload(child, **fields), field


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_a_400_naming_the_field(phone, my_child, case):
    sent, field = bad_payload(my_child, case)
    response = phone.post(URL, sent, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_stores_nothing(phone, my_child, case):
    sent, _field = bad_payload(my_child, case)
    phone.post(URL, sent, format="json")
    assert counts() == (0, 0)


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_errors_are_in_chinese(phone, my_child, case):
    sent, field = bad_payload(my_child, case)
    message = str(phone.post(URL, sent, format="json").json()[field])
    assert CJK.search(message), message


# A future date is bad input too; it depends on the day, so it runs on each of the calendar's days.
def future_payload(child, today: date) -> dict:
    return payload(child, occurred_on=(today + timedelta(days=1)).isoformat())


def test_a_future_date_is_a_400_naming_the_field(phone, my_child, today):
    response = phone.post(URL, future_payload(my_child, today), format="json")
    assert response.status_code == 400
    assert "occurred_on" in response.json()


def test_a_future_date_stores_nothing(phone, my_child, today):
    phone.post(URL, future_payload(my_child, today), format="json")
    assert counts() == (0, 0)


def test_a_future_date_error_is_in_chinese(phone, my_child, today):
    message = str(phone.post(URL, future_payload(my_child, today), format="json").json()["occurred_on"])
    assert CJK.search(message), message


def test_a_child_she_is_not_paired_with_is_a_400_naming_children(phone, my_mother, make_child, staff_lishi):
    stranger = make_child(staff_lishi, name="赵小军", gender="male")
    response = phone.post(URL, payload(stranger), format="json")
    assert response.status_code == 400
    assert "children" in response.json()
    assert counts() == (0, 0)


def test_a_conflict_message_is_in_chinese(phone, my_child):
    sent = payload(my_child)
    phone.post(URL, sent, format="json")
    response = phone.post(URL, {**sent, "notes": "辅导数学作业"}, format="json")
    assert CJK.search(response.json()["detail"])


# --- group activities -----------------------------------------------------------------------------

@pytest.fixture
def group_payload(staff_lishi, make_child, my_mother, mother_lishi):
    children = [make_child(staff_lishi, name=name) for name in ("李小花", "王小雨", "赵小军")]
    return {"id": str(uuid.uuid4()), "volunteer": my_mother.pk, "children": [c.pk for c in children],
            "co_volunteers": [mother_lishi.pk], "occurred_on": VISIT_DAY, "kind": "outing", "is_group": True,
            "title": "红色研学", "participants": 40, "place": "离石区图书馆"}


def test_staff_record_a_group_activity_with_the_person_times_entered(api_client_for, staff_lishi, group_payload):
    response = api_client_for(staff_lishi).post(URL, group_payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["participants"], len(response.json()["children"])) == (40, 3)


def test_a_group_activity_lists_its_other_volunteers(api_client_for, staff_lishi, group_payload, mother_lishi):
    body = api_client_for(staff_lishi).post(URL, group_payload, format="json").json()
    assert body["co_volunteers"] == [mother_lishi.pk]


# --- scoping --------------------------------------------------------------------------------------

@pytest.fixture
def lishi_visit(record, volunteer_lishi, my_child):
    """A visit in 离石区, recorded by the caring mother behind ``volunteer_lishi``."""
    return record(volunteer_lishi, children=[my_child], occurred_on=date(2025, 4, 10))


@pytest.fixture
def other_visit(record, staff_lishi, make_child, mother_lishi, pair):
    """A visit in 离石区 by another caring mother (刘秀兰)."""
    child = make_child(staff_lishi, name="赵小军", gender="male")
    pair(child, mother_lishi)
    return record(staff_lishi, children=[child], occurred_on=date(2025, 4, 11), volunteer=mother_lishi)


def test_staff_outside_the_region_get_404(api_client_for, staff_yuci, lishi_visit):
    assert api_client_for(staff_yuci).get(detail(lishi_visit)).status_code == 404


def test_staff_outside_the_region_list_nothing_of_it(api_client_for, staff_yuci, lishi_visit):
    assert api_client_for(staff_yuci).get(URL).json()["count"] == 0


def test_the_city_viewer_reads_a_county_activity(api_client_for, viewer_lvliang, lishi_visit):
    response = api_client_for(viewer_lvliang).get(detail(lishi_visit))
    assert response.status_code == 200
    assert response.json()["id"] == str(lishi_visit.pk)


def test_the_viewer_cannot_record(api_client_for, viewer_lvliang, my_child, my_mother):
    response = api_client_for(viewer_lvliang).post(URL, payload(my_child, volunteer=my_mother.pk), format="json")
    assert response.status_code == 403
    assert counts() == (0, 0)


def test_a_volunteer_lists_only_her_own(phone, lishi_visit, other_visit):
    ids = [row["id"] for row in phone.get(URL).json()["results"]]
    assert ids == [str(lishi_visit.pk)]


def test_a_volunteer_gets_404_for_another_mothers_activity(phone, lishi_visit, other_visit):
    assert phone.get(detail(other_visit)).status_code == 404


def test_anonymous_callers_get_401(api_client, lishi_visit):
    assert api_client.get(URL).status_code == 401


# --- corrections ----------------------------------------------------------------------------------

def test_a_volunteer_corrects_a_recent_activity(phone, my_child, today):
    sent = payload(my_child, occurred_on=days_ago(today, 2))
    phone.post(URL, sent, format="json")
    response = phone.patch(f"{URL}{sent['id']}/", {"notes": "补记：辅导了数学"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["notes"] == "补记：辅导了数学"


def test_a_volunteer_gets_403_past_the_edit_window(phone, my_child, today):
    sent = payload(my_child, occurred_on=days_ago(today, 10))
    phone.post(URL, sent, format="json")
    response = phone.patch(f"{URL}{sent['id']}/", {"notes": "改动"}, format="json")
    assert response.status_code == 403
    assert Activity.objects.get(pk=sent["id"]).notes == "陪孩子读绘本"


def test_staff_correct_an_old_activity_and_it_is_audited(phone, api_client_for, staff_lishi, my_child, today):
    sent = payload(my_child, occurred_on=days_ago(today, 30))
    phone.post(URL, sent, format="json")
    response = api_client_for(staff_lishi).patch(f"{URL}{sent['id']}/", {"participants": 2}, format="json")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=sent["id"], actor=staff_lishi).exists()


def test_a_correction_with_bad_input_names_the_field(api_client_for, staff_lishi, lishi_visit):
    response = api_client_for(staff_lishi).patch(detail(lishi_visit), {"aid_value_yuan": "-3"}, format="json")
    assert response.status_code == 400
    assert "aid_value_yuan" in response.json()


def test_the_children_cannot_be_changed_by_a_correction(api_client_for, staff_lishi, lishi_visit, child_yuci):
    response = api_client_for(staff_lishi).patch(detail(lishi_visit), {"children": [child_yuci.pk]}, format="json")
    assert response.status_code == 400
    assert "children" in response.json()


def test_sending_the_record_back_unchanged_is_accepted(api_client_for, staff_lishi, lishi_visit):
    client = api_client_for(staff_lishi)
    body = client.get(detail(lishi_visit)).json()
    response = client.patch(detail(lishi_visit), {**body, "notes": "已回访"}, format="json")
    assert response.status_code == 200, response.json()


def test_delete_is_not_allowed(api_client_for, staff_lishi, lishi_visit):
    assert api_client_for(staff_lishi).delete(detail(lishi_visit)).status_code == 405
    assert Activity.objects.filter(pk=lishi_visit.pk).exists()


def test_put_is_not_allowed(api_client_for, staff_lishi, lishi_visit, my_child):
    response = api_client_for(staff_lishi).put(detail(lishi_visit), payload(my_child), format="json")
    assert response.status_code == 405


# --- filters --------------------------------------------------------------------------------------

def listed(client, query: str) -> set[str]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def test_filter_by_date_range(api_client_for, staff_lishi, lishi_visit, other_visit):
    client = api_client_for(staff_lishi)
    assert listed(client, "?occurred_after=2025-04-11&occurred_before=2025-04-30") == {str(other_visit.pk)}


def test_filter_by_kind(api_client_for, staff_lishi, record, my_child, my_mother, lishi_visit):
    call = record(staff_lishi, children=[my_child], occurred_on=date(2025, 4, 12), kind="call", volunteer=my_mother)
    assert listed(api_client_for(staff_lishi), "?kind=call") == {str(call.pk)}


def test_filter_by_volunteer(api_client_for, staff_lishi, lishi_visit, other_visit, mother_lishi):
    assert listed(api_client_for(staff_lishi), f"?volunteer={mother_lishi.pk}") == {str(other_visit.pk)}


def test_filter_by_volunteer_includes_activities_she_took_part_in(api_client_for, staff_lishi, group_payload,
                                                                   mother_lishi):
    client = api_client_for(staff_lishi)
    client.post(URL, group_payload, format="json")
    assert listed(client, f"?volunteer={mother_lishi.pk}") == {group_payload["id"]}


def test_filter_by_child(api_client_for, staff_lishi, lishi_visit, other_visit, my_child):
    assert listed(api_client_for(staff_lishi), f"?child={my_child.pk}") == {str(lishi_visit.pk)}


def test_filter_by_region_subtree(api_client_for, viewer_lvliang, lishi_visit):
    client = api_client_for(viewer_lvliang)
    assert listed(client, "?region=141102000000") == {str(lishi_visit.pk)}
    assert listed(client, "?region=141102002000") == set()


def test_a_malformed_region_is_a_400(api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).get(URL + "?region=1411")
    assert response.status_code == 400
    assert "region" in response.json()


# --- performance ----------------------------------------------------------------------------------

def test_list_query_count_does_not_grow_with_the_page(api_client_for, staff_lishi, record, my_child, my_mother,
                                                      mother_lishi, django_assert_num_queries):
    client = api_client_for(staff_lishi)
    for size in (3, 20):
        while Activity.objects.count() < size:
            record(staff_lishi, children=[my_child], occurred_on=date(2025, 4, 1) + timedelta(days=Activity.objects
                   .count()), volunteer=my_mother, co_volunteers=[mother_lishi.pk])
        # 1. the token JOIN its user (TokenAuthentication);
        # 2. COUNT(*) of the scoped, filtered activities, for the page count;
        # 3. the page of activities JOIN volunteer (select_related);
        # 4. the children of the activities on the page (prefetch, one IN query);
        # 5. their other volunteers (prefetch through the M2M table, one IN query);
        # 6. their photos (prefetch, one IN query).
        with django_assert_num_queries(6):
            response = client.get(URL)
        assert response.json()["count"] == size


def test_a_caring_mothers_visit_takes_seven_queries(phone, my_child, today, django_assert_num_queries):
    phone.post(URL, payload(my_child, kind="call"), format="json")  # the token's use renewed (accounts.tokens)
    # 1. the token JOIN its user, her caring mother's row and the token's last use (accounts.tokens;
    #    compiled once per process and prepared on PostgreSQL: core.prepared);
    # 2. SAVEPOINT: activities.services._activity_create's transaction (outside a test: BEGIN);
    # 3. the children in her scope, each with her latest pairing with it (two subqueries) and whether she
    #    already has a home visit with it that day (EXISTS): scope, exit, pairing and repeat checks
    #    (compiled once, prepared);
    # 4. INSERT the activity (its client UUID as the primary key: a taken id fails here, nothing before;
    #    core.prepared.insert_rows);
    # 5. INSERT its child link (the same);
    # 6. her unread due/overdue reminders, to mark read those this visit completes (none here; compiled
    #    once, prepared);
    # 7. RELEASE SAVEPOINT (outside a test: COMMIT).
    # No re-read: the 201 is built from what was written. (A visit of this month: one dated in a closed
    # month adds an UPDATE of the analytics table's change counter, reports.statstable.stats_changed.)
    with django_assert_num_queries(7):
        response = phone.post(URL, payload(my_child, occurred_on=today.isoformat()), format="json")
    assert response.status_code == 201


def test_a_visit_dated_in_a_closed_month_takes_eight_queries(phone, my_child, django_assert_num_queries):
    phone.post(URL, payload(my_child, kind="call"), format="json")  # the token's use renewed (accounts.tokens)
    # The seven above, and the analytics table's change counter of the months from VISIT_DAY's on (one
    # UPDATE … RETURNING the months it marked).
    with django_assert_num_queries(8):
        response = phone.post(URL, payload(my_child), format="json")
    assert response.status_code == 201


# --- schema ---------------------------------------------------------------------------------------

def test_schema_documents_the_activity_endpoints(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = response.json()["paths"]
    assert {"/api/v1/activities/", "/api/v1/activities/{id}/", "/api/v1/activities/{id}/photos/"} <= set(paths)
    assert "delete" not in paths["/api/v1/activities/{id}/"]
