"""Exporting a list as a user does — the list page's "Export Excel" button (a POST to exports:create
with the page's query string), the job run in-process when the request commits (the embedded default,
eager Celery), the file downloaded from the job's page — and reading it back."""

from io import BytesIO
from urllib.parse import urlencode

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from exports.models import ExportRun


def export_post(client, kind: str, /, **params):
    """POST the export button of ``kind``'s list page with ``params`` as its query string; the job runs
    when the request's transaction commits. Returns the response (a redirect to the job's page)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("exports:create", args=[kind]) + _query(params))


def _query(params: dict) -> str:
    return "?" + urlencode(params) if params else ""


def run_of(response) -> ExportRun:
    assert response.status_code == 302, (response.status_code, response.content[:500])
    return ExportRun.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


def drain(response) -> bytes:
    """The body of a streamed download, read to its end: that closes the file (the test client's
    wrapper closes the response when it is exhausted) without ``response.close()``, whose
    request_finished signal would close the test's database connection on PostgreSQL."""
    return b"".join(response.streaming_content)


def exported_bytes(client, kind: str, /, **params) -> bytes:
    """The .xlsx the user downloads after exporting ``kind`` with ``params``; the stored file is deleted
    once read (the private storage is the test settings' folder)."""
    run = run_of(export_post(client, kind, **params))
    response = client.get(reverse("exports:download", args=[run.pk]))
    assert response.status_code == 200, (response.status_code, ExportRun.objects.get(pk=run.pk).error)
    content = drain(response)
    ExportRun.objects.get(pk=run.pk).file.delete(save=False)
    return content


def exported_sheet(client, kind: str, /, *, read_only: bool = False, **params):
    """The first sheet of the exported workbook (a full workbook unless ``read_only``: styles such as
    the quote prefix are read too)."""
    return load_workbook(BytesIO(exported_bytes(client, kind, **params)), read_only=read_only).worksheets[0]


def records(sheet) -> list[dict]:
    """The data rows as ``{header: value}``."""
    rows = sheet.iter_rows(values_only=True)
    headers = next(rows)
    return [dict(zip(headers, row, strict=True)) for row in rows]
