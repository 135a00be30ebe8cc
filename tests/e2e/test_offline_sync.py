"""In a real browser at 390×844: a caring mother logs a visit in three taps, loses the network, logs
two more (kept on the phone), gets the network back, and each of the three is stored exactly once.
After each save the phone is back on 我的孩子; a double tap stores one record; a second visit of the
same kind the same day is asked about first, and one the server refuses as a repeat is marked failed. A
photo taken with a visit offline is shrunk on the phone, shown, queued with it and stored once."""

import re

import pytest
from PIL import ExifTags, Image

from activities.models import Activity, ActivityPhoto
from activities.services import activity_record
from tests.activities.conftest import my_mother, pair  # noqa: F401
from tests.activities.test_photos import stored_image
from tests.children.conftest import give_consent, make_child  # noqa: F401
from tests.factories import PASSWORD
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SYNC_TIMEOUT_MS = 45_000


@pytest.fixture
def two_children(make_child, staff_lishi, my_mother, pair):  # noqa: F811
    """王小雨 and 李小明, both paired with the caring mother behind ``volunteer_lishi``, their guardians'
    consent to photos on record."""
    children = [make_child(staff_lishi, name="王小雨"), make_child(staff_lishi, name="李小明", gender="male")]
    for child in children:
        pair(child, my_mother)
        give_consent(child)
    return children


class Taps:
    """Taps the screen like a thumb would (touch events), counting them."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def __call__(self, selector: str) -> None:
        self.page.locator(selector).first.tap()
        self.count += 1


def log_in(context, live_server, user):
    """The login form; a caring mother lands on 我的孩子."""
    page = context.new_page()
    page.goto(live_server.url + "/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("button[type=submit]").first.tap()
    page.wait_for_url(re.compile(r"/m/$"))
    return page


def queue(page):
    return page.locator("[data-queue]")


def log_a_visit(page, tap: Taps, child) -> None:
    """我的孩子 → 记录一次关爱 (that child, today, home visit) → 保存 → back on 我的孩子."""
    tap(".tabbar a[href='/m/']")
    page.wait_for_url(re.compile(r"/m/$"))
    tap(f"[data-log-child='{child.pk}']")
    page.wait_for_url(re.compile(rf"/m/log/\?child={child.pk}$"))
    assert page.locator(f"input[name=child][value='{child.pk}']").is_checked()
    assert page.locator("input[name=kind][value=home_visit]").is_checked()
    tap("[data-save]")
    page.wait_for_url(re.compile(r"/m/$"))


def test_visits_logged_offline_are_stored_once_when_the_network_returns(
        live_server, phone_context, artifacts, volunteer_lishi, two_children, today):
    first, second = two_children
    page = log_in(phone_context, live_server, volunteer_lishi)
    # The service worker is installed and has put the pages on the phone.
    page.wait_for_selector("html[data-offline-ready]", state="attached")

    # Online: three taps, synced at once.
    tap = Taps(page)
    log_a_visit(page, tap, first)
    assert tap.count == 3
    page.wait_for_selector("[data-queue] li[data-status=synced]", timeout=SYNC_TIMEOUT_MS)
    assert Activity.objects.count() == 1

    # Offline: two more, kept on the phone.
    phone_context.set_offline(True)
    page.wait_for_function("navigator.onLine === false")  # the emulation has reached the page
    log_a_visit(page, tap, second)
    page.wait_for_selector("[data-queue][data-pending='1']")
    asked = []  # the second home visit to the same child today is asked about, then confirmed
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    log_a_visit(page, tap, first)
    page.wait_for_selector("[data-queue][data-pending='2']")
    assert asked == ["今天已记录过，仍要再记一次吗？"]
    assert page.locator("[data-net-banner]").is_visible()
    # Not asserted: that the server has seen neither. Chromium's offline emulation now and then lets
    # a request out and drops only its answer (as a fading signal does); the phone then keeps the
    # record pending and sends it again with the same id, and the end state below is the same.
    queue(page).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "phone-offline-pending.png"))

    # Back online: the `online` event sends them.
    phone_context.set_offline(False)
    page.wait_for_selector("[data-queue][data-pending='0']", timeout=SYNC_TIMEOUT_MS)
    synced = page.locator("[data-queue] li[data-status=synced]")
    assert synced.count() == 3
    ids = {synced.nth(i).get_attribute("data-id") for i in range(3)}
    stored = Activity.objects.all()
    assert {str(a.pk) for a in stored} == ids
    assert sorted((a.child_links.get().child_id, a.kind, a.occurred_on) for a in stored) == sorted(
        [(first.pk, "home_visit", today)] * 2 + [(second.pk, "home_visit", today)])
    assert page.locator("[data-saved]").inner_text() != ""

    # 我的孩子 shows the synced list on top.
    tap(".tabbar a[href='/m/']")
    page.wait_for_selector("[data-queue][data-synced='3']")
    page.screenshot(path=str(artifacts / "phone-offline-synced.png"))


def test_a_record_the_server_refuses_is_marked_failed_with_its_message(
        live_server, phone_context, artifacts, volunteer_lishi, two_children):
    first, _second = two_children
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/log/?child={first.pk}")
    page.fill("input[name=occurred_on]", "2020-01-01")  # before the pairing began (2025-03-01)
    page.locator("[data-save]").tap()
    page.wait_for_url(re.compile(r"/m/$"))
    failed = page.locator("[data-queue] li[data-status=failed]")
    failed.wait_for()
    assert "2025-03-01" in failed.locator(".q-error").inner_text()
    assert page.locator("[data-queue]").get_attribute("data-pending") == "0"
    assert not Activity.objects.exists()
    page.screenshot(path=str(artifacts / "phone-refused.png"), full_page=True)


def test_an_unusually_large_figure_is_asked_about_once_then_sent_confirmed(
        live_server, phone_context, volunteer_lishi, two_children):
    first, _second = two_children
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/log/?child={first.pk}")
    page.locator("details.more summary").tap()
    page.fill("input[name=participants]", "300")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.locator("[data-save]").tap()
    page.wait_for_selector("[data-queue] li[data-status=synced]", timeout=SYNC_TIMEOUT_MS)
    assert len(asked) == 1 and "300" in asked[0]
    assert Activity.objects.get().participants == 300


def test_a_double_tap_on_save_stores_one_record(live_server, phone_context, volunteer_lishi, two_children):
    first, _second = two_children
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/log/?child={first.pk}")
    page.evaluate("() => { const b = document.querySelector('[data-save]'); b.click(); b.click(); }")
    page.wait_for_url(re.compile(r"/m/$"))
    page.wait_for_selector("[data-queue] li[data-status=synced]", timeout=SYNC_TIMEOUT_MS)
    assert page.locator("[data-saved]").inner_text() != ""
    assert Activity.objects.count() == 1


def test_a_visit_the_page_knows_of_is_asked_about_and_not_saved_when_declined(
        live_server, phone_context, volunteer_lishi, two_children, today):
    first, _second = two_children
    activity_record(actor=volunteer_lishi, children=[first.pk], occurred_on=today, kind="home_visit")
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/log/?child={first.pk}")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator("[data-save]").tap()
    page.wait_for_function("!document.querySelector('[data-save]').disabled")
    assert asked == ["今天已记录过，仍要再记一次吗？"]
    assert "/m/log/" in page.url
    assert page.locator("[data-queue]").get_attribute("data-pending") in (None, "0")
    assert Activity.objects.count() == 1


def test_a_queued_repeat_the_server_refuses_is_marked_failed_then_recorded_on_request(
        live_server, phone_context, volunteer_lishi, two_children, today):
    first, _second = two_children
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/log/?child={first.pk}")
    # Recorded elsewhere after the page was loaded: the phone cannot know, the server refuses.
    activity_record(actor=volunteer_lishi, children=[first.pk], occurred_on=today, kind="home_visit")
    page.locator("[data-save]").tap()
    page.wait_for_url(re.compile(r"/m/$"))
    failed = page.locator("[data-queue] li[data-status=failed]")
    failed.wait_for(timeout=SYNC_TIMEOUT_MS)
    assert "确认后才能再记一次" in failed.locator(".q-error").inner_text()
    assert Activity.objects.count() == 1
    failed.locator("[data-record-anyway]").tap()
    page.wait_for_selector("[data-queue] li[data-status=synced]", timeout=SYNC_TIMEOUT_MS)
    assert Activity.objects.count() == 2


@pytest.fixture
def private_storage(settings, tmp_path):
    """The photos go to a throwaway private folder (the live server shares these settings)."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "private")}}}
    return tmp_path / "private"


