"""The screenshot tour: every page, as every kind of user, in a real browser, on the demo data.

``seed_demo --scale small`` fills the database once (plus the few things it does not make: a monthly
report, a civil-affairs list import, a photo, an export, a draft submission, the day's reminders);
then each demo login signs in and opens every page its allow-list admits — the federation roles (ls_staff, ll_viewer, ls_admin) at
1280×800, the caring mother (volunteer) her phone pages at 390×844. The page list is built from the
URL conf (as tests/test_access_matrix.py walks it), so a new page is toured without touching this
file; a page with an id in its address gets the id of a demo record the user may see (RECORDS_BY_*).
Left out: the API, the Django admin (but its index, for administrators), endpoints that only accept
POST (their Allow header names no GET), downloads and other files (the browser gets no HTML), and
addresses that only redirect (the page they lead to is toured on its own) — all listed, with the
pages toured, in var/test-artifacts/tour/index.txt.

On every page the tour fails on
  (a) English words (3+ Latin letters) in the visible text, a title, placeholder, aria-label or alt,
      an option or a button's value — but for :data:`ALLOWED_WORDS` and the demo's login names;
  (b) horizontal overflow — the page wider than the window;
  (c) any 4xx/5xx answer, for the page or anything it loads;
  (d) any request to another host than the live server (aborted, so the tour never leaves the machine),
      and anything the Content-Security-Policy blocked;
  (e) an uncaught script error;
and it saves a full-page screenshot to var/test-artifacts/tour/<role>/<page>.png. All the problems of
all the pages are reported together at the end.

One test (not one per page or role): the demo is seeded once, one browser is shared, and under
pytest-xdist the whole tour runs in one worker.
"""

import re
import shutil
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from accounts.models import Region, RegionLevel, User
from accounts.roles import Role
from activities import photos, reminders
from activities.models import Activity, ActivityPhoto, Notification
from alerts import services as alerts
from casework.consents import consent_record, has_consent
from casework.models import ConsentScope
from children import reconcile
from core import regioncodes
from demo.users import DEMO_PASSWORD
from exports import services as exports
from reports.models import ReportFormat, ReportRun, ReportStatus
from submissions import services as submissions
from tests.activities.test_photos import image_bytes
from tests.children.test_reconcile import list_row, workbook_bytes
from tests.e2e.conftest import ARTIFACTS, PHONE
from volunteers.models import ReserveHelper, Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PlaywrightError = pytest.importorskip("playwright.sync_api", reason="playwright is not installed").Error

TOUR = ARTIFACTS / "tour"
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
LISHI = "141102000000"

# role → (demo login, browser size). The federation roles tour the staff pages, the caring mother her phone.
LOGINS = {
    "staff": ("ls_staff", DESKTOP),
    "viewer": ("ll_viewer", DESKTOP),
    "admin": ("ls_admin", DESKTOP),
    "volunteer": ("volunteer", {**PHONE, "device_scale_factor": 1}),  # 1: screenshots a quarter the size
}
ROLE_OF = {"staff": Role.STAFF, "viewer": Role.VIEWER, "admin": Role.ADMIN, "volunteer": Role.VOLUNTEER}

# Never toured: the API (tests/test_api_*.py, schemathesis) and the Django admin (its own tests) —
# but the admin's index is, for the roles that may use it (ADMIN_INDEX).
SKIPPED_PREFIXES = ("api/", "admin/")
ADMIN_INDEX = "/admin/"

# Words that may stay Latin in Chinese text: file formats, abbreviations, proper nouns.
ALLOWED_WORDS = frozenset({
    "English",  # the language switcher names each language in itself
    "PDF", "Excel", "XLSX", "xlsx", "CSV", "csv", "API", "URL", "QR", "SHA", "JPEG", "JPG", "PNG", "WebP",
    "HTTP", "HTTPS", "Token", "OpenAPI", "Swagger", "JSON", "Django", "ISO",
    # Browsers and systems, on the page of one's sessions (accounts.usersessions.device_label).
    "Chrome", "Chromium", "Edge", "Firefox", "Safari", "Android", "iPhone", "iPad", "Windows", "macOS", "Linux",
})
LATIN_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]{3,}(?![A-Za-z])")

