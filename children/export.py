"""Exporting the ledger to .xlsx in bounded memory.

The rows are read with ``values()`` (no model instances) through ``.iterator(chunk_size=2000)`` and
written by openpyxl's write-only workbook, which spools each row to a temporary file as it goes; the
finished workbook is a NamedTemporaryFile the view streams with FileResponse. Memory stays flat
whatever the number of rows (see bench/export_ledger.py). Guardians are read once per batch of
children, so the query count is rows / 2000, not one per child.

ID numbers are exported masked, never in full: the query never selects the encrypted column.
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from tempfile import NamedTemporaryFile

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from accounts.roles import Role
from children import identity
from children.filters import ChildFilter
from children.models import Child, ExitReason, Guardian, RiskColor, Status
from children.xlsx_template import CATEGORY_WORDS, DIFFICULTY_WORDS, GENDER_WORDS, HOUSEHOLD_WORDS, join_words

BATCH = 2000
SHEET_TITLE = "儿童台账"

# (header, width). The headers are the file format, Chinese like the import template's.
COLUMNS = (
    ("姓名", 10), ("性别", 6), ("身份证号（脱敏）", 22), ("出生日期", 12), ("区划代码", 15), ("所属区划", 14),
    ("类别", 18), ("困境类型", 14), ("状态", 8), ("三色卡", 8), ("下次评估日期", 13), ("监护人", 26),
    ("学校", 16), ("年级", 8), ("家庭住址", 24), ("户籍", 6), ("父母务工地", 12), ("入册日期", 12),
    ("退出日期", 12), ("退出原因", 12), ("备注", 20), ("系统编号", 10),
)

_FIELDS = (
    "id", "name", "gender", "id_number_last4", "birth_date", "region_id", "region__name",
    *(f"is_{c}" for c in CATEGORY_WORDS.values()), *(f"difficulty_{d}" for d in DIFFICULTY_WORDS.values()),
    "status", "risk_color", "next_review_on", "school", "grade", "address", "household", "parents_work_place",
    "entered_on", "exited_on", "exit_reason", "notes",
)
GENDER_WORDS_BY_VALUE = {value: word for word, value in GENDER_WORDS.items()}
HOUSEHOLD_WORDS_BY_VALUE = {value: word for word, value in HOUSEHOLD_WORDS.items()}


@dataclass
class LedgerExport:
    file: object  # an open NamedTemporaryFile at position 0; deleted when closed
    rows: int
    filename: str


def _labels(choices) -> dict[str, str]:
    # The file is Chinese whatever the user's language, like its headers.
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices}


def _batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _guardians(child_ids: list[int]) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    rows = (Guardian.objects.filter(child_id__in=child_ids).order_by("child_id", "position", "id")
            .values_list("child_id", "name", "relation", "phone"))
    for child_id, name, relation, phone in rows:
        found.setdefault(child_id, []).append(f"{name}（{relation}）{phone}".strip())
    return {child_id: "；".join(names) for child_id, names in found.items()}


def _header_row(sheet) -> list:
    font, fill = Font(bold=True), PatternFill("solid", fgColor="FDE7EF")
    cells = []
    for header, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font, cell.fill = font, fill
        cells.append(cell)
    return cells


def write_ledger(*, queryset, file) -> int:
    """Write the rows of ``queryset`` (a Child queryset, already scoped and filtered) to ``file`` as .xlsx;
    returns the number of children written."""
    statuses, colors, reasons = _labels(Status.choices), _labels(RiskColor.choices), _labels(ExitReason.choices)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_row(sheet))

    count = 0
    rows = queryset.values(*_FIELDS).iterator(chunk_size=BATCH)
    for batch in _batches(rows, BATCH):
        guardians = _guardians([c["id"] for c in batch])
        for c in batch:
            sheet.append([None if value == "" else value for value in (  # empty cells are not written at all
                c["name"],
                GENDER_WORDS_BY_VALUE.get(c["gender"], c["gender"]),
                identity.mask_last4(c["id_number_last4"]),
                c["birth_date"],
                c["region_id"],
                c["region__name"],
                join_words(CATEGORY_WORDS, [v for v in CATEGORY_WORDS.values() if c[f"is_{v}"]]),
                join_words(DIFFICULTY_WORDS, [v for v in DIFFICULTY_WORDS.values() if c[f"difficulty_{v}"]]),
                statuses.get(c["status"], c["status"]),
                colors.get(c["risk_color"], ""),
                c["next_review_on"],
                guardians.get(c["id"], ""),
                c["school"],
                c["grade"],
                c["address"],
                HOUSEHOLD_WORDS_BY_VALUE.get(c["household"], c["household"]),
                c["parents_work_place"],
                c["entered_on"],
                c["exited_on"],
                reasons.get(c["exit_reason"], ""),
                c["notes"],
                c["id"],
            )])
        count += len(batch)
    workbook.save(file)
    return count


def ledger_export(*, actor: User, params: Mapping, request=None) -> LedgerExport:
    """Export the actor's ledger, filtered by ChildFilter on ``params``, to an .xlsx temporary file, and
    audit it with the filters and the row count. Volunteers may not export (PermissionDenied); invalid
    filters raise ValidationError."""
    if not actor.is_superuser and actor.role == Role.VOLUNTEER:
        raise PermissionDenied(_("Volunteers cannot export the ledger."))
    filterset = ChildFilter(params, queryset=Child.objects.visible_to(actor))
    if not filterset.is_valid():
        errors = filterset.errors.get_json_data()
        raise ValidationError({field: [e["message"] for e in messages] for field, messages in errors.items()})
    filters = {name: params.get(name) for name in filterset.filters if params.get(name)}
    file = NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the response, which closes it
    try:
        rows = write_ledger(queryset=filterset.qs, file=file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    audit_record(actor=actor, action=AuditAction.EXPORT, target_type=Child._meta.label_lower,
                 target_label=_("Children ledger"), region_code=actor.region_id or "", request=request,
                 detail={"format": "xlsx", "filters": filters, "rows": rows})
    stamp = timezone.localdate().strftime("%Y%m%d")
    area = actor.region.name if actor.region_id else _("all regions")
    return LedgerExport(file=file, rows=rows, filename=f"儿童台账_{area}_{stamp}.xlsx")
