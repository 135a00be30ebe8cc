"""The Excel report, read back with openpyxl: its sheets, Chinese headers, numbers stored as numbers
(rates as fractions with a percent format), text as text (never a formula), and no child's name or ID
number."""

from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Region
from core.regions import self_row_name
from reports import services
from tests.factories import LISHI, LVLIANG, SHANXI, RegionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def _workbook(actor, region_code: str):
    run = services.report_request(actor=actor, region_code=region_code, month="2025-05", format="xlsx")
    run = services.report_generate(run_id=run.pk)
    with run.file.open("rb") as handle:
        return load_workbook(BytesIO(handle.read()))


@pytest.fixture
def city_book(lishi_month, admin_province):
    return _workbook(admin_province, LVLIANG)


@pytest.fixture
def province_book(lishi_month, admin_province):
    return _workbook(admin_province, SHANXI)


def _summary(book) -> dict[str, object]:
    """Indicator label → its value cell, from the summary sheet."""
    sheet = book["汇总"]
    return {row[1].value: row[2] for row in sheet.iter_rows(min_row=5) if row[1].value}


def _table(sheet) -> tuple[list[str], list[list]]:
    rows = list(sheet.iter_rows(min_row=4))
    return [c.value for c in rows[0]], rows[1:]


def test_a_city_workbook_has_a_summary_a_county_and_a_trend_sheet(city_book):
    assert city_book.sheetnames == ["汇总", "各县（市、区）", "近12个月"]


def test_the_province_workbook_has_a_city_and_a_county_sheet(province_book):
    assert province_book.sheetnames == ["汇总", "各市", "各县（市、区）", "近12个月"]


def test_counts_are_numeric_cells(city_book):
    cell = _summary(city_book)["关爱活动（次）"]
    assert (cell.data_type, cell.value) == ("n", 2)


def test_rates_are_numbers_with_a_percent_format(city_book):
    cell = _summary(city_book)["结对率"]
    assert (cell.data_type, cell.value) == ("n", 1.0)
    assert cell.number_format.endswith("%")


def test_yuan_are_numbers_with_two_decimals(city_book):
    cell = _summary(city_book)["帮扶物资折价（元）"]
    assert (cell.data_type, cell.value, cell.number_format) == ("n", 350.5, "#,##0.00")


def test_the_subregion_sheet_has_chinese_headers(city_book):
    headers, _rows = _table(city_book["各县（市、区）"])
    assert headers[:5] == ["区划代码", "区划名称", "在册儿童", "已结对", "结对率"]


def test_the_subregion_rows_are_numbers(city_book):
    _headers, rows = _table(city_book["各县（市、区）"])
    lishi = next(row for row in rows if row[0].value == LISHI)
    assert [c.value for c in lishi[1:4]] == ["离石区", 2, 2]
    assert all(c.data_type == "n" for c in lishi[2:] if c.value is not None)


def test_the_county_sheet_groups_counties_under_their_city(province_book):
    _headers, rows = _table(province_book["各县（市、区）"])
    assert [(r[0].value, r[2].value) for r in rows if r[1].value in (LISHI, "140702000000")] == [
        ("晋中市", "榆次区"), ("吕梁市", "离石区")]


def test_no_child_name_or_id_number_is_in_the_workbook(lishi_month, province_book):
    text = "".join(str(cell.value) for sheet in province_book for row in sheet.iter_rows() for cell in row
                   if cell.value is not None)
    for child in lishi_month.children:
        assert child.name not in text
    for id_number in lishi_month.id_numbers:
        assert id_number not in text


def test_the_trend_sheet_ends_with_the_reports_month(city_book):
    _headers, rows = _table(city_book["近12个月"])
    assert [c.value for c in rows[-1][:5]] == ["2025-05", 2, 0, 1.0, 2]
    assert len(rows) == 12


# --- text is text, numbers are numbers ------------------------------------------------------------

FORMULA_NAMED = "141102900000"  # a township of 离石区 named like a formula


def test_a_region_named_like_a_formula_is_a_text_cell(lishi_month, staff_lishi):
    RegionFactory(code=FORMULA_NAMED, name="=1+1")
    _headers, rows = _table(_workbook(staff_lishi, LISHI)["各乡镇（街道）"])
    cell = next(row[1] for row in rows if row[0].value == FORMULA_NAMED)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)


def test_a_title_starting_like_a_formula_is_a_text_cell(lishi_month, staff_lishi):
    RegionFactory(code=FORMULA_NAMED, name="=1+1")
    cell = _workbook(staff_lishi, FORMULA_NAMED)["汇总"]["A1"]
    assert (cell.value.startswith("=1+1"), cell.data_type, cell.quotePrefix) == (True, "s", True)


def test_the_subregion_figures_keep_their_number_formats(city_book):
    headers, rows = _table(city_book["各县（市、区）"])
    lishi = next(row for row in rows if row[0].value == LISHI)
    assert {headers[i]: (lishi[i].data_type, lishi[i].number_format) for i in (2, 4, 11)} == {
        "在册儿童": ("n", "#,##0"), "结对率": ("n", "0.0%"), "物资折价（元）": ("n", "#,##0.00")}


def test_the_subregion_sheet_keeps_headers_and_names_in_view_and_filters_the_region_rows(city_book):
    sheet = city_book["各县（市、区）"]
    _headers, rows = _table(sheet)
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("C5", f"A4:M{4 + len(rows) - 1}")


def test_the_row_of_the_county_itself_is_in_the_workbook(lishi_month, make_child, staff_lishi):
    make_child(staff_lishi, name="周小安", region_code=LISHI)
    _headers, rows = _table(_workbook(staff_lishi, LISHI)["各乡镇（街道）"])
    with translation.override("zh-hans"):
        label = self_row_name(Region.objects.get(pk=LISHI))
    assert [(row[1].value, row[2].value) for row in rows[:-1] if row[0].value == LISHI] == [(label, 1)]
