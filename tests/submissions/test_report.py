"""The report of a monthly submission (issue 11, items 3–4): its PDF (read back with pdftotext) and its
Excel carry the cover, the written sections, the sign-off block, the key figures beside last month and
the same month last year, and the watermark "草稿" until it is sent; it is asked for through
POST /api/v1/reports/ with ``submission`` in place of ``region`` and ``month``.

The world (离石区, February 2027; see tests/submissions/conftest.py's ``ledger``), by hand:

=====================  ==========  ===========  =============
figure                 2027-02     2027-01      2026-02
=====================  ==========  ===========  =============
在册儿童 / 已结对        2 / 2       2 / 2        2 / 2
结对率                  100.0%      100.0%       100.0%
月月有活动              100.0%      50.0%        50.0%
关爱活动（次）          3           1            2
活动参与（人次）        4           1            2
帮扶物资折价（元）      200.00      0.00         0.00
=====================  ==========  ===========  =============

so 环比: activities +200.0%, 人次 +300.0%, coverage +50.0个百分点, aid "—" (nothing to compare with);
同比: activities +50.0%, 人次 +100.0%, coverage +50.0个百分点. 信义镇, a third township of 离石区, has no
data at all: its row is left out with the note.
"""

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports import generator
from reports import services as report_services
from reports.models import ReportFormat, ReportRun
from submissions import services
from tests.factories import RegionFactory
from tests.submissions.conftest import MONTH, SECTIONS, write

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("private_storage"),
]
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
XINYI = "141102003000"  # 信义镇: a township of 离石区 without any record


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


@pytest.fixture
def world(regions, ledger, staff_lishi, record):
    """The ledger's February visits, plus: a material aid in February 2027 (2 people, 200 yuan), a visit
    in January 2027, two in February 2026 (all to the 滨河街道 child); and the empty 信义镇."""
    RegionFactory(code=XINYI, name="信义镇")
    child, mother = ledger.binhe_child, ledger.binhe_mother.pk
    record(staff_lishi, children=[child], occurred_on=date(2027, 2, 20), volunteer=mother, kind="material_aid",
           participants=2, aid_value_yuan=Decimal("200.00"))
    record(staff_lishi, children=[child], occurred_on=date(2027, 1, 15), volunteer=mother)
    record(staff_lishi, children=[child], occurred_on=date(2026, 2, 5), volunteer=mother)
    record(staff_lishi, children=[child], occurred_on=date(2026, 2, 25), volunteer=mother)
    return ledger


COMPARISON_HEADERS = ("指标", "本月", "上月", "环比", "去年同期", "同比")
SIGN_OFF = ("填报单位（盖章）", "填报人", "审核人", "联系电话", "报送日期")
# The key figures' rows as the hand computation above gives them: 本月, 上月, 环比, 去年同期, 同比.
EXPECTED = {
    "在册儿童（人）": ["2", "2", "+0.0%", "2", "+0.0%"],
    "已结对儿童（人）": ["2", "2", "+0.0%", "2", "+0.0%"],
    "结对率": ["100.0%", "100.0%", "+0.0个百分点", "100.0%", "+0.0个百分点"],
    "月月有活动": ["100.0%", "50.0%", "+50.0个百分点", "50.0%", "+50.0个百分点"],
    "关爱活动（次）": ["3", "1", "+200.0%", "2", "+50.0%"],
    "活动参与（人次）": ["4", "1", "+300.0%", "2", "+100.0%"],
    "帮扶物资折价（元）": ["200.00", "0.00", "—", "0.00", "—"],
}


def _made(actor, submission, fmt: str) -> bytes:
    run = report_services.report_request(actor=actor, submission=submission.pk, format=fmt)
    run = report_services.report_generate(run_id=run.pk)
    with run.file.open("rb") as handle:
        return handle.read()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    """The files made so far in this module: the world is the same for every test, so each is made once
    (a PDF takes seconds) and read by every test that looks at it."""
    return {}


@pytest.fixture
def draft(world, regions, staff_lishi, admin_lishi):
    """离石区's February, written in full (审核人 the county's administrator) but not sent."""
    return write(staff_lishi, regions.lishi, admin_lishi)


@pytest.fixture
def sent(draft, staff_lishi):
    return services.submission_submit(actor=staff_lishi, submission=draft)


def _once(rendered: dict, request, state: str, fmt: str) -> bytes:
    if (state, fmt) not in rendered:
        submission = request.getfixturevalue(state)
        rendered[state, fmt] = _made(request.getfixturevalue("staff_lishi"), submission, fmt)
    return rendered[state, fmt]


def _pdftotext(content: bytes, *mode: str) -> str:
    return subprocess.run(["pdftotext", *mode, "-", "-"], input=content, check=True, capture_output=True).stdout.decode()


@pytest.fixture
def sent_text(rendered, request) -> str:
    return _pdftotext(_once(rendered, request, "sent", "pdf"), "-layout")


@pytest.fixture
def draft_pdf(rendered, request) -> bytes:
    return _once(rendered, request, "draft", "pdf")


