"""Numbered page links for templates/partials/pagination.html: the first and last pages, the current
page's neighbours, an ellipsis for each gap, each link keeping the list's filters."""

from django import template
from django.core.paginator import Page

register = template.Library()

# Pages shown on each side of the current one, and at each end.
ON_EACH_SIDE = 2
ON_ENDS = 1


def page_query(request, number: int) -> str:
    """The request's query string (every filter, repeated keys too) with ``page`` set to ``number``."""
    params = request.GET.copy()
    params["page"] = str(number)
    return params.urlencode()


@register.simple_tag(takes_context=True)
def page_links(context, page: Page) -> list[dict]:
    """``[{"number", "query", "current"}, …]``, with ``{"ellipsis": True}`` for each gap."""
    request = context["request"]
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=ON_EACH_SIDE, on_ends=ON_ENDS):
        if number == page.paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append({"number": number, "query": page_query(request, number), "current": number == page.number})
    return links


@register.simple_tag(takes_context=True)
def page_url(context, number: int) -> str:
    return "?" + page_query(context["request"], number)
