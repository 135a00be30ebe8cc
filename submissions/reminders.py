"""Reminders to send last month's submission.

From settings.SUBMISSION_REMINDER_DAY (default the 5th) to the end of the month, the daily beat task
(submissions.tasks.send_submission_reminders) writes one in-app notification to each active staff member
and administrator of every region that sends a submission (submissions.models.SUBMISSION_LEVELS) and has
not sent last month's — not started, still a draft, or returned. A notification is unique per recipient
and ``dedupe_key = "submission-due:<region code>:<YYYY-MM>"``: each region's staff are reminded once per
month, however often the task runs (a retry, a second beat, a worker that missed the day itself and
runs the next). Before the day it writes nothing.

One query finds the recipients (users joined to their region, minus the regions whose submission was
sent or accepted), whatever the number of regions.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from activities import delivery
from activities.models import Notification
from activities.reminders import store_new
from core import months
from core.access import EDIT
from submissions.models import FROZEN, SUBMISSION_LEVELS, Submission

KIND_DUE = "submission_due"


@dataclass
class ReminderRun:
    day: date
    month: date | None  # the month reminded of; None before the reminder day
    sent: int = 0

    def as_dict(self) -> dict:
        return {"day": self.day.isoformat(), "month": months.label(self.month) if self.month else None,
                "sent": self.sent}


def due_key(region_code: str, month: date) -> str:
    return f"submission-due:{region_code}:{months.label(month)}"


def month_due(today: date) -> date | None:
    """The month whose submission is due on ``today``: last month, from the reminder day on; else None."""
    if today.day < settings.SUBMISSION_REMINDER_DAY:
        return None
    return months.previous_month(today)


def reminders_for(*, month: date) -> list[Notification]:
    """One unsaved notification per active editor of each region that has not sent ``month``'s
    submission. One query."""
    sent = Submission.objects.filter(region=OuterRef("region"), month=month, status__in=sorted(FROZEN))
    users = (User.objects.filter(is_active=True, is_superuser=False, role__in=EDIT,
                                 region__level__in=SUBMISSION_LEVELS)
             .exclude(Exists(sent)).select_related("region").order_by("region", "pk"))
    base = reverse("submissions:month")
    label = months.label(month)
    notes = []
    for user in users:
        notes.append(Notification(
            recipient=user, kind=KIND_DUE, dedupe_key=due_key(user.region_id, month),
            link=f"{base}?region={user.region_id}&month={label}",
            title=_("%(region)s has not sent its submission for %(month)s") % {"region": user.region.name,
                                                                               "month": label},
            body=_("Write the report, pick the reviewer and send it up on the monthly submission page.")))
    return notes


def send_submission_reminders(*, today: date | None = None) -> ReminderRun:
    """Remind the regions that have not sent last month's submission (from the reminder day on; once
    per region and month), and hand the new notifications to the delivery backends."""
    today = today or timezone.localdate()
    month = month_due(today)
    run = ReminderRun(day=today, month=month)
    if month is None:
        return run
    with translation.override(settings.LANGUAGE_CODE):
        created = store_new(reminders_for(month=month))
    run.sent = len(created)
    delivery.deliver(created)
    return run
