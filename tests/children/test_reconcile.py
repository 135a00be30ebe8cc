"""The civil-affairs (民政) list: template, upload, preview, apply, per role.

Test workbooks are built in memory with openpyxl, as a county's staff would fill the template."""

import itertools
import json
from datetime import date
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts import idcard
from accounts.models import AuditAction, AuditEvent, Region
from children import reconcile, services
from children.models import Child, LedgerImport, LedgerImportStatus, Status, StatusChange
from children.xlsx_template import COLUMNS, HELP_SHEET_TITLE

pytestmark = pytest.mark.django_db

HEADERS = [c.header for c in COLUMNS]
LISHI = "141102000000"
VILLAGE_LISHI = "141102001200"
TOWNSHIP_YUCI = "140702100000"
BIRTH = date(2016, 4, 12)
_sequence = itertools.count(300)


def id_number(*, birth_date: date = BIRTH, gender: str = "female", region6: str = "141102") -> str:
    return idcard.generate(region_code6=region6, birth_date=birth_date, sex=gender, sequence=next(_sequence) % 1000)


def list_row(**values) -> dict:
    """One child as the list has them, keyed by header."""
    row = {
        "姓名": "赵小红", "性别": "女", "出生日期": BIRTH, "区划代码": VILLAGE_LISHI, "类别": "留守儿童",
        "监护人姓名": "赵大山", "与儿童关系": "祖父", "监护人电话": "13935800002", "学校": "城北小学",
        "年级": "三年级", "家庭住址": "城北村5号", "户籍": "农村", "父母务工地": "太原市",
    }
    row.update(values)
    if "身份证号" not in row:
        row["身份证号"] = id_number(birth_date=row["出生日期"] if isinstance(row["出生日期"], date) else BIRTH,
                                gender="male" if row["性别"] == "男" else "female")
    return row


def workbook_bytes(rows: list[dict], *, headers: list[str] = HEADERS, merge: str | None = None,
                   title: str | None = None) -> bytes:
    wb = Workbook()
    sheet = wb.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    if merge:
        sheet.merge_cells(merge)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build_pending_previews() -> None:
    """Run the preview job of every pending import, as the worker would: the test's transaction never
    commits, so the task the upload queued on commit does not run by itself."""
    for pk in LedgerImport.objects.filter(status=LedgerImportStatus.PENDING).values_list("pk", flat=True):
        reconcile.import_preview_build(import_id=pk)


def run_apply_jobs() -> None:
    """Run the apply job of every applying import, as the worker would (see build_pending_previews)."""
    for pk in LedgerImport.objects.filter(status=LedgerImportStatus.APPLYING).values_list("pk", flat=True):
        reconcile.import_apply_run(import_id=pk)


def upload(client, data: bytes, *, region: str = LISHI, name: str = "民政名单.xlsx"):
    response = client.post(reverse("children:import"), {"file": SimpleUploadedFile(name, data), "region": region})
    build_pending_previews()
    return response


def preview_of(actor, data: bytes, *, region: str = LISHI) -> LedgerImport:
    """Upload ``data`` and build its preview (the task's work), returning the import as the job left it."""
    imp = reconcile.import_upload(actor=actor, region=Region.objects.get(pk=region), file_name="list.xlsx", data=data)
    return reconcile.import_preview_build(import_id=imp.pk)


def preview(actor, rows: list[dict], *, region: str = LISHI, **kwargs) -> LedgerImport:
    return preview_of(actor, workbook_bytes(rows, **kwargs), region=region)


def errors_of(imp: LedgerImport) -> list[tuple[int, str, str]]:
    return [(r["row"], e["column"], e["message"]) for r in imp.preview["rows"] for e in r["errors"]]


def rows_of(imp: LedgerImport, kind: str) -> list[dict]:
    return [r for r in imp.preview["rows"] if r["kind"] == kind]


def service_message(number: str, **record) -> str:
    try:
        services.check_id_number(number, birth_date=record.get("birth_date"), gender=record.get("gender"))
    except ValidationError as exc:
        return exc.message_dict["id_number"][0]
    raise AssertionError("the number is valid")