# Pages another change is still fixing: the tour visits them but does not fail on them. Empty it once
# they pass (each entry: (role, URL name)).
PENDING: set[tuple[str, str]] = set()


# --- the page list ------------------------------------------------------------------------------------

def walk(patterns, prefix: str = "", namespace: str = ""):
    """(route, name, view) for every URL pattern, resolvers included."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from walk(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield route, ":".join(part for part in (namespace, pattern.name or "") if part), pattern.callback


def candidates(role: str) -> list[tuple[str, str]]:
    """(name, route) of every page the role's allow-list admits, and the public ones. The federation
    roles are not toured through the phone pages (/m/): those send them home."""
    found = []
    for route, name, view in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or "(?P<" in route:
            continue
        access = getattr(view, "access", None)
        if access is not None and ROLE_OF[role] not in access:
            continue
        if role != "volunteer" and route.startswith("m/"):
            continue
        found.append((name, route))
    return found


def _first(queryset):
    return queryset.order_by("pk").first()


def visible(label: str):
    """The first record of the model ``app.Model`` the user may see (looked up when asked, so the tour
    does not import the apps)."""
    return lambda user: _first(apps.get_model(label).objects.visible_to(user))


# Which demo record fills an address's <argument>, as the user may see it: by URL name first, then by
# the argument's name, then by the URL name's prefix. A new page with an id whose argument none of
# these names fails the tour until it is added.
RECORDS_BY_NAME = {
    "alerts:photo": {"pk": lambda user: _first(apps.get_model("alerts.Alert").objects.visible_to(user)
                                               .filter(photo__isnull=False))},
    "children:need-transition": {"pk": visible("children.Need"), "to": lambda user: "claimed"},
    "children:import-preview": {"pk": visible("children.LedgerImport")},
    "volunteers:helper-remove": {"pk": lambda user: _first(ReserveHelper.objects.filter(
        volunteer__in=Volunteer.objects.visible_to(user)))},
    "volunteers:training-detail": {"pk": visible("volunteers.Training")},
    "activities:photo": {"pk": lambda user: _first(ActivityPhoto.objects.filter(
        activity__in=Activity.objects.visible_to(user)))},
    "rhythm:notification-read": {"pk": lambda user: _first(Notification.objects.for_user(user))},
    "accounts:region-detail": {"code": lambda user: _first(Region.objects.manageable_by(user).filter(
        level=RegionLevel.TOWNSHIP))},
    "exports:create": {"kind": lambda user: "children"},
    "casework:plan-update": {"pk": visible("casework.CasePlan")},
    "casework:plan-close": {"pk": visible("casework.CasePlan")},
    "casework:action-add": {"pk": visible("casework.CasePlan")},
    "casework:action-complete": {"pk": visible("casework.CaseAction")},
    "casework:referral-transition": {"pk": visible("casework.Referral"), "to": lambda user: "accepted"},
    # A guardian's consent (casework.consents): its withdrawal is POST only; its scan, if the demo has one.
    "casework:consent-withdraw": {"pk": visible("casework.GuardianConsent")},
    "casework:consent-document": {"pk": lambda user: _first(apps.get_model("casework.GuardianConsent").objects
                                                           .visible_to(user).exclude(document=""))},
    # One's own session (POST only: left out of the tour, but its address is made).
    "session-end": {"pk": lambda user: _first(apps.get_model("accounts.UserSession").objects.filter(user=user))},
}
RECORDS_BY_ARGUMENT = {"child_pk": visible("children.Child")}
RECORDS_BY_PREFIX = {
    "accounts:user-": lambda user: _first(User.objects.visible_to(user).exclude(pk=user.pk)),
    "children:": visible("children.Child"),
    "pairing:": visible("pairing.Pairing"),
    "volunteers:": visible("volunteers.Volunteer"),
    "activities:": lambda user: _first(Activity.objects.visible_to(user).filter(photos__isnull=False)),
    "reports:": visible("reports.ReportRun"),
    "phone:": visible("children.Child"),
    "submissions:": visible("submissions.Submission"),
    "exports:": visible("exports.ExportRun"),
    "alerts:": visible("alerts.Alert"),
}

# Pages that need a query: the first caring mother the user sees, proposed as a helper from today.
QUERIES = {
    "pairing:confirm": lambda user: (f"?choice={visible('volunteers.Volunteer')(user).pk}:helper"
                                     f"&started_on={timezone.localdate():%Y-%m-%d}"),
}


def fill(name: str, route: str, user) -> str | None:
    """The page's address with its arguments filled in; None when the user sees no such record."""
    def value(argument: str) -> str:
        chooser = RECORDS_BY_NAME.get(name, {}).get(argument) or RECORDS_BY_ARGUMENT.get(argument) or next(
            (choose for prefix, choose in RECORDS_BY_PREFIX.items() if name.startswith(prefix)), None)
        assert chooser is not None, f"no demo record for <{argument}> of {name} ({route}): add it to RECORDS_BY_NAME"
        record = chooser(user)
        if record is None:
            raise LookupError(name)
        return str(getattr(record, "pk", record))

    try:
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
        return path + (QUERIES[name](user) if name in QUERIES else "")
    except LookupError:
        return None


