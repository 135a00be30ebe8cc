"""The activity ledger's Excel sheet, written in bounded memory (core.xlsx) by an export job
(exports.services): rows read with ``values()`` through ``.iterator()`` and written by a write-only
workbook; children's and co-volunteers' names are read once per batch of activities, so the query count
is rows / BATCH, not one per activity. Text is written as text, never as a formula (core.xlsx).
"""

from django.db.models import QuerySet

from activities.models import Activity, ActivityChild, ActivityKind, CareService
from core.exports import RowsWritten
from core.xlsx import XlsxWriter, as_number, batches, chinese_labels

BATCH = 2000
SHEET_TITLE = "活动台账"
FILENAME_STEM = "活动台账"

# (header, width). The headers are the file format: Chinese, like the children ledger's.
COLUMNS = (
    ("日期", 12), ("活动类型", 12), ("标题", 20), ("儿童", 28), ("儿童数", 8), ("爱心妈妈", 10),
    ("其他志愿者", 18), ("区划代码", 15), ("所属区划", 14), ("服务内容", 24), ("时长（分钟）", 11),
    ("人次", 7), ("帮扶金额（元）", 13), ("地点", 16), ("集体活动", 9), ("需跟进", 8), ("备注", 30),
    ("记录编号", 38),
)

_FIELDS = ("id", "occurred_on", "kind", "title", "volunteer__name", "region_id", "region__name", "services",
           "duration_minutes", "participants", "aid_value_yuan", "place", "is_group", "follow_up", "notes")
YES = "是"


def _names_by_activity(rows) -> dict:
    found: dict = {}
    for activity_id, name in rows:
        found.setdefault(activity_id, []).append(name)
    return found


def write_activities(writer: XlsxWriter, queryset: QuerySet, on_rows: RowsWritten | None = None) -> int:
    """Write the activities of ``queryset`` (already scoped and filtered) as the ledger's sheet, telling
    ``on_rows`` the count so far after each batch; returns the number of activities written."""
    kinds, services = chinese_labels(ActivityKind.choices), chinese_labels(CareService.choices)
    sheet = writer.sheet(SHEET_TITLE, widths=[width for _header, width in COLUMNS], freeze="A2")
    sheet.header([header for header, _width in COLUMNS])

    count = 0
    for batch in batches(queryset.values(*_FIELDS).iterator(chunk_size=BATCH), BATCH):
        ids = [a["id"] for a in batch]
        children = _names_by_activity(ActivityChild.objects.filter(activity_id__in=ids)
                                      .order_by("activity_id", "id").values_list("activity_id", "child__name"))
        co_volunteers = _names_by_activity(
            Activity.co_volunteers.through.objects.filter(activity_id__in=ids).order_by("activity_id", "id")
            .values_list("activity_id", "volunteer__name"))
        for a in batch:
            names = children.get(a["id"], [])
            sheet.append((
                a["occurred_on"],
                kinds.get(a["kind"], a["kind"]),
                a["title"],
                "、".join(names),
                len(names),
                a["volunteer__name"],
                "、".join(co_volunteers.get(a["id"], [])),
                a["region_id"],
                a["region__name"],
                "、".join(services.get(s, s) for s in a["services"] or []),
                a["duration_minutes"],
                a["participants"],
                as_number(a["aid_value_yuan"]),
                a["place"],
                YES if a["is_group"] else "",
                YES if a["follow_up"] else "",
                a["notes"],
                str(a["id"]),
            ))
        count += len(batch)
        if on_rows is not None:
            on_rows(count)
    return count
