#!/usr/bin/env python
"""The phone home page's first-load weight (budget: under 200 KB compressed, nothing from a CDN).

    .venv/bin/python bench/phone_weight.py            # prints a table; exit code 1 over budget

It builds a throwaway in-memory database (Django's test database machinery), registers a caring
mother with three paired children and a few activities through the services, logs her in with
Django's test client and requests /m/ ("我的孩子"). Then it collects what a browser downloads for that
first view: the HTML, every stylesheet and script it links, the web app manifest and the icons (the
page's own and the manifest's), and measures each raw and gzip-compressed (level 9, as whitenoise
does; PNG icons as they are). Static files are read through the staticfiles finders, as the development server serves them.

The budget counts HTML + CSS + JS + manifest + icons. Printed beside it, not budgeted: what the
service worker fetches on that first visit to work offline (/m/sw.js, the offline page, and the
pages it caches ahead: /m/log/, /m/history/, the children's pages).
"""

import gzip
import json
import os
import sys
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # a bench machine, not production: no keys needed
os.environ.pop("DATABASE_URL", None)  # the test database below is SQLite in memory
os.environ.pop("REDIS_URL", None)

BUDGET_BYTES = 200 * 1024
ALREADY_COMPRESSED = (".png", ".jpg", ".jpeg", ".webp", ".woff2")
REGIONS = [("140000000000", "山西省"), ("141100000000", "吕梁市"), ("141102000000", "离石区"),
           ("141102001000", "滨河街道"), ("141102001200", "东关村")]
VILLAGE = "141102001200"


class Assets(HTMLParser):
    """The URLs of the stylesheets, scripts, manifest and icons a page links."""

    KINDS = {"stylesheet": "css", "manifest": "manifest", "icon": "icon", "apple-touch-icon": "icon"}

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href"):
            for rel in (attrs.get("rel") or "").split():
                if rel in self.KINDS:
                    self.found.append((self.KINDS[rel], attrs["href"]))
        elif tag == "script" and attrs.get("src"):
            self.found.append(("js", attrs["src"]))


def setup() -> None:
    import django

    django.setup()


def make_data():
    """A caring mother of 东关村 with three paired children and some history; returns her login."""
    from accounts import idcard
    from accounts.models import Region, User
    from accounts.roles import Role
    from accounts.services import regions_import
    from activities.services import activity_record
    from children.services import GuardianData, child_assess, child_create
    from pairing.services import pairing_create
    from volunteers.services import volunteer_create

    regions_import(rows=REGIONS)
    village = Region.objects.get(pk=VILLAGE)
    staff = User.objects.create_user(username="bench_staff", password="x" * 12, role=Role.STAFF,
                                     region=Region.objects.get(pk="141102000000"), name="李敏")
    login = User.objects.create_user(username="bench_mother", password="x" * 12, role=Role.VOLUNTEER,
                                     region=village, name="陈桂英")
    mother = volunteer_create(actor=staff, name="陈桂英", phone="13900000001", region=village,
                              joined_on=date(2024, 1, 1))
    mother.user = login
    mother.save(update_fields=["user"])
    today = date.today()
    for n, (name, gender, color) in enumerate([("王小雨", "female", "red"), ("欧阳娜娜", "female", "yellow"),
                                                ("李小明", "male", "")]):
        birth = date(2014 + n, 3, 8)
        child = child_create(
            actor=staff, name=name, gender=gender, birth_date=birth, region=village,
            id_number=idcard.generate(region_code6=VILLAGE[:6], birth_date=birth, sex=gender, sequence=n + 1),
            categories=["left_behind"], entered_on=date(2024, 9, 1), school="东关小学", grade="三年级",
            guardians=[GuardianData(name="王大山", relation="祖父", phone=f"1393580000{n}")])
        if color:
            child_assess(actor=staff, child=child, color=color, reasons=["guardianship"],
                         assessed_on=today - timedelta(days=40))
        pairing_create(actor=staff, child=child, volunteer=mother, role="lead", started_on=date(2025, 3, 1))
        for days in (3, 17, 40):
            activity_record(actor=login, children=[child.pk], occurred_on=today - timedelta(days=days + n),
                            kind="home_visit", notes="陪孩子写作业，和奶奶聊了聊近况")
    return login


def read_static(url: str) -> bytes:
    from django.conf import settings
    from django.contrib.staticfiles import finders

    path = finders.find(urlsplit(url).path.removeprefix(settings.STATIC_URL))
    if not path:
        raise SystemExit(f"{url}: not found by the staticfiles finders")
    return Path(path).read_bytes()


def fetch(client, url: str) -> bytes:
    from django.conf import settings

    if urlsplit(url).path.startswith(settings.STATIC_URL):
        return read_static(url)
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    return response.content


def measure(client) -> tuple[list, list]:
    home = client.get("/m/")
    if home.status_code != 200:
        raise SystemExit(f"/m/: HTTP {home.status_code}")
    page = [("html", "/m/", home.content)]
    parser = Assets()
    parser.feed(home.content.decode())
    seen = {"/m/"}
    for kind, url in parser.found:
        if url in seen:
            continue
        seen.add(url)
        body = fetch(client, url)
        page.append((kind, url, body))
        if kind == "manifest":
            for icon in json.loads(body)["icons"]:
                icon_url = urljoin(url, icon["src"])
                if icon_url not in seen:
                    seen.add(icon_url)
                    page.append(("icon", icon_url, fetch(client, icon_url)))
    config = home.context["phone_config"]
    offline = [("sw", config["serviceWorker"], fetch(client, config["serviceWorker"])),
               ("html", "/m/offline/", fetch(client, "/m/offline/"))]
    warm = list(config["warm"]) + [f"/m/children/{c.pk}/" for c in home.context["children"]]
    offline += [("html", url, fetch(client, url)) for url in warm if url not in seen]
    return page, offline


def table(title: str, rows: list) -> tuple[int, int]:
    print(f"\n{title}")
    print(f"  {'kind':<9} {'raw':>9} {'gzip':>9}  url")
    raw_total = gz_total = 0
    for kind, url, body in rows:
        raw = len(body)
        # Images that are compressed already (PNG) are sent as they are, as whitenoise does.
        gz = raw if url.endswith(ALREADY_COMPRESSED) else len(gzip.compress(body, compresslevel=9, mtime=0))
        raw_total, gz_total = raw_total + raw, gz_total + gz
        print(f"  {kind:<9} {raw:>9,} {gz:>9,}  {url}")
    print(f"  {'total':<9} {raw_total:>9,} {gz_total:>9,}")
    return raw_total, gz_total


def main() -> int:
    setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        login = make_data()
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(login)
        page, offline = measure(client)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    external = [url for _kind, url, _body in page if urlsplit(url).netloc]
    _raw, page_gz = table("First load of /m/ (HTML + CSS + JS + manifest + icons):", page)
    _raw, offline_gz = table("Fetched in the background to work offline (service worker, cached pages):", offline)
    print(f"\nfirst-load weight: {page_gz / 1024:.1f} KB gzip  (budget {BUDGET_BYTES // 1024} KB)"
          f"  · with the offline install: {(page_gz + offline_gz) / 1024:.1f} KB")
    if external:
        print(f"EXTERNAL ASSETS (not allowed): {', '.join(external)}")
        return 1
    if page_gz >= BUDGET_BYTES:
        print("OVER BUDGET")
        return 1
    print("within budget, no external assets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
