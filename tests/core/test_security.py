"""core.security: the Content-Security-Policy on every response (and templates that need nothing
inline), and ``Cache-Control: no-store`` on what carries a child's record, an ID number or an export."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from core.security import SecurityHeadersMiddleware
from reports.models import ReportFormat, ReportRun, ReportStatus
from tests.exports.helpers import drain, export_post, run_of

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Rendered by WeasyPrint into PDFs, never sent to a browser.
PDF_TEMPLATES = {"pairing/pair_card.html", "reports/report_pdf.html", "children/access_copy_pdf.html"}
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


# --- Content-Security-Policy --------------------------------------------------------------------

def test_the_policy_allows_nothing_inline_and_nothing_from_elsewhere():
    directives = dict(d.split(" ", 1) for d in settings.CONTENT_SECURITY_POLICY.split("; "))
    assert directives == {
        "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' data: blob:",
        "object-src": "'none'", "base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'",
    }


@pytest.mark.parametrize("path", ["/login/", "/api/v1/me/", "/no-such-page/", "/m/sw.js", "/healthz/"])
def test_every_response_carries_the_policy(client, regions, path):
    assert client.get(path)["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_pages_of_signed_in_users_carry_it(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    for path in (reverse("home"), reverse("children:detail", args=[child_lishi.pk])):
        assert client.get(path)["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_browsable_api_may_use_inline_styles_but_never_inline_scripts(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"].startswith("text/html")
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_has_inline_script_handlers_or_styles(template):
    if template in PDF_TEMPLATES:
        return
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    assert INLINE_SCRIPT.findall(text) == []
    assert EVENT_HANDLER.findall(text) == []
    assert STYLE.findall(text) == []


def assert_clean(html: str) -> None:
    assert INLINE_SCRIPT.findall(html) == [] and EVENT_HANDLER.findall(html) == [] and STYLE.findall(html) == []


def test_rendered_staff_pages_have_nothing_inline(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    for name, args in (("home", []), ("children:list", []), ("children:detail", [child_lishi.pk]),
                       ("reports:dashboard", []), ("password_change", [])):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        assert_clean(response.content.decode())


def test_rendered_phone_pages_have_nothing_inline(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    for name in ("phone:home", "phone:log", "phone:history", "phone:offline"):
        assert_clean(client.get(reverse(name)).content.decode())


def test_the_server_error_page_has_nothing_inline():
    assert_clean(render_to_string("500.html"))


# --- Cache-Control: no-store -------------------------------------------------------------------

def test_a_childs_pages_are_not_stored(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    for path in (reverse("children:list"), reverse("children:detail", args=[child_lishi.pk]),
                 reverse("children:edit", args=[child_lishi.pk])):
        assert no_store(client.get(path)), path


def test_a_revealed_id_number_page_is_not_stored(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = client.post(reverse("children:reveal", args=[child_lishi.pk]), {"reason": "核对低保材料"})
    assert response.status_code == 200
    assert no_store(response)


def test_the_api_childrens_records_are_not_stored(api_client_for, staff_lishi, child_lishi):
    client = api_client_for(staff_lishi)
    for response in (client.get("/api/v1/children/"), client.get(f"/api/v1/children/{child_lishi.pk}/"),
                     client.post(f"/api/v1/children/{child_lishi.pk}/reveal-id/", {"reason": "核对"},
                                 format="json")):
        assert response.status_code == 200
        assert no_store(response)


def test_exports_are_not_stored(client, staff_lishi, child_lishi, tmp_path, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    client.force_login(staff_lishi)
    run = run_of(export_post(client, "children"))
    for url in (reverse("exports:download", args=[run.pk]), reverse("children:import-template")):
        response = client.get(url)
        assert (response.status_code, no_store(response)) == (200, True), url
        drain(response)


@pytest.fixture
def report_run(settings, tmp_path, staff_lishi, regions):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    run = ReportRun.objects.create(region=regions.lishi, month=date(2025, 4, 1), format=ReportFormat.XLSX,
                                   status=ReportStatus.DONE, progress=100, requested_by=staff_lishi)
    run.file.save("离石区-2025-04.xlsx", ContentFile(b"PK"), save=True)
    return run


def test_report_downloads_are_not_stored(client, api_client_for, staff_lishi, report_run):
    client.force_login(staff_lishi)
    page = client.get(reverse("reports:download", args=[report_run.pk]))
    api = api_client_for(staff_lishi).get(f"/api/v1/reports/{report_run.pk}/download/")
    assert [(r.status_code, no_store(r)) for r in (page, api)] == [(200, True), (200, True)]


def test_pages_without_a_childs_record_are_left_to_the_browser(client, staff_lishi):
    client.force_login(staff_lishi)
    assert not no_store(client.get(reverse("home")))


def through_middleware(response):
    return SecurityHeadersMiddleware(lambda request: response)(RequestFactory().get("/"))


def test_any_file_download_is_not_stored():
    download = HttpResponse(b"x", content_type="text/csv")
    download["Content-Disposition"] = 'attachment; filename="a.csv"'
    assert no_store(through_middleware(download))
    assert not no_store(through_middleware(HttpResponse(b"x")))


def test_a_pdf_gets_no_policy_for_the_browsers_viewer():
    assert "Content-Security-Policy" not in through_middleware(HttpResponse(b"%PDF", content_type="application/pdf"))
    assert "Content-Security-Policy" in through_middleware(HttpResponse(b"<p>", content_type="text/html"))
