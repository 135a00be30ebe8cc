"""Browser tests: Playwright (Python, sync API) driving Debian's Chromium (/usr/bin/chromium) at a
phone's size against pytest-django's ``live_server`` (which serves the static files too).

No browser is downloaded (never ``playwright install``): the tests are skipped, saying why, when
/usr/bin/chromium or the playwright package is missing. Screenshots go to var/test-artifacts/.

Fixtures:
- ``browser``: one headless Chromium per test module;
- ``phone_context``: a fresh context (no cookies, caches or service workers) at 390×844 with touch,
  Chinese as the browser's language, its clock set to the test's pinned "now" (tests/clock.py) so
  the phone's "today" is the server's;
- ``artifacts``: the folder for screenshots.
"""

import os
import threading
from pathlib import Path

import pytest
from django.utils import timezone

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"


@pytest.fixture(autouse=True)
def _drain_live_server(request):
    """After a browser test, wait for the live server's requests still in flight (a service worker
    filling its cache, a beacon) before the database is flushed: a request that outlives its test
    fails the next one's set-up. Set up after the test database, so torn down before it."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module. Playwright's sync API keeps an asyncio loop running on
    this thread while it is open, and Django then refuses synchronous ORM calls (the tests' own and
    the database teardown), so the guard is lifted for exactly that long."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def phone_context(browser, request):
    """A fresh phone. When the test fails, each page's last screen is saved in var/test-artifacts/."""
    context = browser.new_context(**PHONE, service_workers="allow")
    context.clock.install(time=timezone.now())
    context.set_default_timeout(15_000)
    yield context
    if getattr(request.node, "e2e_failed", False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(context.pages):
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}-{n}.png"), full_page=True)
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
