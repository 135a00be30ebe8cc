"""The whole chain of an urgent report on PostgreSQL with a REAL Celery worker over Redis: a caring
mother reports from her phone (the API); the township and county staff are told in the app, by e-mail
(Django's locmem backend) and by SMS (a real HTTP gateway on 127.0.0.1); nobody takes it on, so the
beat task escalates it to the city, whose staff are told too; the county staff acknowledge it and the
child's red review opens.

Runs in CI's PostgreSQL + Redis pass (``-m redis``); skipped without a broker or on SQLite."""

import uuid
from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from activities.models import DeliveryAttempt, DeliveryPreference, DeliveryStatus, Notification
from alerts.models import Alert, AlertStatus
from alerts.tasks import escalate_alerts
from children.models import RiskColor
from config.celery import app
from tests.celeryworker import wait_for, worker  # noqa: F401 (the fixture)
from tests.smsgateway import sms_gateway  # noqa: F401 (the fixture)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="runs on PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _reachable(user, *, email: str = "", phone: str = "") -> None:
    """``user`` has an address and chose e-mail and/or SMS, with quiet hours the alert must ignore."""
    user.email, user.phone = email, phone
    user.save(update_fields=["email", "phone"])
    DeliveryPreference.objects.create(user=user, email=bool(email), sms=bool(phone),
                                      quiet_start=time(0), quiet_end=time(23, 59))


def _sent(**where) -> int:
    return DeliveryAttempt.objects.filter(status=DeliveryStatus.SENT, **where).count()


def test_a_report_reaches_staff_escalates_and_acknowledged_opens_a_red_review(
        api_client_for, volunteer_lishi, child, staff_lishi, staff_binhe, staff_lvliang, sms_gateway, worker):  # noqa: F811
    assert not app.conf.task_always_eager
    _reachable(staff_lishi, email="limin@example.cn")
    _reachable(staff_binhe, phone="13800000002")
    _reachable(staff_lvliang, email="sunmei@example.cn", phone="13800000003")
    assert child.risk_color != RiskColor.RED

    # 1. The caring mother reports; the local staff hear at once, in the app, by e-mail and by SMS.
    alert_id = uuid.uuid4()
    response = api_client_for(volunteer_lishi).post("/api/v1/alerts/", {
        "id": str(alert_id), "child": child.pk, "kind": "injury", "description": "从树上摔下，手臂疼痛",
        "occurred_on": date(2027, 3, 14).isoformat()}, format="json")
    assert response.status_code == 201, response.content.decode()
    assert set(Notification.objects.filter(kind="alert").values_list("recipient__username", flat=True)) >= {
        "staff_lishi", "staff_binhe"}
    assert wait_for(lambda: _sent() == 2), list(DeliveryAttempt.objects.values("channel", "status", "last_error"))
    assert [m.to for m in mail.outbox] == [["limin@example.cn"]]
    assert [r["json"] for r in sms_gateway.delivered] == [
        {"to": "13800000002", "text": "【爱心妈妈】东关村有紧急情况报告，请尽快登录处理。"}]
    assert not Notification.objects.filter(recipient=staff_lvliang).exists()

    # 2. Nobody takes it on: ALERT_ESCALATE_AFTER_MINUTES later (the report is dated back rather than the
    # clock moved on, which would make the broker give back messages as if their worker were lost), the
    # beat task escalates it to the city.
    Alert.objects.filter(pk=alert_id).update(
        reported_at=timezone.now() - timedelta(minutes=settings.ALERT_ESCALATE_AFTER_MINUTES + 1))
    escalate_alerts.delay()
    assert wait_for(lambda: _sent(notification__recipient=staff_lvliang) == 2)
    assert Alert.objects.get(pk=alert_id).escalated
    assert mail.outbox[-1].to == ["sunmei@example.cn"]
    assert sms_gateway.delivered[-1]["json"] == {
        "to": "13800000003", "text": "【爱心妈妈】东关村有紧急情况报告超时未接报，请尽快登录处理。"}

    # 3. The county staff acknowledge it: the child is assessed red, which opens her red card's review.
    response = api_client_for(staff_lishi).post(f"/api/v1/alerts/{alert_id}/acknowledge/")
    assert response.status_code == 200, response.content.decode()
    assert response.json()["status"] == AlertStatus.ACKNOWLEDGED
    child.refresh_from_db()
    assert child.risk_color == RiskColor.RED
    assert child.assessments.get().color == RiskColor.RED
    # Every delivery went once: nothing sent twice, nothing left queued.
    assert (len(mail.outbox), len(sms_gateway.requests)) == (2, 2)
    assert not DeliveryAttempt.objects.exclude(status=DeliveryStatus.SENT).exists()
