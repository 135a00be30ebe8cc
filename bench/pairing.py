#!/usr/bin/env python
"""Latency and query counts of the unpaired list and of suggest_volunteers at province scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aixin_pair_bench \\
        DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python bench/pairing.py
    .venv/bin/python bench/pairing.py            # SQLite at var/bench/pairing.sqlite3

Run it against a database filled by ``manage.py seed_demo --scale province`` (the first run does that
itself when the database has no villages yet). When that database holds fewer than ``--volunteers``
caring mothers or ``--children`` children (default 90,000 and 125,000, the "province" scale the
platform is built for), the missing ones are bulk-inserted spread over the villages, not registered through the
services (that would take hours): the encrypted ID column holds one fixed Fernet token and the
digests are unique fakes, which neither measured path reads. About 88% of the active children then
get a lead caring mother (respecting capacities, nearest first: same township, else same county),
some a helper too; children with a colour get the assessment behind it, one in ten an open need.
Use a dedicated database: the rows are fakes.

It then times, as a province staff member and as a county staff member:

- the unpaired list's first page (``pairing.coverage.unpaired_children``: count + the 50 rows), 20 runs;
- ``pairing.matching.suggest_volunteers`` for 50 random active children of that scope;
- the coverage aggregate (``pairing.coverage.region_coverage``) of the actor's region, 10 runs;

and prints p50 / p95 in milliseconds with the number of queries each took.
"""

import argparse
import os
import random
import statistics
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
    os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'pairing.sqlite3'}"

PROVINCE = "140000000000"
BENCH_PROVINCE_USER, BENCH_COUNTY_USER = "bench_pairing_province", "bench_pairing_county"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = list("小明华红军丽静强磊洋艳勇杰娟涛超芳敏燕鹏秀兰英桂凤梅玉霞春翠")
SKILLS = ["psychological", "tutoring", "legal", "health", "family_education", "heritage", "safety", "arts_sports"]
REASONS = ["guardianship", "health", "mental_health", "schooling", "safety", "family_economy"]
BATCH = 5000


def setup_django() -> None:
    import django

    django.setup()


def ensure_regions() -> None:
    from django.core.management import call_command

    from accounts.models import Region

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(level="village").exists():
        print("no villages yet: running seed_demo --scale province …", flush=True)
        call_command("seed_demo", scale="province")


def _batches(n: int):
    for start in range(0, n, BATCH):
        yield start, min(start + BATCH, n)


def ensure_volunteers(n: int, rng: random.Random, villages: list[str]) -> None:
    from django.db import transaction

    from volunteers.models import Volunteer

    have = Volunteer.objects.count()
    if have >= n:
        return
    print(f"creating {n - have:,} caring mothers (bulk insert)…", flush=True)
    started = time.perf_counter()
    for start, end in _batches(n - have):
        rows = []
        for i in range(have + start, have + end):
            skills = {s for s in SKILLS if rng.random() < 0.18}
            rows.append(Volunteer(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), phone=f"170{i:08d}",
                region_id=rng.choice(villages), capacity=rng.choice([2, 3, 3, 3, 3, 4, 5]),
                status="active" if rng.random() < 0.95 else "inactive", joined_on=date(2023, 1, 1)
                + timedelta(days=rng.randrange(600)), **{f"skill_{s}": True for s in skills}))
        with transaction.atomic():
            Volunteer.objects.bulk_create(rows)
        print(f"  {have + end:,}", end="\r", flush=True)
    print(f"created in {time.perf_counter() - started:.0f} s          ", flush=True)


def ensure_children(n: int, rng: random.Random, villages: list[str]) -> bool:
    from django.db import transaction

    from accounts.models import User
    from children import identity
    from children.models import Child, Need, RiskAssessment, add_years

    have = Child.objects.count()
    if have >= n:
        return False
    print(f"creating {n - have:,} children (bulk insert)…", flush=True)
    token = identity.encrypt("140000201001010000")
    creator = User.objects.get(username=BENCH_PROVINCE_USER)
    started = time.perf_counter()
    for start, end in _batches(n - have):
        children = []
        for i in range(have + start, have + end):
            born = date(2010, 1, 1) + timedelta(days=rng.randrange(365 * 12))
            status = rng.choices(["active", "suspended", "exited"], [92, 3, 5])[0]
            child = Child(
                name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), gender=rng.choice(["male", "female"]),
                birth_date=born, id_number_encrypted=token, id_number_digest=f"benchpair{i:055d}",
                id_number_last4=f"{i % 10000:04d}", region_id=rng.choice(villages), is_left_behind=True,
                status=status, risk_color=rng.choices(["red", "yellow", "green", ""], [8, 22, 60, 10])[0],
                entered_on=date(2024, 9, 1), ages_out_on=add_years(born, 16), created_by=creator)
            if status == "exited":
                child.exited_on, child.exit_reason = date(2025, 6, 30), "parents_returned"
            children.append(child)
        with transaction.atomic():
            Child.objects.bulk_create(children)
            RiskAssessment.objects.bulk_create([
                RiskAssessment(child=c, color=c.risk_color, assessed_on=date(2025, 3, 1),
                               next_review_on=date(2025, 9, 1), assessor=creator,
                               reasons=[] if c.risk_color == "green" else rng.sample(REASONS, rng.randint(1, 2)))
                for c in children if c.risk_color])
            Need.objects.bulk_create([
                Need(child=c, region_id=c.region_id, kind=rng.choice(["material", "study", "health", "psychological"]),
                     description="学习用品", opened_on=date(2025, 4, 1), created_by=creator)
                for c in children if c.status == "active" and rng.random() < 0.1])
        print(f"  {have + end:,}", end="\r", flush=True)
    print(f"created in {time.perf_counter() - started:.0f} s          ", flush=True)
    return True