def plan(role: str, user) -> tuple[list[tuple[str, str]], list[str]]:
    """The addresses to open, as (name, path), and those left out and why. Asked with Django's test client
    before any browser runs, and with OPTIONS, which the method guards (require_POST, require_safe …)
    answer with their Allow header without running the view."""
    client = Client()
    client.force_login(user)
    pages, left_out = [], []
    for name, route in candidates(role):
        path = fill(name, route, user)
        if path is None:
            left_out.append(f"{name}: no record")
            continue
        allow = {method.strip() for method in client.options(path).get("Allow", "").split(",") if method.strip()}
        if allow and "GET" not in allow:
            left_out.append(f"{name}: POST only")
        else:
            pages.append((name, path))
    if user.is_staff:
        pages.append(("admin:index", ADMIN_INDEX))
    return pages, left_out


# --- the demo world -----------------------------------------------------------------------------------

def build_world() -> dict[str, User]:
    """The demo, plus what it leaves out: a monthly report, a civil-affairs list import with its
    preview, a photo on an activity, an urgent report with its photo, an export, last month's draft submission, and the day's reminders
    and digests."""
    call_command("seed_demo", scale="small", stdout=StringIO())
    users = {role: User.objects.get(username=username) for role, (username, _size) in LOGINS.items()}
    staff = users["staff"]
    lishi = Region.objects.get(pk=LISHI)

    activity = _first(Activity.objects.visible_to(staff).filter(volunteer__user=users["volunteer"])) or _first(
        Activity.objects.visible_to(staff))
    for child in activity.children.all():  # a photo needs each child's guardian's consent to photos
        if not has_consent(child, ConsentScope.PHOTOS):
            consent_record(actor=staff, child=child, given_by="王大山", relation="祖父", given_on=timezone.localdate(),
                           scopes=["processing", "photos"], method="verbal", witness="村妇联主席")
    # A signed consent with its scan (the consent's download page).
    consent_record(actor=staff, child=activity.children.first(), given_by="王大山", relation="祖父",
                   given_on=timezone.localdate(), scopes=["sharing"], method="signed",
                   document=SimpleUploadedFile("同意书.pdf", b"%PDF-1.4\n", content_type="application/pdf"))
    photos.photo_add(actor=staff, activity=activity,
                     upload=SimpleUploadedFile("visit.jpg", image_bytes(), content_type="image/jpeg"))

    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    run = ReportRun.objects.create(region=lishi, month=last_month, format=ReportFormat.XLSX,
                                   status=ReportStatus.DONE, progress=100, requested_by=staff)
    run.file.save("离石区月报.xlsx", ContentFile(b"PK"), save=True)

    village = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=regioncodes.prefix_of(LISHI)).first()
    rows = [list_row(区划代码=village.code), list_row(姓名="赵小兰", 区划代码=village.code, 监护人电话="123")]
    upload = reconcile.import_upload(actor=staff, region=lishi, file_name="民政名单.xlsx", data=workbook_bytes(rows))
    reconcile.import_preview_build(import_id=upload.pk)

    exports.export_request(actor=staff, kind="children", filters={})  # made at once (in-process tasks)
    submissions.submission_get_or_create_draft(actor=staff, region=lishi, month=last_month)
    # An urgent report by the caring mother about one of her children (the list, its page, the banners).
    mine = visible("children.Child")(users["volunteer"])
    if mine is not None:
        alert, _created = alerts.alert_report(actor=users["volunteer"], id=None, child=mine, kind="injury",
                                              description="放学路上摔伤膝盖", occurred_on=today)
        alerts.alert_photo_add(actor=users["volunteer"], alert=alert,
                               upload=SimpleUploadedFile("knee.jpg", image_bytes(), content_type="image/jpeg"))

    reminders.send_daily(today=today)
    return users


