#!/usr/bin/env python
"""Activity POSTs per second under gunicorn on PostgreSQL, beside a minimal Django view, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aixin_act .venv/bin/python bench/activity_posts.py
    … --seconds 20 --threads 8 --workers 5   (the defaults: 8 clients; 2 × cores + 1 workers)

What it does:

1. migrates the database in DATABASE_URL (PostgreSQL only) and creates through the services, once,
   a bench township and village under 离石区 and a staff user, and for each run a caring mother of its
   own with a volunteer login and three children she leads (so no visit of the run repeats a stored one);
2. starts gunicorn on 127.0.0.1 (a free port) with its configuration on the command line only (sync
   workers, ``--workers``), production-like settings (DEBUG off; bench-only keys, see BENCH_ENV);
3. logs the caring mother in through ``POST /api/v1/auth/token/``;
4. for ``--seconds`` each, in ``--rounds`` alternating rounds, with ``--threads`` concurrent clients
   (urllib, loopback only, a bounded loop): ``GET /healthz/`` (the minimal view: one ``SELECT 1``) and
   ``POST /api/v1/activities/`` (a home visit, call … with a fresh client UUID, each on a (child, day,
   kind) of its own: token auth, validation, the pairing checks, the insert of the activity and its
   child link, the response built from what was written);
5. prints requests per second, p50 / p95 latency and errors for both, the CPU time each request cost
   the gunicorn workers, PostgreSQL and the clients (from /proc, on Linux), and the ratio (POST ÷
   healthz, per round and over the run: measured alternately, so a busy machine weighs on both) beside
   its target, checks that every 201 stored exactly one activity, and stops gunicorn;
6. posts :data:`IN_PROCESS_POSTS` more visits in this process (django.test.Client, no server) and
   prints the queries one of them takes and their median time.

The activities it posts stay in the database (a bench database, not the app's).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOST = "127.0.0.1"  # loopback only
TOWNSHIP, VILLAGE = "141102901000", "141102901201"
STAFF, VOLUNTEER, PASSWORD = "bench_act_staff", "bench_act_mother", "Bench#Act2026"
PAIRED_SINCE = date(2025, 1, 1)
KINDS = ["home_visit", "call", "tutoring", "reading", "counselling", "letter"]
# POST ÷ healthz requests per second to reach on 2 cores (issue 14).
TARGET_RATIO = 0.2
IN_PROCESS_POSTS = 20
SERVICES = ["emotional", "tutoring", "safety", "guidance"]

# Production-like settings for this bench only (DEBUG off). The keys are fixed so that later runs can
# read the bench children's encrypted ID numbers; they protect nothing but bench data.
_fernet = base64.urlsafe_b64encode(hashlib.sha256(b"aixin-bench-activity-posts").digest()).decode()
BENCH_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DEBUG": "0",
    "SECRET_KEY": "bench-activity-posts-" + hashlib.sha256(b"secret").hexdigest(),
    "ALLOWED_HOSTS": HOST,
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "ID_NUMBER_KEYS": _fernet,
    "ID_NUMBER_HASH_KEY": hashlib.sha256(b"aixin-bench-hash").hexdigest(),
    "LOG_LEVEL": "WARNING",
    # whitenoise warns that there are no collected static files; the bench serves none.
    "PYTHONWARNINGS": "ignore:No directory at",
}


def prepare() -> tuple[str, list[int]]:
    """Migrate, create the bench staff once and a caring mother for this run; returns her login's
    username and the ids of her children."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts import idcard
    from accounts.models import Region, User
    from accounts.roles import Role
    from accounts.services import regions_import
    from children import services as children_services
    from pairing import services as pairing_services
    from volunteers import services as volunteer_services
    from volunteers.models import Volunteer

    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    regions_import(rows=[(TOWNSHIP, "基准测试镇"), (VILLAGE, "基准测试村")])
    village = Region.objects.get(pk=VILLAGE)
    staff = User.objects.filter(username=STAFF).first()
    if staff is None:
        staff = User.objects.create_user(username=STAFF, password=PASSWORD, role=Role.STAFF,
                                         region_id="141102000000", name="基准测试员")
    # A caring mother of the run's own, with three children she leads: her (child, day, kind) slots are all
    # free, so no visit of the run is refused as a repeat.
    run = Volunteer.objects.filter(user__username__startswith=VOLUNTEER).count()
    username = f"{VOLUNTEER}_{run}"
    mother = volunteer_services.volunteer_create(actor=staff, name=f"测试妈妈{run}", phone=f"170{run:08d}",
                                                 region=village, joined_on=PAIRED_SINCE)
    volunteer_services.volunteer_create_login(actor=staff, volunteer=mother, username=username, password=PASSWORD)
    for n, name in enumerate(("测小一", "测小二", "测小三")):
        born = date(2015, 5, 1) + timedelta(days=3 * run + n)
        child = children_services.child_create(
            actor=staff, name=name, gender="female", birth_date=born,
            id_number=idcard.generate(region_code6="141102", birth_date=born, sex="female", sequence=900 + n),
            region=village, categories=["left_behind"], entered_on=PAIRED_SINCE)
        pairing_services.pairing_create(actor=staff, child=child, volunteer=mother, role="lead",
                                        started_on=PAIRED_SINCE)
    children = list(mother.pairings.filter(ended_on__isnull=True).values_list("child_id", flat=True))
    connection.close()
    return username, children


