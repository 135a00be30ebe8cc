"""Charts drawn on the server as SVG strings — no JavaScript, no CDN: the staff dashboard inlines them
and the PDF report (WeasyPrint) embeds the same markup.

Three kinds, plain SVG 1.1 (rect, line, path, circle, text) with colours as attributes, so they
render the same in a browser and in WeasyPrint:

- :func:`bar_chart` — horizontal bars, one per sub-region (pairing rate, activities …);
- :func:`donut_chart` — shares of a whole (children by risk colour), with a legend;
- :func:`trend_chart` — 12 months: activities as bars (left axis) and a rate as a line (right axis).

Texts are passed in by the caller (interface strings on the dashboard, the report's Chinese in the
PDF) and escaped here. :func:`report_charts` is the set the monthly report carries.
"""

import itertools
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FONT = "Noto Sans CJK SC, Noto Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif"
INK, MUTED, GRID, TRACK = "#1f2328", "#5b6470", "#dde1e6", "#eef0f3"
BRAND, BRAND_DARK, OK = "#c2185b", "#8e0f42", "#1b7f3b"
RISK_FILL = {"red": "#d32f2f", "yellow": "#f2b600", "green": "#2e7d32", "unassessed": "#9aa4ae"}

_ids = itertools.count(1)


@dataclass(frozen=True)
class Chart:
    title: str
    svg: str


def _text(x: float, y: float, content: str, *, size: int = 12, anchor: str = "start", fill: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(content)}</text>')


def _open(width: int, height: int, title: str, fit: int | None = None) -> tuple[str, str]:
    """The ``<svg>`` element: drawn in a ``width`` × ``height`` box (the viewBox), rendered at that
    size, or scaled down to ``fit`` pixels wide (the PDF's column; browsers scale it with CSS)."""
    ident = f"chart-{next(_ids)}"
    shown_w, shown_h = (width, height) if not fit or fit >= width else (fit, round(height * fit / width))
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="{shown_w}" height="{shown_h}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{ident}-t" '
            f'font-family={quoteattr(FONT)}><title id="{ident}-t">{escape(title)}</title>')
    return head, "</svg>"


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _empty(title: str, message: str, width: int = 640, fit: int | None = None) -> str:
    head, tail = _open(width, 48, title, fit)
    return head + _text(width / 2, 28, message, anchor="middle", fill=MUTED, size=13) + tail


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def count_scale(value: float, ticks: int = 4) -> int:
    """An axis maximum for counts: ``ticks`` equal whole steps of 1, 2 or 5 × 10^k covering ``value``."""
    step = max(1, math.ceil(value / ticks)) if value > 0 else 1
    power = 10 ** math.floor(math.log10(step))
    for nice in (1, 2, 5, 10):
        if step <= nice * power:
            return int(nice * power * ticks)
    return int(10 * power * ticks)


def bar_chart(rows: list[tuple[str, float, str]], *, title: str, max_value: float | None = None,
              color: str = BRAND, empty: str = "—", width: int = 420, fit: int | None = None) -> str:
    """Horizontal bars: ``rows`` are (label, value, value as shown). ``max_value`` fixes the scale
    (1 for rates); by default the largest value, rounded up."""
    if not rows:
        return _empty(title, empty, width, fit)
    label_w, value_w, row_h, top = 120, 58, 26, 8
    scale = max_value if max_value else nice_ceiling(max(v for _l, v, _s in rows))
    bar_w = width - label_w - value_w
    height = top * 2 + row_h * len(rows)
    head, tail = _open(width, height, title, fit)
    parts = [head]
    for index, (label, value, shown) in enumerate(rows):
        y = top + index * row_h
        length = 0 if scale <= 0 else max(0.0, min(value / scale, 1.0)) * bar_w
        parts.append(_text(label_w - 8, y + 17, _short(label, 9), anchor="end"))
        parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{bar_w}" height="16" rx="3" fill="{TRACK}"/>')
        if length > 0:
            parts.append(f'<rect x="{label_w}" y="{y + 5}" width="{length:.1f}" height="16" rx="3" fill="{color}">'
                         f'<title>{escape(label)}: {escape(shown)}</title></rect>')
        parts.append(_text(label_w + bar_w + 6, y + 17, shown, fill=INK))
    parts.append(tail)
    return "".join(parts)


