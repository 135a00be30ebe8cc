"""templates/partials/pagination.html: numbered pages (first, …, neighbours, …, last) whose links keep
the list's filters."""

import re

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def render_pager(number: int, *, pages: int = 44, query: str = "") -> str:
    request = RequestFactory().get("/activities/?" + query)
    page = Paginator(range(pages), 1).get_page(number)
    return render_to_string("partials/pagination.html", {"page": page, "request": request})


def numbers(html: str) -> list[str]:
    """The page numbers and gaps, in order, as shown."""
    return re.findall(r'<li[^>]*>(?:<a[^>]*>|<span[^>]*>)?([0-9]+|…)', html)


def test_middle_page_shows_first_neighbours_and_last_with_gaps():
    assert numbers(render_pager(20)) == ["1", "…", "18", "19", "20", "21", "22", "…", "44"]


def test_first_page_has_no_leading_gap():
    assert numbers(render_pager(1)) == ["1", "2", "3", "…", "44"]


def test_last_page_has_no_trailing_gap():
    assert numbers(render_pager(44)) == ["1", "…", "42", "43", "44"]


def test_current_page_is_marked_and_not_a_link():
    assert '<span class="btn btn-small pager-current" aria-current="page">20</span>' in render_pager(20)


def test_links_keep_the_filters_and_replace_the_page():
    html = render_pager(20, query="kind=visit&region=141102000000&page=20")
    assert 'href="?kind=visit&amp;region=141102000000&amp;page=44"' in html


def test_links_keep_repeated_filters():
    html = render_pager(2, pages=3, query="services=visit&services=call")
    assert 'href="?services=visit&amp;services=call&amp;page=3"' in html


def test_a_single_page_shows_no_pager():
    assert render_pager(1, pages=1).strip() == ""