def pair_children(rng: random.Random) -> None:
    """Give ~88% of the unpaired active children a lead (capacity respected, same township first), and
    one in five of those a helper."""
    from collections import defaultdict

    from django.db import transaction

    from pairing.models import Pairing
    from pairing.services import children_needing_lead
    from volunteers.models import Volunteer

    load = defaultdict(int)
    for volunteer_id in Pairing.objects.filter(role="lead", ended_on__isnull=True).values_list("volunteer_id",
                                                                                              flat=True):
        load[volunteer_id] += 1
    by_township, by_county = defaultdict(list), defaultdict(list)
    for pk, region, capacity in Volunteer.objects.filter(status="active").values_list("pk", "region_id", "capacity"):
        room = capacity - load[pk]
        if room > 0:
            entry = [pk, room]
            by_township[region[:9]].append(entry)
            by_county[region[:6]].append(entry)
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(username=BENCH_PROVINCE_USER)
    waiting = list(children_needing_lead(actor=actor).values_list("pk", "region_id"))
    rows = []
    for child_id, region in waiting:
        if rng.random() > 0.88:
            continue
        pool = [e for e in by_township[region[:9]] if e[1] > 0] or [e for e in by_county[region[:6]] if e[1] > 0]
        if not pool:
            continue
        lead = rng.choice(pool[:20])
        lead[1] -= 1
        rows.append(Pairing(child_id=child_id, volunteer_id=lead[0], role="lead", started_on=date(2025, 3, 1)))
        if rng.random() < 0.2:
            helpers = [e[0] for e in by_county[region[:6]][:50] if e[0] != lead[0]]
            if helpers:
                rows.append(Pairing(child_id=child_id, volunteer_id=rng.choice(helpers), role="helper",
                                    started_on=date(2025, 3, 2)))
    print(f"creating {len(rows):,} pairings (bulk insert)…", flush=True)
    with transaction.atomic():
        Pairing.objects.bulk_create(rows, batch_size=BATCH)


def ensure_users() -> tuple:
    from accounts.models import Region, User
    from accounts.roles import Role

    province, _created = User.objects.get_or_create(username=BENCH_PROVINCE_USER, defaults={
        "name": "基准省级", "role": Role.STAFF, "region_id": PROVINCE})
    county_code = (Region.objects.filter(level="county", code__startswith="1411").order_by("code")
                   .values_list("code", flat=True).first())
    county, _created = User.objects.get_or_create(username=BENCH_COUNTY_USER, defaults={
        "name": "基准县级", "role": Role.STAFF, "region_id": county_code})
    return province, county


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(call) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(queries)


def report(label: str, runs: list[tuple[float, int]]) -> None:
    p50, p95 = percentiles([ms for ms, _q in runs])
    counts = sorted({q for _ms, q in runs})
    shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
    print(f"{label:<46} {len(runs):>5} {p50:>9.1f} {p95:>9.1f} {shown:>8}")


def measure(actor, rng: random.Random, who: str) -> None:
    from django.core.paginator import Paginator

    from children.models import Child
    from pairing.coverage import region_coverage, unpaired_children
    from pairing.matching import suggest_volunteers

    _region = actor.region  # load it now, not inside the first timed call

    def first_page():
        page = Paginator(unpaired_children(actor=actor), 50).get_page(1)
        return page.paginator.count, list(page)

    first_page()  # warm the caches once
    report(f"{who}: unpaired list, first page (50)", [timed(first_page) for _ in range(20)])

    ids = list(Child.objects.visible_to(actor).active().values_list("pk", flat=True))
    sample = rng.sample(ids, min(50, len(ids)))
    children = Child.objects.in_bulk(sample)
    runs = [timed(lambda c=children[pk]: suggest_volunteers(actor=actor, child=c)) for pk in sample]
    report(f"{who}: suggest_volunteers (10), 50 children", runs)

    report(f"{who}: coverage by sub-region", [timed(lambda: region_coverage(actor=actor, region=actor.region))
                                              for _ in range(10)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volunteers", type=int, default=90_000)
    parser.add_argument("--children", type=int, default=125_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    setup_django()
    from django.db import connection

    from accounts.models import Region
    from children.models import Child
    from pairing.models import Pairing
    from volunteers.models import Volunteer

    ensure_regions()
    rng = random.Random(args.seed)
    province_user, county_user = ensure_users()
    villages = list(Region.objects.filter(level="village").values_list("code", flat=True))
    ensure_volunteers(args.volunteers, rng, villages)
    if ensure_children(args.children, rng, villages) or not Pairing.objects.exists():
        pair_children(rng)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    active = Child.objects.filter(status="active").count()
    led = Pairing.objects.filter(role="lead", ended_on__isnull=True).count()
    print(f"database: {connection.vendor}; {Region.objects.filter(level='village').count():,} villages, "
          f"{Volunteer.objects.count():,} caring mothers, {Child.objects.count():,} children "
          f"({active:,} active, {led:,} with a lead)")
    print(f"{'measure':<46} {'runs':>5} {'p50 ms':>9} {'p95 ms':>9} {'queries':>8}")
    measure(province_user, random.Random(args.seed + 1), "province staff")
    measure(county_user, random.Random(args.seed + 2), f"county staff ({county_user.region.name})")


if __name__ == "__main__":
    main()
