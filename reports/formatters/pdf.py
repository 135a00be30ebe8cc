"""The report as a PDF (WeasyPrint): A4 portrait, a cover with the region and the month, the summary,
the charts (SVG, inline), the sub-region table and, for the province, the table of its counties;
each page but the cover carries "第 x 页 / 共 y 页" and the generation time.

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
    return render_to_string(TEMPLATE, {
        "data": data,
        "highlights": _highlights(data),
        "sections": _pairs([{"title": s.title, "items": [(m.label, display(m, v)) for m, v in s.items]}
                            for s in data.summary]
                           + [{"title": "关爱活动类型（次）",
                               "items": [(label, f"{count:,}") for label, count in data.activities_by_kind]}]),
        "subregions": _table_context(data, data.subregions),
        "counties": _table_context(data, data.counties),
    })


def render_pdf(data: ReportData) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango and fonts

    return HTML(string=render_html(data)).write_pdf()
