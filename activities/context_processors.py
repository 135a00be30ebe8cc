"""The unread-notifications badge next to the user's name (templates/base.html)."""

from functools import cached_property

from activities.models import Notification


class Badge:
    """Counts the user's unread notifications on first use only: a page that shows the badge costs
    one COUNT query, a page that does not (or an anonymous visitor) none."""

    LIMIT = 99

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        if self.user is None or not self.user.is_authenticated:
            return 0
        return Notification.objects.for_user(self.user).unread().count()

    @property
    def label(self) -> str:
        return f"{self.LIMIT}+" if self.count > self.LIMIT else str(self.count)


def badge(request):
    return {"notification_badge": Badge(getattr(request, "user", None))}