def camera_photo(path, size=(3000, 2000)):
    """What a phone's camera writes: a large JPEG whose EXIF carries the GPS position."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "HUAWEI"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (37.0, 31.0, 12.5)
    Image.new("RGB", size, (200, 80, 120)).save(path, "JPEG", quality=90, exif=exif)
    return str(path)


def thumb_size(page) -> list[int]:
    page.wait_for_function("() => { const i = document.querySelector('[data-photo-thumb]');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    return page.evaluate("() => { const i = document.querySelector('[data-photo-thumb]');"
                         " return [i.naturalWidth, i.naturalHeight]; }")


def test_a_photo_taken_offline_is_shrunk_queued_and_stored_once(
        live_server, phone_context, artifacts, volunteer_lishi, two_children, private_storage, tmp_path):
    first, _second = two_children
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    page.goto(live_server.url + f"/m/log/?child={first.pk}")
    photo = camera_photo(tmp_path / "IMG_0001.jpg")

    # Chosen, shrunk on the phone to 1600 px, shown with a button to remove it; removed; chosen again.
    page.set_input_files("[data-photo-input][data-photo-camera]", photo)
    assert thumb_size(page) == [1600, 1067]
    assert page.locator("[data-photo-preview]").is_visible()
    assert not page.locator("[data-photo-pick]").is_visible()
    page.screenshot(path=str(artifacts / "phone-photo-preview.png"))
    page.locator("[data-photo-remove]").tap()
    assert page.locator("[data-photo-pick]").is_visible() and not page.locator("[data-photo-preview]").is_visible()
    page.set_input_files("[data-photo-input]:not([data-photo-camera])", photo)
    assert thumb_size(page) == [1600, 1067]

    # Offline: the visit and its photo wait on the phone.
    phone_context.set_offline(True)
    page.wait_for_function("navigator.onLine === false")
    page.locator("[data-save]").tap()
    page.wait_for_url(re.compile(r"/m/$"))
    page.wait_for_selector("[data-queue][data-pending='1'] li[data-photo=pending]")
    queue(page).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "phone-photo-pending.png"))

    # Back online: the visit, then its photo, each stored once.
    phone_context.set_offline(False)
    page.wait_for_selector("[data-queue] li[data-status=synced][data-photo=synced]", timeout=SYNC_TIMEOUT_MS)
    activity = Activity.objects.get()
    stored = ActivityPhoto.objects.get()
    assert stored.activity_id == activity.pk and stored.client_id is not None
    assert (stored.width, stored.height) == (1600, 1067)
    assert len(stored_image(stored).getexif()) == 0  # no GPS position, no camera
    assert [p.name for p in private_storage.rglob("*.jpg")] == [stored.image.name.rsplit("/", 1)[-1]]
