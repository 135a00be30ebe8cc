"""The civil-affairs (民政) list format: its columns, its vocabulary, and the downloadable template.

The column headers and the cell vocabulary (男/女, 留守儿童 …) are the file format shared with the
civil-affairs bureau's lists, so they are fixed Chinese strings, not translated UI text. The help
text on the "填写说明" sheet is UI text and goes through gettext.
"""

from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from children.models import Category, DifficultyType, Gender, Household

# Upload limits. Every new or changed row goes through the services (about 6 ms of CPU each, twice:
# the preview's dry run, in a Celery task, and the apply, inside a web request with gunicorn
# --timeout 60), so a list stays at a county's size; a larger one is split by township, each part
# imported for its township. The limits on what the file unpacks to are in children.xlsx_reader.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000

DATA_SHEET_TITLE = "儿童名单"
HELP_SHEET_TITLE = "填写说明"
# A row whose name starts with this is the template's example; the import reports and skips it.
EXAMPLE_PREFIX = "示例"
# Separators accepted between several categories or kinds of difficulty in one cell.
LIST_SEPARATORS = "、，,;；/ "


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: Promise
    width: int = 14
    text: bool = False  # formatted as text in the template, so Excel keeps leading zeros and all 18 digits
    is_date: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True, _lazy("The child's full name."), 10),
    Column("gender", "性别", True, _lazy("男 or 女. It must agree with the ID number."), 6),
    Column("id_number", "身份证号", True,
           _lazy("The 18-character resident ID number. Keep this column formatted as text: Excel rounds long "
                 "numbers to 15 digits."), 22, text=True),
    Column("birth_date", "出生日期", True,
           _lazy("A date cell (for example 2015-03-08), not text. It must agree with the ID number."), 12,
           is_date=True),
    Column("region", "区划代码", True,
           _lazy("The 12-digit statistical division code (统计用区划代码) of the county, township or village where "
                 "the child is registered, inside the region you import for."), 15, text=True),
    Column("categories", "类别", True,
           _lazy("One or more of 留守儿童, 困境儿童, 孤儿, 事实无人抚养儿童, separated by 、 or ，."), 18),
    Column("difficulty_types", "困境类型", False,
           _lazy("Only for 困境儿童, and then required: one or more of 贫困, 残疾, 监护缺失或不当, separated by 、."), 16),
    Column("guardian_name", "监护人姓名", False, _lazy("The main guardian's name."), 10),
    Column("guardian_relation", "与儿童关系", False,
           _lazy("The guardian's relation to the child, e.g. 祖父, 祖母, 母亲. Required when a guardian is given."), 10),
    Column("guardian_phone", "监护人电话", False, _lazy("Digits only, 7 to 12 of them."), 13, text=True),
    Column("school", "学校", False, _lazy("The school the child attends."), 16),
    Column("grade", "年级", False, _lazy("For example 三年级."), 8),
    Column("address", "家庭住址", False, _lazy("The family's address."), 24),
    Column("household", "户籍", False, _lazy("农村 or 城镇. Empty means 农村 for a new child."), 6),
    Column("parents_work_place", "父母务工地", False, _lazy("Where the parents work, e.g. 太原市."), 12),
    Column("notes", "备注", False, _lazy("Anything else. Used for new children only."), 20),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_HEADER = {c.header: c for c in COLUMNS}
REQUIRED_HEADERS = tuple(c.header for c in COLUMNS if c.required)

GENDER_WORDS = {"男": Gender.MALE.value, "女": Gender.FEMALE.value}
CATEGORY_WORDS = {
    "留守儿童": Category.LEFT_BEHIND.value,
    "困境儿童": Category.IN_DIFFICULTY.value,
    "孤儿": Category.ORPHAN.value,
    "事实无人抚养儿童": Category.DE_FACTO_UNSUPPORTED.value,
}
DIFFICULTY_WORDS = {
    "贫困": DifficultyType.POVERTY.value,
    "残疾": DifficultyType.DISABILITY.value,
    "监护缺失或不当": DifficultyType.GUARDIANSHIP.value,
}
HOUSEHOLD_WORDS = {"农村": Household.RURAL.value, "城镇": Household.URBAN.value}

