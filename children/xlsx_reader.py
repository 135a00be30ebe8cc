"""Reading an uploaded civil-affairs list: from .xlsx bytes to rows of typed values and cell errors.

This module checks the shape of the file (headers, merged cells, dates that are dates, words from the
format's vocabulary). Whether a row makes sense for the ledger (ID numbers, regions, duplicates) is
decided by children.reconcile, which calls the services' checks.

An .xlsx is a zip of XML parts, and a small upload can unpack into a great deal of work (a 165 KB
file of empty cells unpacks to 76 MB; openpyxl's full load of it took a minute and 3 GB). So:

1. ``check_package``, cheap enough for the upload request: the zip's declared sizes against the
   limits below (zipfile stops each part at its declared size), then every XML part streamed through
   expat without building anything, refusing damaged XML (a truncated part), any DOCTYPE (entity
   expansion; Excel never writes one), and more shared strings or cell formats than a list needs.
2. ``read_sheet``, in the preview job (children.tasks): openpyxl in read-only mode streams the sheet
   row by row; the header row is found and checked within the first rows before any data row is
   read, and at most MAX_COLUMNS columns of a row are looked at.
"""

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from itertools import chain
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.cell_range import CellRange

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

# Limits on the unpacked package, from what a list within MAX_ROWS needs: 5,000 rows of the
# template's 16 columns unpack to about 4.5 MB, 17 MB with 800-character notes and long addresses on
# every row. More is padding or an attack, refused before openpyxl reads it.
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_PARTS = 1000
# Texts in the shared-string table: a list has at most 5,000 × 16 cells (openpyxl reads the whole
# table when it opens the workbook, about 8 µs a string).
MAX_SHARED_STRINGS = 200_000
# Excel's own limit on cell formats and styles (the style sheet is read whole, too).
MAX_CELL_FORMATS = 65_490
# Tags ("<") in one worksheet part. A full list has about 500,000 (5,000 rows × 16 cells of up to six
# tags each); openpyxl spends several µs on every one, an empty formatted cell included.
MAX_SHEET_TAGS = 1_000_000
# Columns looked at in each row; a value further right is refused (the template has 16 columns).
MAX_COLUMNS = 100
# Excel's last row. openpyxl yields an empty row for each row number a sheet skips, so a row
# numbered beyond this is refused instead of being counted towards.
EXCEL_MAX_ROW = 1_048_576
# The header row may sit under a title (often a merged "XX县留守儿童花名册" line).
HEADER_SEARCH_ROWS = 10

_XML_PARTS = (".xml", ".rels")
# Root elements of the parts that hold cells: too many elements to look at one by one in Python,
# and openpyxl streams them anyway.
_SHEET_ROOTS = frozenset({"worksheet", "chartsheet", "dialogsheet", "macrosheet"})
_CHUNK = 64 * 1024
# What zipfile, zlib/bz2/lzma, expat and openpyxl raise on a damaged or hostile package. Only their
# calls are wrapped, so a bug in this module still surfaces as one.
_MALFORMED = (zipfile.BadZipFile, InvalidFileException, ParseError, expat.ExpatError, EOFError, OSError,
              KeyError, IndexError, ValueError, TypeError, AttributeError, NotImplementedError, RuntimeError,
              OverflowError)

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


def _unreadable() -> ValidationError:
    return _file_error(_("The file cannot be read as an Excel workbook. Save it in Excel as “Excel workbook "
                         "(*.xlsx)” and upload it again."))


class _Refused(Exception):
    """A part broke a rule while being streamed; ``args[0]`` is the message for the user."""


