"""THE statistics service: a region subtree's figures for a month, and the same for each of its direct
sub-regions — every key of the public ``/api/v1/stats/`` contract (README, "What the monthly
statistics count") and a few more. The API, the staff dashboard and the monthly PDF/Excel reports all
read their figures here; the coverage and overdue pages count with the same definitions
(children.selectors, pairing.selectors, activities.rhythm.OverdueRule).

What the figures of a month mean (status as of the month's last day, dates inside the month in
Asia/Shanghai, region as of now …) is written down in :mod:`core.months`.

Where they come from: for a **closed** month, from the analytics table (one row per region holding
data and month, a column per additive figure; reports.statstable reads it in ONE query grouped on
the code prefix, reports.analytics builds it nightly and whenever a source row dated in the month
changes) — as long as it stands for the month; otherwise, and always for the current month, they
are computed live from the raw rows as below, and a rebuild is asked for. Both give the same
figures (tests/reports/test_analytics.py).

How they are computed live: a FIXED number of SQL queries, whatever the number of sub-regions or rows —

1. the direct sub-regions (names, levels);
2. the contact-rhythm rules that can apply in the subtree (a handful of rows);
3. children, 4. volunteers: the ORM builds one row per person of the subtree with what it was at
   the month's end (status and colour from the dated history, paired, contacted, overdue …), and
   ONE outer ``GROUP BY`` on the region-code prefix sums flags over those rows (``_grouped_sums``;
   the rows are a MATERIALIZED common table expression, so each is computed once);
5. activities, 6. trainings, 7. needs: one ORM aggregate each, grouped on the same prefix.

Per person, the facts are set memberships the database evaluates once and hashes (``id IN
(subquery)``: leads active that day, history dated after the day …), so the cost is one scan of each
set plus a hash probe per person; index probes are left for the few people whose history changed
after the day. Contacts are ONE grouped pass over the activity links of the longest contact window
(activities.rhythm.children_last_contact, an index-only scan of ``(occurred_on, child)``) giving each
child's last contact, LEFT JOINed to the children: "reached in the month" and every overdue cutoff
are date comparisons on it. On PostgreSQL the JIT is off for every connection (config/settings.py).
bench/stats.py measures this at province scale against one hand-written query (0.84–1.13× its time,
for three times the figures; the target is 1.3×).

The group key is the first digits of the record's region code — as many as name a direct
sub-region (``Substr(region_id, 1, PREFIX_LENGTH[sub-level])``, see core.regioncodes), so one
query covers the parent and all its sub-regions, and nothing is looped over in Python but the
grouped rows. Records registered at the region itself (a child registered at the county, a training
held by the province) share a prefix no sub-region has; they form an extra "registered at this
level" row, so the parent is always the sum of its rows for every additive figure.

``region_stats_by_subregion`` groups the same queries two levels down (a province's counties) and
sums the groups up to each level: the region's own figures and each direct sub-region's — what
region_stats gives for each, from one pass (8 queries: the sub-regions' own sub-regions too). The
12-month trend (``monthly_trend``) is 2 queries grouped by month, not one region_stats per month.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connections
from django.db.models import (
    Aggregate,
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    DateField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Substr, TruncMonth

from accounts.models import Region
from activities.models import Activity, ActivityChild
from activities.rhythm import OverdueRule, children_last_contact
from children.models import Child, Need, Status, StatusChange
from children.selectors import child_color_at, child_status_at, in_set
from core import months
from core.regioncodes import LEVELS, PREFIX_LENGTH, subtree_q
from core.regions import direct_subregions, has_subregions, rollup, sub_prefix_length
from pairing.selectors import child_paired_at, volunteer_paired_at, within
from reports import statstable
from reports.figures import (
    ADDITIVE,
    CATEGORIES,
    KINDS,
    RISK_KEYS,
    STATUSES,
)
from volunteers.models import Training, Volunteer, VolunteerStatus
from volunteers.selectors import volunteer_status_at

# Keys of the contract's /api/v1/stats/, then this service's extras, in output order.
KEY_ORDER = (
    "children_active", "children_by_category", "children_by_risk", "children_paired", "pairing_rate",
    "children_without_activity", "volunteers_active", "volunteers_paired", "activities", "activities_by_kind",
    "participant_times", "aid_value_yuan", "trainings", "training_participant_times", "children_new",
    "children_exited",
    "children_by_status", "volunteers_new", "monthly_coverage", "paired_children_without_activity",
    "paired_monthly_coverage", "overdue_by_color", "needs_opened", "needs_fulfilled",
)
CENT = Decimal("0.01")


# --- the grouping key -----------------------------------------------------------------------------

def _prefix(field: str, length: int) -> Substr:
    return Substr(field, 1, length, output_field=CharField())


# --- one outer GROUP BY over one row per person ---------------------------------------------------

def _grouped_sums(rows: QuerySet, measures: dict[str, tuple[str, list]], *, key: str = "prefix",
                  per_person: QuerySet | None = None) -> dict:
    """``{group: {measure: count}}``: sums ``CASE WHEN <condition> THEN 1 ELSE 0 END`` per ``key``
    over the rows of ``rows`` (a ``values()`` queryset, one row per person), in ONE query.

    The rows are a MATERIALIZED common table expression so each per-person subquery runs once per
    person, not once per measure that reads it. Conditions are SQL over the rows' column names
    (quoted with ``_col``) with ``%s`` parameters. ``per_person``, a ``values()`` queryset with at
    most one row per ``person`` (an id of the rows' ``id`` column), is LEFT JOINed to the rows: the
    conditions read its other columns too (NULL for the people it has no row for) — one grouped pass
    over a large table rather than a correlated subquery per person."""
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    inner, inner_params = rows.query.get_compiler(using=rows.db).as_sql()
    columns, params = [], list(inner_params)
    for name, (condition, condition_params) in measures.items():
        columns.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {quote(name)}")
        params.extend(condition_params)
    join = ""
    if per_person is not None:
        joined, joined_params = per_person.query.get_compiler(using=rows.db).as_sql()
        join = f" LEFT JOIN ({joined}) per_person ON per_person.{quote('person')} = per_row.{quote('id')}"
        params.extend(joined_params)
    quoted_key = quote(key)
    sql = (f"WITH per_row AS MATERIALIZED ({inner}) "
           f"SELECT {quoted_key}, {', '.join(columns)} FROM per_row{join} GROUP BY {quoted_key}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return {row[0]: {n: int(v or 0) for n, v in zip(names[1:], row[1:], strict=True)}
                for row in cursor.fetchall()}


def _col(rows: QuerySet, name: str) -> str:
    return connections[rows.db].ops.quote_name(name)


def _children_counts(*, region: Region, length: int, month: date, day: date) -> dict[str, dict[str, int]]:
    first, last = months.bounds(month)
    exits = StatusChange.objects.filter(to_status=Status.EXITED, effective_on__range=(first, last)).values("child_id")
    overdue = OverdueRule.on(day, region=region)  # one query: the rhythms
    # Each child's last contact and last contact in the month, from ONE grouped pass over the longest
    # contact window (the month or the earliest rhythm cutoff, whichever starts first), LEFT JOINed
    # to the rows: "contacted in the month" and each overdue cutoff are date comparisons on it.
    contacts = children_last_contact(day, since=overdue.since, first=first, last=last, region=region)
    rows = (Child.objects.filter(subtree_q("region", region.code)).order_by()
            .annotate(prefix=_prefix("region_id", length),
                      st=child_status_at(day),
                      color=child_color_at(day),
                      paired=child_paired_at(day, region=region),
                      is_new=ExpressionWrapper(Q(entered_on__range=(first, last)), output_field=BooleanField()),
                      exited_in_month=ExpressionWrapper(in_set(exits) | Q(exited_on__range=(first, last)),
                                                        output_field=BooleanField()),
                      **overdue.cutoff_columns())
            .values("id", "prefix", "st", "color", "paired", "is_new", "exited_in_month",
                    *(f"is_{c}" for c in CATEGORIES), *overdue.cutoff_columns()))
    c = lambda name: _col(rows, name)  # noqa: E731

    def when(*conditions: tuple[str, list]) -> tuple[str, list]:
        return " AND ".join(sql for sql, _p in conditions), [p for _s, params in conditions for p in params]

    def color_is(key: str) -> tuple[str, list]:
        return (f"{c('color')} IS NULL", []) if key == "unassessed" else (f"{c('color')} = %s", [key])

    def late(key: str) -> tuple[str, list]:
        # OverdueRule.cutoff_flags: no contact since the cutoff (none at all: NULL), not newly paired.
        cutoff, fresh = overdue.cutoff_flags(key)
        last_contact = c("last_contact")
        return f"({last_contact} IS NULL OR {last_contact} < {c(cutoff)}) AND NOT {c(fresh)}", []

    active = (f"{c('st')} = %s", [Status.ACTIVE])
    paired = (c("paired"), [])
    no_activity = (f"{c('month_contact')} IS NULL", [])
    return _grouped_sums(rows, {
        "children_active": active,
        **{f"children_by_category.{cat}": when(active, (c(f"is_{cat}"), [])) for cat in CATEGORIES},
        **{f"children_by_risk.{key}": when(active, color_is(key)) for key in RISK_KEYS},
        **{f"children_by_status.{s}": (f"{c('st')} = %s", [s]) for s in STATUSES},
        "children_paired": when(active, paired),
        "children_without_activity": when(active, no_activity),
        "paired_children_without_activity": when(active, paired, no_activity),
        "children_new": (c("is_new"), []),
        "children_exited": (c("exited_in_month"), []),
        # activities.rhythm.OverdueRule: its columns above, its condition here.
        **{f"overdue_by_color.{key}": when(active, paired, color_is(key), late(key)) for key in RISK_KEYS},
    }, per_person=contacts)


def _volunteer_counts(*, region: Region, length: int, month: date, day: date) -> dict[str, dict[str, int]]:
    first, last = month, months.last_day(month)
    rows = (Volunteer.objects.filter(subtree_q("region", region.code)).order_by()
            .annotate(prefix=_prefix("region_id", length), st=volunteer_status_at(day),
                      paired=volunteer_paired_at(day, region=region),
                      is_new=ExpressionWrapper(Q(joined_on__range=(first, last)), output_field=BooleanField()))
            .values("prefix", "st", "paired", "is_new"))
    st = _col(rows, "st")
    return _grouped_sums(rows, {
        "volunteers_active": (f"{st} = %s", [VolunteerStatus.ACTIVE]),
        "volunteers_paired": (f"{st} = %s AND {_col(rows, 'paired')}", [VolunteerStatus.ACTIVE]),
        "volunteers_new": (_col(rows, "is_new"), []),
    })


def _activity_counts(*, region: Region, length: int, month: date) -> dict[str, dict]:
    rows = (Activity.objects.filter(subtree_q("region", region.code),
                                    occurred_on__range=(month, months.last_day(month)))
            .order_by().annotate(prefix=_prefix("region_id", length)).values("prefix")
            .annotate(activities=Count("pk"), participant_times=Sum("participants"), aid=Sum("aid_value_yuan"),
                      **{f"kind_{k}": Count("pk", filter=Q(kind=k)) for k in KINDS}))
    return {row["prefix"]: {
        "activities": row["activities"], "participant_times": row["participant_times"] or 0,
        "aid_value_yuan": Decimal(row["aid"] or 0),
        **{f"activities_by_kind.{k}": row[f"kind_{k}"] for k in KINDS},
    } for row in rows}


def _training_counts(*, region: Region, length: int, month: date) -> dict[str, dict]:
    rows = (Training.objects.filter(subtree_q("region", region.code), held_on__range=(month, months.last_day(month)))
            .order_by().annotate(prefix=_prefix("region_id", length)).values("prefix")
            .annotate(trainings=Count("pk"), training_participant_times=Sum("participants")))
    return {row["prefix"]: {"trainings": row["trainings"],
                            "training_participant_times": row["training_participant_times"] or 0} for row in rows}


def _need_counts(*, region: Region, length: int, month: date) -> dict[str, dict]:
    span = (month, months.last_day(month))
    rows = (Need.objects.filter(subtree_q("region", region.code))
            .filter(Q(opened_on__range=span) | Q(fulfilled_on__range=span))
            .order_by().annotate(prefix=_prefix("region_id", length)).values("prefix")
            .annotate(needs_opened=Count("pk", filter=Q(opened_on__range=span)),
                      needs_fulfilled=Count("pk", filter=Q(fulfilled_on__range=span))))
    return {row["prefix"]: {"needs_opened": row["needs_opened"], "needs_fulfilled": row["needs_fulfilled"]}
            for row in rows}


# --- shaping --------------------------------------------------------------------------------------

def region_ref(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level}


def _rate(part: int, whole: int) -> float:
    """part / whole rounded to 4 decimals; 0.0 when there is nothing to divide (the dashboard shows —)."""
    return round(part / whole, 4) if whole else 0.0


def _shape(flat: dict) -> dict:
    """Flat additive counts → the contract's nested shape, with the rates."""
    nested: dict = {}
    for key in ADDITIVE:
        value = flat.get(key, Decimal(0) if key == "aid_value_yuan" else 0)
        if "." in key:
            group, sub = key.split(".")
            nested.setdefault(group, {})[sub] = value
        else:
            nested[key] = value
    nested["aid_value_yuan"] = str(Decimal(nested["aid_value_yuan"]).quantize(CENT))
    active = nested["children_active"]
    nested["pairing_rate"] = _rate(nested["children_paired"], active)
    nested["monthly_coverage"] = _rate(active - nested["children_without_activity"], active)
    paired = nested["children_paired"]
    nested["paired_monthly_coverage"] = _rate(paired - nested["paired_children_without_activity"], paired)
    return {key: nested[key] for key in KEY_ORDER}


def _add(total: dict, part: dict) -> None:
    for key, value in part.items():
        total[key] = total.get(key, 0) + value


def _sum(parts: list[dict]) -> dict:
    total: dict = {}
    for part in parts:
        _add(total, part)
    return total


def _flatten(figures: dict) -> dict:
    """Shaped figures (the contract's nested shape) → their flat additive counts: _shape's inverse, the
    rates left out (they are recomputed). A key the figures lack (a snapshot older than it) counts 0."""
    flat: dict = {}
    for key in ADDITIVE:
        group, _dot, sub = key.partition(".")
        value = (figures.get(group) or {}).get(sub, 0) if sub else figures.get(key, 0)
        flat[key] = Decimal(value or 0) if key == "aid_value_yuan" else int(value or 0)
    return flat


def sum_figures(parts: list[dict]) -> dict:
    """Shaped figures of disjoint parts (sub-regions' rows, frozen snapshots of their submissions) added
    up into the same shape, the rates recomputed from the sums — what region_stats' total is of its rows.
    Used by submissions.selectors to put accepted snapshots and live rows together."""
    return _shape(_sum([_flatten(part) for part in parts]))


def _grouped_counts(*, region: Region, length: int, month: date, day: date) -> dict[str, dict]:
    """``{prefix: flat additive counts}`` over ``region``'s subtree, grouped on the first ``length``
    digits of the records' region codes: THE figures, in 6 queries (the rhythms, then the 5 measures)."""
    groups: dict[str, dict] = defaultdict(dict)
    for counts in (_children_counts(region=region, length=length, month=month, day=day),
                   _volunteer_counts(region=region, length=length, month=month, day=day),
                   _activity_counts(region=region, length=length, month=month),
                   _training_counts(region=region, length=length, month=month),
                   _need_counts(region=region, length=length, month=month)):
        for prefix, values in counts.items():
            _add(groups[prefix], values)
    return groups


def _payload(*, region: Region, month: date, day: date, groups: dict[str, dict], subregions: list[Region]) -> dict:
    """region_stats' answer from ``groups``: the counts of ``region``'s subtree grouped on the code
    prefix of its direct sub-regions (or a longer one: the rows are sums of the groups they cover)."""
    length = sub_prefix_length(region)
    if any(len(prefix) != length for prefix in groups):
        coarse: dict[str, dict] = defaultdict(dict)
        for prefix, values in groups.items():
            _add(coarse[prefix[:length]], values)
        groups = coarse
    result = rollup(region=region, counts=groups, zero=dict, combine=_sum, subregions=subregions)
    return {"region": region_ref(region), "month": months.label(month), "as_of": day.isoformat(),
            **_shape(result.total),
            "subregions": [{"region": region_ref(row.region) if not row.is_self else {
                               "code": region.code, "name": row.name, "level": region.level},
                            "own_level": row.is_self, **_shape(row.values)}
                           for row in result.rows if not row.is_self or any(row.values.values())]}


def _counts(*, region: Region, length: int, month: date, day: date, today: date | None, live: bool) -> dict[str, dict]:
    """The grouped counts of ``month``: from the analytics table when it stands for the month
    (reports.statstable: a closed month, built and unchanged since; 2 queries), else computed live
    (_grouped_counts, 6 queries; +1 for the table's state, and up to 2 asking for its rebuild)."""
    if not live:
        state = statstable.table_months([month], today=today)
        if month in state.fresh:
            return statstable.grouped_counts(month=month, length=length, code=region.code)
        statstable.rebuilds_requested(state)
    return _grouped_counts(region=region, length=length, month=month, day=day)


def region_stats(*, region: Region, month: date, today: date | None = None, live: bool = False) -> dict:
    """Every figure of ``region``'s subtree for ``month`` (any day of it; the first is conventional),
    and the same per direct sub-region under ``subregions``: 3 queries for a closed month the
    analytics table holds (sub-regions, the table's state, its rows), else 8 (the live computation;
    the table's rebuild asked for when the month is closed). ``live`` computes from the raw rows
    whatever the table holds (the agreement tests, the build itself).

    The caller checks the region is in the user's scope (``Region.objects.manageable_by``): the
    figures are not personal, but they are the subtree's whole."""
    month = months.first_day(month)
    day = months.as_of(month, today=today)
    groups = _counts(region=region, length=sub_prefix_length(region), month=month, day=day, today=today, live=live)
    return _payload(region=region, month=month, day=day, groups=groups, subregions=direct_subregions(region))


def _two_levels_down(region: Region) -> int:
    """How many leading code digits name a sub-region of a direct sub-region of ``region`` (a
    province's counties: 6); a village's own code for the levels that have fewer."""
    index = LEVELS.index(region.level)
    return PREFIX_LENGTH[LEVELS[min(index + 2, len(LEVELS) - 1)]]


def region_stats_by_subregion(*, region: Region, month: date, today: date | None = None,
                              live: bool = False) -> dict[str, dict]:
    """``{code: region_stats(region=that region, …)}`` for ``region`` itself (first) and each of its
    direct sub-regions, in code order — a province's own figures with its cities' table, and each
    city's with its counties' table — from ONE grouped pass over the subtree, whatever the number of
    sub-regions: the same table read or 5 measure queries as region_stats (4 queries from the
    analytics table, 9 live), grouped two levels down (the county prefix for a province), each
    payload summing the groups it covers.

    The caller checks the region is in the user's scope, as for region_stats."""
    month = months.first_day(month)
    day = months.as_of(month, today=today)
    subregions = direct_subregions(region)  # 1 query
    below: dict[str, list[Region]] = defaultdict(list)
    if any(has_subregions(sub) for sub in subregions):  # 1 query: the sub-regions' own sub-regions
        for sub in Region.objects.filter(parent__in=[sub.code for sub in subregions]).order_by("code"):
            below[sub.parent_id].append(sub)
    groups = _counts(region=region, length=_two_levels_down(region), month=month, day=day, today=today, live=live)
    out = {region.code: _payload(region=region, month=month, day=day, groups=groups, subregions=subregions)}
    length = sub_prefix_length(region)
    for sub in subregions:
        prefix = sub.code[:length]
        out[sub.code] = _payload(region=sub, month=month, day=day, subregions=below.get(sub.code, []),
                                 groups={key: values for key, values in groups.items() if key[:length] == prefix})
    return out


# --- the 12-month trend ---------------------------------------------------------------------------

class _BitOr(Aggregate):
    """The bitwise OR of the values: PostgreSQL's BIT_OR; elsewhere SUM(DISTINCT …), which is the same
    over powers of two (SQLite has no BIT_OR)."""

    function = "BIT_OR"
    output_field = BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="SUM", template="%(function)s(DISTINCT %(expressions)s)",
                           **extra_context)


