"""The report as an Excel workbook (openpyxl): a summary sheet, a sub-region sheet, for the province a
county sheet, and the 12-month trend. Numbers are stored as numbers (rates as fractions shown with a percent
format, yuan with two decimals), so the receiving federation can sum and sort them; headers are
Chinese, like the PDF."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.generator import RATE, YUAN, Metric, ReportData, Table

FORMATS = {RATE: "0.0%", YUAN: "#,##0.00", "count": "#,##0"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FDE7EF")
TITLE_FONT = Font(bold=True, size=14)
TOTAL_FONT = Font(bold=True)
THIN = Side(style="thin", color="DDE1E6")
BORDER = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)


def _cell_value(metric: Metric, value):
    if value is None:
        return None
    return float(value) if metric.kind == YUAN else value


def _put(sheet, row: int, column: int, value, *, metric: Metric | None = None, font: Font | None = None):
    cell = sheet.cell(row=row, column=column, value=_cell_value(metric, value) if metric else value)
    if metric is not None:
        cell.number_format = FORMATS[metric.kind]
    if font is not None:
        cell.font = font
    cell.border = BORDER
    return cell


def _head(sheet, data: ReportData, title: str) -> int:
    sheet["A1"] = f"{data.title}（{data.month_label}）"
    sheet["A1"].font = TITLE_FONT
    note = f"统计截至 {data.as_of:%Y-%m-%d}" + ("（本月至今）" if data.so_far else "")
    sheet["A2"] = f"{title}　{note}　生成时间 {data.generated_at:%Y-%m-%d %H:%M}"
    return 4


def _summary_sheet(workbook: Workbook, data: ReportData) -> None:
    sheet = workbook.active
    sheet.title = "汇总"
    row = _head(sheet, data, data.region_path)
    for column, header in enumerate(("项目", "指标", "数值"), start=1):
        cell = _put(sheet, row, column, header, font=HEADER_FONT)
        cell.fill = HEADER_FILL
    for section in data.summary:
        for metric, value in section.items:
            row += 1
            _put(sheet, row, 1, section.title)
            _put(sheet, row, 2, metric.label)
            _put(sheet, row, 3, value, metric=metric)
    for label, count in data.activities_by_kind:
        row += 1
        _put(sheet, row, 1, "活动类型")
        _put(sheet, row, 2, f"{label}（次）")
        _put(sheet, row, 3, count, metric=Metric("", "", "count"))
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 16
    sheet.freeze_panes = "A5"


def _table_sheet(workbook: Workbook, data: ReportData, table: Table, title: str) -> None:
    sheet = workbook.create_sheet(title)
    row = _head(sheet, data, table.title)
    headers = (["所属市"] if table.grouped else []) + ["区划代码", "区划名称"] + [m.label for m in data.columns]
    for column, header in enumerate(headers, start=1):
        cell = _put(sheet, row, column, header, font=HEADER_FONT)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    first = 2 if table.grouped else 1
    for line in table.rows:
        row += 1
        if table.grouped:
            _put(sheet, row, 1, line.group)
        _put(sheet, row, first, line.code)
        _put(sheet, row, first + 1, line.name)
        for offset, (metric, value) in enumerate(zip(data.columns, line.values, strict=True)):
            _put(sheet, row, first + 2 + offset, value, metric=metric)
    if table.total is not None:
        row += 1
        _put(sheet, row, first, table.total.code, font=TOTAL_FONT)
        _put(sheet, row, first + 1, table.total.name, font=TOTAL_FONT)
        for offset, (metric, value) in enumerate(zip(data.columns, table.total.values, strict=True)):
            _put(sheet, row, first + 2 + offset, value, metric=metric, font=TOTAL_FONT)
    widths = ([12] if table.grouped else []) + [15, 16] + [11] * len(data.columns)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=5, column=first + 2)
    sheet.auto_filter.ref = f"A4:{get_column_letter(len(headers))}{max(row - (1 if table.total else 0), 4)}"


TREND_COLUMNS = (
    ("month", "月份", None),
    ("children_active", "在册儿童", "count"),
    ("children_without_activity", "无活动儿童", "count"),
    ("monthly_coverage", "月度覆盖率", RATE),
    ("activities", "关爱活动（次）", "count"),
    ("participant_times", "人次", "count"),
)


def _trend_sheet(workbook: Workbook, data: ReportData) -> None:
    sheet = workbook.create_sheet("近12个月")
    row = _head(sheet, data, "近12个月趋势")
    for column, (_key, header, _kind) in enumerate(TREND_COLUMNS, start=1):
        cell = _put(sheet, row, column, header, font=HEADER_FONT)
        cell.fill = HEADER_FILL
    for point in data.trend:
        row += 1
        for column, (key, _header, kind) in enumerate(TREND_COLUMNS, start=1):
            _put(sheet, row, column, point.get(key), metric=Metric(key, "", kind) if kind else None)
    for index in range(1, len(TREND_COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.freeze_panes = "A5"


def render_xlsx(data: ReportData) -> bytes:
    workbook = Workbook()
    _summary_sheet(workbook, data)
    _table_sheet(workbook, data, data.subregions, data.subregions.title.removesuffix("情况") or "下级区划")
    if data.counties is not None:
        _table_sheet(workbook, data, data.counties, "各县（市、区）")
    if data.trend:
        _trend_sheet(workbook, data)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