# Spellings also seen on real lists, read as the canonical word.
_ALIASES = {
    "gender": {"男性": "男", "女性": "女", "男孩": "男", "女孩": "女"},
    "categories": {"留守": "留守儿童", "困境": "困境儿童", "农村留守儿童": "留守儿童", "事实无人抚养": "事实无人抚养儿童"},
    "difficulty_types": {"监护缺失": "监护缺失或不当", "监护不当": "监护缺失或不当", "贫困儿童": "贫困",
                         "残疾儿童": "残疾"},
    "household": {"城市": "城镇", "非农": "城镇", "农业": "农村"},
}


def canonical_word(column_key: str, word: str) -> str:
    return _ALIASES.get(column_key, {}).get(word, word)


def word_for(words: dict[str, str], value: str) -> str:
    """The Chinese word of a stored value (the reverse of a *_WORDS table)."""
    for word, stored in words.items():
        if stored == value:
            return word
    return value


def join_words(words: dict[str, str], values) -> str:
    """The Chinese words of several stored values, in the vocabulary's order, joined by 、."""
    chosen = set(values)
    return "、".join(word for word, stored in words.items() if stored in chosen)


EXAMPLE_ROW = {
    "name": EXAMPLE_PREFIX + "王小明",
    "gender": "男",
    "id_number": "141102201503080000",
    "birth_date": date(2015, 3, 8),
    "region": "141102001200",
    "categories": "留守儿童、困境儿童",
    "difficulty_types": "贫困",
    "guardian_name": "王大山",
    "guardian_relation": "祖父",
    "guardian_phone": "13935800001",
    "school": "某某小学",
    "grade": "三年级",
    "address": "某某村12号",
    "household": "农村",
    "parents_work_place": "太原市",
    "notes": "",
}

_HEADER_FILL = PatternFill("solid", fgColor="FDE7EF")
_REQUIRED_FONT = Font(bold=True, color="B00020")
_FONT = Font(bold=True)
_TEMPLATE_ROWS = MAX_ROWS


def template_workbook() -> Workbook:
    wb = Workbook()
    sheet = wb.active
    sheet.title = DATA_SHEET_TITLE
    sheet.append([c.header for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.fill = _HEADER_FILL
        cell.font = _REQUIRED_FONT if column.required else _FONT
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
        elif column.is_date:
            dimension.number_format = "yyyy-mm-dd"
    sheet.append([EXAMPLE_ROW[c.key] for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        if column.text:
            sheet.cell(row=2, column=index).number_format = "@"
        elif column.is_date:
            sheet.cell(row=2, column=index).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for key, words in (("gender", GENDER_WORDS), ("household", HOUSEHOLD_WORDS)):
        letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(words) + '"', allow_blank=True)
        validation.add(f"{letter}2:{letter}{_TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)

    help_sheet = wb.create_sheet(HELP_SHEET_TITLE)
    help_sheet.append([_("Column"), _("Required"), _("How to fill it in")])
    for cell in help_sheet[1]:
        cell.font = _FONT
        cell.fill = _HEADER_FILL
    for column in COLUMNS:
        help_sheet.append([column.header, _("Yes") if column.required else _("No"), str(column.help)])
    help_sheet.append([])
    for note in (
        _("Put one child per row on the sheet “%(sheet)s”, starting under the header row. Keep the headers as they "
          "are; columns may be in any order, and optional columns may be left out.") % {"sheet": DATA_SHEET_TITLE},
        _("Delete the example row (its name starts with “%(prefix)s”): it is reported and skipped.")
        % {"prefix": EXAMPLE_PREFIX},
        _("Do not merge cells, and enter dates as dates, not as text."),
        _("Each ID number may appear only once in the file. An empty optional cell leaves what the ledger holds "
          "unchanged."),
        _("Nothing changes until you have checked the preview and confirmed it. Children in the ledger who are "
          "missing from the list are shown as candidates for exit; they are never exited automatically."),
        _("At most %(rows)s rows and %(mb)s MB per file. Split a longer list by township and import each part "
          "for its township.") % {"rows": f"{MAX_ROWS:,}", "mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
    ):
        help_sheet.append(["", "", note])
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 8
    help_sheet.column_dimensions["C"].width = 90
    for row in help_sheet.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return wb


def template_bytes() -> bytes:
    buffer = BytesIO()
    template_workbook().save(buffer)
    return buffer.getvalue()