def bad_checksum(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploads waiting for their preview go to a throwaway private folder, not the shared var/test one."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def ledger_counts():
    """The ledger's row counts now, to compare after something that must write nothing."""
    def counts():
        return Child.objects.count(), StatusChange.objects.count()
    return counts


@pytest.fixture
def lishi_known(make_child, staff_lishi):
    """A child in 离石区 whose full ID number the test knows."""
    number = id_number(birth_date=date(2014, 1, 20))
    child = make_child(staff_lishi, name="孙小梅", id_number=number, birth_date=date(2014, 1, 20),
                       school="城北小学", grade="四年级", address="城北村8号", parents_work_place="太原市")
    return child, number


def as_list_row(child: Child, number: str, **changes) -> dict:
    """The list row that says exactly what the ledger holds about ``child``."""
    return list_row(**{"姓名": child.name, "身份证号": number, "出生日期": child.birth_date,
                       "性别": "男" if child.gender == "male" else "女", "区划代码": child.region_id,
                       "类别": "留守儿童", "学校": child.school, "年级": child.grade, "家庭住址": child.address,
                       "父母务工地": child.parents_work_place, **changes})


# --- the template ---------------------------------------------------------------------------------

def test_template_downloads_with_the_chinese_headers(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import-template"))
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADERS
    assert HEADERS[:6] == ["姓名", "性别", "身份证号", "出生日期", "区划代码", "类别"]


def test_template_has_an_example_row_and_an_instructions_sheet(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import-template"))
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.worksheets[0]["A2"].value.startswith("示例")
    instructions = workbook[HELP_SHEET_TITLE]
    assert [row[0] for row in instructions.iter_rows(min_row=2, max_row=len(HEADERS) + 1, values_only=True)] == HEADERS


def test_uploading_the_template_unchanged_reports_its_example_row(client, staff_lishi, ledger_counts):
    client.force_login(staff_lishi)
    template = b"".join(client.get(reverse("children:import-template")).streaming_content)
    before = ledger_counts()
    upload(client, template)
    imp = LedgerImport.objects.get()
    assert imp.preview["counts"] == {"new": 0, "changed": 0, "unchanged": 0, "error": 1}
    assert errors_of(imp)[0][:2] == (2, "姓名")
    assert ledger_counts() == before


def test_volunteer_cannot_download_the_template(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = client.get(reverse("children:import-template"))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))


# --- who may upload -------------------------------------------------------------------------------

def test_staff_sees_the_upload_form_with_the_regions_of_their_area(client, staff_lishi):
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{LISHI}"' in page
    assert "140702" not in page


def test_upload_form_offers_the_regions_down_to_townships_with_their_codes(client, staff_lishi):
    client.force_login(staff_lishi)
    choices = client.get(reverse("children:import")).context["form"].fields["region"].widget.choices
    assert choices == [(LISHI, "离石区（141102000000）"), ("141102001000", "\u3000滨河街道（141102001000）")]


def test_upload_form_offers_a_superuser_provinces_cities_and_counties_only(client, superuser):
    client.force_login(superuser)
    choices = client.get(reverse("children:import")).context["form"].fields["region"].widget.choices
    assert {code for code, _label in choices} == {"140000000000", "141100000000", "141102000000", "140700000000",
                                                 "140702000000"}


def test_viewer_gets_403_on_the_upload_page(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert client.get(reverse("children:import")).status_code == 403


def test_viewer_cannot_upload(client, viewer_lvliang):
    client.force_login(viewer_lvliang)
    assert upload(client, workbook_bytes([list_row()])).status_code == 403
    assert not LedgerImport.objects.exists()


def test_volunteer_cannot_upload(client, volunteer_lishi):
    client.force_login(volunteer_lishi)
    response = upload(client, workbook_bytes([list_row()]))
    assert (response.status_code, response["Location"]) == (302, reverse("phone:home"))
    assert not LedgerImport.objects.exists()


def test_upload_redirects_to_the_preview(client, staff_lishi):
    client.force_login(staff_lishi)
    response = upload(client, workbook_bytes([list_row()]))
    imp = LedgerImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("children:import-preview", args=[imp.pk])
    assert imp.status == LedgerImportStatus.PREVIEWED
    assert imp.uploaded_by == staff_lishi


def test_staff_cannot_import_for_a_region_outside_their_area(client, staff_lishi):
    client.force_login(staff_lishi)
    response = upload(client, workbook_bytes([list_row()]), region="140702000000")
    assert response.status_code == 200
    assert response.context["form"].errors["region"]
    assert not LedgerImport.objects.exists()


def test_other_county_staff_gets_404_on_the_preview(client, staff_lishi, staff_yuci):
    imp = preview(staff_lishi, [list_row()])
    client.force_login(staff_yuci)
    assert client.get(reverse("children:import-preview", args=[imp.pk])).status_code == 404


def test_other_county_staff_cannot_apply_the_import(client, staff_lishi, staff_yuci):
    imp = preview(staff_lishi, [list_row()])
    client.force_login(staff_yuci)
    assert client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"}).status_code == 404
    assert not Child.objects.exists()


def test_viewer_cannot_apply_an_import_in_their_area(client, staff_lishi, viewer_lvliang):
    imp = preview(staff_lishi, [list_row()])
    client.force_login(viewer_lvliang)
    assert client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"}).status_code == 403
    assert not Child.objects.exists()


def test_province_admin_sees_a_county_staff_import(client, staff_lishi, admin_province):
    imp = preview(staff_lishi, [list_row()])
    client.force_login(admin_province)
    assert client.get(reverse("children:import-preview", args=[imp.pk])).status_code == 200


# --- file-level errors ----------------------------------------------------------------------------

def test_missing_required_columns_are_named_in_one_error(client, staff_lishi, ledger_counts):
    client.force_login(staff_lishi)
    headers = [h for h in HEADERS if h not in ("身份证号", "区划代码")]
    before = ledger_counts()
    upload(client, workbook_bytes([list_row()], headers=headers))
    imp = LedgerImport.objects.get()
    assert imp.status == LedgerImportStatus.FAILED
    assert "身份证号" in imp.error and "区划代码" in imp.error
    assert imp.preview == {}
    page = client.get(reverse("children:import-preview", args=[imp.pk])).content.decode()
    assert imp.error in page
    assert ledger_counts() == before


def test_a_file_that_is_not_xlsx_is_refused(client, staff_lishi):
    client.force_login(staff_lishi)
    response = upload(client, "姓名,身份证号\n".encode(), name="list.xlsx")
    assert response.context["form"].errors["file"]
    assert not LedgerImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, staff_lishi):
    client.force_login(staff_lishi)
    response = upload(client, b"0" * (5 * 1024 * 1024 + 1))
    assert response.context["form"].errors["file"]
    assert not LedgerImport.objects.exists()


def test_too_many_rows_are_refused(staff_lishi, monkeypatch):
    from children import xlsx_reader

    monkeypatch.setattr(xlsx_reader, "MAX_ROWS", 2)
    imp = preview(staff_lishi, [list_row(), list_row(), list_row()])
    assert imp.status == LedgerImportStatus.FAILED
    assert "2" in imp.error


def test_a_merged_title_row_above_the_headers_is_accepted(staff_lishi):
    imp = preview(staff_lishi, [list_row()], title="离石区留守儿童花名册")
    assert imp.preview["counts"]["new"] == 1
    assert rows_of(imp, "new")[0]["row"] == 3


# --- row errors: each names the row and the column, and nothing is written -------------------------

BAD_ROWS = {
    "text in a date column": (lambda: [list_row(出生日期="2016年4月12日")], 2, "出生日期", "2016年4月12日"),
    "a number in a date column": (lambda: [list_row(出生日期=42472)], 2, "出生日期", "42472"),
    "an unknown category": (lambda: [list_row(类别="留守儿童、特困儿童")], 2, "类别", "特困儿童"),
    "an unknown kind of difficulty": (lambda: [list_row(类别="困境儿童", 困境类型="低保")], 2, "困境类型", "低保"),
    "a region code that is not 12 digits": (lambda: [list_row(区划代码="1411020012")], 2, "区划代码", "1411020012"),
    "a region outside the user's area": (lambda: [list_row(区划代码=TOWNSHIP_YUCI)], 2, "区划代码", TOWNSHIP_YUCI),
    "a region code nobody has": (lambda: [list_row(区划代码="141102999999")], 2, "区划代码", "141102999999"),
    "an empty name": (lambda: [list_row(姓名=None)], 2, "姓名", ""),
    "a gender that is neither": (lambda: [list_row(性别="未知")], 2, "性别", "未知"),
    "an empty ID number": (lambda: [list_row(身份证号=None)], 2, "身份证号", ""),
    "an ID number stored as a rounded number": (lambda: [list_row(身份证号=1.41102201604121e17)], 2, "身份证号", "15"),
    "an invalid household": (lambda: [list_row(户籍="外籍")], 2, "户籍", "外籍"),
    # Rules the services enforce, met in the preview's dry run:
    "a child in difficulty without its kind": (lambda: [list_row(类别="困境儿童")], 2, "困境类型", ""),
    "a left-behind child aged 16 or more": (
        lambda: [list_row(出生日期=date(2008, 1, 5), 身份证号=id_number(birth_date=date(2008, 1, 5)))],
        2, "出生日期", ""),
    "a guardian without a relation": (lambda: [list_row(与儿童关系=None)], 2, "监护人姓名", ""),
}


@pytest.mark.parametrize("case", BAD_ROWS, ids=list(BAD_ROWS))
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(case, staff_lishi, ledger_counts):
    make_rows, row, column, fragment = BAD_ROWS[case]
    before = ledger_counts()
    imp = preview(staff_lishi, make_rows())
    assert [(r, c) for r, c, _m in errors_of(imp)][:1] == [(row, column)]
    assert fragment in errors_of(imp)[0][2]
    assert imp.preview["counts"]["error"] == 1
    assert ledger_counts() == before


def test_merged_cells_are_named_in_the_error(staff_lishi, ledger_counts):
    before = ledger_counts()
    imp = preview(staff_lishi, [list_row(), list_row(), list_row()], merge="A3:A4")
    merged = [(r, c) for r, c, m in errors_of(imp) if "A3:A4" in m]
    assert merged == [(3, "姓名"), (4, "姓名")]
    assert imp.preview["counts"] == {"new": 1, "changed": 0, "unchanged": 0, "error": 2}
    assert ledger_counts() == before


def test_an_invalid_id_number_gets_the_forms_message(staff_lishi):
    number = bad_checksum(id_number())
    imp = preview(staff_lishi, [list_row(身份证号=number)])
    assert errors_of(imp) == [(2, "身份证号", service_message(number))]


def test_a_birth_date_disagreeing_with_the_id_number_is_an_error(staff_lishi):
    number = id_number(birth_date=date(2016, 4, 12))
    imp = preview(staff_lishi, [list_row(身份证号=number, 出生日期=date(2016, 5, 1))])
    assert errors_of(imp) == [(2, "出生日期", service_message(number, birth_date=date(2016, 5, 1)))]


def test_a_gender_disagreeing_with_the_id_number_is_an_error(staff_lishi):
    number = id_number(gender="female")
    imp = preview(staff_lishi, [list_row(身份证号=number, 性别="男")])
    assert errors_of(imp) == [(2, "性别", service_message(number, gender="male"))]


def test_duplicate_id_numbers_in_the_file_name_both_rows(staff_lishi):
    number = id_number()
    imp = preview(staff_lishi, [list_row(身份证号=number), list_row(), list_row(身份证号=number, 姓名="赵小兰")])
    duplicate = [(r, c) for r, c, m in errors_of(imp) if "2、4" in m]
    assert duplicate == [(2, "身份证号"), (4, "身份证号")]
    assert imp.preview["counts"]["new"] == 1


def test_an_id_registered_outside_the_users_area_is_registered_elsewhere(staff_lishi, staff_yuci, make_child):
    number = id_number(region6="140702", birth_date=date(2013, 6, 1), gender="male")
    make_child(staff_yuci, name="张小军", region_code=TOWNSHIP_YUCI, gender="male", birth_date=date(2013, 6, 1),
               id_number=number)
    imp = preview(staff_lishi, [list_row(姓名="张小军", 性别="男", 出生日期=date(2013, 6, 1), 身份证号=number)])
    ((row, column, message),) = errors_of(imp)
    assert (row, column) == (2, "身份证号")
    with pytest.raises(ValidationError) as caught:
        services.check_not_registered(actor=staff_lishi, number=number)
    assert message == caught.value.message_dict["id_number"][0]
    assert "张小军" not in message
    assert imp.preview["counts"]["new"] == 0


def test_the_preview_page_lists_errors_with_row_and_column(client, staff_lishi):
    imp = preview(staff_lishi, [list_row(出生日期="2016-04-12")])
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import-preview", args=[imp.pk]))
    assert response.status_code == 200
    (line,) = response.context["errors"]["rows"]
    assert (line["row"], line["column"]) == (2, "出生日期")
    assert "2016-04-12" in response.content.decode()


# --- the preview ----------------------------------------------------------------------------------

def test_the_preview_page_shows_the_four_sections_with_counts(client, staff_lishi, lishi_known, make_child):
    child, number = lishi_known
    make_child(staff_lishi, name="钱小丽", birth_date=date(2015, 7, 7))
    imp = preview(staff_lishi, [list_row(), as_list_row(child, number, 学校="城南中学"), list_row(类别="无")])
    client.force_login(staff_lishi)
    response = client.get(reverse("children:import-preview", args=[imp.pk]))
    page = response.content.decode()
    assert response.context["counts"] == {"new": 1, "changed": 1, "unchanged": 0, "error": 1}
    assert response.context["missing_total"] == 1
    assert all(f'id="{section}"' in page for section in ("errors", "new", "changed", "missing"))
    assert "城南中学" in page and "钱小丽" in page
    assert number not in page


def test_a_clean_file_previews_new_children_without_writing(staff_lishi, ledger_counts):
    before, audits = ledger_counts(), AuditEvent.objects.count()
    imp = preview(staff_lishi, [list_row(), list_row(姓名="赵小刚", 性别="男")])
    assert imp.preview["counts"] == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    assert ledger_counts() == before
    assert AuditEvent.objects.count() == audits


def test_the_stored_preview_holds_no_full_id_number(staff_lishi):
    number = id_number()
    imp = preview(staff_lishi, [list_row(身份证号=number)])
    stored = json.dumps(LedgerImport.objects.get(pk=imp.pk).preview, ensure_ascii=False)
    assert number not in stored
    assert "*" * 14 + number[-4:] in stored


def test_changed_fields_are_listed_with_old_and_new(staff_lishi, lishi_known):
    child, number = lishi_known
    imp = preview(staff_lishi, [as_list_row(child, number, 学校="城南中学", 类别="留守儿童、孤儿")])
    (row,) = rows_of(imp, "changed")
    assert row["child_id"] == child.pk
    assert [(c["column"], c["old"], c["new"]) for c in row["changes"]] == [
        ("类别", "留守儿童", "留守儿童、孤儿"), ("学校", "城北小学", "城南中学")]


def test_an_empty_optional_cell_leaves_the_ledger_value(staff_lishi, lishi_known):
    child, number = lishi_known
    imp = preview(staff_lishi, [as_list_row(child, number, 学校=None, 户籍=None)])
    assert imp.preview["counts"]["unchanged"] == 1


def test_children_missing_from_the_list_are_candidates_for_exit(staff_lishi, lishi_known):
    child, _number = lishi_known
    imp = preview(staff_lishi, [list_row()])
    assert imp.preview["missing_total"] == 1
    assert [m["child_id"] for m in imp.preview["missing"]] == [child.pk]


def test_missing_candidates_are_only_from_the_chosen_region(admin_province, lishi_known, make_child, staff_yuci):
    make_child(staff_yuci, name="张小军", region_code=TOWNSHIP_YUCI, gender="male", birth_date=date(2013, 6, 1),
               categories=["orphan"])
    imp = preview(admin_province, [list_row()], region=LISHI)
    assert [m["name"] for m in imp.preview["missing"]] == ["孙小梅"]


def test_the_preview_warns_when_the_file_was_applied_before(client, staff_lishi):
    data = workbook_bytes([list_row()])
    client.force_login(staff_lishi)
    upload(client, data)
    first = LedgerImport.objects.get()
    client.post(reverse("children:import-preview", args=[first.pk]), {"action": "apply"})
    run_apply_jobs()
    upload(client, data)
    second = LedgerImport.objects.exclude(pk=first.pk).get()
    response = client.get(reverse("children:import-preview", args=[second.pk]))
    assert response.context["applied_before"] == first
    assert first.file_sha256 == second.file_sha256


# --- applying -------------------------------------------------------------------------------------

def test_applying_a_clean_file_creates_the_children(client, staff_lishi):
    imp = preview(staff_lishi, [list_row(), list_row(姓名="赵小刚", 性别="男", 类别="困境儿童", 困境类型="贫困、残疾")])
    client.force_login(staff_lishi)
    response = client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"})
    run_apply_jobs()
    assert response.status_code == 302
    boy = Child.objects.get(name="赵小刚")
    assert Child.objects.count() == 2
    assert (boy.region_id, boy.categories, boy.difficulty_types) == (VILLAGE_LISHI, ["in_difficulty"],
                                                                      ["poverty", "disability"])
    assert [(g.name, g.relation, g.phone) for g in boy.guardians.all()] == [("赵大山", "祖父", "13935800002")]
    assert boy.created_by == staff_lishi
    assert boy.status_changes.get().to_status == Status.ACTIVE


def test_apply_marks_the_import_applied_with_a_summary_and_an_audit_event(staff_lishi):
    imp = preview(staff_lishi, [list_row(), list_row(出生日期="不详")])
    imp = reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    assert imp.status == LedgerImportStatus.APPLIED and imp.applied_at
    assert (imp.summary["created"], imp.summary["updated"], imp.summary["skipped"]) == (1, 0, 1)
    assert imp.summary["skipped_rows"] == [3]
    event = AuditEvent.objects.get(action=AuditAction.IMPORT, target_type="children.ledgerimport")
    assert (event.actor, event.target_id, event.detail["created"]) == (staff_lishi, str(imp.pk), 1)


def test_apply_drops_the_encrypted_numbers_from_the_stored_preview(staff_lishi):
    imp = reconcile.import_apply(actor=staff_lishi, ledger_import=preview(staff_lishi, [list_row()]))
    assert all(r["id_enc"] is None for r in LedgerImport.objects.get(pk=imp.pk).preview["rows"])


def test_apply_skips_rows_with_errors(staff_lishi):
    imp = preview(staff_lishi, [list_row(), list_row(姓名="赵小刚", 类别="特困")])
    reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    assert list(Child.objects.values_list("name", flat=True)) == ["赵小红"]


def test_changed_fields_are_applied_and_audited(staff_lishi, lishi_known):
    child, number = lishi_known
    imp = preview(staff_lishi, [as_list_row(child, number, 学校="城南中学", 类别="留守儿童、孤儿")])
    reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    child.refresh_from_db()
    assert (child.school, child.categories) == ("城南中学", ["left_behind", "orphan"])
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, target_id=str(child.pk)).latest("id")
    assert event.actor == staff_lishi
    assert set(event.detail["fields"]) == {"school", "categories"}


def test_a_changed_region_is_applied_as_a_transfer(staff_lishi, lishi_known):
    child, number = lishi_known
    imp = preview(staff_lishi, [as_list_row(child, number, 区划代码=LISHI)])
    reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    child.refresh_from_db()
    assert child.region_id == LISHI
    transfer = child.status_changes.latest("id")
    assert (transfer.from_region_id, transfer.to_region_id) == (VILLAGE_LISHI, LISHI)


def test_leaving_difficulty_clears_the_kinds_of_difficulty(staff_lishi, make_child):
    number = id_number(birth_date=date(2014, 1, 20))
    child = make_child(staff_lishi, name="孙小梅", id_number=number, birth_date=date(2014, 1, 20),
                       categories=["left_behind", "in_difficulty"], difficulty_types=["poverty"])
    imp = preview(staff_lishi, [as_list_row(child, number, 类别="留守儿童")])
    reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    child.refresh_from_db()
    assert (child.categories, child.difficulty_types) == (["left_behind"], [])


def test_missing_children_are_not_exited_by_the_apply(staff_lishi, lishi_known):
    child, _number = lishi_known
    changes = StatusChange.objects.filter(child=child).count()
    reconcile.import_apply(actor=staff_lishi, ledger_import=preview(staff_lishi, [list_row()]))
    child.refresh_from_db()
    assert child.status == Status.ACTIVE
    assert StatusChange.objects.filter(child=child).count() == changes


def test_importing_the_same_file_again_previews_no_new_and_no_changed_rows(staff_lishi, lishi_known):
    child, number = lishi_known
    rows = [list_row(), as_list_row(child, number, 学校="城南中学")]
    reconcile.import_apply(actor=staff_lishi, ledger_import=preview(staff_lishi, rows))
    again = preview(staff_lishi, rows)
    assert again.preview["counts"] == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}