def activity_count(username: str) -> int:
    from activities.models import Activity

    return Activity.objects.filter(volunteer__user__username=username).count()


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "config.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(workers),
               "--worker-class", "sync", "--timeout", "30", "--log-level", "warning"]
    return subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), start_new_session=True)


def request(url: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_up(base: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {process.returncode}")
        try:
            if request(base + "/healthz/")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz/ in time")


def load(make_call, *, seconds: float, threads: int, expect: int, max_per_thread: int = 1_000_000) -> dict:
    """Run ``make_call()`` (returns an HTTP status) from ``threads`` threads for ``seconds``."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors = [0] * threads
    deadline = time.perf_counter() + seconds

    def worker(i: int) -> None:
        rng_calls = 0
        while time.perf_counter() < deadline and rng_calls < max_per_thread:  # bounded
            rng_calls += 1
            started = time.perf_counter()
            try:
                status = make_call()
            except OSError:
                status = 0
            except IndexError:  # no visit left to post (Visits): this client stops
                break
            if status == expect:
                latencies[i].append(time.perf_counter() - started)
            else:
                errors[i] += 1

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    return summary([x for per in latencies for x in per], errors=sum(errors), seconds=elapsed)


def summary(latencies: list[float], *, errors: int, seconds: float) -> dict:
    ordered = sorted(latencies)
    ok = len(ordered)
    return {
        "latencies": ordered, "ok": ok, "errors": errors, "seconds": seconds, "per_second": ok / seconds,
        "p50_ms": statistics.median(ordered) * 1000 if ok else float("nan"),
        "p95_ms": ordered[int(0.95 * (ok - 1))] * 1000 if ok else float("nan"),
    }


def combined(rounds: list[dict]) -> dict:
    """The rounds of one endpoint as one run: requests per second over their summed time, the
    percentiles of all their latencies, the CPU they cost."""
    result = summary([x for r in rounds for x in r["latencies"]], errors=sum(r["errors"] for r in rounds),
                     seconds=sum(r["seconds"] for r in rounds))
    cpu = [r["cpu"] for r in rounds]
    result["cpu"] = None if None in cpu else {who: sum(c[who] for c in cpu) for who in cpu[0]}
    result["per_round"] = [r["per_second"] for r in rounds]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per endpoint")
    # gunicorn's own advice for sync workers, 2 × cores + 1: a worker waiting on the database's disk (a
    # commit) leaves its core to another. More clients than workers keep every worker busy.
    parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=4, help="healthz and POST alternate this many times")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL bench database, e.g. "
                         "postgres://postgres@127.0.0.1:5432/aixin_act")
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)

    username, children = prepare()
    visits = Visits(children)
    before = activity_count(username)
    port = free_port()
    base = f"http://{HOST}:{port}"
    process = start_gunicorn(port, args.workers)
    try:
        wait_until_up(base, process)
        status, body = request(base + "/api/v1/auth/token/", data=json.dumps(
            {"username": username, "password": PASSWORD}).encode(), headers={"Content-Type": "application/json"})
        if status != 200:
            raise SystemExit(f"token login failed: {status} {body[:200]!r}")
        headers = {"Content-Type": "application/json", "Authorization": f"Token {json.loads(body)['token']}"}

        def healthz() -> int:
            return request(base + "/healthz/")[0]

        def post_activity() -> int:
            return request(base + "/api/v1/activities/", data=json.dumps(visits.next_payload()).encode(),
                           headers=headers)[0]

        for _ in range(10):  # warm the workers' connections and imports
            healthz()
            post_activity()
        warm = activity_count(username)
        print(f"gunicorn: {args.workers} sync workers on {base}; {args.threads} client threads, "
              f"{args.seconds:.0f} s per endpoint in {args.rounds} alternating rounds; database {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]}")
        # Alternated in rounds, so that a machine that speeds up or slows down during the run (a shared
        # one does) weighs on both alike.
        rounds: dict[str, list[dict]] = {"healthz": [], "posts": []}
        for _ in range(args.rounds):  # bounded
            for name, call, expect in (("healthz", healthz, 200), ("posts", post_activity, 201)):
                before = cpu_seconds(process.pid)
                result = load(call, seconds=args.seconds / args.rounds, threads=args.threads, expect=expect)
                result["cpu"] = spent(before, cpu_seconds(process.pid))
                rounds[name].append(result)
        minimal, posts = combined(rounds["healthz"]), combined(rounds["posts"])
        stored = activity_count(username) - warm
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    for label, r in (("GET /healthz/ (minimal view)", minimal), ("POST /api/v1/activities/", posts)):
        print(f"{label:32s} {r['per_second']:8.1f} req/s  p50 {r['p50_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms"
              f"  ({r['ok']} ok, {r['errors']} errors in {r['seconds']:.1f} s)")
        if r["cpu"] and r["ok"]:
            print(f"{'':32s} CPU per request: " + ", ".join(
                f"{who} {seconds / r['ok'] * 1000:.2f} ms" for who, seconds in r["cpu"].items()))
    print(f"load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs; clients and server share them)")
    print("per round, POST ÷ healthz: " + ", ".join(
        f"{p / h:.2f}" for h, p in zip(minimal["per_round"], posts["per_round"], strict=True)))
    ratio = posts["per_second"] / minimal["per_second"]
    print(f"POST ÷ healthz: {posts['per_second']:.1f} ÷ {minimal['per_second']:.1f} = {ratio:.2f} "
          f"(target ≥ {TARGET_RATIO} on 2 cores: {'met' if ratio >= TARGET_RATIO else 'NOT met'})")
    print(f"stored activities: {stored} for {posts['ok']} × 201 "
          f"({'one each' if stored == posts['ok'] else 'MISMATCH'}); {warm - before} from the warm-up")
    queries, median_ms = in_process(headers["Authorization"], visits)
    print(f"in process (no server): one POST takes {len(queries)} queries, median {median_ms:.1f} ms "
          f"over {IN_PROCESS_POSTS} POSTs:")
    for n, query in enumerate(queries, 1):
        print(f"  {n}. {query['sql'][:110]}")


def cpu_seconds(server_pid: int) -> dict[str, float] | None:
    """CPU seconds used so far by the gunicorn workers (children of ``server_pid``), PostgreSQL's
    processes and this process (the clients), from /proc; None where there is no /proc."""
    ticks = {"gunicorn": 0, "postgres": 0}
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return None
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                name, _, rest = stat.read().rpartition(")")
        except OSError:  # the process has ended
            continue
        fields = rest.split()
        who = ("gunicorn" if int(fields[1]) == server_pid else
               "postgres" if name.endswith("(postgres") else None)
        if who:
            ticks[who] += int(fields[11]) + int(fields[12])  # utime + stime
    per_second = os.sysconf("SC_CLK_TCK")
    own = os.times()
    return {"server": ticks["gunicorn"] / per_second, "database": ticks["postgres"] / per_second,
            "clients": own.user + own.system}


def spent(before: dict | None, after: dict | None) -> dict[str, float] | None:
    if before is None or after is None:
        return None
    return {who: after[who] - before[who] for who in before}


class Visits:
    """The visits to post: each on its own (child, day, kind) of the run's caring mother, so that none is
    refused as a repeat (a 400, counted as an error), in random order, handed out to the client threads
    one at a time."""

    def __init__(self, children: list[int]):
        span = (date.today() - PAIRED_SINCE).days
        self._free = [(child, PAIRED_SINCE + timedelta(days=day), kind)
                      for child in children for day in range(span) for kind in KINDS]
        random.shuffle(self._free)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._free)

    def next_payload(self) -> dict:
        """A home visit (or call …) with a fresh client UUID; IndexError when none is left."""
        with self._lock:
            child, day, kind = self._free.pop()
        rng = random.Random()
        return {"id": str(uuid.uuid4()), "children": [child], "occurred_on": day.isoformat(), "kind": kind,
                "services": rng.sample(SERVICES, 2), "duration_minutes": rng.choice([20, 40, 60, 90]),
                "notes": "基准测试"}


def in_process(authorization: str, visits: Visits) -> tuple[list[dict], float]:
    """POST IN_PROCESS_POSTS visits through django.test.Client (the whole stack but the server): the
    queries of the last one that answered 201 and the median time of those."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=authorization)
    queries, times = [], []
    for _ in range(IN_PROCESS_POSTS):  # bounded
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.post("/api/v1/activities/", json.dumps(visits.next_payload()),
                                   content_type="application/json")
            elapsed = time.perf_counter() - started
        if response.status_code == 201:
            queries, times = captured.captured_queries, [*times, elapsed]
    connection.close()
    return queries, statistics.median(times) * 1000 if times else float("nan")


if __name__ == "__main__":
    main()
