"""A monthly submission in a real browser (templates/submissions/, static/css/app.css): the township's
staff write and send it at a desktop's size, the county accepts it on 报送进度 at a phone's, and neither
page scrolls sideways. Screenshots go to var/test-artifacts/submission-*.png."""

import re

import pytest

from submissions.models import Submission, SubmissionStatus
from tests.e2e.conftest import PHONE
from tests.e2e.test_navigation import DESKTOP, NO_OVERFLOW, log_in
from tests.submissions.conftest import SECTIONS, leader_binhe, staff_binhe  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_township_sends_and_the_county_accepts(browser, live_server, artifacts, regions, staff_binhe,  # noqa: F811
                                                 leader_binhe, staff_lishi):  # noqa: F811
    desktop = browser.new_context(**DESKTOP)
    desktop.set_default_timeout(15_000)
    try:
        page = log_in(desktop, live_server, staff_binhe)
        page.locator("nav.sidenav").get_by_role("link", name="月度报送", exact=True).click()
        page.wait_for_url(re.compile(r"/submissions/$"))
        assert page.locator("h1").inner_text() == "月度报送 · 滨河街道 · 2027-02"
        page.fill("textarea[name=work_done]", SECTIONS["work_done"])
        page.fill("textarea[name=problems]", SECTIONS["problems"])
        page.fill("textarea[name=next_steps]", SECTIONS["next_steps"])
        page.select_option("select[name=reviewed_by]", str(leader_binhe.pk))
        page.fill("input[name=contact_phone]", "0358-8221234")
        page.get_by_role("button", name="报送", exact=True).click()
        page.wait_for_selector(".msg-success")
        assert "已报送" in page.locator(".msg-success").inner_text()
        assert page.locator("#figures-h").inner_text() == "报送时的统计数据"
        assert page.evaluate(NO_OVERFLOW)
        page.screenshot(path=str(artifacts / "submission-sent-desktop.png"), full_page=True)
    finally:
        desktop.close()
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED

    phone = browser.new_context(**PHONE)
    phone.set_default_timeout(15_000)
    try:
        page = log_in(phone, live_server, staff_lishi)
        page.goto(live_server.url + "/submissions/progress/?month=2027-02")
        row = page.locator("tr", has_text="滨河街道")
        assert "已报送" in row.inner_text() and "孙丽" in row.inner_text()
        assert page.evaluate(NO_OVERFLOW)
        page.screenshot(path=str(artifacts / "submission-progress-phone.png"), full_page=True)
        row.get_by_role("button", name="接收", exact=True).click()
        page.wait_for_selector(".msg-success")
        assert "已接收滨河街道的报送" in page.locator(".msg-success").inner_text()
        assert "已接收" in page.locator("tr", has_text="滨河街道").inner_text()
    finally:
        phone.close()
    assert Submission.objects.get().status == SubmissionStatus.ACCEPTED
