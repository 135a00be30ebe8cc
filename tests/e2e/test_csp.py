"""The Content-Security-Policy in a real browser (core.security): the phone (its script, service worker,
offline pages) and the staff pages (charts, forms, the API docs, the Django admin) load with no
violation — Chromium reports each one as a `securitypolicyviolation` event and a console error."""

import re

import pytest

from tests.activities.conftest import my_mother, pair  # noqa: F401
from tests.children.conftest import child_lishi, make_child  # noqa: F401
from tests.factories import PASSWORD
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any page script (injected by the browser's tooling, which the policy does not govern).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """Console errors that mention the policy, and the page's own violation reports."""

    def __init__(self, context):
        self.console: list[str] = []
        context.add_init_script(RECORD_VIOLATIONS)
        context.on("page", self.attach)

    def attach(self, page):
        page.on("console", lambda m: self.console.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text else None)

    def violations(self, page) -> list[str]:
        return self.console + page.evaluate("window.__cspViolations || []")


def log_in(context, live_server, user, landing: str):
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(landing))
    return page


def test_the_phone_runs_under_the_policy(live_server, phone_context, volunteer_lishi, make_child, staff_lishi,  # noqa: F811
                                         my_mother, pair):  # noqa: F811
    child = make_child(staff_lishi, name="王小雨")
    pair(child, my_mother)
    watch = Watch(phone_context)
    page = log_in(phone_context, live_server, volunteer_lishi, r"/m/$")
    # app.js ran, registered the service worker, which cached the pages.
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    for path in ("/m/log/", "/m/history/", f"/m/children/{child.pk}/", "/password/"):
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert watch.violations(page) == [], path
    # Offline, the service worker serves the cached page, still under the policy.
    phone_context.set_offline(True)
    page.goto(live_server.url + "/m/")
    assert page.locator(".tabbar").is_visible()
    assert watch.violations(page) == []


def test_staff_pages_load_without_violations(live_server, browser, staff_lishi, child_lishi):  # noqa: F811
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        watch = Watch(context)
        page = log_in(context, live_server, staff_lishi, r"/$")
        for path in ("/", "/children/", f"/children/{child_lishi.pk}/", "/reports/stats/", "/pairing/",
                     "/activities/", "/password/"):
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert response.status < 400, path
            assert response.headers["content-security-policy"].startswith("default-src 'self'")
            assert watch.violations(page) == [], path
        # The charts are inline SVG: drawn.
        page.goto(live_server.url + "/reports/stats/")
        assert page.locator("svg").count() > 0
        # The API docs: Swagger UI starts from its own script file and renders the operations.
        page.goto(live_server.url + "/api/docs/")
        page.wait_for_selector(".opblock", timeout=20_000)
        assert watch.violations(page) == []
    finally:
        context.close()


def test_the_django_admin_loads_without_violations(live_server, browser, superuser):
    context = browser.new_context(locale="zh-CN")
    try:
        watch = Watch(context)
        page = context.new_page()
        # The admin's login page is the app's (accounts.twofactor_views.admin_login), back to the admin after.
        page.goto(live_server.url + "/admin/login/")
        page.fill("input[name=username]", superuser.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(r"/admin/$"))
        for path in ("/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/"):
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert watch.violations(page) == [], path
    finally:
        context.close()