def children_months_contacted(window: list[date], *, region: Region) -> QuerySet:
    """For each child of ``region``'s subtree an activity reached in ``window`` (consecutive months,
    oldest first): ``person`` (its id) and ``seen``, the months it was reached in as a 64-bit mask
    (bit i: ``window[i]``; hence at most 60 months) — ONE grouped pass over the window's activity
    links, LEFT JOINed to the children by _grouped_sums (no row: never reached), rather than a
    subquery per child. "Reached in a month" is child_contacted_between's: any activity link of the
    child dated in it."""
    base = window[0].year * 12 + window[0].month - 1
    index = Cast(ExtractYear("occurred_on") * 12 + ExtractMonth("occurred_on") - 1 - base, IntegerField())
    links = within(ActivityChild.objects.filter(occurred_on__range=(window[0], months.last_day(window[-1]))),
                   "child__region", region)
    return (links.order_by().values(person=F("child_id"))
            .annotate(seen=_BitOr(Cast(Value(1), BigIntegerField()).bitleftshift(index))).values("person", "seen"))


# The additive figures a trend point is made of.
TREND_FIGURES = ("activities", "participant_times", "children_active", "children_without_activity")


def monthly_trend(*, region: Region, month: date, count: int = 12, today: date | None = None,
                  live: bool = False) -> list[dict]:
    """Per month, the ``count`` months up to ``month``: activities, their 人次, active children at the
    month's end, those without an activity that month, and the monthly coverage — for the whole
    subtree. The closed months the analytics table holds come from it (2 queries: its state, its rows
    grouped by month); the others — the current month, months not built or changed since — are
    computed live from the first of them on (2 more queries: one grouped by month over the
    activities, one over the children with a status column per month and a bit mask of the months
    they were reached in: hence at most 60 months), and their rebuild asked for."""
    if not 1 <= count <= 60:
        raise ValueError("monthly_trend covers 1 to 60 months")
    window = months.months_ending(month, count)
    if live:
        return _trend(region=region, window=window, today=today)
    state = statstable.table_months(window, today=today)
    table = statstable.grouped_counts_by_month(wanted=sorted(state.fresh), code=region.code,
                                               keys=TREND_FIGURES) if state.fresh else {}
    statstable.rebuilds_requested(state)
    rest = [m for m in window if m not in state.fresh]
    computed = {row["month"]: row for row in (
        _trend(region=region, window=window[window.index(rest[0]):], today=today) if rest else [])}
    trend = []
    for m in window:
        if m not in state.fresh:
            trend.append(computed[months.label(m)])
            continue
        flat = table.get(m) or {}
        active, without = flat.get("children_active", 0), flat.get("children_without_activity", 0)
        trend.append({"month": months.label(m), "activities": flat.get("activities", 0),
                      "participant_times": flat.get("participant_times", 0), "children_active": active,
                      "children_without_activity": without, "monthly_coverage": _rate(active - without, active)})
    return trend


