"""The content of a monthly report, whatever its format: the summary of a region, the table of its
sub-regions, for the province also the table of all its counties, and the charts (reports.charts:
pairing rate and activities by sub-region, the colour distribution, the 12-month trend).

Every figure comes from the statistics service (reports.stats.region_stats and monthly_trend; for a
province, region_stats_by_subregion, which gives its cities' figures — the county table — in the
same grouped pass as its own); nothing here reads rows.
A report carries aggregates only: region names and counts, never a child's name, ID number or any
other personal detail (there are none in the statistics to begin with).

The report is a document sent upward to the federation above, so its wording is Chinese whatever the
language of the person who asked for it (like the ledger's Excel headers): the labels below are the
document's text, not interface strings; what comes translated from the statistics (the row of the
records registered at the region itself, core.regions.rollup) is taken in Chinese too. The names of
things the pages also name — activity kinds, risk colours, categories, 月月有活动, 逾期未联系 — are
the models' labels and the pages' msgids (docs/glossary.md), read in Chinese when the report is built,
so the document and the pages use one vocabulary.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import Region
from activities.models import ActivityKind
from children.models import NOT_ASSESSED, Category, RiskColor
from core import months
from core.dbrouting import reading_from_replica
from core.regioncodes import CITY, COUNTY, PROVINCE, TOWNSHIP
from reports import charts, stats
from reports.charts import Chart

COUNT, RATE, YUAN = "count", "rate", "yuan"

SUBREGION_WORDS = {PROVINCE: "各市", CITY: "各县（市、区）", COUNTY: "各乡镇（街道）", TOWNSHIP: "各村（社区）"}


@dataclass(frozen=True)
class Metric:
    """One figure of the statistics: ``key`` is its path in region_stats' dict (dots into sub-dicts)."""

    key: str
    label: str  # or a lazy translation: build_report reads it in Chinese
    kind: str = COUNT
    # A rate's denominator: when it is 0 (a region without children) there is no rate, shown "—".
    of: str | None = None

    def value(self, figures: dict):
        if self.of is not None and not _lookup(figures, self.of):
            return None
        value = _lookup(figures, self.key)
        if value is None:
            return None
        if self.kind == YUAN:
            return Decimal(str(value))
        if self.kind == RATE:
            return float(value)
        return int(value)


def _lookup(figures: dict, key: str):
    value = figures
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _people(label):
    return format_lazy("{}（人）", label)


MONTHLY_COVERAGE = _("Monthly coverage")  # 月月有活动, as on the dashboard

# The summary, in sections. Keys are those of the /api/v1/stats/ contract.
SUMMARY_SECTIONS: tuple[tuple[str, tuple[Metric, ...]], ...] = (
    ("儿童与结对", (
        Metric("children_active", "在册儿童（人）"),
        Metric("children_paired", "已结对儿童（人）"),
        Metric("pairing_rate", "结对率", RATE, of="children_active"),
        Metric("children_without_activity", "本月无关爱活动的儿童（人）"),
        Metric("monthly_coverage", MONTHLY_COVERAGE, RATE, of="children_active"),
        Metric("children_new", "本月新增儿童（人）"),
        Metric("children_exited", "本月退出儿童（人）"),
    )),
    ("儿童类别", (
        *(Metric(f"children_by_category.{category.value}", _people(category.label)) for category in Category),
    )),
    ("三色卡", (
        *(Metric(f"children_by_risk.{color.value}", _people(color.label)) for color in RiskColor),
        Metric("children_by_risk.unassessed", _people(NOT_ASSESSED)),
    )),
    ("爱心妈妈", (
        Metric("volunteers_active", "在册爱心妈妈（人）"),
        Metric("volunteers_paired", "有结对的爱心妈妈（人）"),
        Metric("volunteers_new", "本月新增爱心妈妈（人）"),
        Metric("trainings", "赋能培训（场）"),
        Metric("training_participant_times", "培训参与（人次）"),
    )),
    ("关爱活动", (
        Metric("activities", "关爱活动（次）"),
        Metric("participant_times", "活动参与（人次）"),
        Metric("aid_value_yuan", "帮扶物资折价（元）", YUAN),
    )),
    (format_lazy("{}（按三色卡）", _("Overdue contacts")), (
        *(Metric(f"overdue_by_color.{color.value}", _people(color.label)) for color in RiskColor),
        Metric("overdue_by_color.unassessed", _people(NOT_ASSESSED)),
    )),
    ("急难愁盼", (
        Metric("needs_opened", "本月新提需求（件）"),
        Metric("needs_fulfilled", "本月办结需求（件）"),
    )),
)


