"""The report as an Excel workbook (core.xlsx, written as it goes): a summary sheet, a sub-region sheet,
for the province a county sheet, and the 12-month trend. Numbers are stored as numbers (rates as
fractions shown with a percent format, yuan with two decimals), so the receiving federation can sum
and sort them; every text — a region's name, the title — is a text cell, never a formula; headers are
Chinese, like the PDF."""

from io import BytesIO

from openpyxl.utils import get_column_letter

from core.xlsx import (
    BOLD,
    BORDER,
    BOXED_HEADER,
    HEADER_FILL,
    HEADER_FONT,
    TITLE_FONT,
    Sheet,
    Style,
    XlsxWriter,
    as_number,
)
from reports.generator import RATE, YUAN, ReportData, Table

FORMATS = {RATE: "0.0%", YUAN: "#,##0.00", "count": "#,##0"}
# The rows above a sheet's header row: the title, the note, a blank line.
HEAD_ROWS = 3
TITLE = Style(font=TITLE_FONT)
HEADER = Style(font=HEADER_FONT, fill=HEADER_FILL, border=BORDER)  # boxed, not centred
TEXT = Style(border=BORDER)
TOTAL_TEXT = Style(font=BOLD, border=BORDER)


def _number(kind: str, *, total: bool = False) -> Style:
    return Style(font=BOLD if total else None, border=BORDER, number_format=FORMATS[kind])


def _figure(value):
    """A figure as its cell holds it; no figure (a rate of a region without children) is "—", as on
    the pages and in the PDF."""
    return "—" if value is None else as_number(value)


def _head(sheet: Sheet, data: ReportData, title: str) -> None:
    """Rows 1-3: the report's title, what the sheet holds with the date of its figures, a blank line."""
    note = f"统计截至 {data.as_of:%Y-%m-%d}" + ("（本月至今）" if data.so_far else "")
    sheet.append([f"{data.title}（{data.month_label}）"], style=TITLE)
    sheet.append([f"{title}　{note}　生成时间 {data.generated_at:%Y-%m-%d %H:%M}"])
    sheet.append([])


def _summary_sheet(writer: XlsxWriter, data: ReportData) -> None:
    sheet = writer.sheet("汇总", widths=(14, 30, 16), freeze="A5")
    _head(sheet, data, data.region_path)
    sheet.header(("项目", "指标", "数值"), style=HEADER)
    for section in data.summary:
        for metric, value in section.items:
            sheet.append([section.title, metric.label, _figure(value)],
                         styles=[TEXT, TEXT, _number(metric.kind)])
    for label, count in data.activities_by_kind:
        sheet.append(["活动类型", f"{label}（次）", count], styles=[TEXT, TEXT, _number("count")])


def _table_sheet(writer: XlsxWriter, data: ReportData, table: Table, title: str) -> None:
    """The header row, a row per region (code and name as text, then the figures), the total; the
    header and the names stay in view, and the region rows (not the total) can be filtered."""
    headers = (["所属市"] if table.grouped else []) + ["区划代码", "区划名称"] + [m.label for m in data.columns]
    first = 2 if table.grouped else 1  # the column of the region code
    sheet = writer.sheet(title, widths=([12] if table.grouped else []) + [15, 16] + [11] * len(data.columns),
                         freeze=f"{get_column_letter(first + 2)}{HEAD_ROWS + 2}")
    _head(sheet, data, table.title)
    sheet.header(headers, style=BOXED_HEADER)
    figures = [_number(metric.kind) for metric in data.columns]
    for line in table.rows:
        sheet.append([*([line.group] if table.grouped else []), line.code, line.name,
                      *(_figure(value) for value in line.values)],
                     styles=[*([TEXT] if table.grouped else []), TEXT, TEXT, *figures])
    last_region_row = sheet.rows
    if table.total is not None:
        total = table.total
        sheet.append([*([None] if table.grouped else []), total.code, total.name,
                      *(_figure(value) for value in total.values)],
                     styles=[*([None] if table.grouped else []), TOTAL_TEXT, TOTAL_TEXT,
                             *(_number(metric.kind, total=True) for metric in data.columns)])
    sheet.auto_filter(f"A{HEAD_ROWS + 1}:{get_column_letter(len(headers))}{last_region_row}")


TREND_COLUMNS = (
    ("month", "月份", None),
    ("children_active", "在册儿童", "count"),
    ("children_without_activity", "无活动儿童", "count"),
    ("monthly_coverage", "月月有活动", RATE),
    ("activities", "关爱活动（次）", "count"),
    ("participant_times", "人次", "count"),
)


def _trend_sheet(writer: XlsxWriter, data: ReportData) -> None:
    sheet = writer.sheet("近12个月", widths=[14] * len(TREND_COLUMNS), freeze="A5")
    _head(sheet, data, "近12个月趋势")
    sheet.header([header for _key, header, _kind in TREND_COLUMNS], style=HEADER)
    styles = [_number(kind) if kind else TEXT for _key, _header, kind in TREND_COLUMNS]
    for point in data.trend:
        sheet.append([_figure(None if kind == RATE and not point.get("children_active") else point.get(key))
                      for key, _header, kind in TREND_COLUMNS], styles=styles)


def render_xlsx(data: ReportData) -> bytes:
    writer = XlsxWriter()
    _summary_sheet(writer, data)
    _table_sheet(writer, data, data.subregions, data.subregions.title.removesuffix("情况") or "下级区划")
    if data.counties is not None:
        _table_sheet(writer, data, data.counties, "各县（市、区）")
    if data.trend:
        _trend_sheet(writer, data)
    buffer = BytesIO()
    writer.save(buffer)
    return buffer.getvalue()
