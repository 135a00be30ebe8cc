"""The federation navigation in a real browser (templates/base.html, static/css/app.css): a persistent,
grouped side bar at 1280 px, the ☰ menu at a phone's 390 px, a breadcrumb trail, and no horizontal
scrolling at either size. Screenshots go to var/test-artifacts/nav-*.png."""

import re

import pytest

from tests.children.conftest import child_lishi, make_child  # noqa: F401
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"


def log_in(context, live_server, user):
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))
    return page


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_navigation_at_desktop_and_phone_sizes(browser, live_server, artifacts, staff_lishi, child_lishi,  # noqa: F811
                                                   size):
    context = browser.new_context(**(DESKTOP if size == "desktop" else PHONE))
    context.set_default_timeout(15_000)
    try:
        page = log_in(context, live_server, staff_lishi)
        sidenav = page.locator("nav.sidenav")
        menu_links = page.locator("details.menu .nav-sections a")
        assert page.evaluate(NO_OVERFLOW)
        page.screenshot(path=str(artifacts / f"nav-{size}-home.png"), full_page=True)

        if size == "desktop":
            assert sidenav.is_visible()
            assert sidenav.locator(".sidenav-title").all_inner_texts() == ["台账", "爱心妈妈与结对", "关爱服务", "统计与报表"]
            assert not menu_links.first.is_visible()
            sidenav.get_by_role("link", name="儿童台账", exact=True).click()
        else:
            assert not sidenav.is_visible() and not menu_links.first.is_visible()
            page.locator("details.menu summary").click()
            assert menu_links.first.is_visible()
            page.locator("details.menu .nav-sections").get_by_role("link", name="儿童台账", exact=True).click()

        page.wait_for_url(re.compile(r"/children/$"))
        trail = page.locator("nav.trail")
        assert trail.locator("li").all_inner_texts() == ["首页", "台账", "儿童台账"]
        assert trail.locator("[aria-current=page]").inner_text() == "儿童台账"
        assert page.evaluate(NO_OVERFLOW)
        if size == "desktop":
            assert sidenav.locator("a[aria-current=page]").inner_text() == "儿童台账"
        else:
            assert not sidenav.is_visible()
        page.screenshot(path=str(artifacts / f"nav-{size}-children.png"), full_page=True)

        # A page inside the section: the trail links back to the section and ends at the page.
        page.get_by_role("link", name=child_lishi.name).first.click()
        page.wait_for_url(re.compile(rf"/children/{child_lishi.pk}/$"))
        assert trail.locator("li").all_inner_texts() == ["首页", "台账", "儿童台账", child_lishi.name]
        assert trail.get_by_role("link", name="儿童台账").get_attribute("href") == "/children/"
        assert page.evaluate(NO_OVERFLOW)
        if size == "desktop":
            assert sidenav.locator("a[aria-current=true]").inner_text() == "儿童台账"
        page.screenshot(path=str(artifacts / f"nav-{size}-child.png"), full_page=True)
    finally:
        context.close()
