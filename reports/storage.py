"""Where report files are kept and what they are called.

On disk (the default storage, private: settings.PRIVATE_STORAGE_ROOT) a file is
``reports/<yyyy>/<mm>/<region code>-<yyyymm>-run<id>.<ext>``: ASCII, unique per run, grouped by month
so an operator can prune old months. The name a user downloads is Chinese and readable
(``吕梁市_2025年05月_爱心妈妈结对关爱月报.pdf``); the views send it RFC 5987-encoded.
"""

from datetime import date

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DIRECTORY = "reports"


def stored_name(*, region_code: str, month: date, run_id: int, fmt: str) -> str:
    return f"{DIRECTORY}/{month:%Y}/{month:%m}/{region_code}-{month:%Y%m}-run{run_id}.{fmt}"


def report_upload_to(run, filename: str) -> str:
    """``upload_to`` of ReportRun.file: the stored name above (the suggested ``filename`` is ignored)."""
    return stored_name(region_code=run.region_id, month=run.month, run_id=run.pk, fmt=run.format)


def download_name(*, region_name: str, month: date, fmt: str) -> str:
    # The file's own name, Chinese whatever the interface language, like the report inside it.
    return f"{region_name}_{month.year}年{month.month:02d}月_爱心妈妈结对关爱月报.{fmt}"
