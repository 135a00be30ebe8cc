"""Escalation (alerts.services.alerts_escalate, the beat task alerts.tasks.escalate_alerts): an alert open
and unacknowledged for ALERT_ESCALATE_AFTER_MINUTES (120 by default) is escalated to its city, once."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as project_settings
from django.test import override_settings

from activities.models import Notification
from alerts import services, tasks
from alerts.models import Alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(staff_lvliang, admin_lvliang, viewer_lvliang):
    return staff_lvliang, admin_lvliang


def test_the_default_is_120_minutes_and_the_task_runs_every_5_minutes():
    assert project_settings.ALERT_ESCALATE_AFTER_MINUTES == 120
    entry = project_settings.CELERY_BEAT_SCHEDULE["alerts-escalate"]
    assert entry["task"] == "alerts.tasks.escalate_alerts"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_not_escalated_at_119_minutes(volunteer_lishi, child, city, report):
    alert = report(volunteer_lishi, child=child)
    run = services.alerts_escalate(now=alert.reported_at + timedelta(minutes=119, seconds=59))
    assert run.alerts == 0 and not Alert.objects.get().escalated
    assert not Notification.objects.filter(kind="alert_escalated").exists()


def test_escalated_at_120_minutes_to_the_citys_staff_and_admins(volunteer_lishi, child, city, report):
    alert = report(volunteer_lishi, child=child)
    run = services.alerts_escalate(now=alert.reported_at + timedelta(minutes=120))
    alert.refresh_from_db()
    assert run.alerts == 1 and alert.escalated and alert.escalated_at == alert.reported_at + timedelta(minutes=120)
    told = Notification.objects.filter(kind="alert_escalated")
    # The city's staff and admin; not its read-only leader.
    assert sorted(n.recipient.username for n in told) == ["admin_lvliang", "staff_lvliang"]
    assert told.first().title == "紧急情况超时未接报：小雨（意外受伤）"


def test_escalated_once(volunteer_lishi, child, city, report):
    alert = report(volunteer_lishi, child=child)
    services.alerts_escalate(now=alert.reported_at + timedelta(minutes=125))
    again = services.alerts_escalate(now=alert.reported_at + timedelta(minutes=130))
    assert again.alerts == 0
    assert Notification.objects.filter(kind="alert_escalated").count() == 2


def test_an_acknowledged_alert_is_not_escalated(volunteer_lishi, child, city, staff_lishi, report):
    alert = report(volunteer_lishi, child=child)
    services.alert_acknowledge(actor=staff_lishi, alert=alert)
    assert services.alerts_escalate(now=alert.reported_at + timedelta(hours=5)).alerts == 0


@override_settings(ALERT_ESCALATE_AFTER_MINUTES=30)
def test_the_delay_follows_the_setting(volunteer_lishi, child, city, report):
    alert = report(volunteer_lishi, child=child)
    assert services.alerts_escalate(now=alert.reported_at + timedelta(minutes=29)).alerts == 0
    assert services.alerts_escalate(now=alert.reported_at + timedelta(minutes=30)).alerts == 1


def test_the_beat_task_escalates_on_the_pinned_clock(volunteer_lishi, child, city, report):
    alert = report(volunteer_lishi, child=child)
    with time_machine.travel(alert.reported_at + timedelta(minutes=119), tick=False):
        assert tasks.escalate_alerts.apply().get()["alerts"] == 0
    with time_machine.travel(alert.reported_at + timedelta(minutes=121), tick=False):
        assert tasks.escalate_alerts.apply().get()["alerts"] == 1
        assert tasks.escalate_alerts.apply().get()["alerts"] == 0
    assert Alert.objects.get().escalated
