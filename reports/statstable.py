"""The analytics table (reports.models.StatsCell) as the statistics read it: whether a month's rows
stand for it, their sums grouped on a code prefix, and asking for a rebuild — plus
:func:`stats_changed`, which the services call when they write a row dated in a closed month.

When the table is read: for a **closed** month (before the current one) whose current build was
taken as of the month's last day and whose change counter has not moved since (StatsMonth.is_fresh).
Otherwise — the current month, a month never built, a month changed since its build — the figures
are computed live from the raw rows and a rebuild is queued (at most once per ``RETRY_AFTER``), so
a missing or stale table never shows zeros or old figures.

Building the table is reports.analytics (it runs the live computation, so it imports reports.stats,
which imports this module).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import CharField, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from core import months
from core.prepared import preparing_cursor
from core.regioncodes import subtree_q
from reports.figures import COLUMNS, MONEY_FIGURES
from reports.models import StatsCell, StatsMonth

# A rebuild asked for and not done within this long is asked for again.
RETRY_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class TableMonths:
    """What the table holds for some months: those it stands for (``fresh``), and the closed ones it
    does not — never built, built before a change, or built before the month closed (``stale``) —
    with which of those already have a StatsMonth row and which had a rebuild asked for lately."""

    fresh: frozenset[date]
    stale: tuple[date, ...]
    known: frozenset[date]
    asked_lately: frozenset[date]


def table_months(wanted: list[date], *, today: date | None = None) -> TableMonths:
    """The table's state for ``wanted`` (first days). One query; none when no month is closed."""
    current = months.current_month(today=today)
    closed = sorted({m for m in wanted if m < current})
    if not closed:
        return TableMonths(frozenset(), (), frozenset(), frozenset())
    states = {state.month: state for state in StatsMonth.objects.filter(month__in=closed)}
    recently = timezone.now() - RETRY_AFTER
    fresh = {m for m, state in states.items() if state.is_fresh(month_end=months.last_day(m))}
    return TableMonths(
        fresh=frozenset(fresh), stale=tuple(m for m in closed if m not in fresh), known=frozenset(states),
        asked_lately=frozenset(m for m, state in states.items()
                               if state.rebuild_queued_at is not None and state.rebuild_queued_at >= recently))


def grouped_counts(*, month: date, length: int, code: str | None = None) -> dict[str, dict]:
    """``{prefix: flat additive counts}`` from the table for ``month``: its rows in ``code``'s subtree
    (everything when None) summed per first ``length`` digits of their region codes — the same
    groups reports.stats computes live. One grouped query."""
    rows = StatsCell.objects.filter(month=month)
    if code is not None:
        rows = rows.filter(subtree_q("region_code", code))
    rows = (rows.order_by().annotate(prefix=Substr("region_code", 1, length, output_field=CharField()))
            .values("prefix").annotate(**{f"s_{column}": Sum(column) for column in COLUMNS.values()}))
    return {row["prefix"]: _flat(row) for row in rows}


def grouped_counts_by_month(*, wanted: list[date], code: str, keys: tuple[str, ...] | None = None) -> dict[date, dict]:
    """``{month: flat additive counts}`` of ``code``'s subtree for each of ``wanted`` the table
    holds, in one query grouped by month (the 12-month trend); only ``keys`` when given (summing four
    columns of a year's rows rather than fifty)."""
    columns = {key: COLUMNS[key] for key in keys} if keys is not None else COLUMNS
    rows = (StatsCell.objects.filter(subtree_q("region_code", code), month__in=wanted).order_by()
            .values("month").annotate(**{f"s_{column}": Sum(column) for column in columns.values()}))
    return {row["month"]: _flat(row, columns) for row in rows}


def _flat(row: dict, columns: dict[str, str] = COLUMNS) -> dict:
    return {key: (Decimal(row[f"s_{column}"] or 0) if key in MONEY_FIGURES else int(row[f"s_{column}"] or 0))
            for key, column in columns.items()}


def national_counts(*, month: date, length: int = 2) -> dict[str, dict]:
    """The whole table's figures for ``month`` grouped per ``length`` code digits (2: per province)."""
    return grouped_counts(month=month, length=length)


# --- asking for a rebuild -----------------------------------------------------------------------------

def rebuilds_requested(state: TableMonths) -> list[date]:
    """Queue a rebuild, after the current transaction commits, of each stale month of ``state`` not
    asked for within RETRY_AFTER; returns those months. Two queries at most (stamp the known months,
    add the others). Two requests at the same moment may both queue one: the builds are idempotent
    (the later swap replaces the earlier's rows)."""
    due = [m for m in state.stale if m not in state.asked_lately]
    if not due:
        return []
    now = timezone.now()
    if known := [m for m in due if m in state.known]:
        StatsMonth.objects.filter(month__in=known).update(rebuild_queued_at=now)
    if new := [m for m in due if m not in state.known]:
        StatsMonth.objects.bulk_create([StatsMonth(month=m, rebuild_queued_at=now) for m in new],
                                       ignore_conflicts=True)
    for month in due:
        _queue(month)
    return due


def _queue(month: date) -> None:
    from reports import tasks  # tasks → analytics → stats → this module

    transaction.on_commit(lambda: tasks.rebuild_stats_month.delay(month.isoformat()))


def stats_changed(*, since: date, today: date | None = None) -> int:
    """A source row of the statistics dated ``since`` (an activity, a status change, a pairing's
    start …) was written, changed or removed: every closed month from ``since``'s on that the table
    holds is marked changed, and rebuilt after the transaction commits. Returns how many months.
    No query for a date in the current month (the live path computes it anyway); one UPDATE otherwise
    (it returns the months marked, a caring mother's late visit being the hot case).

    A row changes the months after its own too (a status holds until the next change; a visit is a
    child's last contact until the next), hence "from ``since`` on"."""
    current = months.current_month(today=today)
    first = months.first_day(since)
    if first >= current:
        return 0
    connection = connections[router.db_for_write(StatsMonth)]
    table = connection.ops.quote_name(StatsMonth._meta.db_table)
    with preparing_cursor(connection) as cursor:  # prepared: a late visit comes through here
        cursor.execute(f"UPDATE {table} SET version = version + 1 WHERE month >= %s AND month < %s "
                       f"RETURNING month, build_id",
                       [connection.ops.adapt_datefield_value(first), connection.ops.adapt_datefield_value(current)])
        marked = cursor.fetchall()
    for month, build_id in marked:
        if build_id is not None:
            _queue(month if isinstance(month, date) else date.fromisoformat(month))
    return len(marked)


def stats_changed_everywhere(*, today: date | None = None) -> int:
    """Every closed month changed (a child moved to another region — the statistics count her where
    she is now, in every month — or a contact rhythm changed)."""
    return stats_changed(since=date(months.MIN_YEAR, 1, 1), today=today)
