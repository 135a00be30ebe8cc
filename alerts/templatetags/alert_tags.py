"""``{% alerts_banner %}``: the red banner "N urgent reports to deal with" heading the home page and the risk
board (nothing when there are none). ONE query: the pending alerts of the user's scope."""

from django import template

from alerts import selectors
from core.access import READ, allowed

register = template.Library()


@register.inclusion_tag("alerts/banner.html", takes_context=True)
def alerts_banner(context) -> dict:
    user = context.get("user")
    count = selectors.pending_count(user) if allowed(user, READ) else 0
    return {"count": count}