# --- one page -----------------------------------------------------------------------------------------

READ_TEXTS = """() => {
  const texts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll("[title], [placeholder], [aria-label], [alt]")) {
    for (const attribute of ["title", "placeholder", "aria-label", "alt"]) {
      const value = el.getAttribute(attribute);
      if (value) texts.push(value);
    }
  }
  for (const el of document.querySelectorAll("option, svg title")) texts.push(el.textContent);
  for (const el of document.querySelectorAll("input[type=submit], input[type=button], input[type=reset]")) {
    texts.push(el.value);
  }
  return texts;
}"""
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def english_words(texts: list[str], data_tokens: list[str]) -> list[str]:
    words = set()
    for text in texts:
        for token in data_tokens:
            text = text.replace(token, " ")
        words.update(w for w in LATIN_WORD.findall(text or "") if w not in ALLOWED_WORDS)
    return sorted(words)


class Tour:
    """One role's browser context: records, per page, what went wrong while it loaded."""

    def __init__(self, browser, live_server, role: str, size: dict, data_tokens: list[str], folder: Path):
        self.role, self.base, self.data_tokens, self.folder = role, live_server.url, data_tokens, folder
        self.problems: list[str] = []
        self.current = "login"
        self.context = browser.new_context(**size)
        self.context.clock.install(time=timezone.now())
        self.context.set_default_timeout(15_000)
        # (d) A request over the network to anywhere but the live server is aborted and recorded (the
        # browser's own chrome:// pages, such as its PDF viewer, are not the network).
        self.context.route(re.compile(rf"^(?:https?|wss?)://(?!{re.escape(urlsplit(self.base).netloc)}/)"),
                           self.abort_foreign)
        self.context.on("response", self.on_response)
        self.context.on("requestfailed", self.on_failed)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.note(f"script error: {error}"))
        # Chromium reports what the Content-Security-Policy blocked (another host's script, image,
        # fetch …, which never reaches the network) as a console error.
        self.page.on("console", lambda message: self.note(f"blocked: {message.text}")
                     if message.type == "error" and "Content Security Policy" in message.text else None)
        folder.mkdir(parents=True, exist_ok=True)

    def note(self, problem: str) -> None:
        self.problems.append(f"[{self.role}] {self.current}: {problem}")

    def abort_foreign(self, route) -> None:
        self.note(f"request to another host: {route.request.url}")
        route.abort()

    def on_response(self, response) -> None:
        if response.status >= 400:
            self.note(f"{response.status} for {urlsplit(response.url).path}")

    def on_failed(self, request) -> None:
        if request.url.startswith(self.base) and "ERR_ABORTED" not in (request.failure or ""):
            self.note(f"request failed ({request.failure}): {urlsplit(request.url).path}")

    def log_in(self, username: str) -> None:
        self.visit("login", "/login/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.locator("button[type=submit]").first.click()
        self.page.wait_for_url(re.compile(r"/(m/)?$"))

    def visit(self, name: str, path: str) -> str | None:
        """Open the page and check it; or say why it is not a page to check: a download, another kind of
        file, or an address that only redirects (the page it leads to is toured on its own)."""
        self.current = f"{path} ({name})"
        before = len(self.problems)
        try:
            response = self.page.goto(self.base + path, wait_until="load")
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                return "download"
            raise
        if response.request.redirected_from is not None:
            return "redirects"
        content_type = response.headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            # The browser's own viewer (an image's, a PDF's) styles inline, which the policy blocks.
            self.problems[before:] = [p for p in self.problems[before:] if ": blocked: " not in p]
            return content_type.split(";")[0]
        self.check(name)
        return None

    def check(self, name: str) -> None:
        words = english_words(self.page.evaluate(READ_TEXTS), self.data_tokens)
        if words:
            self.note(f"English text: {', '.join(words)}")
        overflow = self.page.evaluate(OVERFLOW)
        if overflow > 1:
            self.note(f"{overflow}px wider than the window")
        self.page.screenshot(path=str(self.folder / f"{name.replace(':', '-')}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


def test_the_tour_of_every_page(browser, live_server, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    started = time.perf_counter()
    users = build_world()
    seeded = time.perf_counter()
    # Data, not interface text: the login names, and the urgent reports' UUIDs (the audit log shows "#<id>").
    data_tokens = sorted([*User.objects.values_list("username", flat=True),
                          *(str(pk) for pk in apps.get_model("alerts.Alert").objects.values_list("pk", flat=True))],
                         key=len, reverse=True)
    plans = {role: plan(role, users[role]) for role in LOGINS}
    shutil.rmtree(TOUR, ignore_errors=True)

    problems, index, toured = [], [], 0
    files: dict[str, str] = {}  # URL name → what it answers instead of a page (the same for every role)
    for role, (username, size) in LOGINS.items():
        pages, left_out = plans[role]
        tour = Tour(browser, live_server, role, size, data_tokens, TOUR / role)
        try:
            tour.log_in(username)
            for name, path in pages:
                if name in files:
                    left_out.append(f"{name}: {files[name]}")
                    continue
                before = len(tour.problems)
                not_a_page = tour.visit(name, path)
                if not_a_page == "redirects":
                    left_out.append(f"{name}: redirects")
                elif not_a_page:
                    files[name] = not_a_page
                    left_out.append(f"{name}: {not_a_page}")
                else:
                    toured += 1
                    index.append(f"{role}/{name.replace(':', '-')}.png  {path}")
                if (role, name) in PENDING:
                    del tour.problems[before:]
        finally:
            tour.close()
        problems += tour.problems
        index += [f"{role}: not toured: {reason}" for reason in sorted(left_out)]

    elapsed = time.perf_counter() - started
    index.append(f"{toured} pages in {elapsed:.0f} s (the demo seeded in {seeded - started:.0f} s)")
    (TOUR / "index.txt").write_text("\n".join(index) + "\n", encoding="utf-8")
    assert toured > 60, f"only {toured} pages toured: see {TOUR / 'index.txt'}"
    assert problems == [], f"{len(problems)} problems on {toured} pages ({elapsed:.0f} s):\n" + "\n".join(problems)


def test_the_tour_sees_each_kind_of_problem(browser, live_server, tmp_path):
    """The checks themselves, on the login page spoilt from the outside (DevTools ignores the page's CSP)."""
    tour = Tour(browser, live_server, "selftest", DESKTOP, ["ls_staff"], tmp_path)
    try:
        tour.visit("login", "/login/")
        assert tour.problems == []
        tour.page.goto(live_server.url + "/static/missing.css")
        tour.page.goto(live_server.url + "/login/")
        tour.page.evaluate("""() => {
          document.body.insertAdjacentHTML("beforeend",
            '<p title="Save changes">ls_staff PDF 2025</p><div class="wide"></div>');
          Object.assign(document.querySelector(".wide").style, {width: "3000px", height: "10px"});
          return fetch("http://example.com/tracker.js").catch(() => null);
        }""")
        tour.check("login")
        with pytest.raises(PlaywrightError):
            tour.page.goto("http://example.com/")
    finally:
        tour.close()
    problems = "\n".join(tour.problems)
    assert "404 for /static/missing.css" in problems
    assert "blocked: " in problems and "http://example.com/tracker.js" in problems  # by the CSP
    assert "request to another host: http://example.com/" in problems  # by the tour
    assert "English text: Save, changes" in problems and "ls_staff" not in problems
    assert "px wider than the window" in problems