# The sub-region tables: one row per region, these columns (notes under the PDF's tables explain them).
TABLE_METRICS: tuple[Metric, ...] = (
    # Short headers: the PDF's columns are 14 mm wide.
    Metric("children_active", "在册儿童"),
    Metric("children_paired", "已结对"),
    Metric("pairing_rate", "结对率", RATE, of="children_active"),
    Metric("children_without_activity", "无活动"),
    Metric("monthly_coverage", MONTHLY_COVERAGE, RATE, of="children_active"),
    Metric("children_by_risk.red", RiskColor.RED.label),
    Metric("volunteers_active", "爱心妈妈"),
    Metric("activities", "活动次数"),
    Metric("participant_times", "人次"),
    Metric("aid_value_yuan", "物资折价（元）", YUAN),
    Metric("trainings", "培训场次"),
)


@dataclass
class Row:
    code: str
    name: str
    values: list  # in the order of TABLE_METRICS
    group: str = ""  # the city a county row belongs to (the province's county table)


@dataclass
class Table:
    title: str
    rows: list[Row]
    total: Row | None = None
    grouped: bool = False
    # Rows left out because every figure in them was zero (a submission's report: "另有N个…未列出").
    omitted: int = 0

    @property
    def omitted_note(self) -> str:
        return f"另有{self.omitted}个下级区划本月无数据，未列出。" if self.omitted else ""


@dataclass
class SummarySection:
    title: str
    items: list[tuple[Metric, object]]


@dataclass
class ReportData:
    region_code: str
    region_name: str
    region_level: str
    region_path: str
    month: date
    so_far: bool  # the current month, up to ``as_of``
    as_of: date
    generated_at: datetime
    summary: list[SummarySection]
    activities_by_kind: list[tuple[str, int]]
    subregions: Table
    counties: Table | None = None
    charts: list[Chart] = field(default_factory=list)
    # The 12 months up to this one, oldest first: stats.monthly_trend's rows.
    trend: list[dict] = field(default_factory=list)
    columns: tuple[Metric, ...] = TABLE_METRICS
    # The report of a monthly submission (issue 11): its cover, written part, sign-off and comparisons.
    submission: "SubmissionPart | None" = None

    @property
    def title(self) -> str:
        return f"{self.region_name}爱心妈妈结对关爱工作月报"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


# --- the report of a monthly submission -------------------------------------------------------------

# The written sections, in the order of the document.
WRITTEN_SECTIONS = (("work_done", "工作开展情况"), ("problems", "存在问题"), ("next_steps", "下步打算"))
# Where a comparison month's figures come from (selectors.Comparison.source).
SOURCE_WORDS = {"submitted": "已报送数据", "accepted": "已接收数据", "live": "实时数据"}


@dataclass
class ComparisonRow:
    """One key figure of a submission beside the previous month (环比) and the same month a year earlier
    (同比). A change is the relative change (a fraction: 0.25 is +25%) for a count or a sum of yuan —
    None when the earlier value is 0 or missing —, and for a rate the difference in percentage points
    (a fraction too: 0.05 is +5.0 个百分点) — None when either rate is missing."""

    metric: Metric
    value: object
    previous_month: object
    month_on_month: float | None
    previous_year: object
    year_on_year: float | None


