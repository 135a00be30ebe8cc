"""An export in a real browser: the ledger's "Export Excel" button makes a job and shows its page, which
follows the job (static/core/job_progress.js polling /api/v1/exports/<id>/, no inline script under the
CSP) until the download link appears. Screenshots go to var/test-artifacts/export-*.png."""

import re

import pytest
from django.core.files.base import ContentFile

from exports.models import ExportKind, ExportRun, ExportStatus
from tests.children.conftest import child_lishi, make_child  # noqa: F401
from tests.e2e.test_navigation import DESKTOP, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desktop(browser):
    context = browser.new_context(**DESKTOP, accept_downloads=True)
    context.set_default_timeout(15_000)
    yield context
    context.close()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}


def test_the_ledgers_button_makes_the_export_and_its_page_offers_the_file(desktop, live_server, artifacts,
                                                                          staff_lishi, child_lishi):  # noqa: F811
    page = log_in(desktop, live_server, staff_lishi)
    page.goto(live_server.url + "/children/?category=left_behind")
    page.get_by_role("button", name="导出 Excel").click()
    page.wait_for_url(re.compile(r"/exports/\d+/$"))
    link = page.get_by_role("link", name="下载 Excel 文件")
    assert link.is_visible()  # without Redis the job ran in-process: done when the page opens
    assert page.locator("[data-role=status]").inner_text() == "已完成"
    page.screenshot(path=str(artifacts / "export-done.png"), full_page=True)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename.startswith("儿童台账_离石区_")


def test_the_page_follows_a_job_being_made_until_the_file_is_ready(desktop, live_server, artifacts, staff_lishi):
    run = ExportRun.objects.create(kind=ExportKind.CHILDREN, requested_by=staff_lishi, region_id=staff_lishi.region_id)
    errors = []
    page = log_in(desktop, live_server, staff_lishi)
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/exports/{run.pk}/")
    assert page.locator("[data-role=percent]").inner_text() == "0%"
    assert not page.get_by_role("link", name="下载 Excel 文件").is_visible()

    ExportRun.objects.filter(pk=run.pk).update(status=ExportStatus.RUNNING, progress=60)
    page.locator("[data-role=percent]", has_text="60%").wait_for()
    assert page.evaluate("document.querySelector('progress').value") == 60
    page.screenshot(path=str(artifacts / "export-running.png"), full_page=True)

    run.file.save("export.xlsx", ContentFile(b"PK"), save=False)
    ExportRun.objects.filter(pk=run.pk).update(status=ExportStatus.DONE, progress=100, rows=1, file=run.file.name,
                                               filename="儿童台账.xlsx")
    page.get_by_role("link", name="下载 Excel 文件").wait_for()
    assert page.locator("[data-role=status]").inner_text() == "已完成"
    assert page.locator("[data-role=rows]").inner_text() == "1 行"
    assert errors == []  # no CSP violation, no failed poll
