"""Exporting the ledger to .xlsx in bounded memory (core.exports, core.xlsx).

The rows are read with ``values()`` (no model instances) through ``.iterator(chunk_size=2000)`` and
written by openpyxl's write-only workbook, which spools each row to a temporary file as it goes; the
finished workbook is a temporary file the view streams with FileResponse. Memory stays flat whatever
the number of rows (see bench/export_ledger.py). Guardians are read once per batch of children, so
the query count is rows / 2000, not one per child. Every text is written as text, never a formula.

ID numbers are exported masked, never in full: the query never selects the encrypted column.
"""

from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from children import identity
from children.filters import LedgerFilter
from children.models import Child, ExitReason, Guardian, RiskColor, Status
from children.xlsx_template import CATEGORY_WORDS, DIFFICULTY_WORDS, GENDER_WORDS, HOUSEHOLD_WORDS, join_words
from core.exports import filtered_export
from core.xlsx import TemporaryXlsx, XlsxWriter, batches, chinese_labels

BATCH = 2000
SHEET_TITLE = "儿童台账"
FILENAME_STEM = "儿童台账"
EXPORT_DENIED = gettext_lazy("Volunteers cannot export the ledger.")

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

def _guardians(child_ids: list[int]) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    rows = (Guardian.objects.filter(child_id__in=child_ids).order_by("child_id", "position", "id")
            .values_list("child_id", "name", "relation", "phone"))
    for child_id, name, relation, phone in rows:
        found.setdefault(child_id, []).append(f"{name}（{relation}）{phone}".strip())
    return {child_id: "；".join(names) for child_id, names in found.items()}


def write_ledger(writer: XlsxWriter, queryset: QuerySet) -> int:
    """Write the rows of ``queryset`` (a Child queryset, already scoped and filtered) to a sheet of
    ``writer``; returns the number of children written."""
    statuses = chinese_labels(Status.choices)
    colors, reasons = chinese_labels(RiskColor.choices), chinese_labels(ExitReason.choices)
    sheet = writer.sheet(SHEET_TITLE, widths=[width for _header, width in COLUMNS], freeze="A2")
    sheet.header(header for header, _width in COLUMNS)

    count = 0
    rows = queryset.values(*_FIELDS).iterator(chunk_size=BATCH)
    for batch in batches(rows, BATCH):
        guardians = _guardians([c["id"] for c in batch])
        for c in batch:
            sheet.append((
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
            ))
        count += len(batch)
    return count


def ledger_export(*, actor: User, params: Mapping) -> TemporaryXlsx:
    """Export the actor's ledger, filtered as the ledger page is (LedgerFilter, so
    exited children only when the status filter asks for them) on ``params``, to an .xlsx temporary file, and
    audit it with the filters and the row count. Volunteers may not export (PermissionDenied); invalid
    filters raise ValidationError."""
    return filtered_export(actor=actor, params=params, filterset_class=LedgerFilter,
                           queryset=Child.objects.visible_to(actor), write=write_ledger,
                           label=_("Children ledger"), filename_stem=FILENAME_STEM, denied=EXPORT_DENIED)
