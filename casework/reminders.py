"""The daily reminder of overdue case-plan actions (part of activities.reminders.send_daily): ONE
notification per owner (staff member, administrator or caring mother) with open actions past their due
date, ``dedupe_key = "actions:YYYY-MM-DD"`` — re-running the same day adds nothing. Two queries: the
counts per owner (casework.selectors.overdue_counts_by_owner) and the owners' roles."""

from datetime import date

from django.urls import reverse
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role

KIND_ACTIONS = "actions"


def actions_key(day: date) -> str:
    return f"{KIND_ACTIONS}:{day.isoformat()}"


def overdue_action_reminders(*, today: date) -> list:
    """One unsaved notification per owner of overdue actions."""
    from activities.models import Notification
    from casework.selectors import overdue_counts_by_owner

    counts = overdue_counts_by_owner(today)
    if not counts:
        return []
    roles = dict(User.objects.filter(pk__in=counts).values_list("pk", "role"))
    staff_link, phone_link = reverse("casework:overdue-actions"), reverse("phone:home")
    return [Notification(recipient_id=owner_id, kind=KIND_ACTIONS, dedupe_key=actions_key(today),
                         link=phone_link if roles.get(owner_id) == Role.VOLUNTEER else staff_link,
                         title=ngettext("%(n)s case-plan action of yours is overdue",
                                        "%(n)s case-plan actions of yours are overdue", n) % {"n": n})
            for owner_id, n in sorted(counts.items())]
