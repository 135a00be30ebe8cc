#!/usr/bin/env python
"""Time and peak memory of the monthly reports at province scale — the county (离石区), city (吕梁市)
and province (山西省) reports, PDF and Excel — beside the previous figures and the targets of issue 11
(province under 10 s, city under 4 s, each under 400 MB).

    .venv/bin/python bench/reports.py                       # aixin_bench_stats if it exists, see below
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aixin_bench_stats .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --month 2025-05 --formats pdf --png 5
    git archive c652e8f | tar -x -C /tmp/before    # the code before issue 11, to run side by side:
    .venv/bin/python bench/reports.py --compare /tmp/before

The database: DATABASE_URL if set; else ``aixin_bench_stats`` (the province-scale database
bench/stats.py builds with an SQL loader in about two minutes: ~125,000 children, ~90,000 caring
mothers, ~2,000,000 activities; ``DATABASE_URL=… bench/stats.py`` builds it under another name) when
it exists; else ``aixin_bench_reports``, created and filled by ``manage.py seed_demo --scale
province`` on the first run (long: the seeding writes every row through the ORM).

Each report is made in a child process of its own, so the peak memory printed (VmHWM of
/proc/self/status, the process's resident high-water mark, as ``resource.getrusage``'s ru_maxrss) is
that report's alone; the baseline is the same process's VmHWM after Django, WeasyPrint and openpyxl
are loaded, before the report. The time is split into the figures (reports.generator.build_report:
the statistics service's queries — for the province, its cities' and counties' figures in one
grouped pass, stats.region_stats_by_subregion — and the 12-month trend, one grouped query per
measure) and the rendering (the formatter).

"before" is the total time of the same report made by the code in ``--compare DIR`` (a checkout of
an earlier commit: its own bench/reports.py makes the report, on the same database, in a child
process the same way), else the figure measured before issue 11 where there is one (the province
PDF: 58 s). Files are written to var/bench/reports/; ``--png N`` converts page N of the province PDF
to PNG there (pdftoppm) to look at.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # a bench machine, not production: no keys needed
OUT = ROOT / "var" / "bench" / "reports"
os.environ.setdefault("PRIVATE_STORAGE_ROOT", str(OUT / "private"))

PG = "postgres://postgres@127.0.0.1:5432/"
STATS_DB, OWN_DB = "aixin_bench_stats", "aixin_bench_reports"
REPORTS = (("county", "141102000000"), ("city", "141100000000"), ("province", "140000000000"))
# Issue 11: "the province report takes about 58 s" (PDF, at province scale, before it).
PREVIOUS_S = {("province", "pdf"): 58.0}
TARGET_S = {"city": 4.0, "province": 10.0}
TARGET_MB = 400


def _database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _create_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG + "postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def choose_database() -> str:
    """DATABASE_URL, else aixin_bench_stats, else our own seeded database (created here if needed)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    if _database_exists(STATS_DB):
        return PG + STATS_DB
    if not _database_exists(OWN_DB):
        _create_database(OWN_DB)
    return PG + OWN_DB


def vm_hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def ensure_data() -> None:
    from django.core.management import call_command

    from accounts.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(level="village").exists():
        print("no villages yet: running seed_demo --scale province (this takes a while) …", flush=True)
        call_command("seed_demo", scale="province")


def default_month() -> str:
    """The last complete month that has activities."""
    from django.db.models import Max

    from activities.models import Activity
    from core import months

    latest = Activity.objects.aggregate(last=Max("occurred_on"))["last"]
    month = months.first_day(latest) if latest else months.previous_month(months.current_month())
    if month >= months.current_month():
        month = months.previous_month(months.current_month())
    return months.label(month)