def test_applying_the_same_file_again_changes_nothing(staff_lishi, lishi_known, ledger_counts):
    child, number = lishi_known
    rows = [list_row(), as_list_row(child, number, 学校="城南中学")]
    reconcile.import_apply(actor=staff_lishi, ledger_import=preview(staff_lishi, rows))
    before = ledger_counts()
    changes = AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count()
    again = reconcile.import_apply(actor=staff_lishi, ledger_import=preview(staff_lishi, rows))
    assert (again.summary["created"], again.summary["updated"]) == (0, 0)
    assert ledger_counts() == before
    assert AuditEvent.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE]).count() == changes


def test_a_row_that_fails_at_apply_time_rolls_back_every_row(client, staff_lishi, make_child, ledger_counts):
    number = id_number()
    imp = preview(staff_lishi, [list_row(姓名="赵小兰"), list_row(身份证号=number)])
    make_child(staff_lishi, name="赵小红", id_number=number, birth_date=BIRTH)  # registered meanwhile
    before = ledger_counts()
    client.force_login(staff_lishi)
    client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "apply"})
    run_apply_jobs()
    response = client.get(reverse("children:import-preview", args=[imp.pk]))
    assert [f["row"] for f in response.context["failures"]] == [3]
    assert ledger_counts() == before
    assert not Child.objects.filter(name="赵小兰").exists()
    imp.refresh_from_db()
    assert imp.status == LedgerImportStatus.APPLY_FAILED