def _arc(cx: float, cy: float, outer: float, inner: float, start: float, end: float) -> str:
    """A ring segment from angle ``start`` to ``end`` (radians, clockwise from 12 o'clock)."""
    def point(radius, angle):
        return cx + radius * math.sin(angle), cy - radius * math.cos(angle)

    large = 1 if end - start > math.pi else 0
    (x0, y0), (x1, y1) = point(outer, start), point(outer, end)
    (x2, y2), (x3, y3) = point(inner, end), point(inner, start)
    return (f"M{x0:.2f},{y0:.2f} A{outer},{outer} 0 {large} 1 {x1:.2f},{y1:.2f} "
            f"L{x2:.2f},{y2:.2f} A{inner},{inner} 0 {large} 0 {x3:.2f},{y3:.2f} Z")


def donut_chart(parts: list[tuple[str, int, str]], *, title: str, center: str = "", center_note: str = "",
                empty: str = "—", width: int = 420, fit: int | None = None) -> str:
    """A ring of (label, count, colour) shares, the total in the middle and a legend on the right."""
    total = sum(count for _l, count, _c in parts)
    if total <= 0:
        return _empty(title, empty, width, fit)
    size, outer, inner = 200, 88, 54
    cx = cy = size / 2
    height = max(size, 24 + 26 * len(parts))
    head, tail = _open(width, height, title, fit)
    out = [head]
    shown = [(label, count, fill) for label, count, fill in parts if count > 0]
    if len(shown) == 1:
        label, count, fill = shown[0]
        out.append(f'<circle cx="{cx}" cy="{cy}" r="{(outer + inner) / 2}" fill="none" stroke="{fill}" '
                   f'stroke-width="{outer - inner}"><title>{escape(label)}: {count}</title></circle>')
    else:
        angle = 0.0
        for label, count, fill in shown:
            sweep = 2 * math.pi * count / total
            out.append(f'<path d="{_arc(cx, cy, outer, inner, angle, angle + sweep)}" fill="{fill}" stroke="#fff" '
                       f'stroke-width="1"><title>{escape(label)}: {count}</title></path>')
            angle += sweep
    out.append(_text(cx, cy + 6, center or str(total), size=22, anchor="middle", weight="bold"))
    if center_note:
        out.append(_text(cx, cy + 26, center_note, size=11, anchor="middle", fill=MUTED))
    legend_x = size + 16
    for index, (label, count, fill) in enumerate(parts):
        y = 20 + index * 26
        out.append(f'<rect x="{legend_x}" y="{y}" width="14" height="14" rx="2" fill="{fill}"/>')
        out.append(_text(legend_x + 22, y + 12, _short(label, 8)))
        out.append(_text(width - 8, y + 12, f"{count}（{count / total:.0%}）", anchor="end", fill=MUTED))
    out.append(tail)
    return "".join(out)


