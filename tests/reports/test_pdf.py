"""The PDF report, read back with poppler's pdftotext and pdffonts: the CJK font embedded, the cover,
the page numbers, the sub-region tables, and no child's name or ID number anywhere."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

from accounts.models import Region
from core import months
from core.regions import self_row_name
from reports import generator, services
from reports.formatters.pdf import render_html
from tests.factories import LISHI, LVLIANG, SHANXI

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("private_storage"),
    pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("pdffonts")), reason="needs poppler-utils"),
]


def _pdf(actor, region_code: str, tmp_path: Path) -> Path:
    run = services.report_request(actor=actor, region_code=region_code, month="2025-05", format="pdf")
    run = services.report_generate(run_id=run.pk)
    path = tmp_path / f"{region_code}.pdf"
    with run.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return path


def _text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """The PDFs made so far in this module: the fixture data is the same for every test, so each report
    is rendered once (a few seconds each) and read by every test that looks at it."""
    return {"folder": tmp_path_factory.mktemp("pdf")}


def _once(rendered: dict, request, actor_fixture: str, region_code: str) -> Path:
    if region_code not in rendered:
        request.getfixturevalue("lishi_month")
        rendered[region_code] = _pdf(request.getfixturevalue(actor_fixture), region_code, rendered["folder"])
    return rendered[region_code]


@pytest.fixture
def province_pdf(rendered, request) -> Path:
    return _once(rendered, request, "admin_province", SHANXI)


@pytest.fixture
def city_pdf(rendered, request) -> Path:
    return _once(rendered, request, "admin_province", LVLIANG)


def test_the_file_is_a_pdf(city_pdf):
    assert city_pdf.read_bytes().startswith(b"%PDF")


def test_a_cjk_font_is_embedded(city_pdf):
    fonts = subprocess.run(["pdffonts", str(city_pdf)], check=True, capture_output=True, text=True).stdout
    # name type encoding emb sub uni: a CJK font whose "emb" column says yes
    cjk = [line.split() for line in fonts.splitlines()[2:] if "CJK" in line]
    assert cjk, fonts
    assert all("yes" in columns[-5:-2] for columns in cjk), fonts


def test_the_cover_names_the_region_and_the_month(city_pdf):
    text = _text(city_pdf)
    assert "吕梁市爱心妈妈结对关爱工作月报" in text
    assert "2025年5月" in text


def _compact(text: str) -> str:
    # pdftotext drops or keeps the thin spaces between CJK and digits as it likes.
    return "".join(text.split())


def test_pages_are_numbered_of_the_total(city_pdf):
    compact = _compact(_text(city_pdf))
    pages = compact.count("第1页/共")
    assert pages == 1
    assert "第2页/共" in compact


def test_the_generation_time_is_printed(city_pdf):
    assert "生成时间" in _text(city_pdf)


def test_the_city_report_tabulates_its_counties(city_pdf):
    text = _text(city_pdf)
    assert "各县（市、区）情况" in text
    assert "离石区" in text


def test_the_province_report_tabulates_cities_and_counties(province_pdf):
    text = _text(province_pdf)
    assert "各市情况" in text
    for name in ("吕梁市", "晋中市", "离石区", "榆次区"):
        assert name in text


def test_no_child_name_or_id_number_is_in_the_report(lishi_month, province_pdf):
    compact = _compact(_text(province_pdf))
    for child in lishi_month.children:
        assert child.name not in compact
    for id_number in lishi_month.id_numbers:
        assert id_number not in compact


def test_no_caring_mother_is_named_in_the_report(lishi_month, province_pdf):
    compact = _compact(_text(province_pdf))
    for mother in lishi_month.mothers:
        assert mother.name not in compact


def test_the_figures_of_the_month_are_in_the_summary(city_pdf):
    text = _text(city_pdf)
    # 吕梁市 in May 2025: two activities (3 人次), 350.50 yuan of aid.
    assert "350.50" in text


def test_a_county_report_tabulates_its_townships(lishi_month, staff_lishi, tmp_path):
    text = _text(_pdf(staff_lishi, LISHI, tmp_path))
    assert "各乡镇（街道）情况" in text
    assert "滨河街道" in text


def test_a_current_month_report_says_it_is_so_far(lishi_month, today):
    data = generator.build_report(region=Region.objects.get(pk=LISHI), month=months.current_month())
    assert (data.so_far, data.as_of) == (True, today)
    assert "本月至今" in render_html(data)


def test_the_row_of_the_county_itself_is_in_the_table(lishi_month, make_child, staff_lishi, tmp_path):
    make_child(staff_lishi, name="周小安", region_code=LISHI)
    with translation.override("zh-hans"):
        label = self_row_name(Region.objects.get(pk=LISHI))
    assert _compact(label) in _compact(_text(_pdf(staff_lishi, LISHI, tmp_path)))
