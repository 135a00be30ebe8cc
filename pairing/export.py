"""The pairings' Excel sheet, written in bounded memory (core.xlsx) by an export job
(exports.services): rows read with ``values()`` through ``.iterator()``, one query per batch. The
child's ID number is exported masked (the encrypted column is never selected) and the caring mother's
mobile number masked too. Text is written as text, never as a formula (core.xlsx)."""

from django.db.models import QuerySet

from accounts.phone import mask_mobile
from children import identity
from core.exports import RowsWritten
from core.xlsx import XlsxWriter, batches, chinese_labels
from pairing.models import EndReason, PairingRole

BATCH = 2000
SHEET_TITLE = "结对关系"
FILENAME_STEM = "结对关系"

# (header, width). The headers are the file format: Chinese, like the children ledger's.
COLUMNS = (
    ("儿童", 10), ("身份证号（脱敏）", 22), ("区划代码", 15), ("所属区划", 14), ("爱心妈妈", 10),
    ("爱心妈妈手机号（脱敏）", 14), ("角色", 12), ("开始日期", 12), ("结束日期", 12), ("结束原因", 16),
    ("说明", 24), ("系统编号", 10),
)
_FIELDS = ("id", "child__name", "child__id_number_last4", "child__region_id", "child__region__name",
           "volunteer__name", "volunteer__phone", "role", "started_on", "ended_on", "end_reason", "end_note")


def write_pairings(writer: XlsxWriter, queryset: QuerySet, on_rows: RowsWritten | None = None) -> int:
    """Write the pairings of ``queryset`` (already scoped and filtered) as one sheet; returns how many
    were written."""
    roles, reasons = chinese_labels(PairingRole.choices), chinese_labels(EndReason.choices)
    sheet = writer.sheet(SHEET_TITLE, widths=[width for _header, width in COLUMNS], freeze="A2")
    sheet.header(header for header, _width in COLUMNS)
    count = 0
    for batch in batches(queryset.values(*_FIELDS).iterator(chunk_size=BATCH), BATCH):
        for p in batch:
            sheet.append((
                p["child__name"], identity.mask_last4(p["child__id_number_last4"]), p["child__region_id"],
                p["child__region__name"], p["volunteer__name"], mask_mobile(p["volunteer__phone"]),
                roles.get(p["role"], p["role"]), p["started_on"], p["ended_on"],
                reasons.get(p["end_reason"], ""), p["end_note"], p["id"],
            ))
        count += len(batch)
        if on_rows is not None:
            on_rows(count)
    return count