def trend_chart(points: list[tuple[str, int, float]], *, title: str, bars_label: str, line_label: str,
                width: int = 900, fit: int | None = None) -> str:
    """Months as (label, count for the bars, rate 0..1 for the line). Labels like ``2025-03``: each
    shows its month, and the year under the first month and every January."""
    if not points:
        return _empty(title, "—", width, fit)
    height, left, right, top, bottom = 240, 52, 48, 34, 190
    plot_w, plot_h = width - left - right, bottom - top
    scale = count_scale(max(count for _l, count, _r in points))
    step = plot_w / len(points)
    head, tail = _open(width, height, title, fit)
    out = [head]
    # Legend.
    out.append(f'<rect x="{left}" y="8" width="12" height="12" rx="2" fill="{BRAND}"/>')
    out.append(_text(left + 18, 19, bars_label))
    legend_line_x = left + 30 + 14 * len(bars_label)
    out.append(f'<line x1="{legend_line_x}" y1="14" x2="{legend_line_x + 18}" y2="14" stroke="{OK}" '
               f'stroke-width="2.5"/><circle cx="{legend_line_x + 9}" cy="14" r="3" fill="{OK}"/>')
    out.append(_text(legend_line_x + 24, 19, line_label))
    # Grid and both axes' labels.
    for tick in range(5):
        y = bottom - plot_h * tick / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" '
                   f'stroke-width="1"/>')
        out.append(_text(left - 6, y + 4, f"{scale * tick // 4}", size=10, anchor="end", fill=MUTED))
        out.append(_text(left + plot_w + 6, y + 4, f"{tick * 25}%", size=10, fill=MUTED))
    line = []
    for index, (label, count, rate) in enumerate(points):
        x = left + step * index
        bar_h = plot_h * count / scale
        out.append(f'<rect x="{x + step * 0.18:.1f}" y="{bottom - bar_h:.1f}" width="{step * 0.64:.1f}" '
                   f'height="{bar_h:.1f}" fill="{BRAND}" opacity="0.85"><title>{escape(label)}: {count}</title></rect>')
        line.append((x + step / 2, bottom - plot_h * max(0.0, min(rate, 1.0)), label, rate))
        year, _sep, month = label.partition("-")
        out.append(_text(x + step / 2, bottom + 16, f"{int(month)}月" if month.isdigit() else label, size=11,
                         anchor="middle", fill=MUTED))
        if index == 0 or month == "01":
            out.append(_text(x + step / 2, bottom + 30, year, size=10, anchor="middle", fill=MUTED))
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y, _l, _r) in enumerate(line))
    out.append(f'<path d="{path}" fill="none" stroke="{OK}" stroke-width="2.5" stroke-linejoin="round"/>')
    for x, y, label, rate in line:
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{OK}"><title>{escape(label)}: '
                   f'{rate:.1%}</title></circle>')
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{left + plot_w}" y2="{bottom}" stroke="{MUTED}" '
               f'stroke-width="1"/>')
    out.append(tail)
    return "".join(out)


# --- the sets of charts ----------------------------------------------------------------------------

def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def subregion_rows(figures: dict, key: str, *, as_rate: bool = False) -> list[tuple[str, float, str]]:
    rows = []
    for sub in figures.get("subregions", []):
        value = sub[key]
        # A rate of a region without active children is no rate: "—", as in the tables.
        shown = ("—" if not sub.get("children_active") else percent(value)) if as_rate else f"{value}"
        rows.append((sub["region"]["name"], float(value), shown))
    return rows


def risk_parts(figures: dict, labels: dict[str, str]) -> list[tuple[str, int, str]]:
    return [(labels[key], figures["children_by_risk"][key], RISK_FILL[key]) for key in RISK_FILL]


def trend_points(trend: list[dict]) -> list[tuple[str, int, float]]:
    return [(point["month"], point["activities"], point["monthly_coverage"]) for point in trend]


# The PDF's text column (A4 less margins) in CSS pixels: wider charts are scaled down to it.
REPORT_WIDTH = 640


def report_charts(figures: dict, trend: list[dict] | None = None) -> list[Chart]:
    """The monthly report's charts (its words are the report's Chinese): pairing rate and activities by
    sub-region (when there are sub-regions), the colour distribution, and the trend when given."""
    from children.models import risk_labels  # the models' labels, in the report's language

    charts = []
    if figures.get("subregions"):
        charts.append(Chart("各下级区划结对率", bar_chart(
            subregion_rows(figures, "pairing_rate", as_rate=True), title="各下级区划结对率", max_value=1)))
        charts.append(Chart("各下级区划关爱活动（次）", bar_chart(
            subregion_rows(figures, "activities"), title="各下级区划关爱活动（次）", color=BRAND_DARK)))
    charts.append(Chart("在册儿童三色卡分布", donut_chart(
        risk_parts(figures, risk_labels()), title="在册儿童三色卡分布", center_note="在册儿童", empty="无在册儿童")))
    if trend:
        charts.append(Chart("近12个月关爱活动与月月有活动覆盖率", trend_chart(
            trend_points(trend), title="近12个月关爱活动与月月有活动覆盖率", bars_label="关爱活动（次）",
            line_label="月月有活动", fit=REPORT_WIDTH)))
    return charts
