"""Pairing from the suggestions page in a real browser, without JavaScript of its own: the row's 结对
button opens the confirmation step with the chosen start date, cancelling returns to the suggestions,
and confirming makes the pairing. Screenshots go to var/test-artifacts/pairing-*.png."""

import re

import pytest
from django.urls import reverse

from pairing.models import Pairing
from tests.children.conftest import child_lishi, make_child  # noqa: F401
from tests.e2e.test_navigation import DESKTOP, log_in
from tests.volunteers.conftest import make_volunteer  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_pair_asks_for_confirmation_then_pairs(browser, live_server, artifacts, staff_lishi, child_lishi,  # noqa: F811
                                               make_volunteer):  # noqa: F811
    mother = make_volunteer(staff_lishi, name="刘秀兰")
    context = browser.new_context(**DESKTOP)
    context.set_default_timeout(15_000)
    try:
        page = log_in(context, live_server, staff_lishi)
        page.goto(live_server.url + reverse("pairing:suggest", args=[child_lishi.pk]))
        page.fill("input[name=started_on]", "2025-03-02")
        page.screenshot(path=str(artifacts / "pairing-suggest.png"), full_page=True)
        page.get_by_role("button", name="与刘秀兰结对").click()

        page.wait_for_url(re.compile(r"/confirm/"))
        facts = page.locator("dl.facts").inner_text()
        assert "王小雨" in facts and "刘秀兰" in facts and "2025-03-02" in facts
        page.screenshot(path=str(artifacts / "pairing-confirm.png"), full_page=True)
        page.get_by_role("link", name="取消").click()
        page.wait_for_url(re.compile(reverse("pairing:suggest", args=[child_lishi.pk]) + "$"))
        assert not Pairing.objects.exists()

        page.fill("input[name=started_on]", "2025-03-02")
        page.get_by_role("button", name="与刘秀兰结对").click()
        page.get_by_role("button", name="确认结对").click()
        page.wait_for_url(re.compile(reverse("children:detail", args=[child_lishi.pk]) + "$"))
        pairing = Pairing.objects.get()
        assert (pairing.volunteer_id, pairing.started_on.isoformat()) == (mother.pk, "2025-03-02")
    finally:
        context.close()
