"""The staff pages of care activities: the ledger (filters, pages, query count), an activity's page,
recording on behalf of a caring mother (one child or a group), correcting, the Excel export, and the
activities on the child page's timeline."""

import io
import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import AuditAction, AuditEvent
from activities.models import Activity
from tests.exports.helpers import export_post, exported_sheet

pytestmark = pytest.mark.django_db

LIST = "/activities/"
CREATE = "/activities/new/"
VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    """王小雨 (离石区), led by the caring mother behind ``volunteer_lishi`` since 2025-03-01."""
    pair(child_lishi, my_mother)
    return child_lishi


@pytest.fixture
def lishi_visit(record, volunteer_lishi, my_child):
    """A home visit to 王小雨 (离石区) by 陈桂英, with services, 45 minutes and aid."""
    return record(volunteer_lishi, children=[my_child], occurred_on=VISIT_DAY, services=["emotional", "tutoring"],
                  duration_minutes=45, aid_value_yuan="120.50", follow_up=True, notes="书包破了")


@pytest.fixture
def other_visit(record, staff_lishi, make_child, mother_lishi, pair):
    """A phone call to 赵小军 (离石区) by 刘秀兰, a few days later."""
    child = make_child(staff_lishi, name="赵小军", gender="male")
    pair(child, mother_lishi)
    return record(staff_lishi, children=[child], occurred_on=date(2025, 4, 20), kind="call", volunteer=mother_lishi)


