"""activities.delivery beyond the app: e-mail (Django's locmem backend) and SMS (a real HTTP gateway on
127.0.0.1), one attempt per notification and channel, retries with backoff, quiet hours."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail

from activities import channels, delivery
from activities.models import DeliveryAttempt, DeliveryPreference, DeliveryStatus, Notification
from tests.clock import SHANGHAI
from tests.smsgateway import sms_gateway  # noqa: F401

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0, *, day: int = 15) -> datetime:
    return datetime(2027, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def reachable(staff_lishi):
    """staff_lishi with an e-mail address and a mobile number."""
    staff_lishi.email = "limin@example.cn"
    staff_lishi.phone = "13800000001"
    staff_lishi.save(update_fields=["email", "phone"])
    return staff_lishi


@pytest.fixture
def wants():
    def make(user, *, email=False, sms=False, quiet=None):
        start, end = quiet or (None, None)
        return DeliveryPreference.objects.create(user=user, email=email, sms=sms, quiet_start=start, quiet_end=end)

    return make


@pytest.fixture
def notify(django_capture_on_commit_callbacks):
    """``notify(user, kind="digest", key="k1")``: store a notification and deliver it (its tasks run)."""

    def make(user, *, kind: str = "digest", key: str = "k1", title: str = "逾期提醒：3名儿童"):
        note = Notification.objects.create(recipient=user, kind=kind, title=title, body="王小雨 已逾期",
                                           link="/children/", dedupe_key=key)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.deliver([note])
        return note

    return make


def retry(django_capture_on_commit_callbacks) -> int:
    with django_capture_on_commit_callbacks(execute=True):
        return delivery.retry_due()


# --- e-mail ---------------------------------------------------------------------------------------

def test_an_email_goes_to_whoever_chose_it(reachable, wants, notify):
    wants(reachable, email=True)
    note = notify(reachable)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["limin@example.cn"] and mail.outbox[0].subject == note.title
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.channel, attempt.status, attempt.tries) == ("email", DeliveryStatus.SENT, 1)
    assert attempt.sent_at is not None and attempt.next_try_at is None


def test_without_a_preference_only_the_app_is_told(reachable, notify):
    notify(reachable)
    assert mail.outbox == [] and not DeliveryAttempt.objects.exists()


def test_a_channel_without_an_address_is_skipped(staff_lishi, wants, notify):
    wants(staff_lishi, email=True)  # chosen, then the address was removed
    notify(staff_lishi)
    assert mail.outbox == [] and not DeliveryAttempt.objects.exists()


# --- SMS through the HTTP gateway -----------------------------------------------------------------

def test_an_sms_is_posted_as_json_with_the_key(reachable, wants, notify, sms_gateway):  # noqa: F811
    wants(reachable, sms=True)
    notify(reachable)
    [request] = sms_gateway.requests
    assert request["json"] == {"to": "13800000001", "text": "【爱心妈妈】离石区有逾期未联系的儿童，请登录查看。"}
    assert request["headers"]["Authorization"] == "Bearer test-gateway-key"
    assert DeliveryAttempt.objects.get().status == DeliveryStatus.SENT


def test_the_sms_never_carries_the_notification_body(reachable, wants, notify, sms_gateway):  # noqa: F811
    wants(reachable, sms=True)
    notify(reachable, kind="something_new", title="王小雨 的新消息")  # no template: a generic text
    [request] = sms_gateway.requests
    assert request["json"]["text"] == "【爱心妈妈】您有新的消息，请登录查看。"


def test_every_notification_kind_has_its_own_sms_template():
    from activities import occasion_reminders, reminders
    from alerts import services as alerts
    from casework import reminders as casework
    from children import transfers
    from exports import services as exports
    from reports import notify as reports
    from submissions import notices
    from submissions import reminders as submission_reminders

    kinds = {reminders.KIND_DUE, reminders.KIND_DIGEST, alerts.KIND_NEW, alerts.KIND_ESCALATED,
             casework.KIND_ACTIONS, exports.NOTIFICATION_KIND, reports.NOTIFICATION_KIND,
             notices.KIND_SENT, notices.KIND_RETURNED, notices.KIND_ACCEPTED, submission_reminders.KIND_DUE,
             transfers.KIND_REQUESTED, transfers.KIND_TO_PAIR, transfers.KIND_ACCEPTED, transfers.KIND_REJECTED,
             transfers.KIND_CANCELLED, occasion_reminders.KIND_OCCASION}
    assert kinds <= set(channels.SMS_TEMPLATES)
    assert all(len(text.format(region="某某县某某镇")) <= channels.SMS_MAX_CHARS
               for text in channels.SMS_TEMPLATES.values())


def test_sms_is_off_while_the_gateway_url_is_empty(reachable, wants, notify, settings):
    settings.SMS_GATEWAY_URL = ""
    wants(reachable, sms=True)
    notify(reachable)
    assert not DeliveryAttempt.objects.exists()


def test_a_gateway_error_is_a_failed_try_retried_after_a_minute(reachable, wants, notify, sms_gateway):  # noqa: F811
    sms_gateway.status = 503
    wants(reachable, sms=True)
    with time_machine.travel(at(10), tick=False):
        notify(reachable)
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status, attempt.tries) == (DeliveryStatus.FAILED, 1)
    assert "503" in attempt.last_error
    assert attempt.next_try_at == at(10, 1)


def test_a_timeout_fails_and_the_retry_sends_it_once(reachable, wants, notify, sms_gateway,  # noqa: F811
                                                     django_capture_on_commit_callbacks):
    sms_gateway.delay = 1.5  # past SMS_GATEWAY_TIMEOUT (1 s)
    wants(reachable, sms=True)
    with time_machine.travel(at(10), tick=False):
        notify(reachable)
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status == DeliveryStatus.FAILED and "1 s" in attempt.last_error
    sms_gateway.delay = 0
    with time_machine.travel(at(10, 0), tick=False):
        assert retry(django_capture_on_commit_callbacks) == 0  # not due yet
    with time_machine.travel(at(10, 2), tick=False):
        assert retry(django_capture_on_commit_callbacks) == 1
        assert retry(django_capture_on_commit_callbacks) == 0
    attempt.refresh_from_db()
    assert (attempt.status, attempt.tries) == (DeliveryStatus.SENT, 2)
    assert len(sms_gateway.delivered) == 1


def test_failures_back_off_1_2_4_8_16_minutes_and_stop_after_6_tries(reachable, wants, notify, sms_gateway,  # noqa: F811
                                                                     django_capture_on_commit_callbacks):
    sms_gateway.status = 500
    wants(reachable, sms=True)
    moment = at(10)
    with time_machine.travel(moment, tick=False):
        notify(reachable)
    waits = []
    for _ in range(5):
        attempt = DeliveryAttempt.objects.get()
        waits.append(attempt.next_try_at - moment)
        moment = attempt.next_try_at
        with time_machine.travel(moment, tick=False):
            retry(django_capture_on_commit_callbacks)
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status, attempt.tries, attempt.next_try_at) == (DeliveryStatus.FAILED, 6, None)
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        assert retry(django_capture_on_commit_callbacks) == 0
    assert len(sms_gateway.requests) == 6


# --- nothing twice --------------------------------------------------------------------------------

def test_delivering_and_retrying_twice_sends_once(reachable, wants, notify, sms_gateway,  # noqa: F811
                                                  django_capture_on_commit_callbacks):
    wants(reachable, email=True, sms=True)
    note = notify(reachable)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.deliver([note])
    retry(django_capture_on_commit_callbacks)
    retry(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1 and len(sms_gateway.requests) == 1
    assert DeliveryAttempt.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_a_sent_attempt_is_not_sent_again_even_if_named_again(reachable, wants, notify):
    wants(reachable, email=True)
    notify(reachable)
    attempt = DeliveryAttempt.objects.get()
    assert delivery.send_attempts([attempt.pk, attempt.pk]) == {"sent": 0, "failed": 0, "skipped": 2}
    assert len(mail.outbox) == 1


# --- quiet hours ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "now", "until"), [
    (time(22), time(7), at(23, 30), at(7, day=16)),  # before midnight: until tomorrow morning
    (time(22), time(7), at(2), at(7)),  # after midnight: until this morning
    (time(22), time(7), at(7), None),  # the end is outside
    (time(22), time(7), at(12), None),
    (time(12), time(14), at(13), at(14)),  # a span within the day
    (time(12), time(14), at(11, 59), None),
])
def test_quiet_hours_may_wrap_past_midnight(start, end, now, until):
    preference = DeliveryPreference(quiet_start=start, quiet_end=end)
    assert delivery.quiet_until(preference, now) == until


def test_a_notification_in_quiet_hours_waits_until_they_end(reachable, wants, notify,
                                                            django_capture_on_commit_callbacks):
    wants(reachable, email=True, quiet=(time(22), time(7)))
    with time_machine.travel(at(23, 30), tick=False):
        notify(reachable)
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.status, attempt.tries, attempt.next_try_at) == (DeliveryStatus.QUEUED, 0, at(7, day=16))
    with time_machine.travel(at(6, 59, day=16), tick=False):  # past midnight, still quiet
        assert retry(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    with time_machine.travel(at(7, 0, day=16), tick=False):
        assert retry(django_capture_on_commit_callbacks) == 1
    assert len(mail.outbox) == 1
    assert DeliveryAttempt.objects.get().status == DeliveryStatus.SENT


def test_a_retry_falling_in_quiet_hours_waits_too(reachable, wants, notify, sms_gateway,  # noqa: F811
                                                  django_capture_on_commit_callbacks):
    sms_gateway.status = 500
    wants(reachable, sms=True, quiet=(time(22), time(7)))
    with time_machine.travel(at(21, 59), tick=False):
        notify(reachable)
    sms_gateway.status = 200
    with time_machine.travel(at(22, 0), tick=False):
        retry(django_capture_on_commit_callbacks)
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.tries, attempt.next_try_at) == (1, at(7, day=16))
    assert len(sms_gateway.requests) == 1


def test_turning_a_channel_off_drops_what_waits_for_it(reachable, wants, notify, django_capture_on_commit_callbacks):
    preference = wants(reachable, email=True, quiet=(time(22), time(7)))
    with time_machine.travel(at(23), tick=False):
        notify(reachable)
    preference.email = False
    preference.save()
    with time_machine.travel(at(7, day=16), tick=False):
        retry(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert DeliveryAttempt.objects.get().status == DeliveryStatus.FAILED


# --- the tasks ------------------------------------------------------------------------------------

def test_beat_retries_deliveries_every_minute(settings):
    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "activities.tasks.retry_deliveries"]
    assert entry["schedule"].minute == set(range(60)) and entry["schedule"].hour == set(range(24))


def test_the_retry_task_hands_due_attempts_to_the_send_task(reachable, wants, notify):
    from activities.tasks import retry_deliveries

    wants(reachable, email=True, quiet=(time(22), time(7)))
    with time_machine.travel(at(23), tick=False):
        notify(reachable)
    with time_machine.travel(at(7, day=16), tick=False):
        assert retry_deliveries.apply().get() == 1
    assert len(mail.outbox) == 1