def _check_part(package: zipfile.ZipFile, part: zipfile.ZipInfo, counts: dict[str, int]) -> None:
    """Stream one XML part through expat: well-formed, no DOCTYPE, shared strings and cell formats
    counted. Nothing is built, so this costs about a second for MAX_UNPACKED_BYTES."""
    parser = expat.ParserCreate(namespace_separator=" ")
    is_root, is_sheet, tags = True, False, 0

    def refuse_doctype(*_args) -> None:
        raise _Refused(_("The file contains a document type declaration (DOCTYPE), which Excel never writes, and "
                         "is refused for safety. Save the list in Excel as “Excel workbook (*.xlsx)” and upload "
                         "it again."))

    def count(name: str, _attributes) -> None:
        nonlocal is_root, is_sheet
        local = name.rpartition(" ")[2]
        if is_root:
            is_root = False
            if local in _SHEET_ROOTS:  # its cells are counted by their tags below, at C speed
                is_sheet = True
                parser.StartElementHandler = None
            return
        if local not in counts:
            return
        counts[local] += 1
        if counts["si"] > MAX_SHARED_STRINGS:
            raise _Refused(_("The workbook holds more than %(n)s different texts, more than a list can need. Copy "
                             "the list alone into a new workbook, or split it by township.")
                           % {"n": f"{MAX_SHARED_STRINGS:,}"})
        if counts["xf"] > MAX_CELL_FORMATS:
            raise _Refused(_("The workbook defines more than %(n)s cell formats, more than Excel allows. Copy the "
                             "list into a new workbook and upload that.") % {"n": f"{MAX_CELL_FORMATS:,}"})

    parser.StartDoctypeDeclHandler = refuse_doctype
    parser.EntityDeclHandler = refuse_doctype
    parser.StartElementHandler = count
    try:
        with package.open(part) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                # Well-formed XML has "<" only where a tag (or comment) starts: an upper bound on elements.
                tags += chunk.count(b"<")
                if is_sheet and tags > MAX_SHEET_TAGS:
                    raise _Refused(_("A sheet of the workbook holds far more cells than a list of %(rows)s rows needs "
                                     "(often formatting applied to whole rows or columns). Copy only the list into a "
                                     "new workbook and upload that.") % {"rows": f"{MAX_ROWS:,}"})
        parser.Parse(b"", True)
    except _Refused as refused:
        raise _file_error(refused.args[0]) from None
    except _MALFORMED:
        raise _file_error(_("The file is damaged: its part “%(part)s” cannot be read. Open it in Excel, save it "
                            "again as “Excel workbook (*.xlsx)” and upload it again.")
                          % {"part": part.filename[:100]}) from None


