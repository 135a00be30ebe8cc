"""The report as an Excel workbook (core.xlsx, written as it goes): a summary sheet, a sub-region sheet,
for the province a county sheet, and the 12-month trend. Numbers are stored as numbers (rates as
fractions shown with a percent format, yuan with two decimals), so the receiving federation can sum
and sort them; every text — a region's name, the title — is a text cell, never a formula; headers are
Chinese, like the PDF.

The report of a monthly submission (ReportData.submission) has the PDF's content too: a sheet 封面 (the
title, the federation, the region, the month, the date and the state: 草稿 until sent), 正文 (the
written sections and the sign-off block; the written text is the users', kept as text cells, see
core.xlsx), 主要指标 (本月, 上月, 环比, 去年同期, 同比: a change is a number — a fraction shown as a
percentage, or for a rate the percentage points), and the sub-region sheet notes the all-zero rows it
leaves out."""

from io import BytesIO

from openpyxl.styles import Alignment
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
from reports.generator import RATE, YUAN, ReportData, SubmissionPart, Table

FORMATS = {RATE: "0.0%", YUAN: "#,##0.00", "count": "#,##0"}
# The rows above a sheet's header row: the title, the note, a blank line.
HEAD_ROWS = 3
TITLE = Style(font=TITLE_FONT)
HEADER = Style(font=HEADER_FONT, fill=HEADER_FILL, border=BORDER)  # boxed, not centred
TEXT = Style(border=BORDER)
TOTAL_TEXT = Style(font=BOLD, border=BORDER)
WRAPPED = Style(border=BORDER, alignment=Alignment(wrap_text=True, vertical="top"))
# 环比/同比: a relative change (a fraction) as a signed percentage; a rate's change in percentage points.
CHANGE_FORMAT = "+0.0%;-0.0%;0.0%"
POINTS_FORMAT = '+0.0"个百分点";-0.0"个百分点";0.0"个百分点"'


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
    if table.omitted:
        sheet.append([])
        sheet.append([table.omitted_note])
    sheet.auto_filter(f"A{HEAD_ROWS + 1}:{get_column_letter(len(headers))}{last_region_row}")


def _cover_sheet(writer: XlsxWriter, data: ReportData, part: SubmissionPart) -> None:
    sheet = writer.sheet("封面", widths=(16, 60))
    sheet.append([part.title], style=TITLE)
    sheet.append([])
    for label, value in (("填报单位", part.unit), ("所属区划", f"{data.region_path}（{data.region_code}）"),
                         ("报告月份", data.month_label), ("日期", f"{part.dated:%Y-%m-%d}"),
                         ("状态", "草稿" if part.draft else part.status_label)):
        sheet.append([label, value], styles=[TOTAL_TEXT, TEXT])


def _body_sheet(writer: XlsxWriter, part: SubmissionPart) -> None:
    sheet = writer.sheet("正文", widths=(18, 90))
    sheet.append([part.title], style=TITLE)
    sheet.append([])
    for heading, text in part.sections:
        sheet.append([heading, text], styles=[TOTAL_TEXT, WRAPPED])
    sheet.append([])
    submitted = f"{part.submitted_on:%Y-%m-%d}" if part.submitted_on else "尚未报送"
    for label, value in (("填报单位（盖章）", part.unit), ("填报人", part.prepared_by), ("审核人", part.reviewed_by),
                         ("联系电话", part.contact_phone), ("报送日期", submitted)):
        sheet.append([label, value], styles=[TOTAL_TEXT, TEXT])


def _change(kind: str, value: float | None):
    """A change as its cell holds it: a rate's in percentage points, else a fraction; "—" for none."""
    if value is None:
        return "—"
    return round(value * 100, 4) if kind == RATE else value


def _comparison_sheet(writer: XlsxWriter, data: ReportData, part: SubmissionPart) -> None:
    sheet = writer.sheet("主要指标", widths=(22, 14, 14, 14, 14, 14), freeze="B5")
    before, year_before = part.previous_month, part.previous_year
    _head(sheet, data, f"上月（{before.year}年{before.month}月）取{part.previous_month_source}，去年同期"
                       f"（{year_before.year}年{year_before.month}月）取{part.previous_year_source}")
    sheet.header(("指标", "本月", "上月", "环比", "去年同期", "同比"), style=HEADER)
    for row in part.comparisons:
        kind = row.metric.kind
        change = Style(border=BORDER, number_format=POINTS_FORMAT if kind == RATE else CHANGE_FORMAT)
        sheet.append([row.metric.label, _figure(row.value), _figure(row.previous_month),
                      _change(kind, row.month_on_month), _figure(row.previous_year), _change(kind, row.year_on_year)],
                     styles=[TEXT, _number(kind), _number(kind), change, _number(kind), change])


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
    if data.submission is not None:
        _cover_sheet(writer, data, data.submission)
        _body_sheet(writer, data.submission)
        _comparison_sheet(writer, data, data.submission)
    _summary_sheet(writer, data)
    _table_sheet(writer, data, data.subregions, data.subregions.title.removesuffix("情况") or "下级区划")
    if data.counties is not None:
        _table_sheet(writer, data, data.counties, "各县（市、区）")
    if data.trend:
        _trend_sheet(writer, data)
    buffer = BytesIO()
    writer.save(buffer)
    return buffer.getvalue()
