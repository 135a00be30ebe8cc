"""Telling administrators that a scheduled monthly report is ready: an in-app notification (and any
other channel of settings.NOTIFICATION_BACKENDS, activities.delivery) to each active administrator of
the report's region, once per run however often its task runs. A report someone asked for is not
announced: its requester is watching its page."""

import logging

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from activities import delivery, reminders
from activities.models import Notification
from core import months
from reports.models import ReportRun

logger = logging.getLogger(__name__)

NOTIFICATION_KIND = "report"


def report_ready_notify(*, run: ReportRun) -> int:
    """Notify the administrators of ``run``'s region that the scheduled report is made; returns how
    many notifications were delivered. Never raises: the report is made whatever happens here."""
    if run.requested_by_id is not None:
        return 0
    try:
        admins = User.objects.filter(is_active=True, role=Role.ADMIN, region_id=run.region_id).values_list("pk",
                                                                                                         flat=True)
        title = _("The monthly report of %(region)s for %(month)s is ready (%(format)s)") % {
            "region": run.region.name, "month": months.label(run.month), "format": run.get_format_display()}
        link = reverse("reports:detail", args=[run.pk])
        notifications = [Notification(recipient_id=pk, kind=NOTIFICATION_KIND, title=title[:200], link=link,
                                      dedupe_key=f"{NOTIFICATION_KIND}:{run.pk}") for pk in admins]
        return delivery.deliver(reminders.store_new(notifications))
    except Exception:
        logger.exception("Could not notify the administrators of report run %s", run.pk)
        return 0
