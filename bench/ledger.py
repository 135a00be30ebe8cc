"""Ledger read budget: p50/p95 of the children ledger page and API for a county user and a province
user, beside Django admin's changelist over the same rows as a reference.

Run against a province-scale database (e.g. one filled by `manage.py seed_demo --scale province`):

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/aixin_bench_stats .venv/bin/python bench/ledger.py

It creates (once) three bench users in that database: a county staff member at the county with the
most children, a province admin, and a superuser for the admin changelist. Prints figures; asserts nothing.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.db.models.functions import Substr  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Region, User  # noqa: E402
from children.models import Child  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "20"))


def bench_user(username: str, **fields) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, **fields)
    return user


def measure(client: Client, url: str) -> tuple[float, float, int, int]:
    client.get(url)  # warm-up (connections, caches, template loading)
    times = []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries), response.status_code


def main() -> None:
    total = Child.objects.count()
    if total == 0:
        sys.exit("No children in this database: fill it with `manage.py seed_demo --scale province` first.")
    county_code = (Child.objects.annotate(county=Substr("region_id", 1, 6)).values("county")
                   .order_by().annotate(n=django.db.models.Count("pk")).order_by("-n").first()["county"])
    county = Region.objects.get(pk=county_code.ljust(12, "0"))
    province = Region.objects.get(pk="140000000000")
    actors = {
        f"county staff ({county.name})": bench_user("bench_county_staff", role="staff", region=county),
        "province admin": bench_user("bench_province_admin", role="admin", region=province, is_staff=True),
    }
    superuser = bench_user("bench_superuser", is_superuser=True, is_staff=True)
    print(f"{total:,} children; {RUNS} requests per line after one warm-up; database "
          f"{connection.vendor} {connection.settings_dict['NAME']}")
    print(f"{'who':34} {'what':38} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    rows = []
    for label, user in actors.items():
        client = Client()
        client.force_login(user)
        rows += [(label, "ledger page /children/", client, "/children/"),
                 (label, "ledger API /api/v1/children/", client, "/api/v1/children/"),
                 (label, "ledger page, red, searched", client, "/children/?risk_color=red&search=小"),
                 (label, "ledger page, page 50", client, "/children/?page=50")]
    admin_client = Client()
    admin_client.force_login(superuser)
    rows.append(("superuser (reference)", "Django admin changelist", admin_client, "/admin/children/child/"))
    for label, what, client, url in rows:
        p50, p95, queries, _status = measure(client, url)
        print(f"{label:34} {what:38} {p50:8.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
