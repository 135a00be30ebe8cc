"""Exporting the activity ledger to .xlsx in bounded memory, like children/export.py (whose generic
helpers it uses): rows read with ``values()`` through ``.iterator()``, written by openpyxl's
write-only workbook to a NamedTemporaryFile the view streams; children's and co-volunteers' names
are read once per batch of activities, so the query count is rows / BATCH, not one per activity.
"""

from collections.abc import Mapping
from tempfile import NamedTemporaryFile

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from accounts.roles import Role
from activities.filters import ActivityFilter
from activities.models import Activity, ActivityChild, ActivityKind, CareService
from children.export import LedgerExport, _batches, _labels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 2000
SHEET_TITLE = "活动台账"

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


def _header_row(sheet) -> list:
    font, fill = Font(bold=True), PatternFill("solid", fgColor="FDE7EF")
    cells = []
    for header, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = font, fill
        cells.append(cell)
    return cells


def _names_by_activity(rows) -> dict:
    found: dict = {}
    for activity_id, name in rows:
        found.setdefault(activity_id, []).append(name)
    return found


def write_activities(*, queryset, file) -> int:
    """Write the activities of ``queryset`` (already scoped and filtered) to ``file`` as .xlsx; returns
    the number of activities written."""
    kinds, services = _labels(ActivityKind.choices), _labels(CareService.choices)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_row(sheet))

    count = 0
    for batch in _batches(queryset.values(*_FIELDS).iterator(chunk_size=BATCH), BATCH):
        ids = [a["id"] for a in batch]
        children = _names_by_activity(ActivityChild.objects.filter(activity_id__in=ids)
                                      .order_by("activity_id", "id").values_list("activity_id", "child__name"))
        co_volunteers = _names_by_activity(
            Activity.co_volunteers.through.objects.filter(activity_id__in=ids).order_by("activity_id", "id")
            .values_list("activity_id", "volunteer__name"))
        for a in batch:
            names = children.get(a["id"], [])
            sheet.append([None if value in ("", None) else value for value in (  # empty cells are not written
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
                a["aid_value_yuan"],
                a["place"],
                YES if a["is_group"] else "",
                YES if a["follow_up"] else "",
                a["notes"],
                str(a["id"]),
            )])
        count += len(batch)
    workbook.save(file)
    return count


def activity_export(*, actor: User, params: Mapping, request=None) -> LedgerExport:
    """Export the actor's activity ledger, filtered by ActivityFilter on ``params``, to an .xlsx
    temporary file, and audit it with the filters and the row count. Volunteers may not export
    (PermissionDenied); invalid filters raise ValidationError."""
    if not actor.is_superuser and actor.role == Role.VOLUNTEER:
        raise PermissionDenied(_("Volunteers cannot export the activity ledger."))
    filterset = ActivityFilter(params, queryset=Activity.objects.visible_to(actor))
    if not filterset.is_valid():
        errors = filterset.errors.get_json_data()
        raise ValidationError({field: [e["message"] for e in messages] for field, messages in errors.items()})
    filters = {name: params.get(name) for name in filterset.filters if params.get(name)}
    file = NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the response, which closes it
    try:
        rows = write_activities(queryset=filterset.qs, file=file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    audit_record(actor=actor, action=AuditAction.EXPORT, target_type=Activity._meta.label_lower,
                 target_label=_("Activity ledger"), region_code=actor.region_id or "", request=request,
                 detail={"format": "xlsx", "filters": filters, "rows": rows})
    stamp = timezone.localdate().strftime("%Y%m%d")
    area = actor.region.name if actor.region_id else _("all regions")
    return LedgerExport(file=file, rows=rows, filename=f"活动台账_{area}_{stamp}.xlsx")
