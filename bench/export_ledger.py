#!/usr/bin/env python
"""Time and peak memory of the ledger's Excel export (children.export) at province scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aixin_bench .venv/bin/python bench/export_ledger.py
    .venv/bin/python bench/export_ledger.py --children 125000        # SQLite at var/bench/export_ledger.sqlite3

The first run migrates the database and creates the bench data: one county of 10 townships and 100
villages holding N children (default 125,000) with a guardian each. They are bulk-inserted, not
registered through children.services (that would take hours): the encrypted ID column holds one
fixed Fernet token and the digests are unique fakes, which the export never reads anyway (it
exports masked numbers from id_number_last4). Later runs reuse the data.

Each export then runs in a fresh child process, so its peak RSS (VmHWM) is the export's own and not
the data generator's. It exports one township (a tenth of the rows) and then the whole county:
a bounded-memory export peaks at about the same RSS for both.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # a bench machine, not production: no keys needed
if "DATABASE_URL" not in os.environ:
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'export_ledger.sqlite3'}"

PROVINCE, CITY, COUNTY = "140000000000", "141100000000", "141102000000"
TOWNSHIPS = [f"141102{t:03d}000" for t in range(1, 11)]
VILLAGES = [f"{t[:9]}{v:03d}" for t in TOWNSHIPS for v in range(1, 11)]
BENCH_USER = "bench_export"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "小明华红军丽静强磊洋艳勇杰娟涛超芳敏燕鹏"


def setup_django() -> None:
    import django

    django.setup()


def rss_mb() -> float:
    """Peak resident memory of this process so far. VmHWM where there is /proc: ru_maxrss survives
    exec on Linux, so a child process would report its parent's peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def ensure_data(n: int) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import User
    from accounts.roles import Role
    from accounts.services import regions_import
    from children import identity
    from children.models import Child, Guardian, add_years

    call_command("migrate", verbosity=0)
    regions_import(rows=[(PROVINCE, "山西省"), (CITY, "吕梁市"), (COUNTY, "离石区"),
                         *[(t, f"第{i + 1}街道") for i, t in enumerate(TOWNSHIPS)],
                         *[(v, f"第{i + 1}村") for i, v in enumerate(VILLAGES)]])
    user, _created = User.objects.get_or_create(username=BENCH_USER, defaults={
        "name": "导出基准", "role": Role.STAFF, "region_id": COUNTY})
    have = Child.objects.filter(region_id__gte=COUNTY[:6] + "000000", region_id__lte=COUNTY[:6] + "999999").count()
    if have >= n:
        return
    print(f"creating {n - have:,} children (bulk insert)…", flush=True)
    rng = random.Random(have)
    token = identity.encrypt("141102201001010000")
    categories = ["left_behind", "in_difficulty", "orphan", "de_facto_unsupported"]
    started = time.perf_counter()
    for start in range(have, n, 5000):
        children = []
        for i in range(start, min(start + 5000, n)):
            born = date(2009, 1, 1) + timedelta(days=rng.randrange(0, 365 * 12))
            cats = {rng.choice(categories)} | ({"left_behind"} if rng.random() < .3 else set())
            child = Child(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), gender=rng.choice(["male", "female"]),
                birth_date=born, id_number_encrypted=token, id_number_digest=f"bench{i:059d}",
                id_number_last4=f"{i % 10000:04d}", region_id=VILLAGES[i % len(VILLAGES)],
                school="第一小学", grade=f"{rng.randint(1, 9)}年级", address=f"{rng.randint(1, 99)}号",
                parents_work_place=rng.choice(["太原市", "北京市", "西安市", ""]),
                status=rng.choices(["active", "suspended", "exited"], [90, 4, 6])[0],
                risk_color=rng.choice(["red", "yellow", "green", ""]), entered_on=date(2024, 9, 1),
                created_by=user, **{f"is_{c}": True for c in cats},
                difficulty_poverty="in_difficulty" in cats,
            )
            child.ages_out_on = add_years(born, 16 if cats == {"left_behind"} else 18)
            if child.status == "exited":
                child.exited_on, child.exit_reason = date(2025, 6, 30), "parents_returned"
            children.append(child)
        with transaction.atomic():
            Child.objects.bulk_create(children)
            Guardian.objects.bulk_create([Guardian(child=c, name=c.name[0] + "大山", relation="祖父",
                                                   phone=f"139{rng.randrange(10 ** 8):08d}") for c in children])
        print(f"  {min(start + 5000, n):,}", end="\r", flush=True)
    print(f"created in {time.perf_counter() - started:.0f} s          ", flush=True)


def measure(region: str) -> dict:
    """Run one export in this (fresh) process and report it."""
    setup_django()
    from accounts.models import User
    from children.export import ledger_export

    user = User.objects.get(username=BENCH_USER)
    baseline = rss_mb()
    started = time.perf_counter()
    export = ledger_export(actor=user, params={"region": region} if region else {})
    seconds = time.perf_counter() - started
    size = os.fstat(export.file.fileno()).st_size
    export.file.close()
    return {"rows": export.rows, "seconds": round(seconds, 1), "peak_rss_mb": round(rss_mb(), 1),
            "baseline_rss_mb": round(baseline, 1), "file_mb": round(size / 2 ** 20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=125_000, help="children in the bench county (default 125000)")
    parser.add_argument("--measure", metavar="REGION", nargs="?", const="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure)))
        return

    setup_django()
    from django.db import connection

    ensure_data(args.children)
    print(f"database: {connection.vendor}; export as a county staff member of {args.children:,} children")
    print(f"{'scope':<12} {'rows':>8} {'seconds':>8} {'rows/s':>8} {'peak RSS':>9} {'before':>8} {'file':>8}")
    for label, region in (("1 township", TOWNSHIPS[0]), ("county", "")):
        out = subprocess.run([sys.executable, __file__, "--measure", region], check=True, capture_output=True,
                             text=True, env=os.environ)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{label:<12} {result['rows']:>8,} {result['seconds']:>8.1f} {result['rows'] / result['seconds']:>8,.0f}"
              f" {result['peak_rss_mb']:>7.0f}MB {result['baseline_rss_mb']:>6.0f}MB {result['file_mb']:>6.1f}MB")


if __name__ == "__main__":
    main()
