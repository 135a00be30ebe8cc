"""Reading an uploaded civil-affairs list: from .xlsx bytes to rows of typed values and cell errors.

This module checks the shape of the file (headers, merged cells, dates that are dates, words from the
format's vocabulary). Whether a row makes sense for the ledger (ID numbers, regions, duplicates) is
decided by children.reconcile, which calls the services' checks.
"""

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from children.xlsx_template import (
    CATEGORY_WORDS,
    COLUMN_BY_HEADER,
    COLUMNS,
    DIFFICULTY_WORDS,
    EXAMPLE_PREFIX,
    GENDER_WORDS,
    HELP_SHEET_TITLE,
    HOUSEHOLD_WORDS,
    LIST_SEPARATORS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    REQUIRED_HEADERS,
    canonical_word,
)

# Unpacked size allowed for the whole package: a list within the limits unpacks to well under this;
# more means a padded or malicious file, refused before openpyxl builds it in memory.
MAX_UNPACKED_BYTES = 80 * 1024 * 1024
# The header row may sit under a title (often a merged "XX县留守儿童花名册" line).
HEADER_SEARCH_ROWS = 10

_SPACES = re.compile(r"\s+")
_SPLIT = re.compile("[" + re.escape(LIST_SEPARATORS) + "]+")


@dataclass
class CellError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class SheetRow:
    row: int
    # Column key -> typed value; None when the column is absent or the cell is empty.
    values: dict
    errors: list[CellError] = field(default_factory=list)

    def error(self, column_key: str, message: str) -> None:
        header = COLUMN_BY_HEADER_KEY.get(column_key, column_key)
        self.errors.append(CellError(self.row, header, message))


@dataclass
class Sheet:
    headers: list[str]  # the format's headers found in the file
    rows: list[SheetRow]


COLUMN_BY_HEADER_KEY = {c.key: c.header for c in COLUMNS}


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def _normalise_header(value) -> str:
    text = _SPACES.sub("", str(value or ""))
    for mark in ("（必填）", "(必填)", "*", "＊"):
        text = text.replace(mark, "")
    return text


def _open(data: bytes):
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is larger than %(mb)s MB. Split the list and import it in parts.")
                          % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    try:
        with zipfile.ZipFile(BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
    except zipfile.BadZipFile:
        raise _file_error(_("This is not an .xlsx file. Save the list in Excel as “Excel workbook (*.xlsx)” "
                            "and upload it again.")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _file_error(_("The file unpacks to more than %(mb)s MB. Split the list and import it in parts.")
                          % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)})
    try:
        # read_only=False: merged cell ranges are only known on a fully loaded sheet.
        return load_workbook(BytesIO(data), read_only=False, data_only=True)
    except (InvalidFileException, KeyError, ValueError, TypeError, OSError, zipfile.BadZipFile):
        raise _file_error(_("The file cannot be read as an Excel workbook. Save it in Excel as “Excel workbook "
                            "(*.xlsx)” and upload it again.")) from None


def _data_sheet(workbook):
    for sheet in workbook.worksheets:
        if sheet.title != HELP_SHEET_TITLE:
            return sheet
    raise _file_error(_("The workbook has no sheet with the list."))


def _find_header_row(sheet) -> tuple[int, dict[int, str]]:
    """The row holding the headers (the first with 姓名 and 身份证号) and column index -> header."""
    best: tuple[int, dict[int, str]] | None = None
    for row in sheet.iter_rows(min_row=1, max_row=min(HEADER_SEARCH_ROWS, sheet.max_row or 1)):
        found = {}
        for cell in row:
            header = _normalise_header(cell.value)
            if header in COLUMN_BY_HEADER:
                found[cell.column] = header
        if "姓名" in found.values() and "身份证号" in found.values():
            return row[0].row, found
        if found and (best is None or len(found) > len(best[1])):
            best = (row[0].row, found)
    return best or (1, {})


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _SPACES.sub(" ", str(value)).strip()


def _read_text(row: SheetRow, key: str, value, *, max_length: int | None = None) -> None:
    text = _cell_text(value)
    if isinstance(value, datetime | date):
        text = value.strftime("%Y-%m-%d")
    if max_length and len(text) > max_length:
        row.error(key, _("“%(value)s…” is longer than %(n)s characters.") % {"value": text[:10], "n": max_length})
        return
    row.values[key] = text or None


def _read_word(row: SheetRow, key: str, value, words: dict[str, str]) -> None:
    text = _cell_text(value).replace(" ", "")
    if not text:
        row.values[key] = None
        return
    word = canonical_word(key, text)
    if word not in words:
        row.error(key, _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "、".join(words)})
        return
    row.values[key] = words[word]


def _read_words(row: SheetRow, key: str, value, words: dict[str, str]) -> None:
    text = _cell_text(value)
    parts = [canonical_word(key, p) for p in _SPLIT.split(text) if p]
    if not parts:
        row.values[key] = None
        return
    unknown = [p for p in parts if p not in words]
    if unknown:
        message = (_("Unknown category: %(value)s. Use %(choices)s.") if key == "categories"
                   else _("Unknown kind of difficulty: %(value)s. Use %(choices)s."))
        row.error(key, message % {"value": "、".join(unknown), "choices": "、".join(words)})
        return
    row.values[key] = sorted({words[p] for p in parts})