def test_a_child_edited_since_the_preview_stops_the_apply(staff_lishi, lishi_known):
    child, number = lishi_known
    imp = preview(staff_lishi, [as_list_row(child, number), list_row()])
    services.child_update(actor=staff_lishi, child=child, school="城东小学")
    with pytest.raises(reconcile.ApplyFailed) as caught:
        reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    assert [e["row"] for e in caught.value.errors] == [2]
    assert not Child.objects.filter(name="赵小红").exists()


def test_an_applied_import_cannot_be_applied_twice(staff_lishi):
    imp = reconcile.import_apply(actor=staff_lishi, ledger_import=preview(staff_lishi, [list_row()]))
    with pytest.raises(ValidationError):
        reconcile.import_apply(actor=staff_lishi, ledger_import=imp)
    assert Child.objects.count() == 1


def test_discarding_an_import_changes_nothing(client, staff_lishi, ledger_counts):
    imp = preview(staff_lishi, [list_row()])
    before = ledger_counts()
    client.force_login(staff_lishi)
    response = client.post(reverse("children:import-preview", args=[imp.pk]), {"action": "discard"})
    assert response.status_code == 302
    imp.refresh_from_db()
    assert imp.status == LedgerImportStatus.DISCARDED
    assert ledger_counts() == before
