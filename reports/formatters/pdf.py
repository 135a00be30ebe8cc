"""The report as a PDF (WeasyPrint): A4 portrait, a cover with the region and the month, the summary,
the charts (SVG, inline), the sub-region table and, for the province, the table of its counties;
each page but the cover carries "第 x 页 / 共 y 页" and the generation time.

The report of a monthly submission (ReportData.submission) has a cover in the style of a 妇联 document
(the federation's name in red over a red rule, the report's title, the region, the month and the date),
then the written part (工作开展情况 / 存在问题 / 下步打算) closed by the sign-off block, the key figures
beside the previous month (上月, 环比) and the same month a year earlier (去年同期, 同比), and the
monthly report's content; while it is not sent (draft or returned) every page carries a diagonal
watermark "草稿".

Fonts: the template asks for "Noto Sans CJK SC" (fonts-noto-cjk) with fallbacks; WeasyPrint finds it
through fontconfig and embeds the subset of glyphs used, so the file reads the same on any machine.
"""

from decimal import Decimal

from django.template.loader import render_to_string

from reports.generator import RATE, YUAN, Metric, ReportData, Table

TEMPLATE = "reports/report_pdf.html"


def display(metric: Metric, value) -> str:
    if value is None:
        return "—"
    if metric.kind == RATE:
        return f"{value * 100:.1f}%"
    if metric.kind == YUAN:
        return f"{Decimal(value):,.2f}"
    return f"{value:,}"


NUMERALS = "一二三四五六七八九十"


def change(metric: Metric, value: float | None) -> str:
    """A 环比/同比 change as the PDF shows it: a relative change in percent for a count or a sum of yuan,
    a rate's difference in percentage points; "—" when there is none (nothing to compare with)."""
    if value is None:
        return "—"
    if metric.kind == RATE:
        return f"{value * 100:+.1f}个百分点"
    return f"{value * 100:+.1f}%"


def _comparison_rows(data: ReportData) -> list[dict]:
    if data.submission is None:
        return []
    return [{"label": row.metric.label, "value": display(row.metric, row.value),
             "previous_month": display(row.metric, row.previous_month),
             "month_on_month": change(row.metric, row.month_on_month),
             "previous_year": display(row.metric, row.previous_year),
             "year_on_year": change(row.metric, row.year_on_year)}
            for row in data.submission.comparisons]


def _numbers(data: ReportData, subregions: dict | None, counties: dict | None) -> dict[str, str]:
    """The Chinese ordinal of each numbered heading, in the document's order."""
    parts = ["work_done", "problems", "next_steps", "comparison"] if data.submission is not None else []
    parts.append("overview")
    if data.charts:
        parts.append("charts")
    if subregions and (subregions["count"] or subregions["omitted"]):
        parts.append("subregions")
    if counties:
        parts.append("counties")
    return {part: NUMERALS[index] for index, part in enumerate(parts)}


def _table_context(data: ReportData, table: Table | None) -> dict | None:
    """The table as the template draws it: row groups (one per city for the county table, else one
    unnamed group), each kept on one page, then the total."""
    if table is None:
        return None

    def cells(values: list) -> list[str]:
        return [display(m, v) for m, v in zip(data.columns, values, strict=True)]

    groups: list[dict] = []
    for row in table.rows:
        name = row.group if table.grouped else ""
        if not groups or groups[-1]["name"] != name:
            groups.append({"name": name, "rows": []})
        groups[-1]["rows"].append({"code": row.code, "name": row.name, "cells": cells(row.values)})
    total = {"name": table.total.name, "cells": cells(table.total.values)} if table.total is not None else None
    return {"title": table.title, "groups": groups, "total": total, "count": len(table.rows),
            "omitted": table.omitted, "omitted_note": table.omitted_note,
            "headers": [m.label for m in data.columns], "kinds": [m.kind for m in data.columns]}


def _highlights(data: ReportData) -> list[list[tuple[str, str]]]:
    wanted = ("children_active", "children_paired", "pairing_rate", "activities", "participant_times",
              "aid_value_yuan")
    found = {m.key: (m, v) for section in data.summary for m, v in section.items}
    cells = [(found[k][0].label, display(*found[k])) for k in wanted if k in found]
    return [cells[i:i + 3] for i in range(0, len(cells), 3)]


def _pairs(items: list) -> list[list]:
    return [items[i:i + 2] for i in range(0, len(items), 2)]


def render_html(data: ReportData) -> str:
    subregions, counties = _table_context(data, data.subregions), _table_context(data, data.counties)
    return render_to_string(TEMPLATE, {
        "data": data,
        "highlights": _highlights(data),
        "sections": _pairs([{"title": s.title, "items": [(m.label, display(m, v)) for m, v in s.items]}
                            for s in data.summary]
                           + [{"title": "关爱活动类型（次）",
                               "items": [(label, f"{count:,}") for label, count in data.activities_by_kind]}]),
        "subregions": subregions,
        "counties": counties,
        "comparisons": _comparison_rows(data),
        "n": _numbers(data, subregions, counties),
    })


def render_pdf(data: ReportData) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango and fonts

    return HTML(string=render_html(data)).write_pdf()
