"""Reminders to send last month's submission (submissions.reminders): from SUBMISSION_REMINDER_DAY (the
5th by default) on, once per region and month, to the staff and administrators of each city, county and
township that has not sent it; the setting stops start-up when malformed."""

from datetime import date

import pytest

from activities.models import Notification
from submissions import reminders, services
from submissions.tasks import send_submission_reminders
from tests.test_settings_env import DEV, setup_django

pytestmark = pytest.mark.django_db


def reminded(month_label: str) -> set[str]:
    return set(Notification.objects.filter(kind=reminders.KIND_DUE, dedupe_key__endswith=month_label)
               .values_list("recipient__username", flat=True))


@pytest.fixture
def people(staff_binhe, leader_binhe, staff_lishi, admin_lishi, staff_yuci, staff_lvliang, viewer_lvliang,
           admin_province, volunteer_lishi, superuser):
    """Editors of a township, two counties and a city; and who is never reminded: leaders, the province's
    administrator (the province sends nothing), a caring mother, the superuser."""


@pytest.mark.parametrize("today", [date(2027, 3, 5)], ids=["5th"])
def test_on_the_5th_the_regions_that_have_not_sent_are_reminded(regions, people, today):
    run = reminders.send_submission_reminders()
    assert run.as_dict() == {"day": "2027-03-05", "month": "2027-02", "sent": 5}
    assert reminded("2027-02") == {"staff_binhe", "staff_lishi", "admin_lishi", "staff_yuci", "staff_lvliang"}
    note = Notification.objects.get(recipient__username="staff_binhe")
    assert note.dedupe_key == f"submission-due:{regions.lishi_township.code}:2027-02"
    assert note.title == "滨河街道尚未报送2027-02的月度报送"
    assert note.link == f"/submissions/?region={regions.lishi_township.code}&month=2027-02"


@pytest.mark.parametrize("today", [date(2027, 3, 5)], ids=["5th"])
def test_running_again_reminds_nobody_twice(regions, people, today):
    reminders.send_submission_reminders()
    assert reminders.send_submission_reminders().sent == 0
    assert send_submission_reminders.apply().get()["sent"] == 0  # the task itself, run here
    assert Notification.objects.filter(kind=reminders.KIND_DUE).count() == 5


@pytest.mark.parametrize("today", [date(2027, 3, 4)], ids=["4th"])
def test_before_the_day_nothing_is_sent(regions, people, today):
    assert reminders.send_submission_reminders().as_dict() == {"day": "2027-03-04", "month": None, "sent": 0}
    assert not Notification.objects.filter(kind=reminders.KIND_DUE).exists()


@pytest.mark.parametrize("today", [date(2027, 3, 15)], ids=["15th"])
def test_a_sent_month_is_not_reminded_a_returned_one_is(regions, lianhua, people, staff_binhe, leader_binhe,
                                                        staff_lishi, staff_lianhua, leader_lianhua, send, today):
    services.submission_return(actor=staff_lishi, submission=send(staff_binhe, regions.lishi_township, leader_binhe),
                               reason="请补充")
    send(staff_lianhua, lianhua, leader_lianhua)
    reminders.send_submission_reminders()
    assert "staff_binhe" in reminded("2027-02") and "staff_lianhua" not in reminded("2027-02")


@pytest.mark.parametrize("today", [date(2027, 3, 15)], ids=["15th"])
def test_an_accepted_month_is_not_reminded(regions, staff_binhe, leader_binhe, staff_lishi, send, today):
    services.submission_accept(actor=staff_lishi, submission=send(staff_binhe, regions.lishi_township, leader_binhe))
    reminders.send_submission_reminders()
    assert reminded("2027-02") == {"staff_lishi"}


@pytest.mark.parametrize("today", [date(2028, 3, 5)], ids=["5th-after-feb-29"])
def test_after_a_leap_february_it_is_februarys_that_is_due(regions, staff_binhe, today):
    run = reminders.send_submission_reminders()
    assert run.month == date(2028, 2, 1)
    assert Notification.objects.get(recipient=staff_binhe).dedupe_key.endswith(":2028-02")


@pytest.mark.parametrize("today", [date(2028, 2, 28), date(2028, 2, 29)], ids=["feb-28", "feb-29"])
def test_a_late_reminder_day_still_falls_in_every_month(regions, staff_binhe, settings, today):
    settings.SUBMISSION_REMINDER_DAY = 28
    assert reminders.send_submission_reminders().month == date(2028, 1, 1)
    assert reminded("2028-01") == {"staff_binhe"}


@pytest.mark.parametrize("today", [date(2027, 4, 30)], ids=["month-end"])
def test_a_region_still_missing_at_the_months_end_is_reminded_once(regions, staff_binhe, today):
    Notification.objects.create(recipient=staff_binhe, kind=reminders.KIND_DUE, title="已提醒",
                                dedupe_key=reminders.due_key(regions.lishi_township.code, date(2027, 3, 1)))
    assert reminders.send_submission_reminders().sent == 0


@pytest.mark.parametrize(("value", "ok"), [("28", True), ("0", False), ("29", False), ("fifth", False)])
def test_the_reminder_day_setting_fails_loudly(tmp_path, value, ok):
    result = setup_django({**DEV, "SUBMISSION_REMINDER_DAY": value}, tmp_path)
    assert (result.returncode == 0) == ok, result.stderr
    if not ok:
        assert "SUBMISSION_REMINDER_DAY" in result.stderr
