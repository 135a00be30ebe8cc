"""The monthly report and the pages speak one vocabulary (docs/glossary.md): the report's HTML (what
WeasyPrint is given) and its Excel file name activity kinds, risk colours, categories, 月月有活动 and
逾期未联系 with the models' labels, the same words the pages show for the same data; a rate of a region
without children is "—" in the PDF, in the Excel file and on the dashboard."""

from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import Region
from activities.models import ActivityKind
from children.models import NOT_ASSESSED, Category, RiskColor, Status
from reports import generator
from reports.formatters import xlsx
from reports.formatters.pdf import display, render_html
from reports.views_dashboard import with_display
from tests.factories import LISHI

pytestmark = pytest.mark.django_db

MAY = date(2025, 5, 1)
RETIRED = ("入户走访", "心理疏导", "亲子阅读", "研学出游", "红色", "黄色", "绿色", "超期", "月度")


def zh(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


@pytest.fixture
def report(lishi_month):
    return generator.build_report(region=Region.objects.get(code=LISHI), month=MAY)


def test_the_reports_labels_are_the_models_labels(report):
    assert [label for label, _count in report.activities_by_kind] == [zh(kind.label) for kind in ActivityKind]
    labels = {m.label for section in report.summary for m, _v in section.items} | {m.label for m in report.columns}
    for color in RiskColor:
        assert f"{zh(color.label)}（人）" in labels
    assert f"{zh(NOT_ASSESSED)}（人）" in labels
    for category in Category:
        assert f"{zh(category.label)}（人）" in labels
    assert "月月有活动" in labels and zh(RiskColor.RED.label) in labels
    assert any(section.title.startswith("逾期未联系") for section in report.summary)


def test_the_pdf_and_the_pages_use_the_same_words(report, client, staff_lishi):
    html = render_html(report)
    for word in RETIRED:
        assert word not in html, word
    for kind in ActivityKind:
        assert zh(kind.label) in html
    for color in RiskColor:
        assert zh(color.label) in html

    client.force_login(staff_lishi)
    dashboard = client.get(reverse("reports:dashboard"), {"region": LISHI, "month": "2025-05"},
                           HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for word in (*(zh(color.label) for color in RiskColor), "月月有活动", "结对率"):
        assert word in dashboard and word in html, word
    activities = client.get(reverse("activities:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert zh(ActivityKind.HOME_VISIT.label) == "入户探访"
    assert "入户探访" in activities and "入户探访" in html


def test_the_excel_report_uses_the_same_words(report):
    book = load_workbook(BytesIO(xlsx.render_xlsx(report)))
    texts = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value is not None}
    for kind in ActivityKind:
        assert f"{zh(kind.label)}（次）" in texts
    assert {"红卡（人）", "月月有活动", "红卡"} <= texts
    assert not any(word in text for text in texts for word in RETIRED)


def test_a_region_without_children_has_no_rates_anywhere():
    empty = {"children_active": 0, "children_paired": 0, "pairing_rate": 0.0, "monthly_coverage": 0.0,
             "paired_monthly_coverage": 0.0, "children_without_activity": 0}
    rates = [m for m in generator.TABLE_METRICS if m.kind == generator.RATE]
    assert {m.key for m in rates} == {"pairing_rate", "monthly_coverage"}
    for metric in rates:
        assert metric.value(empty) is None
        assert display(metric, metric.value(empty)) == "—"
        assert xlsx._figure(metric.value(empty)) == "—"
    shown = with_display({**empty, "overdue_by_color": {}})
    assert shown["pairing_percent"] == shown["coverage_percent"] == "—"
    assert generator.TABLE_METRICS[2].value({"children_active": 4, "pairing_rate": 0.5}) == 0.5


def test_the_api_display_fields_are_the_models_labels(lishi_month, staff_lishi):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(staff_lishi)
    girl = lishi_month.children[0]
    assessed = client.post(f"/api/v1/children/{girl.pk}/assessments/",
                           {"color": "red", "reasons": ["guardianship"], "assessed_on": "2025-05-02"}, format="json")
    assert assessed.status_code == 201, assessed.content
    rows = client.get("/api/v1/children/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert any(row["risk_color_display"] == "红卡" for row in rows)
    for row in rows:
        assert row["status_display"] == zh(dict(Status.choices)[row["status"]])
        assert row["categories_display"] == [zh(Category(c).label) for c in row["categories"]]
        expected = zh(RiskColor(row["risk_color"]).label) if row["risk_color"] else None
        assert row["risk_color_display"] == expected