def _trend(*, region: Region, window: list[date], today: date | None) -> list[dict]:
    first, last = window[0], months.last_day(window[-1])
    by_month = {row["m"]: row for row in (
        Activity.objects.filter(subtree_q("region", region.code), occurred_on__range=(first, last)).order_by()
        .annotate(m=TruncMonth("occurred_on", output_field=DateField())).values("m")
        .annotate(n=Count("pk"), p=Sum("participants")))}
    columns = {f"st{index}": child_status_at(months.as_of(m, today=today)) for index, m in enumerate(window)}
    rows = (Child.objects.filter(subtree_q("region", region.code)).order_by()
            .annotate(prefix=Value("", output_field=CharField()), **columns)
            .values("id", "prefix", *columns))
    measures = {}
    for index in range(len(window)):
        st, seen = _col(rows, f"st{index}"), _col(rows, "seen")  # seen: NULL for a child never reached
        measures[f"active{index}"] = (f"{st} = %s", [Status.ACTIVE])
        measures[f"contacted{index}"] = (f"{st} = %s AND ({seen} & %s) <> 0", [Status.ACTIVE, 1 << index])
    sums = _grouped_sums(rows, measures, per_person=children_months_contacted(window, region=region)).get("", {})
    trend = []
    for index, m in enumerate(window):
        row = by_month.get(m) or by_month.get(m.isoformat()) or {}
        active, contacted = sums.get(f"active{index}", 0), sums.get(f"contacted{index}", 0)
        trend.append({"month": months.label(m), "activities": row.get("n", 0), "participant_times": row.get("p") or 0,
                      "children_active": active, "children_without_activity": active - contacted,
                      "monthly_coverage": _rate(contacted, active)})
    return trend
