"""activities.services: recording (bad input, idempotency on the id, group activities, who may
record what) and correcting (the edit window, the audit)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from accounts.models import AuditAction, AuditEvent
from activities import services
from activities.models import Activity, ActivityChild
from children.models import Need

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    """王小雨 (离石区), led by the caring mother behind ``volunteer_lishi`` since 2025-03-01."""
    pair(child_lishi, my_mother)
    return child_lishi


def visit(actor, child, **fields) -> tuple[Activity, bool]:
    values = {"children": [child.pk], "occurred_on": VISIT_DAY, "kind": "home_visit", **fields}
    return services.activity_record(actor=actor, **values)


def refused(actor, child, **fields) -> ValidationError:
    before = Activity.objects.count(), ActivityChild.objects.count()
    with pytest.raises(ValidationError) as caught:
        visit(actor, child, **fields)
    assert (Activity.objects.count(), ActivityChild.objects.count()) == before  # nothing stored
    return caught.value


# --- recording ------------------------------------------------------------------------------------

def test_volunteer_records_a_visit_to_her_child(volunteer_lishi, my_child, my_mother):
    activity, created = visit(volunteer_lishi, my_child, services=["emotional", "tutoring"])
    assert created
    assert activity.volunteer == my_mother
    assert list(activity.children.all()) == [my_child]


def test_a_visit_counts_one_person_time_by_default(volunteer_lishi, my_child):
    activity, _created = visit(volunteer_lishi, my_child)
    assert activity.participants == 1


def test_the_child_link_copies_the_date_and_the_childs_region(volunteer_lishi, my_child):
    activity, _created = visit(volunteer_lishi, my_child)
    link = ActivityChild.objects.get(activity=activity)
    assert (link.occurred_on, link.region_id) == (VISIT_DAY, my_child.region_id)


def test_follow_up_opens_a_need_for_the_child(volunteer_lishi, my_child):
    visit(volunteer_lishi, my_child, follow_up=True, notes="孩子想要一个新书包")
    need = Need.objects.get(child=my_child)
    assert need.description == "孩子想要一个新书包"


def test_staff_record_on_behalf_of_a_caring_mother(staff_lishi, my_child, my_mother):
    activity, _created = visit(staff_lishi, my_child, volunteer=my_mother)
    assert (activity.volunteer, activity.created_by) == (my_mother, staff_lishi)


# --- bad input: a field-named error, nothing stored -----------------------------------------------

def test_a_future_date_is_refused(volunteer_lishi, my_child, today):
    error = refused(volunteer_lishi, my_child, occurred_on=today + timedelta(days=1))
    assert "occurred_on" in error.message_dict


def test_a_date_before_the_pairing_began_is_refused(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, occurred_on=date(2025, 2, 28))
    assert "occurred_on" in error.message_dict


def test_a_child_she_is_not_paired_with_is_refused(volunteer_lishi, my_mother, make_child, staff_lishi):
    stranger = make_child(staff_lishi, name="赵小军", gender="male")
    error = refused(volunteer_lishi, stranger)
    assert "children" in error.message_dict


def test_staff_cannot_record_a_visit_to_an_unpaired_child(staff_lishi, child_lishi, my_mother):
    error = refused(staff_lishi, child_lishi, volunteer=my_mother)
    assert "children" in error.message_dict


def test_a_negative_aid_value_is_refused(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, aid_value_yuan="-5")
    assert "aid_value_yuan" in error.message_dict


def test_an_aid_value_over_100000_yuan_needs_a_confirmation(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, aid_value_yuan="100001")
    assert "aid_value_yuan" in error.message_dict


def test_an_aid_value_over_100000_yuan_is_taken_when_confirmed(volunteer_lishi, my_child):
    activity, _created = visit(volunteer_lishi, my_child, aid_value_yuan="100001", confirm_large_aid=True)
    assert activity.aid_value_yuan == Decimal("100001")


def test_an_unknown_kind_is_refused(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, kind="picnic")
    assert "kind" in error.message_dict


def test_an_unknown_service_is_refused(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, services=["magic"])
    assert "services" in error.message_dict


def test_a_volunteer_cannot_record_for_another_caring_mother(volunteer_lishi, my_child, mother_lishi):
    error = refused(volunteer_lishi, my_child, volunteer=mother_lishi)
    assert "volunteer" in error.message_dict


def test_a_viewer_cannot_record(viewer_lvliang, my_child, my_mother):
    with pytest.raises(PermissionDenied):
        visit(viewer_lvliang, my_child, volunteer=my_mother)
    assert not Activity.objects.exists()


def test_fewer_person_times_than_children_is_refused(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, participants=0)
    assert "participants" in error.message_dict


# --- idempotency on the client's id ---------------------------------------------------------------

def test_the_same_id_with_the_same_content_returns_the_stored_activity(volunteer_lishi, my_child):
    key = uuid.uuid4()
    first, _created = visit(volunteer_lishi, my_child, id=key, notes="读绘本")
    again, created = visit(volunteer_lishi, my_child, id=key, notes="读绘本")
    assert (again.pk, created) == (first.pk, False)
    assert Activity.objects.count() == 1


def test_the_same_id_with_other_content_is_a_conflict(volunteer_lishi, my_child):
    key = uuid.uuid4()
    visit(volunteer_lishi, my_child, id=key, notes="读绘本")
    with pytest.raises(services.ActivityConflict):
        visit(volunteer_lishi, my_child, id=key, notes="辅导数学")
    assert Activity.objects.get(pk=key).notes == "读绘本"  # the original is unchanged


# --- group activities -----------------------------------------------------------------------------

@pytest.fixture
def festival(staff_lishi, make_child, my_mother, mother_lishi, make_volunteer):
    """A Mid-Autumn gathering: three children of 离石区 (none of them paired), the organising caring
    mother, two more volunteers, 25 person-times entered (children, guardians and helpers)."""
    children = [make_child(staff_lishi, name=name) for name in ("李小花", "王小雨", "赵小军")]
    helper = make_volunteer(staff_lishi, name="孙玉兰")
    activity, _created = services.activity_record(
        actor=staff_lishi, volunteer=my_mother, children=[c.pk for c in children], occurred_on=VISIT_DAY,
        kind="festival", is_group=True, title="中秋游园会", participants=25,
        co_volunteers=[mother_lishi.pk, helper.pk])
    return activity


def test_a_group_activity_reaches_every_child(festival):
    assert festival.child_links.count() == 3


def test_a_group_activity_counts_the_person_times_entered(festival):
    assert Activity.objects.aggregate(total=Sum("participants"))["total"] == 25


def test_a_group_activity_lists_its_other_volunteers(festival, mother_lishi):
    assert mother_lishi in festival.co_volunteers.all()


def test_a_volunteer_cannot_record_a_group_activity(volunteer_lishi, my_child):
    error = refused(volunteer_lishi, my_child, is_group=True, kind="festival", participants=10)
    assert "is_group" in error.message_dict


# --- correcting -----------------------------------------------------------------------------------

def test_a_volunteer_corrects_her_recent_activity(volunteer_lishi, my_child, today):
    activity, _created = visit(volunteer_lishi, my_child, occurred_on=today - timedelta(days=3))
    services.activity_update(actor=volunteer_lishi, activity=activity, notes="补充：孩子情绪好转")
    activity.refresh_from_db()
    assert activity.notes == "补充：孩子情绪好转"


def test_a_volunteer_cannot_correct_an_activity_past_the_edit_window(volunteer_lishi, my_child, today):
    activity, _created = visit(volunteer_lishi, my_child, occurred_on=today - timedelta(days=10), notes="原记录")
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=volunteer_lishi, activity=activity, notes="改动")
    activity.refresh_from_db()
    assert activity.notes == "原记录"


def test_staff_correct_an_old_activity_and_it_is_audited(staff_lishi, volunteer_lishi, my_child, today):
    activity, _created = visit(volunteer_lishi, my_child, occurred_on=today - timedelta(days=30))
    services.activity_update(actor=staff_lishi, activity=activity, participants=2)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, target_id=str(activity.pk))
    assert (event.actor, event.detail["fields"]) == (staff_lishi, ["participants"])