def _read_date(row: SheetRow, key: str, value) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        row.values[key] = None
        return
    if isinstance(value, datetime):
        row.values[key] = value.date()
    elif isinstance(value, date):
        row.values[key] = value
    elif isinstance(value, str):
        row.error(key, _("“%(value)s” is text, not a date. Enter the date as an Excel date (for example 2015-03-08) "
                         "in a cell formatted as a date.") % {"value": value.strip()[:20]})
    else:
        row.error(key, _("“%(value)s” is a number, not a date. Format the cell as a date.") % {"value": value})


def _read_id_number(row: SheetRow, key: str, value) -> None:
    if isinstance(value, float):
        row.error(key, _("The ID number was stored as a number, which Excel rounds to 15 digits. Format the column "
                         "as text and enter the number again."))
        return
    text = _cell_text(value).replace(" ", "").upper()
    row.values[key] = text or None


def _read_code(row: SheetRow, key: str, value) -> None:
    row.values[key] = _cell_text(value).replace(" ", "") or None


READERS = {
    "name": lambda row, key, value: _read_text(row, key, value, max_length=40),
    "gender": lambda row, key, value: _read_word(row, key, value, GENDER_WORDS),
    "id_number": _read_id_number,
    "birth_date": _read_date,
    "region": _read_code,
    "categories": lambda row, key, value: _read_words(row, key, value, CATEGORY_WORDS),
    "difficulty_types": lambda row, key, value: _read_words(row, key, value, DIFFICULTY_WORDS),
    "guardian_name": lambda row, key, value: _read_text(row, key, value, max_length=40),
    "guardian_relation": lambda row, key, value: _read_text(row, key, value, max_length=20),
    "guardian_phone": lambda row, key, value: _read_code(row, key, value),
    "school": lambda row, key, value: _read_text(row, key, value, max_length=80),
    "grade": lambda row, key, value: _read_text(row, key, value, max_length=20),
    "address": lambda row, key, value: _read_text(row, key, value, max_length=200),
    "household": lambda row, key, value: _read_word(row, key, value, HOUSEHOLD_WORDS),
    "parents_work_place": lambda row, key, value: _read_text(row, key, value, max_length=120),
    "notes": lambda row, key, value: _read_text(row, key, value, max_length=1000),
}

def _required_message(key: str) -> str:
    return {
        "name": _("Enter the child's name."),
        "gender": _("Enter 男 or 女."),
        "id_number": _("Enter the ID number."),
        "birth_date": _("Enter the birth date."),
        "region": _("Enter the 12-digit region code."),
        "categories": _("Enter at least one category."),
    }[key]


def read_sheet(data: bytes) -> Sheet:
    """Parse the list. File-level problems raise ValidationError({"file": …}); problems in cells are
    returned as each row's errors."""
    workbook = _open(data)
    sheet = _data_sheet(workbook)
    header_row, header_at = _find_header_row(sheet)
    present = set(header_at.values())
    missing = [h for h in REQUIRED_HEADERS if h not in present]
    if missing:
        raise _file_error(_("Required columns are missing: %(columns)s. Use the headers of the template.")
                          % {"columns": "、".join(missing)})
    seen: dict[str, int] = {}
    for index, header in header_at.items():
        if header in seen:
            raise _file_error(_("The column “%(header)s” appears twice (columns %(first)s and %(second)s).")
                              % {"header": header, "first": get_column_letter(seen[header]),
                                 "second": get_column_letter(index)})
        seen[header] = index

    key_at = {index: COLUMN_BY_HEADER[header].key for index, header in header_at.items()}
    rows: list[SheetRow] = []
    for cells in sheet.iter_rows(min_row=header_row + 1):
        raw = {key_at[c.column]: c.value for c in cells if c.column in key_at}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(_("The list has more than %(rows)s rows. Split it by township and import each part "
                                "for its township.") % {"rows": f"{MAX_ROWS:,}"})
        row = SheetRow(row=cells[0].row, values={})
        for column in COLUMNS:
            if column.key in raw:
                READERS[column.key](row, column.key, raw[column.key])
            else:
                row.values[column.key] = None
        if (row.values.get("name") or "").startswith(EXAMPLE_PREFIX):
            row.error("name", _("This is the template's example row. Delete it."))
        for column in COLUMNS:
            if column.required and row.values.get(column.key) is None and not any(
                    e.column == column.header for e in row.errors):
                row.error(column.key, _required_message(column.key))
        rows.append(row)

    _flag_merged_cells(sheet, header_row, rows, key_at)
    return Sheet(headers=[header_at[i] for i in sorted(header_at)], rows=rows)


def _flag_merged_cells(sheet, header_row: int, rows: list[SheetRow], key_at: dict[int, str]) -> None:
    """A merged range in or under the header row: every row it spans is in error, naming the range.
    (Merged titles above the header row are fine.)"""
    by_number = {r.row: r for r in rows}
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        if merged.max_row < header_row:
            continue
        if merged.min_row <= header_row:
            raise _file_error(_("The header row has merged cells (%(cells)s). Unmerge them and give every column "
                                "its own header.") % {"cells": merged.coord})
        key = key_at.get(merged.min_col, "")
        for number in range(merged.min_row, merged.max_row + 1):
            row = by_number.get(number)
            if row is None:
                row = SheetRow(row=number, values={c.key: None for c in COLUMNS})
                by_number[number] = row
                rows.append(row)
            row.error(key, _("Merged cells (%(cells)s): unmerge them and fill in every cell.")
                      % {"cells": merged.coord})
    rows.sort(key=lambda r: r.row)
