"""Urgent reports reach staff by SMS at once — quiet hours or not — and the SMS names no child."""

from datetime import datetime, time

import pytest
import time_machine

from activities.models import DeliveryAttempt, DeliveryPreference, DeliveryStatus
from tests.clock import SHANGHAI
from tests.smsgateway import sms_gateway  # noqa: F401

pytestmark = pytest.mark.django_db
NIGHT = datetime(2027, 3, 15, 2, 30, tzinfo=SHANGHAI)


@pytest.fixture
def staff_by_sms(staff_lishi):
    staff_lishi.phone = "13800000001"
    staff_lishi.save(update_fields=["phone"])
    DeliveryPreference.objects.create(user=staff_lishi, sms=True, quiet_start=time(22), quiet_end=time(7))
    return staff_lishi


def test_an_alert_sms_names_neither_the_child_nor_her_id(volunteer_lishi, child, staff_by_sms, report,
                                                         sms_gateway, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        report(volunteer_lishi, child=child, description="王小雨从树上摔下")
    [request] = sms_gateway.requests
    text = request["json"]["text"]
    assert text == "【爱心妈妈】东关村有紧急情况报告，请尽快登录处理。"
    assert "王" not in text and "小雨" not in text
    assert child.reveal_id_number() not in text


def test_an_alert_ignores_quiet_hours(volunteer_lishi, child, staff_by_sms, report, sms_gateway,  # noqa: F811
                                      django_capture_on_commit_callbacks):
    with time_machine.travel(NIGHT, tick=False), django_capture_on_commit_callbacks(execute=True):
        report(volunteer_lishi, child=child)
    assert len(sms_gateway.delivered) == 1
    assert DeliveryAttempt.objects.get().status == DeliveryStatus.SENT
