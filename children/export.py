"""The ledger's and the needs' Excel sheets, written in bounded memory (core.xlsx) by an export job
(exports.services).

The rows are read with ``values()`` (no model instances) through ``.iterator(chunk_size=2000)`` and
written by openpyxl's write-only workbook, which spools each row to a temporary file as it goes. Memory
stays flat whatever the number of rows (see bench/export_ledger.py). Guardians are read once per batch
of children, so the query count is rows / 2000, not one per child. Every text is written as text,
never a formula.

ID numbers are exported masked, never in full: the query never selects the encrypted column.
"""

from django.db.models import QuerySet

from children import identity
from children.models import ExitReason, Guardian, NeedKind, NeedStatus, RiskColor, Status
from children.xlsx_template import CATEGORY_WORDS, DIFFICULTY_WORDS, GENDER_WORDS, HOUSEHOLD_WORDS, join_words
from core.exports import RowsWritten
from core.xlsx import XlsxWriter, as_number, batches, chinese_labels

BATCH = 2000
SHEET_TITLE = "儿童台账"
FILENAME_STEM = "儿童台账"

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


def write_ledger(writer: XlsxWriter, queryset: QuerySet, on_rows: RowsWritten | None = None) -> int:
    """Write the rows of ``queryset`` (a Child queryset, already scoped and filtered) to a sheet of
    ``writer``, telling ``on_rows`` the count so far after each batch; returns the number of children
    written."""
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
        if on_rows is not None:
            on_rows(count)
    return count


# --- the needs (急难愁盼) ----------------------------------------------------------------------------

NEEDS_SHEET_TITLE = "急难愁盼"
NEEDS_FILENAME_STEM = "急难愁盼"
NEED_COLUMNS = (
    ("儿童", 10), ("身份证号（脱敏）", 22), ("区划代码", 15), ("所属区划", 14), ("类型", 8), ("内容", 30),
    ("状态", 8), ("提出日期", 12), ("认领人", 14), ("认领日期", 12), ("完成日期", 12), ("金额（元）", 11),
    ("说明", 24), ("系统编号", 10),
)
_NEED_FIELDS = ("id", "child__name", "child__id_number_last4", "region_id", "region__name", "kind", "description",
                "status", "opened_on", "claimed_by_name", "claimed_on", "fulfilled_on", "value_yuan", "closed_note")


def write_needs(writer: XlsxWriter, queryset: QuerySet, on_rows: RowsWritten | None = None) -> int:
    """Write the needs of ``queryset`` (already scoped and filtered) as one sheet, the child's ID number
    masked; returns the number of needs written."""
    kinds, statuses = chinese_labels(NeedKind.choices), chinese_labels(NeedStatus.choices)
    sheet = writer.sheet(NEEDS_SHEET_TITLE, widths=[width for _header, width in NEED_COLUMNS], freeze="A2")
    sheet.header(header for header, _width in NEED_COLUMNS)
    count = 0
    for batch in batches(queryset.values(*_NEED_FIELDS).iterator(chunk_size=BATCH), BATCH):
        for n in batch:
            sheet.append((
                n["child__name"], identity.mask_last4(n["child__id_number_last4"]), n["region_id"], n["region__name"],
                kinds.get(n["kind"], n["kind"]), n["description"], statuses.get(n["status"], n["status"]),
                n["opened_on"], n["claimed_by_name"], n["claimed_on"], n["fulfilled_on"], as_number(n["value_yuan"]),
                n["closed_note"], n["id"],
            ))
        count += len(batch)
        if on_rows is not None:
            on_rows(count)
    return count