@pytest.fixture
def staff(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def listed(client, query: str = "") -> list:
    response = client.get(LIST + query)
    assert response.status_code == 200
    return [a.pk for a in response.context["page"]]


# --- the ledger -----------------------------------------------------------------------------------

def test_the_ledger_shows_the_columns(staff, lishi_visit):
    html = staff.get(LIST).content.decode()
    for text in ("2025-04-10", "王小雨", "陈桂英", "120.50", "45"):
        assert text in html


def test_the_ledger_names_the_services(staff, lishi_visit):
    row = staff.get(LIST).context["page"][0]
    assert len(row.service_labels) == 2


def test_the_ledger_flags_follow_up(staff, lishi_visit):
    assert "chip-follow" in staff.get(LIST).content.decode()


def test_the_ledger_is_for_region_roles(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(LIST)
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


def test_the_ledger_lists_only_the_users_subtree(client, staff_yuci, lishi_visit):
    client.force_login(staff_yuci)
    assert listed(client) == []


def test_filter_by_date_range(staff, lishi_visit, other_visit):
    assert listed(staff, "?occurred_after=2025-04-15&occurred_before=2025-04-30") == [other_visit.pk]


def test_filter_by_kind(staff, lishi_visit, other_visit):
    assert listed(staff, "?kind=call") == [other_visit.pk]


def test_filter_by_volunteer(staff, lishi_visit, other_visit, my_mother):
    assert listed(staff, f"?volunteer={my_mother.pk}") == [lishi_visit.pk]


def test_filter_by_child(staff, lishi_visit, other_visit, my_child):
    assert listed(staff, f"?child={my_child.pk}") == [lishi_visit.pk]


def test_filter_by_region(client, viewer_lvliang, lishi_visit):
    client.force_login(viewer_lvliang)
    assert listed(client, "?region=141102000000") == [lishi_visit.pk]
    assert listed(client, "?region=141102002000") == []


def test_a_malformed_region_shows_an_error_and_no_rows(staff, lishi_visit):
    response = staff.get(LIST + "?region=abc")
    assert (response.status_code, list(response.context["page"])) == (200, [])
    assert response.context["errors"]


def test_a_group_activity_names_its_first_children_and_counts_the_rest(staff, staff_lishi, make_child, my_mother,
                                                                       record):
    children = [make_child(staff_lishi, name=f"孩子{n}") for n in range(6)]
    record(staff_lishi, children=children, occurred_on=VISIT_DAY, kind="festival", is_group=True, participants=30,
           volunteer=my_mother, title="六一联欢")
    row = staff.get(LIST).context["page"][0]
    assert (len(row.first_links), row.more_children) == (4, 2)


def test_the_ledger_runs_a_fixed_number_of_queries(staff, staff_lishi, record, my_child, my_mother,
                                                   django_assert_num_queries):
    for size in (3, 20):
        while Activity.objects.count() < size:
            record(staff_lishi, children=[my_child], occurred_on=VISIT_DAY + timedelta(days=Activity.objects.count()),
                   volunteer=my_mother)
        # 1 session, 2 user, 3 the region options of the filter, 4 COUNT of the filtered activities,
        # 5 the page JOIN volunteer with each row's number of children (a subquery),
        # 6 the first children of each row (one windowed prefetch), 7 the unread-notifications badge.
        with django_assert_num_queries(7):
            response = staff.get(LIST)
        assert response.context["page"].paginator.count == size


def test_the_navigation_offers_the_ledger_to_staff(staff):
    assert LIST in staff.get("/").content.decode()


# --- an activity's page ---------------------------------------------------------------------------

def test_the_page_shows_the_activity(staff, lishi_visit):
    html = staff.get(f"/activities/{lishi_visit.pk}/").content.decode()
    assert "王小雨" in html and "书包破了" in html


def test_the_page_is_404_outside_the_subtree(client, staff_yuci, lishi_visit):
    client.force_login(staff_yuci)
    assert client.get(f"/activities/{lishi_visit.pk}/").status_code == 404


def test_the_page_shows_photos_through_the_scoped_view(staff, staff_lishi, lishi_visit, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from activities import photos
    from tests.children.conftest import give_consent

    give_consent(lishi_visit.children.get())
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 20, 30)).save(out, "JPEG")
    photo = photos.photo_add(actor=staff_lishi, activity=lishi_visit,
                             upload=SimpleUploadedFile("a.jpg", out.getvalue(), content_type="image/jpeg"))
    html = staff.get(f"/activities/{lishi_visit.pk}/").content.decode()
    assert f'src="{reverse("activities:photo", args=[photo.pk])}"' in html


# --- recording on behalf of a caring mother --------------------------------------------------------

def record_form(**fields) -> dict:
    return {"id": str(uuid.uuid4()), "occurred_on": "2025-04-12", "kind": "home_visit", "services": ["emotional"],
            "duration_minutes": "30", "place": "", "participants": "", "aid_value_yuan": "", "notes": "", **fields}


def test_the_form_from_a_caring_mother_offers_her_paired_children(staff, my_child, my_mother, child_yuci):
    form = staff.get(f"{CREATE}?volunteer={my_mother.pk}").context["form"]
    assert [value for value, _label in form.fields["children"].choices] == [my_child.pk]


def test_the_form_from_a_child_offers_her_caring_mothers(staff, my_child, my_mother):
    form = staff.get(f"{CREATE}?child={my_child.pk}").context["form"]
    assert [value for value, _label in form.fields["volunteer"].choices] == [my_mother.pk]


def test_staff_record_a_visit_through_the_service(staff, staff_lishi, my_child, my_mother):
    response = staff.post(f"{CREATE}?volunteer={my_mother.pk}",
                          record_form(volunteer=my_mother.pk, children=[my_child.pk]))
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    assert (activity.volunteer, activity.created_by, activity.participants) == (my_mother, staff_lishi, 1)


def test_a_double_submit_records_once(staff, my_child, my_mother):
    sent = record_form(volunteer=my_mother.pk, children=[my_child.pk])
    staff.post(f"{CREATE}?volunteer={my_mother.pk}", sent)
    staff.post(f"{CREATE}?volunteer={my_mother.pk}", sent)
    assert Activity.objects.count() == 1


def test_a_bad_date_comes_back_on_its_field(staff, my_child, my_mother):
    response = staff.post(f"{CREATE}?volunteer={my_mother.pk}",
                          record_form(volunteer=my_mother.pk, children=[my_child.pk], occurred_on="2025-02-01"))
    assert response.status_code == 400
    assert response.context["form"].errors["occurred_on"]
    assert not Activity.objects.exists()


def test_a_large_aid_comes_back_until_confirmed(staff, my_child, my_mother):
    sent = record_form(volunteer=my_mother.pk, children=[my_child.pk], aid_value_yuan="150000")
    response = staff.post(f"{CREATE}?volunteer={my_mother.pk}", sent)
    assert response.context["form"].errors["aid_value_yuan"]
    staff.post(f"{CREATE}?volunteer={my_mother.pk}", {**sent, "confirm_large_aid": "on"})
    assert Activity.objects.get().aid_value_yuan == 150000


def test_staff_record_a_group_activity_with_the_person_times_entered(staff, staff_lishi, make_child, my_mother,
                                                                     mother_lishi):
    children = [make_child(staff_lishi, name=name) for name in ("李小花", "王小雨", "赵小军")]
    url = f"{CREATE}?group=1&region=141102000000"
    response = staff.post(url, record_form(volunteer=my_mother.pk, children=[c.pk for c in children],
                                           co_volunteers=[mother_lishi.pk], kind="outing", title="红色研学",
                                           participants="36"))
    assert response.status_code == 302, response.context["form"].errors
    activity = Activity.objects.get()
    assert (activity.is_group, activity.participants, activity.child_links.count()) == (True, 36, 3)
    assert list(activity.co_volunteers.all()) == [mother_lishi]


def test_the_group_form_offers_the_regions_children_and_volunteers(staff, staff_lishi, make_child, my_mother,
                                                                   child_yuci):
    child = make_child(staff_lishi, name="李小花")
    form = staff.get(f"{CREATE}?group=1&region=141102000000").context["form"]
    assert [value for value, _label in form.fields["children"].choices] == [child.pk]
    assert my_mother.pk in [value for value, _label in form.fields["volunteer"].choices]


def test_the_chooser_finds_a_caring_mother_by_name(staff, my_mother):
    response = staff.get(f"{CREATE}?q=桂英")
    assert [v.pk for v in response.context["results"]] == [my_mother.pk]


def test_a_viewer_cannot_open_the_record_form(client, viewer_lvliang, my_mother):
    client.force_login(viewer_lvliang)
    assert client.get(f"{CREATE}?volunteer={my_mother.pk}").status_code == 403


def test_a_caring_mother_outside_the_subtree_is_404(client, staff_yuci, my_mother):
    client.force_login(staff_yuci)
    assert client.get(f"{CREATE}?volunteer={my_mother.pk}").status_code == 404


# --- correcting -----------------------------------------------------------------------------------

def edit_form(activity, **fields) -> dict:
    return {"occurred_on": activity.occurred_on.isoformat(), "kind": activity.kind, "services": activity.services,
            "duration_minutes": activity.duration_minutes or "", "place": activity.place,
            "participants": activity.participants, "aid_value_yuan": str(activity.aid_value_yuan),
            "notes": activity.notes, **fields}


def test_staff_correct_an_old_activity_and_it_is_audited(staff, staff_lishi, lishi_visit):
    response = staff.post(f"/activities/{lishi_visit.pk}/edit/", edit_form(lishi_visit, participants="2"))
    assert response.status_code == 302
    lishi_visit.refresh_from_db()
    assert lishi_visit.participants == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(lishi_visit.pk))
    assert (event.actor, event.detail["fields"]) == (staff_lishi, ["participants"])