@dataclass
class SubmissionPart:
    """What the report of a monthly submission adds to the monthly report."""

    id: int
    status: str
    status_label: str
    draft: bool  # not sent yet (draft or returned): every page carries the watermark "草稿"
    frozen: bool  # the figures are the snapshot frozen when it was sent
    title: str  # the cover's: "XX区妇联关于2026年11月“爱心妈妈”结对关爱工作情况的报告"
    unit: str  # 填报单位
    dated: date  # the cover's date: when it was sent, else when the report was made
    submitted_on: date | None  # 报送日期
    prepared_by: str
    reviewed_by: str
    contact_phone: str
    sections: list[tuple[str, str]]  # (heading, text) of 工作开展情况 / 存在问题 / 下步打算
    comparisons: list[ComparisonRow]
    previous_month: date
    previous_year: date
    previous_month_source: str
    previous_year_source: str


def _change(metric: Metric, value, earlier) -> float | None:
    if value is None or earlier is None:
        return None
    if metric.kind == RATE:
        return round(float(value) - float(earlier), 6)
    if not earlier:
        return None
    return round(float((Decimal(str(value)) - Decimal(str(earlier))) / Decimal(str(earlier))), 6)


def _comparisons(figures: dict, previous_month: dict, previous_year: dict, keys) -> list[ComparisonRow]:
    metrics = {m.key: m for _title, section in SUMMARY_SECTIONS for m in section}
    rows = []
    for key in keys:
        metric = _resolved(metrics[key])
        value, last_month, last_year = (metric.value(f) for f in (figures, previous_month, previous_year))
        rows.append(ComparisonRow(metric=metric, value=value, previous_month=last_month,
                                  month_on_month=_change(metric, value, last_month), previous_year=last_year,
                                  year_on_year=_change(metric, value, last_year)))
    return rows


def _person(user) -> str:
    return user.get_full_name() if user is not None else ""


def _submission_part(submission, compared: dict, *, now: datetime, keys) -> SubmissionPart:
    from submissions.models import EDITABLE  # submissions builds on reports.stats: imported when used

    region, month = submission.region, submission.month
    submitted_on = timezone.localdate(submission.submitted_at) if submission.submitted_at else None
    before, year_before = compared["previous_month"], compared["previous_year"]
    return SubmissionPart(
        id=submission.pk,
        status=submission.status,
        status_label=str(submission.get_status_display()),
        draft=submission.status in EDITABLE,
        frozen=compared["frozen"],
        title=f"{region.name}妇联关于{month.year}年{month.month}月“爱心妈妈”结对关爱工作情况的报告",
        unit=f"{region.name}妇联",
        dated=submitted_on or timezone.localdate(now),
        submitted_on=submitted_on,
        prepared_by=_person(submission.prepared_by),
        reviewed_by=_person(submission.reviewed_by),
        contact_phone=submission.contact_phone,
        sections=[(heading, getattr(submission, name)) for name, heading in WRITTEN_SECTIONS],
        comparisons=_comparisons(compared["figures"], before.figures, year_before.figures, keys),
        previous_month=before.month,
        previous_year=year_before.month,
        previous_month_source=SOURCE_WORDS.get(before.source, before.source),
        previous_year_source=SOURCE_WORDS.get(year_before.source, year_before.source),
    )


def _resolved(metric: Metric) -> Metric:
    """The metric with its label read in the active language (the report's Chinese)."""
    return replace(metric, label=str(metric.label))


def _row(figures: dict, *, group: str = "") -> Row:
    region = figures["region"]
    return Row(code=region["code"], name=region["name"], values=[m.value(figures) for m in TABLE_METRICS],
               group=group)


def _empty(row: Row) -> bool:
    return all(not value for value in row.values)