def one_report(code: str, fmt: str, month_text: str) -> dict:
    """Make one report in this process; return its timings and memory."""
    import django

    django.setup()
    import openpyxl  # noqa: F401 - loaded before the baseline, like a worker that has made reports before
    import weasyprint  # noqa: F401
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Region
    from core import months
    from reports import generator
    from reports.formatters import formatter_for

    region = Region.objects.get(pk=code)
    month = months.parse_month(month_text)
    baseline = vm_hwm_kb()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        data = generator.build_report(region=region, month=month)
    figures_at = time.perf_counter()
    content = formatter_for(fmt)(data)
    done = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{region.level}-{code}-{month_text}.{fmt}"
    path.write_bytes(content)
    pages = None
    if fmt == "pdf":
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        pages = next((int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:")), None)
    return {"region": region.name, "level": region.level, "format": fmt, "figures_s": figures_at - started,
            "render_s": done - figures_at, "total_s": done - started, "queries": len(queries),
            "baseline_mb": baseline / 1024, "peak_mb": vm_hwm_kb() / 1024, "bytes": len(content),
            "pages": pages, "path": str(path)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--month", help="YYYY-MM (default: the last complete month with activities)")
    parser.add_argument("--formats", default="pdf,xlsx", help="comma-separated: pdf,xlsx")
    parser.add_argument("--png", type=int, default=0, metavar="PAGE",
                        help="convert this page of the province PDF to PNG (pdftoppm)")
    parser.add_argument("--compare", metavar="DIR",
                        help="a checkout of earlier code: make each report with it too, for the 'before' column")
    parser.add_argument("--one", nargs=3, metavar=("CODE", "FORMAT", "MONTH"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.one:
        print(json.dumps(one_report(*args.one)))
        return

    os.environ["DATABASE_URL"] = choose_database()
    import django

    django.setup()
    ensure_data()
    month = args.month or default_month()

    from activities.models import Activity
    from children.models import Child
    from volunteers.models import Volunteer

    db = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    print(f"database {db}: {Child.objects.count():,} children, {Volunteer.objects.count():,} caring mothers, "
          f"{Activity.objects.count():,} activities; month {month}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} CPUs", flush=True)
    print(f"{'report':<22}{'format':<7}{'figures s':>10}{'render s':>10}{'total s':>9}{'before s':>10}"
          f"{'target s':>10}{'queries':>9}{'pages':>7}{'size KB':>9}{'base MB':>9}{'peak MB':>9}  ok", flush=True)
    results = []
    for fmt in [f.strip() for f in args.formats.split(",") if f.strip()]:
        for level, code in REPORTS:
            r = run_one(Path(__file__), code, fmt, month)
            results.append(r)
            before = (run_one(Path(args.compare) / "bench" / "reports.py", code, fmt, month)["total_s"]
                      if args.compare else PREVIOUS_S.get((level, fmt)))
            target = TARGET_S.get(level)
            ok = (target is None or r["total_s"] < target) and r["peak_mb"] < TARGET_MB
            print(f"{r['region'] + ' (' + r['level'] + ')':<22}{r['format']:<7}{r['figures_s']:>10.2f}"
                  f"{r['render_s']:>10.2f}{r['total_s']:>9.2f}{_or_dash(before, '.2f'):>10}"
                  f"{_or_dash(target, '.0f'):>10}{r['queries']:>9}{r['pages'] or '':>7}"
                  f"{r['bytes'] / 1024:>9.0f}{r['baseline_mb']:>9.0f}{r['peak_mb']:>9.0f}  {'yes' if ok else 'NO'}",
                  flush=True)
    print(f"targets: province < {TARGET_S['province']:.0f} s, city < {TARGET_S['city']:.0f} s, every report's "
          f"peak < {TARGET_MB} MB; 'before': "
          + (f"the code in {args.compare}" if args.compare else "issue 11's measurement (province PDF)"))
    province_pdf = next((r["path"] for r in results if r["level"] == "province" and r["format"] == "pdf"), None)
    if args.png and province_pdf:
        prefix = OUT / f"province-page{args.png}"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(args.png), "-l", str(args.png), "-singlefile",
                        province_pdf, str(prefix)], check=True)
        print(f"page {args.png} of the province PDF: {prefix}.png")


def run_one(script: Path, code: str, fmt: str, month: str) -> dict:
    """One report made by ``script --one`` in a child process of its own: its JSON line."""
    # Run in the checkout's own folder: Celery's app loading puts the working directory first on sys.path.
    child = subprocess.run([sys.executable, str(script), "--one", code, fmt, month], capture_output=True,
                           text=True, env=os.environ.copy(), cwd=script.resolve().parents[1])
    if child.returncode != 0:
        print(child.stderr, file=sys.stderr)
        raise SystemExit(f"the {code} {fmt} report failed ({script})")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _or_dash(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


if __name__ == "__main__":
    main()