@pytest.fixture
def sent_book(rendered, request):
    return load_workbook(BytesIO(_once(rendered, request, "sent", "xlsx")))


def _comparison_lines(text: str) -> dict[str, list[str]]:
    """The PDF's comparison table: label → the cells after it."""
    part = text.split("主要指标对比", 1)[1].split("总体情况", 1)[0]
    rows = {}
    for line in part.splitlines():
        cells = line.split()
        if cells and cells[0] in EXPECTED:
            rows[cells[0]] = cells[1:]
    return rows


def _pdf_number(cell: str):
    """A PDF cell as the number an Excel cell holds: percentages as fractions, percentage points as
    points, "—" as is."""
    if cell == "—":
        return cell
    if cell.endswith("个百分点"):
        return float(cell.removesuffix("个百分点"))
    if cell.endswith("%"):
        return float(cell.removesuffix("%")) / 100
    return float(cell.replace(",", ""))


# --- the PDF ---------------------------------------------------------------------------------------

@needs_poppler
def test_the_cover_carries_the_federation_title_region_month_and_date(sent_text):
    assert "离石区妇联关于2027年2月“爱心妈妈”结对关爱" in sent_text and "工作情况的报告" in sent_text
    assert "山西省 / 吕梁市 / 离石区" in sent_text
    assert "2027年2月" in sent_text and "2027年3月15日" in sent_text


@needs_poppler
def test_the_pdf_carries_the_sign_off_block(sent_text):
    for label in SIGN_OFF:
        assert label in sent_text, label
    signed = " ".join(sent_text.split())
    assert "填报人 李敏" in signed and "审核人 刘霞" in signed
    assert "联系电话 0358-8221234" in signed and "报送日期 2027年3月15日" in signed


@needs_poppler
def test_the_pdf_carries_the_written_sections(sent_text):
    for heading in ("一、工作开展情况", "二、存在问题", "三、下步打算"):
        assert heading in sent_text
    for text in SECTIONS.values():
        assert text in sent_text


@needs_poppler
def test_the_pdf_compares_the_key_figures_with_last_month_and_last_year(sent_text):
    assert " ".join(sent_text.split("主要指标对比", 1)[1].splitlines()[2].split()) == " ".join(COMPARISON_HEADERS)
    assert _comparison_lines(sent_text) == EXPECTED


@needs_poppler
def test_a_draft_carries_the_watermark_on_every_page(draft_pdf):
    pages = _pdftotext(draft_pdf, "-raw").split("\f")[:-1]
    assert len(pages) > 3
    assert all("草稿" in "".join(page.split()) for page in pages)


@needs_poppler
def test_a_sent_submission_carries_no_watermark(sent_text):
    assert "草" not in sent_text and "稿" not in sent_text


@needs_poppler
def test_a_sub_region_without_any_figure_is_left_out_with_a_note(sent_text):
    table = sent_text.split("各乡镇（街道）情况", 1)[1]
    assert "滨河街道" in table and "莲花池街道" in table and "信义镇" not in table
    assert "另有1个下级区划本月无数据，未列出。" in table


# --- the Excel and the agreement -------------------------------------------------------------------

def _rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_excel_has_the_cover_the_body_and_the_comparison(sent_book):
    assert sent_book.sheetnames[:4] == ["封面", "正文", "主要指标", "汇总"]
    body = {row[0]: row[1] for row in _rows(sent_book["正文"]) if row and row[0]}
    assert body["工作开展情况"] == SECTIONS["work_done"] and body["下步打算"] == SECTIONS["next_steps"]
    assert body["填报人"] == "李敏" and body["审核人"] == "刘霞" and body["报送日期"] == "2027-03-15"
    assert [row[0] for row in _rows(sent_book["封面"])][0] == "离石区妇联关于2027年2月“爱心妈妈”结对关爱工作情况的报告"
    assert tuple(_rows(sent_book["主要指标"])[3]) == COMPARISON_HEADERS


@needs_poppler
def test_the_pdf_and_the_excel_agree_on_the_key_figures(sent_text, sent_book):
    in_pdf = _comparison_lines(sent_text)
    in_excel = {row[0]: row[1:] for row in _rows(sent_book["主要指标"])[4:]}
    assert set(in_excel) == set(in_pdf) == set(EXPECTED)
    for label, cells in in_pdf.items():
        for pdf_cell, excel_cell in zip(cells, in_excel[label], strict=True):
            expected = _pdf_number(pdf_cell)
            if expected == "—":
                assert excel_cell == "—", label
            else:
                assert excel_cell == pytest.approx(expected, abs=0.0006), (label, pdf_cell, excel_cell)


def test_the_excel_leaves_out_the_empty_sub_region_with_the_note(sent_book):
    rows = _rows(sent_book["各乡镇（街道）"])
    names = [row[1] for row in rows]
    assert "滨河街道" in names and "信义镇" not in names
    assert [row[0] for row in rows if row[0] and "另有" in str(row[0])] == ["另有1个下级区划本月无数据，未列出。"]


