"""Birthday and occasion reminders (activities.occasion_reminders) in the daily run: the lead caring
mother hears N days before the child's birthday and each configured occasion, once per child, occasion
and year; 29 February, month ends and year ends. Each test pins its own day (tests/clock.py)."""

from datetime import date

import pytest

from activities import channels, reminders
from activities.models import Notification
from activities.occasion_reminders import KIND_OCCASION, occasion_key
from pairing import commitments
from pairing.commitments import OccasionRule, RuleData
from pairing.models import PairingRole
from tests import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def child_of(make_child, staff_lishi, my_mother, pair):
    """``child_of(birth_date, name=…)``: a child of 东关村 led by ``my_mother`` (the volunteer_lishi login)."""

    def make(birth_date: date, *, name: str = "王小雨", mother=None):
        child = make_child(staff_lishi, name=name, birth_date=birth_date)
        pair(child, mother or my_mother)
        return child

    return make


def run_on(day: date):
    with clock.pinned(day):
        return reminders.send_daily()


def occasion_notes(user=None):
    notes = Notification.objects.filter(kind=KIND_OCCASION)
    return list(notes.filter(recipient=user) if user else notes)


def plan(actor, region, **changes):
    values = {"rules": {}, "birthday_remind_days": 7, "birthday_window_days": 7, "occasions": [], **changes}
    return commitments.commitment_plan_set(actor=actor, region=region, **values)


def test_the_lead_is_reminded_seven_days_before_the_birthday(child_of, volunteer_lishi):
    child = child_of(date(2015, 3, 8))
    run_on(date(2027, 3, 1))
    [note] = occasion_notes(volunteer_lishi)
    assert note.dedupe_key == occasion_key(child.pk, "birthday", 2027)
    assert "小雨" in note.title and "王小雨" not in note.title and "2027-03-08" in note.title


def test_eight_days_before_the_birthday_there_is_no_reminder(child_of):
    child_of(date(2015, 3, 8))
    run_on(date(2027, 2, 28))
    assert occasion_notes() == []


def test_a_birthday_is_reminded_once_however_many_days_the_run_repeats(child_of):
    child_of(date(2015, 3, 8))
    for day in (date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 8)):
        run_on(day)
    assert len(occasion_notes()) == 1


def test_a_leap_day_birthday_is_reminded_before_28_february_in_a_common_year(child_of):
    child_of(date(2016, 2, 29))
    run_on(date(2027, 2, 21))
    [note] = occasion_notes()
    assert "2027-02-28" in note.title


def test_a_leap_day_birthday_is_reminded_before_29_february_in_a_leap_year(child_of):
    child_of(date(2016, 2, 29))
    run_on(date(2028, 2, 21))
    assert occasion_notes() == []
    run_on(date(2028, 2, 22))
    [note] = occasion_notes()
    assert "2028-02-29" in note.title


def test_a_reminder_crosses_the_month_end(child_of):
    child_of(date(2015, 5, 5))
    run_on(date(2027, 4, 30))
    [note] = occasion_notes()
    assert "2027-05-05" in note.title


def test_an_occasion_early_in_january_is_reminded_on_31_december_keyed_with_the_new_year(
        child_of, admin_lishi, regions):
    plan(admin_lishi, regions.lishi, occasions=[OccasionRule("寒假家访", 1, 5, 7, 7)])
    child = child_of(date(2015, 10, 20))
    run_on(date(2026, 12, 31))
    [note] = occasion_notes()
    assert note.dedupe_key == occasion_key(child.pk, "0105", 2027)
    assert "寒假家访" in note.title and "2027-01-05" in note.title


def test_the_default_occasions_are_reminded_before_children_s_day(child_of):
    child = child_of(date(2015, 10, 20))
    run_on(date(2027, 5, 25))
    [note] = occasion_notes()
    assert note.dedupe_key == occasion_key(child.pk, "0601", 2027)


def test_each_occasion_has_its_own_days_before(child_of, admin_lishi, regions):
    plan(admin_lishi, regions.lishi, occasions=[OccasionRule("开学", 9, 1, 3, 7)])
    child_of(date(2015, 10, 20))
    run_on(date(2027, 8, 28))
    assert occasion_notes() == []
    run_on(date(2027, 8, 29))
    assert len(occasion_notes()) == 1


def test_a_region_with_the_birthday_switched_off_reminds_no_birthday(child_of, admin_lishi, regions):
    plan(admin_lishi, regions.lishi, rules={commitments.CommitmentKind.BIRTHDAY_VISIT: RuleData(enabled=False)})
    child_of(date(2015, 3, 8))
    run_on(date(2027, 3, 1))
    assert occasion_notes() == []


def test_a_helper_is_not_reminded(child_of, my_mother, mother_lishi, pair, volunteer_lishi):
    child = child_of(date(2015, 3, 8), mother=mother_lishi)  # led by a mother without a login
    pair(child, my_mother, PairingRole.HELPER)
    run_on(date(2027, 3, 1))
    assert occasion_notes(volunteer_lishi) == []


def test_the_run_counts_the_occasion_reminders(child_of):
    child_of(date(2015, 3, 8))
    assert run_on(date(2027, 3, 1)).occasions == 1


def test_the_sms_of_an_occasion_reminder_names_no_child(child_of, volunteer_lishi):
    child_of(date(2015, 3, 8))
    run_on(date(2027, 3, 1))
    [note] = occasion_notes(volunteer_lishi)
    text = channels.sms_text(note)
    assert text == channels.SMS_TEMPLATES[KIND_OCCASION] and "小雨" not in text
