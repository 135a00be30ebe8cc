"""Views of a record are folded in the audit log (accounts.audit.audit_record): one AuditEvent per user,
record and (Beijing) day, counting the views, with the time of the last; a new day starts a new row,
and nothing but views is ever folded. Runs on each of the calendar's days (tests/clock.py)."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.audit import audit_record
from accounts.models import AuditAction, AuditEvent
from core.request_context import RequestContextMiddleware
from tests import clock

pytestmark = pytest.mark.django_db

RECORD = {"target_type": "children.child", "target_id": "11", "target_label": "王小雨", "region_code": "141102001200"}


def view(actor, **record):
    return audit_record(actor=actor, action=AuditAction.VIEW, **{**RECORD, **record})


def at(day, hour: int, minute: int = 0):
    """Travel to ``hour``:``minute`` Beijing time on ``day`` (the clock stands still there)."""
    return time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=clock.SHANGHAI), tick=False)


def events():
    """The events of the test's record (loading the region tree wrote an import event of its own)."""
    return AuditEvent.objects.filter(target_label=RECORD["target_label"])


def rows():
    return list(events().order_by("id").values_list("actor", "action", "target_id", "day", "count"))


def test_two_views_of_one_record_by_one_user_on_one_day_are_one_row(staff_lishi, today):
    view(staff_lishi)
    view(staff_lishi)
    assert rows() == [(staff_lishi.pk, AuditAction.VIEW, "11", today, 2)]


def test_a_folded_view_returns_the_count_so_far(staff_lishi, today):
    view(staff_lishi)
    view(staff_lishi)
    assert view(staff_lishi).count == 3


def test_a_folded_row_remembers_the_last_view(staff_lishi, today):
    with at(today, 8):
        view(staff_lishi)
    with at(today, 17, 45):
        view(staff_lishi)
    event = events().get()
    assert event.last_at == datetime.combine(today, time(17, 45), tzinfo=clock.SHANGHAI)


def test_a_folded_row_keeps_the_time_of_the_first_view(staff_lishi, today):
    with at(today, 8):
        view(staff_lishi)
    with at(today, 17, 45):
        view(staff_lishi)
    assert events().get().at == datetime.combine(today, time(8), tzinfo=clock.SHANGHAI)


def test_a_folded_row_keeps_the_address_of_the_last_view(staff_lishi, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    def page(request):
        view(staff_lishi)
        return HttpResponse()

    for address in ("10.0.0.5", "10.0.0.6"):
        RequestContextMiddleware(page)(RequestFactory().get("/", REMOTE_ADDR=address))
    assert events().get().ip == "10.0.0.6"


def test_a_single_view_has_its_day_and_last_time(staff_lishi, today):
    view(staff_lishi)
    event = events().get()
    assert (event.day, event.count, event.last_at is not None) == (today, 1, True)


def test_a_view_on_another_day_starts_a_new_row(staff_lishi, today):
    view(staff_lishi)
    with time_machine.travel(clock.moment(today + timedelta(days=1)), tick=False):
        view(staff_lishi)
    assert [(day, count) for *_rest, day, count in rows()] == [(today, 1), (today + timedelta(days=1), 1)]


def test_the_day_turns_at_midnight_in_beijing_not_in_utc(staff_lishi, today):
    # 23:30 and 00:30 Beijing time are 15:30 and 16:30 on one UTC day.
    with at(today, 23, 30):
        view(staff_lishi)
    with at(today + timedelta(days=1), 0, 30):
        view(staff_lishi)
    assert [day for *_rest, day, _count in rows()] == [today, today + timedelta(days=1)]


def test_views_late_and_early_on_one_beijing_day_are_one_row(staff_lishi, today):
    # 00:30 and 23:30 Beijing time fall on two UTC days.
    with at(today, 0, 30):
        view(staff_lishi)
    with at(today, 23, 30):
        view(staff_lishi)
    assert [(day, count) for *_rest, day, count in rows()] == [(today, 2)]


def test_views_by_two_users_are_two_rows(staff_lishi, viewer_lvliang):
    view(staff_lishi)
    view(viewer_lvliang)
    assert [(actor, count) for actor, *_rest, count in rows()] == [(staff_lishi.pk, 1), (viewer_lvliang.pk, 1)]


def test_views_of_two_records_are_two_rows(staff_lishi):
    view(staff_lishi, target_id="11")
    view(staff_lishi, target_id="12")
    assert [(record, count) for _actor, _action, record, _day, count in rows()] == [("11", 1), ("12", 1)]


def test_views_of_two_kinds_of_record_with_one_id_are_two_rows(staff_lishi):
    view(staff_lishi, target_type="children.child")
    view(staff_lishi, target_type="volunteers.volunteer")
    assert events().count() == 2


def test_views_without_a_user_are_never_folded(regions):
    audit_record(actor=None, action=AuditAction.VIEW, **RECORD)
    audit_record(actor=None, action=AuditAction.VIEW, **RECORD)
    assert [(day, count) for *_rest, day, count in rows()] == [(None, 1), (None, 1)]


@pytest.mark.parametrize("action", [action for action in AuditAction if action != AuditAction.VIEW])
def test_other_actions_are_never_folded(staff_lishi, action):
    audit_record(actor=staff_lishi, action=action, **RECORD)
    audit_record(actor=staff_lishi, action=action, **RECORD)
    assert [(day, count) for *_rest, day, count in rows()] == [(None, 1), (None, 1)]


def test_a_view_is_not_folded_into_another_action_on_the_record(staff_lishi):
    audit_record(actor=staff_lishi, action=AuditAction.REVEAL, **RECORD)
    view(staff_lishi)
    assert [(action, count) for _actor, action, _id, _day, count in rows()] == [(AuditAction.REVEAL, 1),
                                                                               (AuditAction.VIEW, 1)]


def test_a_first_view_is_one_statement(staff_lishi, django_assert_num_queries):
    with django_assert_num_queries(1):
        view(staff_lishi)


def test_a_folded_view_is_one_statement(staff_lishi, django_assert_num_queries):
    view(staff_lishi)
    with django_assert_num_queries(1):
        view(staff_lishi)
