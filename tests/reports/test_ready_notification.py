"""A scheduled monthly report tells its region's administrators, in the app, that it is ready (once per
run); a report someone asked for tells nobody — its requester is watching its page."""

from datetime import date

import pytest
from django.urls import reverse

from activities.models import Notification
from reports import services
from reports.models import ReportFormat, ReportRun
from reports.notify import report_ready_notify

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

MAY = date(2025, 5, 1)


def scheduled(region) -> ReportRun:
    return ReportRun.objects.create(region=region, month=MAY, format=ReportFormat.XLSX)


def test_the_regions_administrators_are_told_a_scheduled_report_is_ready(lishi_month, regions, admin_lishi):
    run = services.report_generate(run_id=scheduled(regions.lishi).pk)
    notification = Notification.objects.get(recipient=admin_lishi)
    assert (notification.kind, notification.link) == ("report", reverse("reports:detail", args=[run.pk]))


def test_the_notification_names_the_region_and_month(lishi_month, regions, admin_lishi):
    services.report_generate(run_id=scheduled(regions.lishi).pk)
    assert "离石区" in Notification.objects.get(recipient=admin_lishi).title
    assert "2025-05" in Notification.objects.get(recipient=admin_lishi).title


def test_administrators_of_other_regions_and_staff_are_not_told(lishi_month, regions, admin_lishi, admin_province,
                                                                staff_lishi):
    services.report_generate(run_id=scheduled(regions.lishi).pk)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == [admin_lishi.username]


def test_a_report_someone_asked_for_tells_nobody(lishi_month, regions, admin_lishi, staff_lishi):
    run = ReportRun.objects.create(region=regions.lishi, month=MAY, format=ReportFormat.XLSX, requested_by=staff_lishi)
    services.report_generate(run_id=run.pk)
    assert not Notification.objects.exists()


def test_a_redelivered_task_does_not_tell_twice(lishi_month, regions, admin_lishi):
    run = services.report_generate(run_id=scheduled(regions.lishi).pk)
    report_ready_notify(run=run)
    assert Notification.objects.filter(recipient=admin_lishi).count() == 1