def test_text_cells_are_never_formulas(world, regions, staff_lishi, admin_lishi):
    submission = write(staff_lishi, regions.lishi, admin_lishi, problems="=HYPERLINK(\"http://x\")")
    book = load_workbook(BytesIO(_made(staff_lishi, submission, "xlsx")))
    cell = next(row[1] for row in book["正文"].iter_rows() if row[0].value == "存在问题")
    assert cell.data_type == "s" and cell.quotePrefix


# --- which figures, which state ----------------------------------------------------------------------

def _data(submission):
    return generator.build_report(region=submission.region, month=submission.month, submission=submission)


def test_a_sent_submissions_report_shows_its_frozen_figures(sent, world, staff_lishi, record):
    record(staff_lishi, children=[world.lianhua_child], occurred_on=date(2027, 2, 27),
           volunteer=world.lianhua_mother.pk)
    data = _data(sent)
    activities = next(row for row in data.submission.comparisons if row.metric.key == "activities")
    assert data.submission.frozen and activities.value == 3  # not the 4 the ledger now has


def test_a_returned_submission_is_a_draft_again(sent, staff_lvliang):
    services.submission_return(actor=staff_lvliang, submission=sent, reason="请补充存在问题")
    sent.refresh_from_db()
    assert _data(sent).submission.draft


def test_a_plain_monthly_report_leaves_no_row_out(world, regions):
    data = generator.build_report(region=regions.lishi, month=MONTH)
    assert data.submission is None and data.subregions.omitted == 0
    assert "信义镇" in [row.name for row in data.subregions.rows]


# --- asking for it ------------------------------------------------------------------------------------

def test_the_api_accepts_a_submission_in_place_of_region_and_month(draft, api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post("/api/v1/reports/", {"submission": draft.pk, "format": "pdf"},
                                                format="json")
    assert response.status_code == 202, response.content
    run = ReportRun.objects.get(pk=response.json()["id"])
    assert (run.submission_id, run.region_id, run.month) == (draft.pk, draft.region_id, MONTH)


def test_a_submission_outside_the_callers_subtree_is_not_found(draft, api_client_for, staff_yuci):
    response = api_client_for(staff_yuci).post("/api/v1/reports/", {"submission": draft.pk, "format": "pdf"},
                                               format="json")
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_a_submission_that_is_not_a_number_is_refused_naming_the_field(draft, api_client_for, staff_lishi):
    response = api_client_for(staff_lishi).post("/api/v1/reports/", {"submission": "二月", "format": "pdf"},
                                                format="json")
    assert response.status_code == 400 and "submission" in response.json()
    assert not ReportRun.objects.exists()


def test_asking_twice_while_queued_returns_the_same_run_but_not_the_plain_report(draft, staff_lishi):
    first = report_services.report_request(actor=staff_lishi, submission=draft.pk, format="pdf")
    again = report_services.report_request(actor=staff_lishi, submission=draft, format="pdf")
    plain = report_services.report_request(actor=staff_lishi, region_code=draft.region_id, month="2027-02",
                                           format="pdf")
    assert again == first and plain != first and plain.submission_id is None


def test_the_schedule_still_makes_the_plain_report_of_a_month_with_a_submission_report(draft, staff_lishi, settings):
    settings.REPORT_SCHEDULE_LEVELS, settings.REPORT_SCHEDULE_FORMATS = "county", "pdf"
    report_services.report_request(actor=staff_lishi, submission=draft.pk, format="pdf")
    made = report_services.schedule_monthly(on=date(2027, 3, 1))
    assert draft.region_id in [run.region_id for run in made if run.submission_id is None]


def test_the_submission_page_queues_its_report(draft, client, staff_lishi):
    client.force_login(staff_lishi)
    page = client.get(reverse("submissions:month") + "?region=141102000000&month=2027-02")
    assert reverse("submissions:report", args=[draft.pk]) in page.content.decode()
    response = client.post(reverse("submissions:report", args=[draft.pk]), {"format": ReportFormat.XLSX})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[run.pk])
    assert (run.submission_id, run.format) == (draft.pk, "xlsx")


def test_the_report_list_marks_a_submissions_run(draft, client, staff_lishi):
    report_services.report_request(actor=staff_lishi, submission=draft.pk, format="pdf")
    report_services.report_request(actor=staff_lishi, region_code=draft.region.code, month=MONTH, format="pdf")
    client.force_login(staff_lishi)
    rows = client.get(reverse("reports:list")).content.decode().split("<tr")[2:]
    assert ["月度报送" in row for row in rows] == [False, True]  # newest first: the plain report, then the submission's


def test_a_submissions_run_links_to_its_submission(draft, client, staff_lishi):
    run = report_services.report_request(actor=staff_lishi, submission=draft.pk, format="pdf")
    client.force_login(staff_lishi)
    page = client.get(reverse("reports:detail", args=[run.pk])).content.decode()
    assert f'{reverse("submissions:month")}?region={draft.region.code}&amp;month={MONTH:%Y-%m}' in page
