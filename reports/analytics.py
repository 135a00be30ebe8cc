"""Building the analytics table (reports.models.StatsCell): one month at a time, from the live
computation of reports.stats, grouped on the full region code.

``stats_month_rebuild`` is the one way rows get there (the Celery tasks in reports.tasks — nightly
for the current and previous month, on demand for a month whose source rows changed or whose table
is missing — and bench/national.py call it):

1. the month's StatsMonth row is made if missing and its change counter read (no lock) — on the
   read replica when there is one (core.dbrouting), like the figures in 3: one copy, so a change
   the replica has not received yet leaves the month stale, never wrongly fresh;
2. a StatsBuild status row is written ``running`` (committed at once, so a build that dies is seen);
3. the figures are computed per province (reports.stats._grouped_counts, 6 queries each) as of the
   month's last day (today for the current month), one row per region code holding data;
4. in ONE transaction the StatsMonth row is locked, the month's old rows are deleted, the new ones
   inserted, and the build made current — unless a build that read a later counter got there first.
   Readers see the old set or the new, never a mix; a build that dies anywhere leaves the old set.
   Two builds of one month at once are serialised by that lock and leave one set of rows; the
   table is then ANALYZEd (PostgreSQL) so that national groupings stay hashed (migration 0004).

A build that read the counter before a change and swapped after it leaves the month stale
(StatsMonth.is_fresh): the change queued its own rebuild (reports.statstable.stats_changed).
"""

import logging
import time
from datetime import date

from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from accounts.models import Region
from core import months
from core.dbrouting import reading_from_replica
from core.jobs import running_lost_after
from core.regioncodes import CODE_LENGTH
from reports import stats
from reports.figures import COLUMNS
from reports.models import StatsBuild, StatsBuildStatus, StatsCell, StatsMonth

logger = logging.getLogger(__name__)
INSERT_BATCH = 2000


def _month_state(month: date) -> StatsMonth:
    try:
        with transaction.atomic():
            return StatsMonth.objects.get_or_create(month=month)[0]
    except IntegrityError:  # made at the same moment by another build or request
        return StatsMonth.objects.get(month=month)


def stats_month_rebuild(*, month: date, today: date | None = None) -> StatsBuild:
    """Rebuild the analytics rows of ``month`` (any day of it); returns the build, ``done`` (its
    ``rows`` counted) or, having failed, re-raises after recording the error on it."""
    month = months.first_day(month)
    if month > months.current_month(today=today):
        raise ValueError(f"{months.label(month)} is in the future")
    day = months.as_of(month, today=today)
    _month_state(month)
    with reading_from_replica():  # the counter and the figures from one copy (the replica when there is one)
        version = StatsMonth.objects.filter(month=month).values_list("version", flat=True).first() or 0
    build = StatsBuild.objects.create(month=month, as_of=day, version=version)
    started = time.perf_counter()
    try:
        with reading_from_replica():
            cells = _compute(build)
        swapped = _swap(build, cells)
        if swapped:
            _analyze()
    except BaseException as exc:
        StatsBuild.objects.filter(pk=build.pk).update(
            status=StatsBuildStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    logger.info("statistics table %s as of %s: %s rows in %.1f s%s", months.label(month), day, build.rows,
                time.perf_counter() - started, "" if swapped else " (a later build was already current)")
    return build


def _compute(build: StatsBuild) -> list[StatsCell]:
    cells = []
    for province in Region.objects.filter(parent__isnull=True).order_by("code"):
        groups = stats._grouped_counts(region=province, length=CODE_LENGTH, month=build.month, day=build.as_of)
        for code, values in sorted(groups.items()):
            if any(values.values()):
                cells.append(StatsCell(build=build, month=build.month, region_code=code,
                                       **{COLUMNS[key]: value for key, value in values.items()}))
    return cells


@transaction.atomic
def _swap(build: StatsBuild, cells: list[StatsCell]) -> bool:
    """Replace the month's rows with ``cells`` and make ``build`` current, under the month's lock;
    False (nothing replaced) when the current build read a later change counter, or the same one
    later in the month."""
    state = StatsMonth.objects.select_for_update().get(month=build.month)
    newer = state.build_id is not None and state.built_version is not None and (
        state.built_version > build.version
        or (state.built_version == build.version and state.built_as_of and state.built_as_of > build.as_of))
    if not newer:
        StatsCell.objects.filter(month=build.month).delete()
        _insert(cells)
        StatsMonth.objects.filter(pk=state.pk).update(build=build, built_version=build.version,
                                                      built_as_of=build.as_of, rebuild_queued_at=None)
    build.status, build.rows, build.finished_at = StatsBuildStatus.DONE, len(cells) if not newer else 0, timezone.now()
    if newer:
        build.error = "superseded: a build that read later changes was already current"
    build.save(update_fields=["status", "rows", "finished_at", "error"])
    return not newer


def stats_recent_rebuild(*, count: int, today: date | None = None) -> list[tuple[StatsBuild, float]]:
    """Build the ``count`` months up to the current one, oldest first (manage.py rebuild_stats,
    seed_demo): each build and its seconds."""
    done = []
    for month in months.months_ending(months.current_month(today=today), count):
        started = time.perf_counter()
        done.append((stats_month_rebuild(month=month, today=today), time.perf_counter() - started))
    return done


def _analyze() -> None:
    """Refresh the planner's statistics of the table (a sample: about a second at national size), so
    that its prefix groups (migration 0004) are hashed, not sorted, as the month's rows change."""
    connection = connections[router.db_for_write(StatsCell)]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(StatsCell._meta.db_table)}")


def _insert(cells: list[StatsCell]) -> None:
    """Write ``cells``: COPY on PostgreSQL (a national month is ~600,000 rows of ~50 figures, which
    the ORM's INSERTs take minutes over), bulk_create elsewhere."""
    connection = connections[router.db_for_write(StatsCell)]
    if connection.vendor != "postgresql" or not cells:
        StatsCell.objects.bulk_create(cells, batch_size=INSERT_BATCH)
        return
    columns = ["build_id", "month", "region_code", *COLUMNS.values()]
    quote = connection.ops.quote_name
    sql = f"COPY {quote(StatsCell._meta.db_table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for cell in cells:
            copy.write_row([getattr(cell, column) for column in columns])


def months_to_rebuild_nightly(*, today: date | None = None) -> list[date]:
    """The current and the previous month."""
    current = months.current_month(today=today)
    return [months.previous_month(current), current]


def stats_builds_fail_lost() -> int:
    """Mark builds still ``running`` long after they started (their worker died) ``failed``; the
    table keeps the rows of the build before. Returns how many."""
    now = timezone.now()
    return StatsBuild.objects.filter(status=StatsBuildStatus.RUNNING, started_at__lt=now - running_lost_after()).update(
        status=StatsBuildStatus.FAILED, finished_at=now,
        error="WorkerLost: no worker finished the build (the worker was stopped or killed, or hit its time limit).")
