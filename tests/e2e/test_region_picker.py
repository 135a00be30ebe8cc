"""The region picker in a real browser (core.widgets, static/core/region_picker.js): on a child's page,
the transfer form's destination is found by typing "吴城" and picking 吴城镇 from the list — with the
keyboard at 1280 px, with a tap at a phone's 390 px — under the CSP, without horizontal scrolling; the
form then asks for the transfer. Screenshots go to var/test-artifacts/region-picker-*.png."""

import re

import pytest

from children.models import Transfer
from tests.children.conftest import child_lishi, make_child  # noqa: F401
from tests.e2e.conftest import PHONE
from tests.factories import PASSWORD, RegionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth"
WUCHENG_TOWN = "141102102000"
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__cspViolations.push(e.violatedDirective); });
"""


def log_in(context, live_server, user):
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/$"))
    return page


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_typing_wucheng_and_picking_it_transfers_the_child(browser, live_server, artifacts, staff_lishi,
                                                           child_lishi, size):  # noqa: F811
    RegionFactory(code=WUCHENG_TOWN, name="吴城镇")
    RegionFactory(code="141102102201", name="吴城村")
    RegionFactory(code="610102001000", name="吴城街道")  # another province: never offered
    context = browser.new_context(**(DESKTOP if size == "desktop" else PHONE))
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        page = log_in(context, live_server, staff_lishi)
        page.goto(f"{live_server.url}/children/{child_lishi.pk}/")
        transfer = page.locator("details.action", has=page.locator('form[action$="/transfer/"]'))
        transfer.locator("summary").click()
        box = transfer.get_by_role("combobox")
        listbox = transfer.get_by_role("listbox")

        box.click()
        box.press_sequentially("吴城", delay=50)
        options = listbox.get_by_role("option")
        options.first.wait_for()
        assert box.get_attribute("aria-expanded") == "true"
        assert [text.split("\n")[0] for text in options.all_inner_texts()] == ["吴城镇", "吴城村"]
        assert page.evaluate(NO_OVERFLOW)
        page.screenshot(path=str(artifacts / f"region-picker-{size}-list.png"), full_page=True)

        if size == "desktop":
            box.press("ArrowDown")
            assert box.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
            assert options.first.get_attribute("aria-selected") == "true"
            box.press("Enter")
        else:
            box_height = options.first.bounding_box()["height"]
            assert box_height >= 44  # a finger's target
            options.first.tap()

        assert listbox.is_hidden()
        assert box.get_attribute("aria-expanded") == "false"
        assert box.input_value() == "吕梁市 / 离石区 / 吴城镇"
        assert transfer.locator("input[type=hidden][name=region]").input_value() == WUCHENG_TOWN
        page.screenshot(path=str(artifacts / f"region-picker-{size}-picked.png"), full_page=True)

        transfer.locator("input[name=reason]").fill("随父母搬家")
        transfer.get_by_role("button", name="申请转移").click()
        page.wait_for_url(re.compile(rf"/children/{child_lishi.pk}/$"))
        # A request (children.transfers): the child stays until the receiving region accepts her.
        assert Transfer.objects.get(child=child_lishi).to_region_id == WUCHENG_TOWN
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()


def test_escape_closes_the_list_and_a_changed_name_unpicks(browser, live_server, staff_lishi,
                                                           child_lishi):  # noqa: F811
    RegionFactory(code=WUCHENG_TOWN, name="吴城镇")
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    try:
        page = log_in(context, live_server, staff_lishi)
        page.goto(f"{live_server.url}/children/{child_lishi.pk}/")
        transfer = page.locator("details.action", has=page.locator('form[action$="/transfer/"]'))
        transfer.locator("summary").click()
        box, listbox = transfer.get_by_role("combobox"), transfer.get_by_role("listbox")
        code = transfer.locator("input[type=hidden][name=region]")

        box.click()
        box.press_sequentially("吴城")
        listbox.get_by_role("option").first.wait_for()
        box.press("Escape")
        assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"

        box.press("ArrowDown")  # opens the list again
        listbox.get_by_role("option").first.wait_for()
        box.press("ArrowDown")
        box.press("Enter")
        assert code.input_value() == WUCHENG_TOWN
        box.press("Backspace")
        assert code.input_value() == ""
    finally:
        context.close()


def test_a_filter_whose_select_would_be_cut_short_searches_instead(browser, live_server, staff_lishi,
                                                                   child_lishi, monkeypatch):  # noqa: F811
    monkeypatch.setattr("core.regions.OPTIONS_LIMIT", 1)  # the live server runs in this process
    context = browser.new_context(**PHONE)
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        page = log_in(context, live_server, staff_lishi)
        page.goto(f"{live_server.url}/children/")
        filters = page.locator("form.filters")
        box = filters.locator("input[role=combobox]")
        assert box.is_visible() and filters.locator("select[name=region]").count() == 0  # the <noscript> one
        box.click()
        box.press_sequentially("滨河")
        filters.get_by_role("listbox").get_by_role("option").first.tap()
        assert filters.locator("input[type=hidden][name=region]").input_value() == "141102001000"
        filters.locator("button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"region=141102001000"))
        assert page.locator("form.filters input[role=combobox]").input_value() == "吕梁市 / 离石区 / 滨河街道"
        assert page.evaluate(NO_OVERFLOW)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
