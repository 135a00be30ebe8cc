"""The content of a monthly report, whatever its format: the summary of a region, the table of its
sub-regions, for the province also the table of all its counties, and the charts (reports.charts:
pairing rate and activities by sub-region, the colour distribution, the 12-month trend).

Every figure comes from the statistics service (reports.stats.region_stats and monthly_trend);
nothing here reads rows.
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

    @property
    def title(self) -> str:
        return f"{self.region_name}爱心妈妈结对关爱工作月报"

    @property
    def month_label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def _resolved(metric: Metric) -> Metric:
    """The metric with its label read in the active language (the report's Chinese)."""
    return replace(metric, label=str(metric.label))


def _row(figures: dict, *, group: str = "") -> Row:
    region = figures["region"]
    return Row(code=region["code"], name=region["name"], values=[m.value(figures) for m in TABLE_METRICS],
               group=group)


def _table(title: str, figures: dict) -> Table:
    total = _row(figures)
    total.name = "合计"
    return Table(title=title, rows=[_row(sub) for sub in figures.get("subregions", [])], total=total)


def _county_table(province_figures: dict, month: date, today: date, on_progress: Callable[[int], None]) -> Table:
    """Every county of the province, grouped under its city: the sub-region rows of each city's own
    statistics (one region_stats call per city: the service groups one level down, and the cities'
    subtrees partition the province, so this reads each row about once more, no more)."""
    rows: list[Row] = []
    cities = [sub["region"] for sub in province_figures.get("subregions", []) if not sub.get("own_level")]
    regions = Region.objects.in_bulk([city["code"] for city in cities])
    for index, city in enumerate(cities, start=1):
        if city["code"] not in regions:
            continue
        city_figures = stats.region_stats(region=regions[city["code"]], month=month, today=today)
        rows.extend(_row(county, group=city["name"]) for county in city_figures.get("subregions", []))
        on_progress(20 + 25 * index // max(len(cities), 1))
    total = _row(province_figures)
    total.name = "全省合计"
    return Table(title="各县（市、区）情况", rows=rows, total=total, grouped=True)


def build_report(*, region: Region, month: date, on_progress: Callable[[int], None] = lambda p: None,
                 now: datetime | None = None) -> ReportData:
    """The report of ``region`` for ``month`` (its first day), in Chinese."""
    with translation.override("zh-hans"):
        return _build_report(region=region, month=month, on_progress=on_progress, now=now or timezone.now())


def _build_report(*, region: Region, month: date, on_progress: Callable[[int], None], now: datetime) -> ReportData:
    today = timezone.localdate(now)
    figures = stats.region_stats(region=region, month=month, today=today)
    on_progress(20)
    so_far = months.is_current(month, today=today)
    subregions = _table(f"{SUBREGION_WORDS.get(region.level, '下级区划')}情况", figures)
    counties = _county_table(figures, month, today, on_progress) if region.level == PROVINCE else None
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
    )



