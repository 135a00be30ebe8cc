"""The "Export Excel" button of a list page, and a run's filters as a query string."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from exports.services import NOT_FILTERS

register = template.Library()


@register.inclusion_tag("exports/partials/export_button.html", takes_context=True)
def export_button(context, kind: str):
    """A form POSTing to exports:create with the page's own query string (its filters; paging left out):
    the export is of the list as filtered on the page."""
    params = context["request"].GET.copy()
    for name in NOT_FILTERS:
        params.pop(name, None)
    query = params.urlencode()
    return {"action": reverse("exports:create", args=[kind]) + (f"?{query}" if query else ""),
            "csrf_token": context.get("csrf_token")}


@register.filter
def urlencode_dict(values: dict) -> str:
    return urlencode(values or {})
