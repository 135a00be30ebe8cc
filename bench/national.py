#!/usr/bin/env python
"""The statistics at national scale: 31 provinces, ~2,000,000 children, ~30,000,000 activities.

    .venv/bin/python bench/national.py                  # PostgreSQL database aixin_bench_national
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aixin_bench_national_small \\
        .venv/bin/python bench/national.py --scale 0.01  # a trial run
    .venv/bin/python bench/national.py --measure-only   # the data is there: measure again

Run once by hand, not in CI (the full load takes an hour or more and ~20 GB of disk). The database
is built directly in PostgreSQL with ``INSERT … SELECT generate_series``:

- regions: the 31 provinces under their real codes (11 北京 … 65 新疆), and below each made-up
  cities, counties, townships and villages coded PP CC DD TTT VVV (core.regioncodes): 8–12 cities
  a province, 8–12 counties a city, 10–14 townships a county, 13–17 villages a township
  (≈ 31 × 10 × 10 × 12 × 15 ≈ 560,000 villages). The tree is the country's shape and is not scaled;
- then bench/stats.py's generator (``generate``) over all 31 provinces: children, caring mothers,
  their status history, risk assessments, pairings, activities over the 12 months up to the
  reference month with their child links, trainings and needs — the same tables and kinds of rows
  the statistics read. ``--scale`` scales its row counts (2,000,000 children, 1,400,000 caring
  mothers, 30,000,000 activities at 1.0). Foreign-key triggers are off for the load when the role
  may (session_replication_role = replica), the big tables' secondary indexes are dropped before
  and rebuilt after, the tables stay as the app defines them (logged), then VACUUM ANALYZE.

Each step prints its row count and time. Then the measuring part (the analytics table of
reports.analytics), for the reference month (the last of the 12, a closed month):

- ``stats_month_rebuild`` for each of the 12 months (seconds a month): the reference month first,
  then the p50 of ``--runs`` runs of ``national_counts`` (province level) and of
  ``reports.stats.region_stats`` for a province, a city and a county, beside their targets, then the
  11 months before (a long build of those does not hold the latencies back).

The machine's load average is printed before and after: on a shared machine the figures are noisy.
"""

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # a bench machine, not production: no keys needed
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aixin_bench_national")

from bench import stats as province_bench  # noqa: E402  (after the environment it reads)

PROVINCES = {
    "11": "北京", "12": "天津", "13": "河北", "14": "山西", "15": "内蒙古", "21": "辽宁", "22": "吉林", "23": "黑龙江",
    "31": "上海", "32": "江苏", "33": "浙江", "34": "安徽", "35": "福建", "36": "江西", "37": "山东", "41": "河南",
    "42": "湖北", "43": "湖南", "44": "广东", "45": "广西", "46": "海南", "50": "重庆", "51": "四川", "52": "贵州",
    "53": "云南", "54": "西藏", "61": "陕西", "62": "甘肃", "63": "青海", "64": "宁夏", "65": "新疆",
}
# Each level below a province: (level, parent level, significant prefix length, fewest children, suffix).
# A parent gets fewest + (hash of its code) % 5 children, numbered from 1.
LEVELS = (("city", "province", 4, 8, "市"), ("county", "city", 6, 8, "县"),
          ("township", "county", 9, 10, "镇"), ("village", "township", 12, 13, "村"))
CHILDREN, VOLUNTEERS, ACTIVITIES = 2_000_000, 1_400_000, 30_000_000
BULK_TABLES = ("children_child", "children_statuschange", "children_riskassessment", "volunteers_volunteer",
               "volunteers_volunteerstatuschange", "pairing_pairing", *province_bench.ACTIVITY_TABLES)
MEASURED_PROVINCE, MEASURED_CITY, MEASURED_COUNTY = "140000000000", "140100000000", "140101000000"
TARGET_MS = {"national_counts": 1000, "province": 300}


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} ({os.cpu_count()} cores)"


def session_settings() -> None:
    """Memory for this one session's sorts, hashes, temporary tables and index builds."""
    from django.db import connection

    with connection.cursor() as c:
        for setting in ("work_mem = '256MB'", "maintenance_work_mem = '1GB'", "temp_buffers = '1GB'",
                        "synchronous_commit = off"):
            c.execute(f"SET {setting}")


def generate_regions() -> None:
    """The provinces, then each level below from the one above (see LEVELS), in one transaction."""
    from django.db import connection, transaction

    started = time.perf_counter()
    print("generating regions …", flush=True)
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if c.fetchone()[0]:
            c.execute("SET LOCAL session_replication_role = replica")
        c.execute("CREATE OR REPLACE FUNCTION pg_temp.h(i bigint, salt int) RETURNS bigint "
                  "LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtextextended(i::text, salt)) $$")
        values = ", ".join(["(%s, %s)"] * len(PROVINCES))
        province_bench._step(c, "provinces", f"""
            INSERT INTO accounts_region (code, name, level, parent_id)
            SELECT p.pp || '0000000000', p.name, 'province', NULL FROM (VALUES {values}) AS p(pp, name)""",
                             [x for pair in PROVINCES.items() for x in pair])
        for level, parent_level, length, fewest, suffix in LEVELS:
            width = 2 if length <= 6 else 3
            province_bench._step(c, f"{level} regions", f"""
                INSERT INTO accounts_region (code, name, level, parent_id)
                SELECT rpad(left(r.code, {length - width}) || lpad(n::text, {width}, '0'), 12, '0'),
                       r.name || n || %(suffix)s, %(level)s, r.code
                FROM accounts_region r
                CROSS JOIN LATERAL generate_series(1, %(fewest)s + (pg_temp.h(r.code::bigint, 60) %% 5)::int) AS n
                WHERE r.level = %(parent)s
                ORDER BY 1""", {"suffix": suffix, "level": level, "fewest": fewest, "parent": parent_level})
    print(f"regions generated in {time.perf_counter() - started:.0f} s", flush=True)