def test_a_bad_correction_comes_back_on_its_field(staff, lishi_visit):
    response = staff.post(f"/activities/{lishi_visit.pk}/edit/", edit_form(lishi_visit, aid_value_yuan="-1"))
    assert response.status_code == 400
    assert response.context["form"].errors["aid_value_yuan"]
    lishi_visit.refresh_from_db()
    assert str(lishi_visit.aid_value_yuan) == "120.50"


def test_a_viewer_cannot_correct(client, viewer_lvliang, lishi_visit):
    client.force_login(viewer_lvliang)
    assert client.get(f"/activities/{lishi_visit.pk}/edit/").status_code == 403


# --- the Excel export -----------------------------------------------------------------------------

def exported(client, **params):
    """The activity ledger's export as the list page's button makes it (an export job)."""
    return exported_sheet(client, "activities", read_only=True, **params)


def test_the_export_has_the_chinese_headers_and_the_row(staff, lishi_visit):
    rows = list(exported(staff).values)
    assert rows[0][:4] == ("日期", "活动类型", "标题", "儿童")
    assert rows[1][3] == "王小雨" and rows[1][5] == "陈桂英"


def test_the_export_follows_the_filters(staff, lishi_visit, other_visit):
    rows = list(exported(staff, kind="call").values)
    assert [row[-1] for row in rows[1:]] == [str(other_visit.pk)]


def test_the_export_is_audited_with_its_filters_and_rows(staff, staff_lishi, lishi_visit, other_visit):
    exported(staff, kind="call")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.detail["filters"], event.detail["rows"]) == (staff_lishi, {"kind": "call"}, 1)


def test_the_export_stays_in_the_subtree(client, staff_yuci, lishi_visit):
    client.force_login(staff_yuci)
    assert len(list(exported(client).values)) == 1  # the headers only


def test_the_export_refuses_bad_filters(staff, lishi_visit):
    response = export_post(staff, "activities", region="1411")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_volunteers_cannot_export(client, volunteer_lishi, lishi_visit):
    client.force_login(volunteer_lishi)
    response = export_post(client, "activities")
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


# --- the child page's timeline --------------------------------------------------------------------

def test_the_child_page_timeline_shows_activities(staff, lishi_visit, my_child):
    timeline = staff.get(reverse("children:detail", args=[my_child.pk])).context["timeline"]
    entries = [(e.kind, e.on) for e in timeline if e.kind == "activity"]
    assert entries == [("activity", VISIT_DAY)]


def test_the_child_page_timeline_names_the_caring_mother_and_person_times(staff, lishi_visit, my_child):
    html = staff.get(reverse("children:detail", args=[my_child.pk])).content.decode()
    assert f'href="/activities/{lishi_visit.pk}/"' in html and "陈桂英" in html


def test_the_child_page_offers_to_record_an_activity(staff, my_child):
    html = staff.get(reverse("children:detail", args=[my_child.pk])).content.decode()
    assert f"{CREATE}?child={my_child.pk}" in html


def test_today_is_the_default_date(staff, my_child, my_mother, today):
    form = staff.get(f"{CREATE}?volunteer={my_mother.pk}").context["form"]
    assert form["occurred_on"].value() == today


def test_the_correction_form_opens_with_the_stored_values(staff, lishi_visit):
    response = staff.get(f"/activities/{lishi_visit.pk}/edit/")
    assert response.status_code == 200
    assert response.context["form"]["notes"].value() == "书包破了"


def test_the_record_page_without_a_choice_offers_the_search(staff):
    response = staff.get(CREATE)
    assert response.status_code == 200
    assert response.context["results"] is None