def check_package(data: bytes) -> None:
    """Refuse a file that is not an .xlsx, is too large packed or unpacked, or has a damaged or
    hostile XML part, before anything builds it in memory. Raises ValidationError({"file": …}).
    Cheap enough for the upload request; ``read_sheet`` runs it again."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise _file_error(_("The file is larger than %(mb)s MB. Split the list and import it in parts.")
                          % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)})
    try:
        package = zipfile.ZipFile(BytesIO(data))
        parts = package.infolist()
    except _MALFORMED:
        raise _file_error(_("This is not an .xlsx file. Save the list in Excel as “Excel workbook (*.xlsx)” "
                            "and upload it again.")) from None
    with package:
        if len(parts) > MAX_PARTS:
            raise _file_error(_("The file has more than %(n)s parts. Copy the list alone into a new workbook and "
                                "upload that.") % {"n": f"{MAX_PARTS:,}"})
        if sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
            raise _file_error(_("The file unpacks to more than %(mb)s MB. Split the list and import it in parts.")
                              % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)})
        counts = {"si": 0, "xf": 0}
        for part in parts:
            if part.filename.lower().endswith(_XML_PARTS) and not part.is_dir():
                _check_part(package, part, counts)


def _data_sheet(workbook):
    for sheet in workbook.worksheets:
        if sheet.title != HELP_SHEET_TITLE:
            return sheet
    raise _file_error(_("The workbook has no sheet with the list."))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _numbered_rows(sheet):
    """(row number, values of columns 1 to MAX_COLUMNS + 1) for every row of the sheet in order, empty
    rows included, streamed. A value beyond MAX_COLUMNS is refused, and so is what openpyxl raises
    on a malformed sheet, which it only meets while streaming."""
    rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True)
    number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except _MALFORMED:
            raise _unreadable() from None
        number += 1  # openpyxl yields one tuple per row number, filling the rows the sheet skips
        if number > EXCEL_MAX_ROW:
            raise _unreadable()
        if not _blank(values[MAX_COLUMNS]):
            raise _file_error(_("Row %(row)s has a value in column %(column)s. A list has at most %(n)s columns: "
                                "delete the columns on the right that are not the template's and upload it again.")
                              % {"row": number, "column": get_column_letter(MAX_COLUMNS + 1), "n": MAX_COLUMNS})
        yield number, values


def _find_header_row(rows) -> tuple[int, dict[int, str], list]:
    """The header row (the first with 姓名 and 身份证号 within HEADER_SEARCH_ROWS rows, else the one
    with most headers), its column index -> header, and the rows already read after it."""
    seen = []
    best: tuple[int, dict[int, str]] | None = None
    for number, values in rows:
        seen.append((number, values))
        found = {}
        for index, value in enumerate(values, start=1):
            header = _normalise_header(value)
            if header in COLUMN_BY_HEADER:
                found[index] = header
        if "姓名" in found.values() and "身份证号" in found.values():
            return number, found, []
        if found and (best is None or len(found) > len(best[1])):
            best = (number, found)
        if len(seen) >= HEADER_SEARCH_ROWS:
            break
    header_row, header_at = best or (1, {})
    return header_row, header_at, [(n, v) for n, v in seen if n > header_row]


def _merged_ranges(data: bytes, part_name: str) -> list[CellRange]:
    """The merged ranges of one worksheet part (read-only openpyxl does not read them)."""
    refs = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attributes: dict) -> None:
        if name.endswith(" mergeCell") and "ref" in attributes:
            refs.append(attributes["ref"])

    parser.StartElementHandler = start
    try:
        with zipfile.ZipFile(BytesIO(data)) as package, package.open(part_name) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return [CellRange(ref) for ref in refs]
    except _MALFORMED:
        raise _unreadable() from None


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
    returned as each row's errors. The headers are checked before any data row is read."""
    check_package(data)
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except _MALFORMED:
        raise _unreadable() from None
    try:
        sheet = _data_sheet(workbook)
        # The sheet's own <dimension> may be wrong (openpyxl would stop reading there) or hostile.
        sheet.reset_dimensions()
        rows_in = _numbered_rows(sheet)
        header_row, header_at, after_header = _find_header_row(rows_in)
        _check_headers(header_at)
        key_at = {index: COLUMN_BY_HEADER[header].key for index, header in header_at.items()}
        rows: list[SheetRow] = []
        last_row = header_row
        for number, values in chain(after_header, rows_in):
            last_row = number
            raw = {key: values[index - 1] for index, key in key_at.items()}
            if all(_blank(v) for v in raw.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(_read_row(number, raw))
        merged = _merged_ranges(data, sheet._worksheet_path)  # openpyxl 3.1 ReadOnlyWorksheet
    finally:
        workbook.close()
    _flag_merged_cells(merged, header_row, last_row, rows, key_at)
    return Sheet(headers=[header_at[i] for i in sorted(header_at)], rows=rows)


def _too_many_rows() -> ValidationError:
    return _file_error(_("The list has more than %(rows)s rows. Split it by township and import each part "
                         "for its township.") % {"rows": f"{MAX_ROWS:,}"})


def _check_headers(header_at: dict[int, str]) -> None:
    present = set(header_at.values())
    missing = [h for h in REQUIRED_HEADERS if h not in present]
    if missing:
        raise _file_error(_("Required columns are missing: %(columns)s. Use the headers of the template.")
                          % {"columns": "、".join(missing)})
    seen: dict[str, int] = {}
    for index, header in sorted(header_at.items()):
        if header in seen:
            raise _file_error(_("The column “%(header)s” appears twice (columns %(first)s and %(second)s).")
                              % {"header": header, "first": get_column_letter(seen[header]),
                                 "second": get_column_letter(index)})
        seen[header] = index


def _read_row(number: int, raw: dict) -> SheetRow:
    row = SheetRow(row=number, values={})
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
    return row


def _flag_merged_cells(merged: list[CellRange], header_row: int, last_row: int, rows: list[SheetRow],
                       key_at: dict[int, str]) -> None:
    """A merged range in or under the header row: every row it spans (down to the sheet's last row) is
    in error, naming the range. (Merged titles above the header row are fine.)"""
    by_number = {r.row: r for r in rows}
    flagged = 0
    for merged_range in sorted(merged, key=lambda r: (r.min_row, r.min_col)):
        if merged_range.max_row < header_row:
            continue
        if merged_range.min_row <= header_row:
            raise _file_error(_("The header row has merged cells (%(cells)s). Unmerge them and give every column "
                                "its own header.") % {"cells": merged_range.coord})
        key = key_at.get(merged_range.min_col, "")
        for number in range(merged_range.min_row, min(merged_range.max_row, last_row) + 1):
            flagged += 1
            if flagged > MAX_ROWS:
                raise _file_error(_("Cells are merged across more than %(rows)s rows. Unmerge every cell of the "
                                    "list and upload it again.") % {"rows": f"{MAX_ROWS:,}"})
            row = by_number.get(number)
            if row is None:
                if len(rows) >= MAX_ROWS:
                    raise _too_many_rows()
                row = SheetRow(row=number, values={c.key: None for c in COLUMNS})
                by_number[number] = row
                rows.append(row)
            row.error(key, _("Merged cells (%(cells)s): unmerge them and fill in every cell.")
                      % {"cells": merged_range.coord})
    rows.sort(key=lambda r: r.row)