def _table(title: str, figures: dict, *, omit_empty: bool = False) -> Table:
    """The sub-region table; with ``omit_empty``, rows whose every figure is zero are left out and
    counted (``Table.omitted``)."""
    total = _row(figures)
    total.name = "合计"
    rows = [_row(sub) for sub in figures.get("subregions", [])]
    kept = [row for row in rows if not _empty(row)] if omit_empty else rows
    return Table(title=title, rows=kept, total=total, omitted=len(rows) - len(kept))


def _county_table(province_figures: dict, by_code: dict[str, dict]) -> Table:
    """Every county of the province, grouped under its city: the sub-region rows of each city's
    figures, which came with the province's own from one grouped pass
    (stats.region_stats_by_subregion)."""
    rows: list[Row] = []
    for sub in province_figures.get("subregions", []):
        city = by_code.get(sub["region"]["code"]) if not sub.get("own_level") else None
        if city is not None:
            rows.extend(_row(county, group=city["region"]["name"]) for county in city.get("subregions", []))
    total = _row(province_figures)
    total.name = "全省合计"
    return Table(title="各县（市、区）情况", rows=rows, total=total, grouped=True)


def build_report(*, region: Region, month: date, on_progress: Callable[[int], None] = lambda p: None,
                 now: datetime | None = None, submission=None) -> ReportData:
    """The report of ``region`` for ``month`` (its first day), in Chinese.

    With ``submission`` (a submissions.models.Submission of that region and month) it is the report of
    the monthly submission: its figures are the submission's (frozen once sent, else live, with the
    accepted sub-regions' snapshots: submissions.selectors.submission_comparisons), and ``submission``
    carries the cover, the written part, the sign-off and the comparison with the previous month and
    the same month a year earlier; sub-region rows whose figures are all zero are left out (counted).
    The 12-month trend stays the live one.

    Its reads go to the database replica when there is one (core.dbrouting): ``on_progress``'s writes
    still go to the primary."""
    with translation.override("zh-hans"), reading_from_replica():
        return _build_report(region=region, month=month, on_progress=on_progress, now=now or timezone.now(),
                             submission=submission)


def _build_report(*, region: Region, month: date, on_progress: Callable[[int], None], now: datetime,
                  submission=None) -> ReportData:
    today = timezone.localdate(now)
    part = None
    if submission is not None:
        from submissions import selectors as submission_selectors  # it builds on reports.stats

        compared = submission_selectors.submission_comparisons(submission=submission, today=today)
        figures = compared["figures"]
        part = _submission_part(submission, compared, now=now, keys=submission_selectors.KEY_FIGURES)
    elif region.level == PROVINCE:  # the cities' figures too, for the county table: the same pass
        by_code = stats.region_stats_by_subregion(region=region, month=month, today=today)
        figures = by_code[region.code]
    else:
        figures = stats.region_stats(region=region, month=month, today=today)
    on_progress(30)
    so_far = months.is_current(month, today=today)
    subregions = _table(f"{SUBREGION_WORDS.get(region.level, '下级区划')}情况", figures,
                        omit_empty=part is not None)
    counties = _county_table(figures, by_code) if region.level == PROVINCE and part is None else None
    trend = stats.monthly_trend(region=region, month=month, today=today)
    on_progress(48)
    by_kind = figures.get("activities_by_kind") or {}
    return ReportData(
        region_code=region.code,
        region_name=region.name,
        region_level=region.level,
        region_path=region.path_name(),
        month=month,
        so_far=so_far,
        as_of=months.as_of(month, today=today),
        generated_at=timezone.localtime(now),
        summary=[SummarySection(str(title), [(_resolved(m), m.value(figures)) for m in metrics])
                 for title, metrics in SUMMARY_SECTIONS],
        activities_by_kind=[(str(kind.label), int(by_kind.get(kind.value) or 0)) for kind in ActivityKind],
        columns=tuple(_resolved(m) for m in TABLE_METRICS),
        subregions=subregions,
        counties=counties,
        charts=charts.report_charts(figures, trend),
        trend=trend,
        submission=part,
    )