def generate(*, scale: float, window_start: date, window_end: date) -> None:
    from django.db import connection

    from accounts.models import Region

    started = time.perf_counter()
    if not Region.objects.filter(level="village").exists():
        generate_regions()
    province_bench.generate(children=round(CHILDREN * scale), volunteers=round(VOLUNTEERS * scale),
                            activities=round(ACTIVITIES * scale), window_start=window_start, window_end=window_end,
                            provinces=tuple(PROVINCES), bulk_tables=BULK_TABLES)
    with connection.cursor() as c:
        c.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = c.fetchone()[0]
    print(f"database generated in {time.perf_counter() - started:.0f} s; its size {size}", flush=True)


def table_sizes() -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("""SELECT relname, reltuples::bigint, pg_size_pretty(pg_total_relation_size(oid))
                     FROM pg_class WHERE relkind = 'r' AND relname = ANY(%s) ORDER BY relname""",
                  [["accounts_region", "volunteers_training", "children_need", *BULK_TABLES]])
        for name, rows, size in c.fetchall():
            print(f"  {name:<34} {rows:>12,} rows (planner estimate)  {size:>8} (with indexes)")


def reference_month() -> date:
    """The last month with activities: the reference month the data was generated for."""
    from django.db.models import Max

    from activities.models import Activity

    last = Activity.objects.aggregate(last=Max("occurred_on"))["last"]
    if last is None:
        sys.exit("no activities: generate the data first (run without --measure-only)")
    return last.replace(day=1)


def measure(*, month: date, runs: int, earlier: int) -> None:
    from accounts.models import Region
    from core import months
    from reports import analytics, stats, statstable

    window = months.months_ending(month, 12)
    built: dict[date, float] = {}

    def rebuild(each: date) -> None:
        started = time.perf_counter()
        build = analytics.stats_month_rebuild(month=each)
        built[each] = time.perf_counter() - started
        print(f"  {months.label(each):<12} {built[each]:8.1f} s   {str(build)[:80]}", flush=True)

    # The reference month first (the latencies read it), then the 11 before it. (The build writes its
    # rows with COPY and ANALYZEs the table: the steady state the latencies should see.)
    print(f"\nstats_month_rebuild, the reference month ({load_average()}):", flush=True)
    rebuild(month)

    print(f"\nreference month {months.label(month)}: p50 of {runs} runs after a warm-up ({load_average()})",
          flush=True)
    rows = []
    ms, counts, queries = province_bench.timed(lambda: statstable.national_counts(month=month, length=2), runs)
    rows.append((f"national_counts (length 2: {len(counts)} provinces)", ms, queries, TARGET_MS["national_counts"]))
    for label, code, target in (("region_stats(province 14)", MEASURED_PROVINCE, TARGET_MS["province"]),
                                ("region_stats(city 1401)", MEASURED_CITY, None),
                                ("region_stats(county 140101)", MEASURED_COUNTY, None)):
        region = Region.objects.get(pk=code)
        ms, _figures, queries = province_bench.timed(lambda r=region: stats.region_stats(region=r, month=month), runs)
        rows.append((label, ms, queries, target))
    for label, ms, queries, target in rows:
        against = f"target < {target} ms: {'met' if ms < target else 'MISSED'}" if target else ""
        print(f"  {label:<44} {ms:9.1f} ms   {queries:>2} quer{'y' if queries == 1 else 'ies'}   {against}",
              flush=True)
    sample = counts.get("14") if isinstance(counts, dict) else None
    if sample is not None:
        print(f"  national_counts['14']: {str(sample)[:300]}", flush=True)

    print(f"\nstats_month_rebuild, the {earlier} months before ({load_average()}):", flush=True)
    for each in reversed(window[:-1][-earlier:] if earlier else []):
        rebuild(each)
    if built:
        print(f"  {len(built)} month(s) {sum(built.values()):8.1f} s   "
              f"(mean {sum(built.values()) / len(built):.1f} s a month)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="scale of the row counts (1.0: 2,000,000 children)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--measure-only", action="store_true", help="skip generating: the data is there")
    parser.add_argument("--earlier", type=int, default=11, choices=range(12), metavar="0..11",
                        help="how many months before the reference month to rebuild (timed), latest first")
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error("--scale must be positive")
    print(f"start {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; {load_average()}", flush=True)
    province_bench.ensure_database()
    province_bench.setup_django()
    from django.core.management import call_command
    from django.db import connection

    from children.models import Child
    from core import months

    call_command("migrate", verbosity=0)
    session_settings()
    if not args.measure_only:
        if Child.objects.exists():
            print("the database already holds children: generation skipped (drop the database to rebuild it)")
        else:
            month = months.previous_month(months.current_month())
            window = months.months_ending(month, 12)
            generate(scale=args.scale, window_start=window[0], window_end=months.last_day(window[-1]))
    print(f"\nPostgreSQL {connection.pg_version // 10000}; {load_average()}", flush=True)
    table_sizes()
    measure(month=reference_month(), runs=args.runs, earlier=args.earlier)
    print(f"\nend {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}; {load_average()}", flush=True)


if __name__ == "__main__":
    main()
