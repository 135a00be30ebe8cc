""".xlsx files, written one way for every export and report: streamed, and text always as text.

- **Bounded memory.** openpyxl's write-only workbook spools each appended row to a temporary file,
  so a province's ledger costs the memory of one batch of rows (bench/export_ledger.py).
- **Text is text, never a formula** (OWASP, "CSV injection"). Every ``str`` is written as a string
  cell, and one that a spreadsheet would read as a formula or a command — starting with ``=``,
  ``+``, ``-``, ``@``, a tab or a carriage return — also carries Excel's *quote prefix*, the flag a
  leading apostrophe typed in Excel sets: the cell shows exactly the text, stays text when edited,
  and the text itself is unchanged (a re-import reads back what was written).
- Empty strings and None leave the cell empty; dates get a date format; numbers stay numbers;
  control characters no sheet can hold are dropped (instead of failing the whole file) and line
  breaks are written as ``\n``, the only one a sheet keeps.

Use :class:`XlsxWriter` (sheets, header rows, rows, widths, frozen panes) and :func:`to_temporary_file`
to get a file a view can stream and close.
"""

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from tempfile import NamedTemporaryFile
from typing import IO

from django.utils import translation
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What makes a spreadsheet read a cell as a formula (or, for tab and CR, split it into one).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FDE7EF")
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
THIN = Side(style="thin", color="DDE1E6")
BORDER = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
WRAPPED_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Style:
    """How a cell looks; ``number_format`` also says how a number reads (``0.0%``, ``#,##0.00`` …)."""

    font: Font | None = None
    fill: PatternFill | None = None
    border: Border | None = None
    alignment: Alignment | None = None
    number_format: str | None = None


HEADER = Style(font=HEADER_FONT, fill=HEADER_FILL)
BOXED_HEADER = Style(font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=WRAPPED_CENTRE)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


class Sheet:
    """A write-only sheet: set widths and the frozen pane first, then append rows top to bottom."""

    def __init__(self, worksheet, *, widths: Sequence[float] = (), freeze: str | None = None):
        self._ws = worksheet
        for index, width in enumerate(widths):
            self._ws.column_dimensions[_column_letter(index + 1)].width = width
        if freeze:
            self._ws.freeze_panes = freeze
        self.rows = 0

    def cell(self, value, style: Style | None = None) -> Cell | None:
        """One cell: text as text (see the module), dates formatted, empty values left empty."""
        if value is None or value == "":
            return None if style is None else self._styled(WriteOnlyCell(self._ws, value=None), style)
        if isinstance(value, Promise):  # a lazy translation
            value = str(value)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a sheet cannot hold
            formula_like = is_formula_like(value)
            # A line break is "\n": XML reads a carriage return as one anyway.
            cell = WriteOnlyCell(self._ws, value=value.replace("\r\n", "\n").replace("\r", "\n"))
            cell.data_type = "s"  # never "f" (formula) or "e" (error), whatever the text starts with
            if formula_like:
                cell.quotePrefix = True
        else:
            cell = WriteOnlyCell(self._ws, value=value)
            if isinstance(value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
        return self._styled(cell, style) if style is not None else cell

    def _styled(self, cell: Cell, style: Style) -> Cell:
        for name in ("font", "fill", "border", "alignment", "number_format"):
            value = getattr(style, name)
            if value is not None:
                setattr(cell, name, value)
        return cell

    def append(self, values: Iterable, style: Style | None = None,
               styles: Sequence[Style | None] | None = None) -> None:
        """A row: ``style`` for every cell, or ``styles`` one per cell (None: plain)."""
        values = list(values)
        if styles is None:
            styles = [style] * len(values)
        self._ws.append([self.cell(value, cell_style) for value, cell_style in zip(values, styles, strict=True)])
        self.rows += 1

    def header(self, labels: Iterable[str], style: Style = HEADER) -> None:
        self.append(labels, style=style)

    def auto_filter(self, ref: str) -> None:
        self._ws.auto_filter.ref = ref


class XlsxWriter:
    """A workbook written as it goes (openpyxl write-only mode)."""

    def __init__(self):
        self._workbook = Workbook(write_only=True)

    def sheet(self, title: str, *, widths: Sequence[float] = (), freeze: str | None = None) -> Sheet:
        return Sheet(self._workbook.create_sheet(title), widths=widths, freeze=freeze)

    def save(self, file: IO[bytes]) -> None:
        self._workbook.save(file)

    def discard(self) -> None:
        """Drop what was written: write-only sheets spool their rows to temporary files (personal data)
        until the workbook is saved, so a failed export must remove them."""
        for worksheet in self._workbook.worksheets:
            spool = getattr(worksheet, "_writer", None)
            if spool is None:
                continue
            with contextlib.suppress(Exception):
                if getattr(worksheet, "_rows", None) is not None:
                    worksheet._rows.close()  # the generator appending rows, which writes to the spool
                spool.close()
            if os.path.exists(spool.out):
                spool.cleanup()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


# --- exports: a temporary file a view streams ------------------------------------------------------

@dataclass
class TemporaryXlsx:
    file: IO[bytes]  # an open NamedTemporaryFile at position 0; deleted when closed
    rows: int
    filename: str = ""


def to_temporary_file(write: Callable[[XlsxWriter], int]) -> TemporaryXlsx:
    """Run ``write`` (which fills the workbook and returns its number of data rows) into a temporary
    file, rewound for reading; the caller (the response) closes it."""
    file = NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the response, which closes it
    writer = XlsxWriter()
    try:
        rows = write(writer)
        writer.save(file)
        file.seek(0)
    except BaseException:
        writer.discard()
        file.close()
        raise
    return TemporaryXlsx(file=file, rows=rows)


def batches(items: Iterable, size: int) -> Iterator[list]:
    """``items`` in lists of ``size`` (the last may be shorter): rows of an iterator, read once."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def chinese_labels(choices) -> dict[str, str]:
    """Choice value → its label in Chinese: files are Chinese whatever the user's language, like
    their headers."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices}


def as_number(value):
    """Decimals as floats (a spreadsheet has no decimal type); other values unchanged."""
    return float(value) if isinstance(value, Decimal) else value
