"""In a real browser at 390×844: a caring mother reports an urgent situation (紧急情况报告) for her child
with no network, in three taps from the child's page (报告紧急情况 → what happened → 提交, the short
description typed), with a photo. The report waits in the phone's queue beside the visits; when the
network is back it is sent, then its photo, and the server stores exactly one report (the staff of the
child's county told once) and one photo without its GPS position."""

import re

import pytest

from activities.models import Notification
from alerts.models import Alert, AlertPhoto
from tests.activities.conftest import my_mother, pair  # noqa: F401
from tests.activities.test_photos import stored_image
from tests.children.conftest import make_child  # noqa: F401
from tests.e2e.test_offline_sync import SYNC_TIMEOUT_MS, Taps, camera_photo, log_in, private_storage, queue  # noqa: F401
from tests.volunteers.conftest import make_volunteer, volunteer_mother_lishi  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def my_child(make_child, staff_lishi, my_mother, pair):  # noqa: F811
    """王小雨 of 东关村 (离石区), paired with the caring mother behind ``volunteer_lishi``."""
    child = make_child(staff_lishi, name="王小雨")
    pair(child, my_mother)
    return child


def test_an_urgent_report_made_offline_arrives_once_when_the_network_returns(
        live_server, phone_context, artifacts, volunteer_lishi, staff_lishi, my_child, today, private_storage,  # noqa: F811
        tmp_path):
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.wait_for_selector("html[data-offline-ready]", state="attached")
    page.locator(f".kid-main[href='/m/children/{my_child.pk}/']").tap()
    page.wait_for_url(re.compile(rf"/m/children/{my_child.pk}/$"))

    # The child's page → 报告紧急情况: the form opens with an id made on the phone.
    tap = Taps(page)
    tap(f"[data-alert-child='{my_child.pk}']")
    page.wait_for_url(re.compile(rf"/m/children/{my_child.pk}/alert/$"))
    page.wait_for_function("() => /^[0-9a-f-]{36}$/.test(document.querySelector('[data-alert-form] input[name=id]').value)")
    page.set_input_files("[data-photo-input]:not([data-photo-camera])", camera_photo(tmp_path / "IMG_0002.jpg"))
    page.wait_for_selector("[data-photo-preview]:not([hidden])")

    # The signal is gone: what happened (a tap), a few words, 提交 (a tap).
    phone_context.set_offline(True)
    page.wait_for_function("navigator.onLine === false")
    tap("[data-alert-form] input[name=kind][value=injury]")
    page.fill("[data-alert-form] textarea[name=description]", "从树上摔下，手臂肿了")
    page.screenshot(path=str(artifacts / "phone-alert-form.png"), full_page=True)
    tap("[data-save]")
    assert tap.count == 3

    # Back on 我的孩子 (from the phone's cache): the report waits in the queue with its photo.
    page.wait_for_url(re.compile(r"/m/$"))
    waiting = page.locator("[data-queue][data-pending='1'] li[data-type=alert][data-status=pending]")
    waiting.wait_for()
    assert "紧急情况报告（意外受伤）" in waiting.inner_text()
    assert waiting.get_attribute("data-photo") == "pending"
    assert page.locator("[data-net-banner]").is_visible()
    # Not asserted: that the server has seen nothing yet (see test_offline_sync: the emulation may let a
    # request out and drop its answer; the phone then sends it again with the same id).
    queue(page).scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "phone-alert-offline-pending.png"))

    # The network is back: the report, then its photo; each stored once.
    phone_context.set_offline(False)
    page.wait_for_selector("[data-queue][data-pending='0'] li[data-type=alert][data-status=synced][data-photo=synced]",
                           timeout=SYNC_TIMEOUT_MS)
    sent_id = page.locator("[data-queue] li[data-type=alert]").get_attribute("data-id")
    alert = Alert.objects.get()
    assert (str(alert.pk), alert.child_id, alert.kind, alert.description, alert.occurred_on, alert.reported_by_id) == (
        sent_id, my_child.pk, "injury", "从树上摔下，手臂肿了", today, volunteer_lishi.pk)
    assert Notification.objects.filter(recipient=staff_lishi, kind="alert").count() == 1
    stored = AlertPhoto.objects.get()
    assert stored.alert_id == alert.pk and stored.client_id is not None
    assert (stored.width, stored.height) == (1600, 1067) and len(stored_image(stored).getexif()) == 0
    assert len(list(private_storage.rglob("*.jpg"))) == 1
    page.screenshot(path=str(artifacts / "phone-alert-synced.png"))


def test_a_double_tap_on_submit_reports_once(live_server, phone_context, volunteer_lishi, staff_lishi, my_child):
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/children/{my_child.pk}/alert/")
    page.locator("[data-alert-form] input[name=kind][value=missing]").tap()
    page.fill("[data-alert-form] textarea[name=description]", "放学后没有回家")
    page.evaluate("() => { const b = document.querySelector('[data-save]'); b.click(); b.click(); }")
    page.wait_for_url(re.compile(r"/m/$"))
    page.wait_for_selector("[data-queue] li[data-type=alert][data-status=synced]", timeout=SYNC_TIMEOUT_MS)
    assert page.locator("[data-saved]").inner_text() == "小雨 · 紧急情况报告（走失失联）：已报告：已通知妇联工作人员。"
    assert Alert.objects.count() == 1
    assert Notification.objects.filter(recipient=staff_lishi, kind="alert").count() == 1


def test_a_report_without_what_happened_is_not_queued(live_server, phone_context, volunteer_lishi, my_child):
    page = log_in(phone_context, live_server, volunteer_lishi)
    page.goto(live_server.url + f"/m/children/{my_child.pk}/alert/")
    page.fill("[data-alert-form] textarea[name=description]", "身上有淤青")
    page.locator("[data-save]").tap()
    page.wait_for_selector("[data-saved].is-error")
    assert page.locator("[data-saved]").inner_text() == "请选择发生了什么。"
    assert "/alert/" in page.url and page.locator("[data-save]").is_enabled()
    assert page.evaluate("() => new Promise(r => indexedDB.open('aixin-phone').onsuccess = e => "
                         "e.target.result.transaction('records').objectStore('records').count().onsuccess = "
                         "c => r(c.target.result))") == 0
    assert not Alert.objects.exists()
