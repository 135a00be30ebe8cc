"""Reading urgent reports: every query goes through ``Alert.objects.visible_to`` (a caring mother: her
own reports; staff: their subtree)."""

from alerts.models import Alert


def alerts_for(user):
    """The alerts ``user`` may see, open first, with what the list shows (child, region, reporter)."""
    return (Alert.objects.visible_to(user).open_first()
            .select_related("child", "region", "reported_by"))


def pending_count(user) -> int:
    """How many alerts in the user's scope are still to be dealt with (open or acknowledged): ONE query."""
    return Alert.objects.visible_to(user).pending().count()
