"""The audit log's Excel sheet (the ``audit`` export kind, exports.kinds), written in bounded memory by an
export job: an admin's subtree, filtered as on the audit page (accounts.audit_filters). Each row's chain
fields (accounts.auditchain) go with it, so a copy can be matched against the trail later. Text is
written as text, never as a formula (core.xlsx)."""

import json

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import AuditAction
from core.exports import RowsWritten
from core.xlsx import XlsxWriter, batches, chinese_labels

BATCH = 2000
SHEET_TITLE = "操作审计"
FILENAME_STEM = "操作审计"

COLUMNS = (
    ("时间", 20), ("用户姓名", 10), ("用户名", 14), ("操作", 12), ("记录类型", 18), ("记录编号", 10),
    ("记录名称", 24), ("区划代码", 15), ("IP 地址", 16), ("次数", 6), ("最后一次", 20), ("详情", 40),
    ("变更（旧值 → 新值）", 40), ("链中序号", 10), ("记录哈希", 20), ("链哈希", 20),
)
_FIELDS = ("at", "actor__name", "actor__username", "action", "target_type", "target_id", "target_label",
           "region_code", "ip", "count", "last_at", "detail", "changes", "seq", "mac", "hash")


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def write_audit(writer: XlsxWriter, queryset: QuerySet, on_rows: RowsWritten | None = None) -> int:
    """Write the events of ``queryset`` (already scoped and filtered), oldest first; returns how many."""
    actions = chinese_labels(AuditAction.choices)
    sheet = writer.sheet(SHEET_TITLE, widths=[width for _header, width in COLUMNS], freeze="A2")
    sheet.header(header for header, _width in COLUMNS)
    count = 0
    rows = queryset.order_by("at", "id").values(*_FIELDS).iterator(chunk_size=BATCH)
    for batch in batches(rows, BATCH):
        for e in batch:
            sheet.append((
                _local(e["at"]), e["actor__name"] or "系统", e["actor__username"] or "", actions.get(e["action"], e["action"]),
                e["target_type"], e["target_id"], e["target_label"], e["region_code"], e["ip"] or "", e["count"],
                _local(e["last_at"]), _json(e["detail"]), _json(e["changes"]), e["seq"], e["mac"], e["hash"],
            ))
        count += len(batch)
        if on_rows is not None:
            on_rows(count)
    return count
