"""The civil-affairs list upload against damaged and hostile files, and the preview built by a task.

A file that is not a usable list gets a Chinese message: a form error on the upload page for what the
cheap package check sees (size, zip, damaged or hostile XML), a failed import naming the reason for
what only reading the sheet shows (headers, columns, rows). Never a 500, and never the whole file
built in memory before the headers are checked.

Hostile packages are made by replacing parts of a workbook openpyxl wrote."""

import os
import re
import tracemalloc
import zipfile
from io import BytesIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from children import identity, reconcile, tasks, xlsx_reader
from children.models import Child, LedgerImport, LedgerImportStatus
from tests.children.test_reconcile import HEADERS, LISHI, list_row, preview_of, upload, workbook_bytes

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_parts(data: bytes, **replaced: bytes) -> bytes:
    """``data`` with some parts replaced or added; keyword names use "__" for "/" and "_dot_" for "."."""
    parts = {name.replace("__", "/").replace("_dot_", "."): content for name, content in replaced.items()}
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename not in parts:
                target.writestr(info.filename, source.read(info.filename))
        for name, content in parts.items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_part(data: bytes) -> bytes:
    with zipfile.ZipFile(BytesIO(data)) as package:
        return package.read(SHEET)


def text_row(number: int, texts: list[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{t}</t></is></c>' for t in texts)
    return f'<row r="{number}">{cells}</row>'


def sheet_xml(rows: str, *, dimension: str = "A1:A1", prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet xmlns="{MAIN_NS}">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>').encode()


def file_error(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        xlsx_reader.read_sheet(data)
    (message,) = caught.value.message_dict["file"]
    return message


def upload_error(client, data: bytes) -> str:
    """The form error of an upload refused at once; nothing is stored."""
    response = upload(client, data)
    assert response.status_code == 200
    (message,) = response.context["form"].errors["file"]
    assert not LedgerImport.objects.exists()
    return message


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploads waiting for their preview go to a throwaway private folder, not the shared var/test one."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def stored_files(root) -> list[str]:
    return [os.path.join(folder, name) for folder, _dirs, names in os.walk(root) for name in names]


@pytest.fixture
def staff_client(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


# --- the package: refused at upload, before anything is parsed into memory ---------------------------

def test_a_package_unpacking_past_the_limit_is_refused_at_upload(staff_client):
    padding = b"<?xml version='1.0'?><pad>" + b" " * (xlsx_reader.MAX_UNPACKED_BYTES) + b"</pad>"
    data = with_parts(workbook_bytes([list_row()]), docProps__padding_dot_xml=padding)
    assert len(data) < 200 * 1024
    message = upload_error(staff_client, data)
    assert "20 MB" in message and "解压" in message


def test_a_truncated_sheet_is_a_chinese_form_error_not_a_500(staff_client):
    data = workbook_bytes([list_row(), list_row()])
    sheet = sheet_part(data)
    message = upload_error(staff_client, with_parts(data, xl__worksheets__sheet1_dot_xml=sheet[: len(sheet) // 2]))
    assert "已损坏" in message and SHEET in message


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_doctype_with_entities_is_refused_in_any_encoding(staff_client, encoding):
    prolog = '<!DOCTYPE worksheet [<!ENTITY name "姓名"><!ENTITY a "&name;&name;&name;&name;">]>'
    sheet = sheet_xml(text_row(1, ["&a;", *HEADERS[1:]]), prolog=prolog).decode()
    sheet = sheet.replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"').encode(encoding)
    data = with_parts(workbook_bytes([list_row()]), xl__worksheets__sheet1_dot_xml=sheet)
    message = upload_error(staff_client, data)
    assert "DOCTYPE" in message and "安全" in message


def test_too_many_shared_strings_are_refused_at_upload(staff_client, monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_SHARED_STRINGS", 20)
    strings = "".join(f"<si><t>城北村{i}号</t></si>" for i in range(21))
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">{strings}</sst>'.encode()
    data = with_parts(workbook_bytes([list_row()]), xl__sharedStrings_dot_xml=sst)
    assert "20" in upload_error(staff_client, data)


def test_a_sheet_of_far_too_many_cells_is_refused_at_upload(staff_client, monkeypatch):
    monkeypatch.setattr(xlsx_reader, "MAX_SHEET_TAGS", 5_000)
    rows = "".join(f"<row>{'<c/>' * 100}</row>" for _ in range(60))
    data = with_parts(workbook_bytes([]), xl__worksheets__sheet1_dot_xml=sheet_xml(text_row(1, HEADERS) + rows))
    assert "5,000" in upload_error(staff_client, data)


# --- the sheet: read streaming, headers first --------------------------------------------------------

def test_an_empty_cells_bomb_is_refused_on_its_headers_without_building_the_sheet():
    """800,000 empty cells under a header row that lacks required columns: the headers are checked on
    the first rows of the stream, so the error comes without the cells ever being held in memory
    (openpyxl's full load of it, as before, peaked at about 270 MB of Python objects)."""
    rows = "".join(f"<row>{'<c/>' * 1000}</row>" for _ in range(800))
    sheet = sheet_xml(text_row(1, ["姓名", "性别", "出生日期"]) + rows, dimension="A1:ALL801")
    data = with_parts(workbook_bytes([]), xl__worksheets__sheet1_dot_xml=sheet)
    assert len(data) < 100 * 1024 and len(sheet) > 3 * 1024 * 1024
    tracemalloc.start()
    try:
        message = file_error(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "缺少必填列" in message and "身份证号" in message
    assert peak < 40 * 1024 * 1024


def test_the_bomb_uploaded_leaves_a_failed_import_with_the_reason(staff_client):
    rows = "".join(f"<row>{'<c/>' * 1000}</row>" for _ in range(300))
    sheet = sheet_xml(text_row(1, ["姓名", "性别", "出生日期"]) + rows)
    upload(staff_client, with_parts(workbook_bytes([]), xl__worksheets__sheet1_dot_xml=sheet))
    imp = LedgerImport.objects.get()
    assert imp.status == LedgerImportStatus.FAILED and "缺少必填列" in imp.error
    assert not imp.upload
    assert not Child.objects.exists()


def test_a_value_beyond_the_column_limit_is_refused():
    wb = Workbook()
    sheet = wb.active
    sheet.append(HEADERS)
    sheet.cell(row=1, column=xlsx_reader.MAX_COLUMNS + 1, value="附加列")
    buffer = BytesIO()
    wb.save(buffer)
    message = file_error(buffer.getvalue())
    assert "100" in message and "CW" in message


def test_a_hostile_row_number_is_refused_instead_of_counted_towards(staff_lishi):
    rows = text_row(1, HEADERS) + '<row r="99999999999"><c t="inlineStr"><is><t>赵小红</t></is></c></row>'
    data = with_parts(workbook_bytes([]), xl__worksheets__sheet1_dot_xml=sheet_xml(rows))
    assert "无法按 Excel 工作簿读取" in file_error(data)


def test_a_broken_cell_met_while_streaming_fails_the_import_in_chinese(staff_lishi):
    """Well-formed XML that openpyxl chokes on only while streaming rows (a shared string that does not exist)."""
    rows = text_row(1, HEADERS) + '<row r="2"><c r="A2" t="s"><v>99999</v></c></row>'
    data = with_parts(workbook_bytes([]), xl__worksheets__sheet1_dot_xml=sheet_xml(rows))
    imp = preview_of(staff_lishi, data)
    assert imp.status == LedgerImportStatus.FAILED
    assert "无法按 Excel 工作簿读取" in imp.error


def test_a_wrong_dimension_in_the_sheet_does_not_cut_the_list_short(staff_lishi):
    data = workbook_bytes([list_row(), list_row(姓名="赵小刚", 性别="男"), list_row(姓名="赵小兰")])
    sheet = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:B2"/>', sheet_part(data))
    imp = preview_of(staff_lishi, with_parts(data, xl__worksheets__sheet1_dot_xml=sheet))
    assert imp.preview["counts"]["new"] == 3


# --- the preview job ----------------------------------------------------------------------------------

def test_the_preview_is_built_by_a_task_after_the_upload(client, staff_lishi, monkeypatch, private_storage,
                                                         django_capture_on_commit_callbacks):
    client.force_login(staff_lishi)
    queued = []
    monkeypatch.setattr(tasks.build_import_preview, "delay", queued.append)
    data = workbook_bytes([list_row()])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("children:import"),
                               {"file": SimpleUploadedFile("名单.xlsx", data), "region": LISHI})
    imp = LedgerImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("children:import-preview", args=[imp.pk])
    assert (imp.status, queued) == (LedgerImportStatus.PENDING, [imp.pk])
    assert stored_files(private_storage) == [str(private_storage / imp.upload.name)]
    with imp.upload.open("rb") as stored:
        assert identity.decrypt_bytes(stored.read()) == data  # kept encrypted: it holds full ID numbers

    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert "正在检查" in page and 'http-equiv="refresh"' in page
    assert client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"}).status_code == 302
    assert not Child.objects.exists()

    assert tasks.build_import_preview.apply(args=[imp.pk]).get() == LedgerImportStatus.PREVIEWED
    imp.refresh_from_db()
    assert imp.preview["counts"]["new"] == 1
    assert not imp.upload and stored_files(private_storage) == []
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page and "正在检查" not in page


@pytest.mark.skipif(not settings.CELERY_TASK_ALWAYS_EAGER, reason="the embedded default runs tasks in-process")
def test_with_in_process_tasks_the_upload_leaves_the_preview_ready(client, staff_lishi,
                                                                   django_capture_on_commit_callbacks):
    client.force_login(staff_lishi)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("children:import"),
                    {"file": SimpleUploadedFile("名单.xlsx", workbook_bytes([list_row()])), "region": LISHI})
    imp = LedgerImport.objects.get()
    assert (imp.status, imp.preview["counts"]["new"]) == (LedgerImportStatus.PREVIEWED, 1)


def test_a_redelivered_preview_task_changes_nothing(staff_lishi):
    imp = preview_of(staff_lishi, workbook_bytes([list_row()]))
    again = reconcile.import_preview_build(import_id=imp.pk)
    assert (again.status, again.preview) == (LedgerImportStatus.PREVIEWED, imp.preview)


def test_a_failed_import_shows_its_reason_and_cannot_be_applied(client, staff_lishi):
    imp = preview_of(staff_lishi, workbook_bytes([list_row()], headers=HEADERS[1:]))
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import-preview", args=[imp.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "姓名" in imp.error and imp.error in page and 'http-equiv="refresh"' not in page
    with pytest.raises(ValidationError):
        reconcile.import_apply(actor=staff_lishi, ledger_import=imp)


def test_an_unexpected_error_in_the_job_leaves_the_import_failed_not_pending(staff_lishi, monkeypatch):
    def broken(data):
        raise RuntimeError("a bug")

    monkeypatch.setattr(reconcile, "read_sheet", broken)
    imp = preview_of(staff_lishi, workbook_bytes([list_row()]))
    assert imp.status == LedgerImportStatus.FAILED
    assert "服务器" in imp.error and not imp.upload
