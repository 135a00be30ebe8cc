"""One formatter per output format: a function ``ReportData → bytes`` (reports.generator.ReportData)."""

from collections.abc import Callable


def formatter_for(fmt: str) -> Callable:
    """The formatter of ``fmt`` (``pdf`` or ``xlsx``), looked up at call time."""
    from reports.formatters import pdf, xlsx  # WeasyPrint loads Pango and fonts: only when a report is made

    return {"pdf": pdf.render_pdf, "xlsx": xlsx.render_xlsx}[fmt]
