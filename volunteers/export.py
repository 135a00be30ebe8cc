"""The caring mothers' Excel sheet (the roster), written in bounded memory (core.xlsx) by an export job
(exports.services): rows read with ``values()`` through ``.iterator()``, one query per batch. Mobile
numbers are exported masked (accounts.phone.mask_mobile): a file leaves the platform, the roster page
is the place to look a number up. Text is written as text, never as a formula (core.xlsx)."""

from django.db.models import QuerySet

from accounts.phone import mask_mobile
from core.exports import RowsWritten
from core.xlsx import XlsxWriter, batches, chinese_labels
from volunteers.models import Sector, Skill, VolunteerStatus

BATCH = 2000
SHEET_TITLE = "爱心妈妈"
FILENAME_STEM = "爱心妈妈名册"

# (header, width). The headers are the file format: Chinese, like the children ledger's.
COLUMNS = (
    ("姓名", 10), ("手机号（脱敏）", 14), ("区划代码", 15), ("所属区划", 14), ("服务队", 18), ("工作站", 16),
    ("行业", 14), ("工作单位", 20), ("特长", 24), ("状态", 8), ("主责结对儿童数", 9), ("可主责结对数", 9),
    ("加入日期", 12), ("退出日期", 12), ("备注", 24), ("系统编号", 10),
)
_SKILLS = [skill.value for skill in Skill]
_FIELDS = ("id", "name", "phone", "region_id", "region__name", "team__name", "station__name", "sector", "employer",
           *(f"skill_{skill}" for skill in _SKILLS), "status", "active_leads", "capacity", "joined_on", "left_on",
           "notes")


def write_volunteers(writer: XlsxWriter, queryset: QuerySet, on_rows: RowsWritten | None = None) -> int:
    """Write the caring mothers of ``queryset`` (already scoped and filtered, carrying
    ``Volunteer.objects.with_load()``'s ``active_leads``) as one sheet; returns how many were written."""
    sectors, skills = chinese_labels(Sector.choices), chinese_labels(Skill.choices)
    statuses = chinese_labels(VolunteerStatus.choices)
    sheet = writer.sheet(SHEET_TITLE, widths=[width for _header, width in COLUMNS], freeze="A2")
    sheet.header(header for header, _width in COLUMNS)
    count = 0
    for batch in batches(queryset.values(*_FIELDS).iterator(chunk_size=BATCH), BATCH):
        for v in batch:
            sheet.append((
                v["name"], mask_mobile(v["phone"]), v["region_id"], v["region__name"], v["team__name"],
                v["station__name"], sectors.get(v["sector"], v["sector"]), v["employer"],
                "、".join(skills[skill] for skill in _SKILLS if v[f"skill_{skill}"]),
                statuses.get(v["status"], v["status"]), v["active_leads"], v["capacity"], v["joined_on"],
                v["left_on"], v["notes"], v["id"],
            ))
        count += len(batch)
        if on_rows is not None:
            on_rows(count)
    return count
