#!/usr/bin/env python
"""The statistics service at province scale, beside ONE hand-written SQL query giving the same numbers.

    .venv/bin/python bench/stats.py            # PostgreSQL database aixin_bench_stats (created if missing)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/other .venv/bin/python bench/stats.py

The database is filled once, then reused: the real province, cities and counties with made-up
townships and villages (seed_demo's regions step), then — when it holds fewer than ``--children``
bench children — ~125,000 children, ~90,000 caring mothers and ~2,000,000 activities written by
``INSERT … SELECT generate_series`` (about two minutes: foreign-key triggers off for the load when
the role may, the activity tables' secondary indexes rebuilt after it, then VACUUM ANALYZE), with
the dated history the statistics read:
a registration StatusChange per child (exits and suspensions dated inside the last 12 months),
risk assessments (some reassessed), lead pairings (some ended and replaced, some helpers),
VolunteerStatusChange rows, activities over the 12 months up to the reference month (16 a child a
year), trainings and needs. Everything is derived from hashes of the row number, so a rebuild gives
the same rows. Use a dedicated database: the rows are fakes.

Then, for the reference month (last month), it prints the p50 of 5 runs of:

- ``reports.stats.region_stats`` for the province (its 11 cities as sub-regions), a city, a county,
  computed live (``live=True``: from the raw rows, not the analytics table);
- ``reports.stats.monthly_trend`` for the province (12 months, live);
- ONE hand-written SQL query computing the headline numbers for the province's 11 cities,

asserts that the hand-written query and the service agree city by city (16 figures: children active,
paired, without activity, by colour, new, exited; volunteers active and paired; activities, 人次, aid;
trainings and their 人次), and prints the ratio
service / hand-written SQL beside its target, at most ``RATIO_TARGET`` (1.3) (the figure that matters: what the ORM-built, fixed-query service costs
over the best one query we could write by hand; the service computes about three times as many
figures — categories, statuses, overdue by colour, needs … — in its 7). Both run with PostgreSQL's
JIT off, as every connection of the app (config/settings.py).

Then (unless ``--skip-table``) the analytics table: each of the 12 months built by
``reports.analytics.stats_month_rebuild`` (seconds and rows per month), and the same statistics read
from it for the closed reference month — the province beside its target (under 300 ms), a city, a
county, the province's 12-month trend and its report pass (region_stats_by_subregion) — and checks
that the table's figures equal the live computation's for the province and each city.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")  # a bench machine, not production: no keys needed
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/aixin_bench_stats")

PROVINCE, CITY, COUNTY = "140000000000", "141100000000", "141102000000"
DIGEST_PREFIX, PHONE_PREFIX = "benchstats", "171"
RATIO_TARGET = 1.3  # the live province statistics at most this many times the hand-written query (issue 14)
KINDS = [("home_visit", 40), ("call", 25), ("tutoring", 10), ("counselling", 5), ("material_aid", 8),
         ("safety_education", 4), ("reading", 3), ("outing", 2), ("festival", 2), ("other", 1)]
ACTIVITY_TABLES = ("activities_activity", "activities_activitychild")
HEADLINE = ("children_active", "children_paired", "children_without_activity", "children_by_risk.red",
            "children_by_risk.yellow", "children_by_risk.green", "children_by_risk.unassessed", "children_new",
            "children_exited",
            "volunteers_active", "volunteers_paired", "activities", "participant_times", "aid_value_yuan",
            "trainings", "training_participant_times")


def ensure_database() -> None:
    """Create the database named in DATABASE_URL when it does not exist yet."""
    from urllib.parse import urlparse

    import psycopg

    url = urlparse(os.environ["DATABASE_URL"])
    if not url.scheme.startswith("postgres"):
        sys.exit("bench/stats.py needs PostgreSQL (its data generator is PostgreSQL SQL).")
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}", flush=True)


def setup_django() -> None:
    import django

    django.setup()


def ensure_regions() -> None:
    from django.core.management import call_command

    from accounts.models import Region
    from demo.context import SeedContext
    from demo.regions import seed_regions
    from demo.scales import SCALES
    from demo.steps import run_steps

    call_command("migrate", verbosity=0)
    if Region.objects.filter(level="village").count() < 20000:
        print("regions: seed_demo's regions step at province scale …", flush=True)
        run_steps(SeedContext(spec=SCALES["province"], seed=1, stdout=sys.stdout),
                  [seed_regions])


def _step(cursor, label: str, sql: str, params: dict | None = None) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params or {})
    print(f"  {label:<34} {cursor.rowcount if cursor.rowcount >= 0 else '':>10} "
          f"({time.perf_counter() - started:.1f} s)", flush=True)


def generate(*, children: int, volunteers: int, activities: int, window_start: date, window_end: date,
             provinces: tuple[str, ...] = ("14",), bulk_tables: tuple[str, ...] = ACTIVITY_TABLES) -> None:
    """Fill the database with SQL (PostgreSQL): see the module docstring.

    The rows go in the townships, villages and counties under the ``provinces`` (2-digit code
    prefixes); the ``bulk_tables``' secondary indexes are dropped before the load and rebuilt after
    the activities (bench/national.py passes every big table).
    """
    from django.db import connection, transaction

    p = {"n_kids": children, "n_vols": volunteers, "n_acts": activities, "ws": window_start, "we": window_end,
         "span": (window_end - window_start).days + 1, "before": (window_start - date(2023, 1, 1)).days,
         "digest": DIGEST_PREFIX, "phone": PHONE_PREFIX}
    kind_case = "CASE " + " ".join(
        f"WHEN k < {sum(w for _k, w in KINDS[:i + 1])} THEN '{kind}'" for i, (kind, _w) in enumerate(KINDS)) + " END"
    started = time.perf_counter()
    print(f"generating {children:,} children, {volunteers:,} caring mothers, {activities:,} activities …", flush=True)
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if c.fetchone()[0]:  # foreign keys are right by construction: skip their per-row checks
            c.execute("SET LOCAL session_replication_role = replica")
        c.execute("CREATE OR REPLACE FUNCTION pg_temp.h(i bigint, salt int) RETURNS bigint "
                  "LANGUAGE sql IMMUTABLE AS $$ SELECT abs(hashtextextended(i::text, salt)) $$")
        for level, name in (("village", "bench_v"), ("township", "bench_t"), ("county", "bench_c")):
            c.execute(f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT code, row_number() OVER (ORDER BY code) "
                      f"AS rn FROM accounts_region WHERE level = %s AND left(code, 2) = ANY(%s)", [level, list(provinces)])
        c.execute("SELECT (SELECT count(*) FROM bench_v), (SELECT count(*) FROM bench_t), (SELECT count(*) FROM bench_c)")
        p["nv"], p["nt"], p["nc"] = c.fetchone()
        # Bulk load: the big tables' secondary indexes are dropped and rebuilt after (far faster
        # than maintaining them row by row); their ids are sequential (B-tree appends).
        c.execute("""SELECT i.indexname, i.indexdef FROM pg_indexes i
                     WHERE i.tablename = ANY(%s)
                       AND i.indexname NOT IN (SELECT conname FROM pg_constraint)""", [list(bulk_tables)])
        secondary = c.fetchall()
        for name, _definition in secondary:
            c.execute(f'DROP INDEX "{name}"')

        # Children: where, when they entered, exits and suspensions inside the window, colours.
        _step(c, "child plan", """
            CREATE TEMP TABLE bench_kid ON COMMIT DROP AS
            SELECT g.i, CASE WHEN g.p < 94 THEN v.code WHEN g.p < 99 THEN t.code ELSE cc.code END AS region_id,
                   g.entered_on,
                   CASE WHEN g.e < 8 THEN g.entered_on + 1 + (pg_temp.h(g.i, 7) %% greatest(1, %(we)s::date - g.entered_on))::int
                   END AS exited_on,
                   CASE WHEN g.e BETWEEN 8 AND 10 THEN g.entered_on + 1 + (pg_temp.h(g.i, 8) %% greatest(1, %(we)s::date - g.entered_on))::int
                   END AS suspended_on,
                   pg_temp.h(g.i, 9) %% 100 AS risk, pg_temp.h(g.i, 10) %% 100 AS risk2, pg_temp.h(g.i, 11) %% 100 AS risk2c,
                   pg_temp.h(g.i, 12) %% 100 AS cat, pg_temp.h(g.i, 13) %% 100 AS pairing
            FROM (SELECT i, pg_temp.h(i, 2) %% 100 AS p, pg_temp.h(i, 3) AS x, pg_temp.h(i, 6) %% 100 AS e,
                         CASE WHEN pg_temp.h(i, 4) %% 100 < 12 THEN %(ws)s::date + (pg_temp.h(i, 5) %% %(span)s)::int
                              ELSE date '2023-01-01' + (pg_temp.h(i, 5) %% %(before)s)::int END AS entered_on
                  FROM generate_series(1, %(n_kids)s) AS i) g
            JOIN bench_v v ON v.rn = g.x %% %(nv)s + 1
            JOIN bench_t t ON t.rn = g.x %% %(nt)s + 1
            JOIN bench_c cc ON cc.rn = g.x %% %(nc)s + 1""", p)
        c.execute("UPDATE bench_kid SET exited_on = NULL WHERE exited_on > %(we)s", p)
        c.execute("UPDATE bench_kid SET suspended_on = NULL WHERE suspended_on > %(we)s", p)
        _step(c, "children", """
            INSERT INTO children_child (name, gender, birth_date, id_number_encrypted, id_number_digest, id_number_last4,
                is_left_behind, is_in_difficulty, is_orphan, is_de_facto_unsupported, difficulty_poverty,
                difficulty_disability, difficulty_guardianship, school, grade, address, household, parents_work_place,
                notes, status, entered_on, exited_on, exit_reason, risk_color, next_review_on, ages_out_on, created_at,
                updated_at, created_by_id, region_id, retention_hold_reason)
            SELECT '童' || i, CASE WHEN i %% 2 = 0 THEN 'male' ELSE 'female' END, date '2011-01-01' + (i %% 3650)::int,
                'bench', %(digest)s || lpad(i::text, 54, '0'), lpad((i %% 10000)::text, 4, '0'),
                cat < 70, cat BETWEEN 70 AND 84, cat BETWEEN 85 AND 91, cat >= 92, cat BETWEEN 70 AND 84, false, false,
                '', '', '', 'rural', '', '',
                CASE WHEN exited_on IS NOT NULL THEN 'exited' WHEN suspended_on IS NOT NULL THEN 'suspended'
                     ELSE 'active' END,
                entered_on, exited_on, CASE WHEN exited_on IS NOT NULL THEN 'parents_returned' ELSE '' END,
                CASE WHEN risk < 8 THEN 'red' WHEN risk < 30 THEN 'yellow' WHEN risk < 92 THEN 'green' ELSE '' END,
                NULL, NULL, now(), now(), NULL, region_id, ''
            FROM bench_kid ORDER BY i""", p)
        c.execute("ALTER TABLE bench_kid ADD COLUMN child_id bigint")
        c.execute("UPDATE bench_kid k SET child_id = c.id FROM children_child c "
                  "WHERE c.id_number_digest = %(digest)s || lpad(k.i::text, 54, '0')", p)
        c.execute("CREATE INDEX ON bench_kid (i)")
        _step(c, "status changes", """
            INSERT INTO children_statuschange (from_status, to_status, reason, note, effective_on, recorded_at, child_id)
            SELECT '', 'active', '', '', entered_on, now(), child_id FROM bench_kid
            UNION ALL SELECT 'active', 'exited', 'parents_returned', '', exited_on, now(), child_id
                      FROM bench_kid WHERE exited_on IS NOT NULL
            UNION ALL SELECT 'active', 'suspended', '', '', suspended_on, now(), child_id
                      FROM bench_kid WHERE suspended_on IS NOT NULL""", p)
        _step(c, "risk assessments", """
            INSERT INTO children_riskassessment (color, reasons, note, assessed_on, next_review_on, recorded_at, child_id)
            SELECT CASE WHEN risk < 8 THEN 'red' WHEN risk < 30 THEN 'yellow' ELSE 'green' END, '[]'::jsonb, '',
                   entered_on + 5, entered_on + 95, now(), child_id FROM bench_kid WHERE risk < 92
            UNION ALL
            SELECT CASE WHEN risk2c < 10 THEN 'red' WHEN risk2c < 35 THEN 'yellow' ELSE 'green' END, '[]'::jsonb, '',
                   entered_on + 5 + (30 + pg_temp.h(i, 14) %% 300)::int, entered_on + 400, now(), child_id
            FROM bench_kid WHERE risk < 92 AND risk2 < 30
                 AND entered_on + 5 + (30 + pg_temp.h(i, 14) %% 300)::int <= %(we)s""", p)

        c.execute("""UPDATE children_child c SET risk_color = latest.color FROM (
                         SELECT DISTINCT ON (child_id) child_id, color FROM children_riskassessment
                         ORDER BY child_id, assessed_on DESC, recorded_at DESC, id DESC) latest
                     WHERE latest.child_id = c.id AND c.risk_color <> latest.color""")

        # Caring mothers, with their dated history.
        _step(c, "caring mothers", """
            INSERT INTO volunteers_volunteer (name, phone, sector, employer, capacity, status, joined_on, left_on, notes,
                skill_psychological, skill_tutoring, skill_legal, skill_health, skill_family_education, skill_heritage,
                skill_safety, skill_arts_sports, created_at, updated_at, region_id, retention_hold_reason)
            SELECT '母' || i, %(phone)s || lpad(i::text, 8, '0'), 'other', '', 3,
                   CASE WHEN pg_temp.h(i, 31) %% 100 < 6 THEN 'inactive' ELSE 'active' END,
                   date '2022-01-01' + (pg_temp.h(i, 32) %% (%(we)s::date - date '2022-01-01'))::int,
                   CASE WHEN pg_temp.h(i, 31) %% 100 < 6 THEN %(we)s::date END, '',
                   false, false, false, false, false, false, false, false, now(), now(), v.code, ''
            FROM generate_series(1, %(n_vols)s) AS i JOIN bench_v v ON v.rn = pg_temp.h(i, 33) %% %(nv)s + 1""", p)
        c.execute("""CREATE TEMP TABLE bench_vol ON COMMIT DROP AS
            SELECT row_number() OVER (ORDER BY id) AS rn, id, joined_on, left_on FROM volunteers_volunteer
            WHERE phone LIKE %(phone)s || '%%'""", p)
        # Leavers left at some point after joining, inside the window when they could.
        c.execute("""UPDATE volunteers_volunteer v SET left_on = greatest(b.joined_on,
                         %(ws)s::date + (pg_temp.h(b.rn, 34) %% %(span)s)::int)
                     FROM bench_vol b WHERE v.id = b.id AND v.status = 'inactive'""", p)
        c.execute("UPDATE volunteers_volunteer SET left_on = joined_on WHERE left_on < joined_on")
        _step(c, "volunteer status changes", """
            INSERT INTO volunteers_volunteerstatuschange (from_status, to_status, effective_on, reason, recorded_at,
                                                          volunteer_id)
            SELECT '', 'active', joined_on, '', now(), id FROM volunteers_volunteer WHERE phone LIKE %(phone)s || '%%'
            UNION ALL
            SELECT 'active', 'inactive', left_on, '', now(), id FROM volunteers_volunteer
            WHERE phone LIKE %(phone)s || '%%' AND status = 'inactive'""", p)

        # Pairings: ~90% get a lead from when they entered; 6% of those switched lead inside the window;
        # 10% a helper; exits end them.
        _step(c, "lead pairings", """
            CREATE TEMP TABLE bench_lead ON COMMIT DROP AS
            SELECT k.i, k.child_id, k.region_id, k.exited_on, v1.id AS volunteer_id, v2.id AS other_id,
                   least(k.entered_on + (pg_temp.h(k.i, 17) %% 30)::int, coalesce(k.exited_on, %(we)s::date)) AS started_on,
                   pg_temp.h(k.i, 18) %% 100 AS fate
            FROM bench_kid k
            JOIN bench_vol v1 ON v1.rn = pg_temp.h(k.i, 15) %% %(n_vols)s + 1
            JOIN bench_vol v2 ON v2.rn = pg_temp.h(k.i, 16) %% %(n_vols)s + 1
            WHERE k.pairing < 90""", p)
        c.execute("""UPDATE bench_lead SET fate = 100 WHERE fate < 6 AND
                     least(greatest(started_on, %(ws)s::date) + (pg_temp.h(i, 19) %% 200)::int, %(we)s::date)
                     >= coalesce(exited_on, %(we)s::date)""", p)
        _step(c, "pairings", """
            INSERT INTO pairing_pairing (role, started_on, ended_on, end_reason, end_note, created_at, child_id, volunteer_id)
            SELECT 'lead', started_on,
                   CASE WHEN fate < 6 THEN least(greatest(started_on, %(ws)s::date) + (pg_temp.h(i, 19) %% 200)::int, %(we)s::date)
                        ELSE exited_on END,
                   CASE WHEN fate < 6 THEN 'reassigned' WHEN exited_on IS NOT NULL THEN 'child_exited' ELSE '' END,
                   '', now(), child_id, volunteer_id FROM bench_lead
            UNION ALL
            SELECT 'lead', least(greatest(started_on, %(ws)s::date) + (pg_temp.h(i, 19) %% 200)::int, %(we)s::date),
                   exited_on, CASE WHEN exited_on IS NOT NULL THEN 'child_exited' ELSE '' END, '', now(), child_id, other_id
            FROM bench_lead WHERE fate < 6 AND other_id <> volunteer_id
            UNION ALL
            SELECT 'helper', started_on, exited_on, CASE WHEN exited_on IS NOT NULL THEN 'child_exited' ELSE '' END, '',
                   now(), child_id, other_id
            FROM bench_lead WHERE fate BETWEEN 10 AND 19 AND other_id <> volunteer_id""", p)

        # Activities over the window: each for one paired child, by its lead, in the child's region.
        c.execute("CREATE TEMP TABLE bench_pc ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY i) AS rn, "
                  "child_id, volunteer_id, region_id FROM bench_lead")
        c.execute("CREATE INDEX ON bench_pc (rn)")
        c.execute("SELECT count(*) FROM bench_pc")
        p["n_pc"] = c.fetchone()[0]
        _step(c, "activity plan", f"""
            CREATE TEMP TABLE bench_act ON COMMIT DROP AS
            SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(j), 12, '0'))::uuid AS id,
                   pc.child_id, pc.volunteer_id, pc.region_id,
                   %(ws)s::date + (pg_temp.h(j, 21) %% %(span)s)::int AS occurred_on, {kind_case} AS kind,
                   CASE WHEN pg_temp.h(j, 23) %% 100 < 15 THEN 2 + (pg_temp.h(j, 24) %% 4)::int ELSE 1 END AS participants,
                   j
            FROM (SELECT j, pg_temp.h(j, 20) %% %(n_pc)s + 1 AS rn, pg_temp.h(j, 22) %% 100 AS k
                  FROM generate_series(1, %(n_acts)s) AS j) g
            JOIN bench_pc pc ON pc.rn = g.rn""", p)
        _step(c, "activities", """
            INSERT INTO activities_activity (id, occurred_on, kind, services, is_group, title, duration_minutes, place,
                participants, aid_value_yuan, notes, follow_up, content_digest, created_at, updated_at, region_id,
                volunteer_id)
            SELECT id, occurred_on, kind, '[]'::jsonb, false, '', 30, '', participants,
                   CASE WHEN kind = 'material_aid' THEN (50 + pg_temp.h(j, 25) %% 451)::numeric + 0.50 ELSE 0 END,
                   '', false, md5(id::text), now(), now(), region_id, volunteer_id
            FROM bench_act""", p)
        _step(c, "activity children", """
            INSERT INTO activities_activitychild (occurred_on, activity_id, child_id, region_id)
            SELECT occurred_on, id, child_id, region_id FROM bench_act""", p)
        started_indexes = time.perf_counter()
        for _name, definition in secondary:
            c.execute(definition)
        rebuilt = "activity indexes rebuilt" if bulk_tables == ACTIVITY_TABLES else "secondary indexes rebuilt"
        print(f"  {rebuilt:<34} {len(secondary):>10} "
              f"({time.perf_counter() - started_indexes:.1f} s)", flush=True)

        # Trainings: every county monthly, every township quarterly.
        _step(c, "trainings", """
            INSERT INTO volunteers_training (title, held_on, topic, organiser, participants, region_id)
            SELECT '赋能培训', (date_trunc('month', %(ws)s::date) + make_interval(months => m))::date
                               + (pg_temp.h(r.rn * 100 + m, 41) %% 28)::int, '', '',
                   20 + (pg_temp.h(r.rn * 100 + m, 42) %% 40)::int, r.code
            FROM bench_c r CROSS JOIN generate_series(0, 11) AS m
            UNION ALL
            SELECT '乡镇培训', (date_trunc('month', %(ws)s::date) + make_interval(months => m))::date
                               + (pg_temp.h(r.rn * 100 + m, 43) %% 28)::int, '', '',
                   10 + (pg_temp.h(r.rn * 100 + m, 44) %% 20)::int, r.code
            FROM bench_t r CROSS JOIN generate_series(0, 11, 3) AS m""", p)
        _step(c, "needs", """
            INSERT INTO children_need (kind, description, status, value_yuan, opened_on, claimed_on, claimed_by_name,
                fulfilled_on, closed_note, created_at, updated_at, child_id, region_id)
            SELECT 'material', '学习用品', CASE WHEN f < 50 THEN 'fulfilled' ELSE 'open' END, NULL, opened_on,
                   CASE WHEN f < 50 THEN opened_on END, CASE WHEN f < 50 THEN '爱心企业' ELSE '' END,
                   CASE WHEN f < 50 THEN least(opened_on + (pg_temp.h(i, 53) %% 40)::int, %(we)s::date) END, '',
                   now(), now(), child_id, region_id
            FROM (SELECT k.i, k.child_id, k.region_id, pg_temp.h(k.i, 52) %% 100 AS f,
                         greatest(k.entered_on, %(ws)s::date + (pg_temp.h(k.i, 51) %% %(span)s)::int) AS opened_on
                  FROM bench_kid k WHERE pg_temp.h(k.i, 50) %% 100 < 12 AND k.exited_on IS NULL) n
            WHERE opened_on <= %(we)s""", p)
    with connection.cursor() as c:
        c.execute("VACUUM (ANALYZE)")  # statistics, and the visibility map index-only scans need
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)


# --- the hand-written query ----------------------------------------------------------------------

HAND_SQL = """
WITH st AS (            -- every child's status on the day: its latest history row
    SELECT DISTINCT ON (child_id) child_id, to_status FROM children_statuschange
    WHERE effective_on <= %(day)s ORDER BY child_id, effective_on DESC, id DESC),
lead AS (SELECT DISTINCT child_id FROM pairing_pairing
         WHERE role = 'lead' AND started_on <= %(day)s AND (ended_on IS NULL OR ended_on > %(day)s)),
seen AS (SELECT DISTINCT child_id FROM activities_activitychild WHERE occurred_on BETWEEN %(first)s AND %(last)s),
colour AS (SELECT DISTINCT ON (child_id) child_id, color FROM children_riskassessment
           WHERE assessed_on <= %(day)s ORDER BY child_id, assessed_on DESC, recorded_at DESC, id DESC),
gone AS (SELECT DISTINCT child_id FROM children_statuschange
         WHERE to_status = 'exited' AND effective_on BETWEEN %(first)s AND %(last)s),
kids AS (
    SELECT substr(c.region_id, 1, 4) AS city,
           count(*) FILTER (WHERE st.to_status = 'active') AS children_active,
           count(*) FILTER (WHERE st.to_status = 'active' AND lead.child_id IS NOT NULL) AS children_paired,
           count(*) FILTER (WHERE st.to_status = 'active' AND seen.child_id IS NULL) AS children_without_activity,
           count(*) FILTER (WHERE st.to_status = 'active' AND colour.color = 'red') AS red,
           count(*) FILTER (WHERE st.to_status = 'active' AND colour.color = 'yellow') AS yellow,
           count(*) FILTER (WHERE st.to_status = 'active' AND colour.color = 'green') AS green,
           count(*) FILTER (WHERE st.to_status = 'active' AND colour.child_id IS NULL) AS unassessed,
           count(*) FILTER (WHERE c.entered_on BETWEEN %(first)s AND %(last)s) AS children_new,
           count(*) FILTER (WHERE gone.child_id IS NOT NULL OR c.exited_on BETWEEN %(first)s AND %(last)s)
               AS children_exited
    FROM children_child c
    LEFT JOIN st ON st.child_id = c.id LEFT JOIN lead ON lead.child_id = c.id
    LEFT JOIN seen ON seen.child_id = c.id LEFT JOIN gone ON gone.child_id = c.id
    LEFT JOIN colour ON colour.child_id = c.id
    WHERE c.region_id BETWEEN %(low)s AND %(high)s GROUP BY 1),
vst AS (SELECT DISTINCT ON (volunteer_id) volunteer_id, to_status FROM volunteers_volunteerstatuschange
        WHERE effective_on <= %(day)s ORDER BY volunteer_id, effective_on DESC, id DESC),
busy AS (SELECT DISTINCT volunteer_id FROM pairing_pairing
         WHERE started_on <= %(day)s AND (ended_on IS NULL OR ended_on > %(day)s)),
vols AS (
    SELECT substr(v.region_id, 1, 4) AS city,
           count(*) FILTER (WHERE vst.to_status = 'active') AS volunteers_active,
           count(*) FILTER (WHERE vst.to_status = 'active' AND busy.volunteer_id IS NOT NULL) AS volunteers_paired
    FROM volunteers_volunteer v LEFT JOIN vst ON vst.volunteer_id = v.id LEFT JOIN busy ON busy.volunteer_id = v.id
    WHERE v.region_id BETWEEN %(low)s AND %(high)s GROUP BY 1),
acts AS (
    SELECT substr(region_id, 1, 4) AS city, count(*) AS activities, sum(participants) AS participant_times,
           sum(aid_value_yuan) AS aid_value_yuan
    FROM activities_activity
    WHERE occurred_on BETWEEN %(first)s AND %(last)s AND region_id BETWEEN %(low)s AND %(high)s GROUP BY 1),
trs AS (
    SELECT substr(region_id, 1, 4) AS city, count(*) AS trainings, sum(participants) AS training_participant_times
    FROM volunteers_training
    WHERE held_on BETWEEN %(first)s AND %(last)s AND region_id BETWEEN %(low)s AND %(high)s GROUP BY 1)
SELECT r.code,
       coalesce(kids.children_active, 0), coalesce(kids.children_paired, 0),
       coalesce(kids.children_without_activity, 0), coalesce(kids.red, 0), coalesce(kids.yellow, 0),
       coalesce(kids.green, 0), coalesce(kids.unassessed, 0), coalesce(kids.children_new, 0),
       coalesce(kids.children_exited, 0), coalesce(vols.volunteers_active, 0), coalesce(vols.volunteers_paired, 0),
       coalesce(acts.activities, 0), coalesce(acts.participant_times, 0), coalesce(acts.aid_value_yuan, 0),
       coalesce(trs.trainings, 0), coalesce(trs.training_participant_times, 0)
FROM accounts_region r
LEFT JOIN kids ON kids.city = substr(r.code, 1, 4) LEFT JOIN vols ON vols.city = substr(r.code, 1, 4)
LEFT JOIN acts ON acts.city = substr(r.code, 1, 4) LEFT JOIN trs ON trs.city = substr(r.code, 1, 4)
WHERE r.parent_id = %(province)s ORDER BY r.code
"""


def hand_written(month: date) -> dict[str, dict]:
    from django.db import connection

    from core import months
    # The JIT is off for the connection, as for every connection of the app (config/settings.py).
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, {"day": months.as_of(month), "first": month, "last": months.last_day(month),
                                  "low": "140000000000", "high": "149999999999", "province": PROVINCE})
        return {row[0]: dict(zip(HEADLINE, row[1:], strict=True)) for row in cursor.fetchall()}


def service_headline(figures: dict) -> dict[str, dict]:
    from decimal import Decimal

    def value(row: dict, key: str):
        group, _dot, sub = key.partition(".")
        found = row[group][sub] if sub else row[key]
        return Decimal(found) if key == "aid_value_yuan" else found

    return {row["region"]["code"]: {key: value(row, key) for key in HEADLINE}
            for row in figures["subregions"] if not row["own_level"]}


def timed(fn, runs: int) -> tuple[float, object, int]:
    """(p50 milliseconds over ``runs`` runs after one warm-up, the last result, the SELECTs of one run)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = fn()
    reads = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result, len(reads)


def bench_superuser():
    """A superuser to read the pages' services as (created once in the bench database)."""
    from accounts.models import User

    user, _created = User.objects.get_or_create(username="bench_superuser",
                                                defaults={"is_superuser": True, "is_staff": True, "role": "admin"})
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=125_000)
    parser.add_argument("--volunteers", type=int, default=90_000)
    parser.add_argument("--activities", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-table", action="store_true", help="do not build and time the analytics table")
    args = parser.parse_args()
    ensure_database()
    setup_django()
    from django.db import connection

    from accounts.models import Region
    from activities.models import Activity
    from children.models import Child
    from core import months
    from reports import stats
    from volunteers.models import Volunteer

    month = months.previous_month(months.current_month())
    ensure_regions()
    if Child.objects.filter(id_number_digest__startswith=DIGEST_PREFIX).count() < args.children:
        window = months.months_ending(month, 12)
        generate(children=args.children, volunteers=args.volunteers, activities=args.activities,
                 window_start=window[0], window_end=months.last_day(window[-1]))
    print(f"\nPostgreSQL {connection.pg_version // 10000}; {Child.objects.count():,} children, "
          f"{Volunteer.objects.count():,} caring mothers, {Activity.objects.count():,} activities, "
          f"{Region.objects.count():,} regions; month {months.label(month)}, p50 of {args.runs} runs\n")

    province = Region.objects.get(pk=PROVINCE)
    rows = []
    # live=True: computed from the raw rows, whatever the analytics table holds (the live path is measured).
    service_ms, figures, service_queries = timed(lambda: stats.region_stats(region=province, month=month, live=True),
                                                 args.runs)
    rows.append(("region_stats(province: 11 cities)", service_ms, service_queries))
    hand_ms, by_hand, hand_queries = timed(lambda: hand_written(month), args.runs)
    rows.append(("hand-written SQL (11 cities)", hand_ms, hand_queries))
    for label, code in (("region_stats(city 吕梁市)", CITY), ("region_stats(county 离石区)", COUNTY)):
        region = Region.objects.get(pk=code)
        ms, _result, queries = timed(lambda r=region: stats.region_stats(region=r, month=month, live=True), args.runs)
        rows.append((label, ms, queries))
    ms, _trend, queries = timed(lambda: stats.monthly_trend(region=province, month=month, live=True), args.runs)
    rows.append(("monthly_trend(province, 12 months)", ms, queries))

    # The pages that count with the same definitions (tests/reports/test_agreement.py): 月月有活动
    # coverage for the month, overdue on its last day, and pairing coverage today, for the province.
    from activities import coverage, rhythm
    from pairing import coverage as pairing_coverage

    actor = bench_superuser()
    day = months.last_day(month)
    ms, monthly, queries = timed(lambda: coverage.monthly_coverage(actor=actor, region=province, month=month,
                                                                   today=day), args.runs)
    rows.append(("monthly_coverage(province)", ms, queries))
    ms, overdue, queries = timed(lambda: rhythm.overdue_counts(actor=actor, region=province, today=day), args.runs)
    rows.append(("overdue_counts(province, month end)", ms, queries))
    ms, _pairing, queries = timed(lambda: pairing_coverage.region_coverage(actor=actor, region=province), args.runs)
    rows.append(("region_coverage(province, today)", ms, queries))
    for label, ms, queries in rows:
        print(f"  {label:<38} {ms:9.1f} ms   {queries} quer{'y' if queries == 1 else 'ies'}")

    from_service = service_headline(figures)
    assert from_service == by_hand, "the service and the hand-written SQL disagree:\n" + "\n".join(
        f"{code}: service {from_service.get(code)} / SQL {by_hand.get(code)}"
        for code in sorted(set(from_service) | set(by_hand)) if from_service.get(code) != by_hand.get(code))
    print(f"\n  the service and the hand-written query agree on {len(HEADLINE)} figures for "
          f"{len(by_hand)} cities (e.g. active children {figures['children_active']:,}, "
          f"activities {figures['activities']:,}, aid {figures['aid_value_yuan']} 元)")
    ratio = service_ms / hand_ms
    print(f"  ratio service / hand-written SQL: {ratio:.2f}  (target ≤ {RATIO_TARGET:.2f}: "
          f"{'met' if ratio <= RATIO_TARGET else 'NOT met'}; p50s {service_ms:.0f} / {hand_ms:.0f} ms)")
    pages = {"paired": monthly.total.paired,
             "with an activity": monthly.total.covered,
             "overdue": sum(c["overdue"] for c in overdue.values())}
    from_stats = {"paired": figures["children_paired"],
                  "with an activity": figures["children_paired"] - figures["paired_children_without_activity"],
                  "overdue": sum(figures["overdue_by_color"].values())}
    assert pages == from_stats, f"the pages and the statistics disagree: {pages} / {from_stats}"
    print(f"  the coverage and overdue pages agree with the statistics: {pages}")
    if not args.skip_table:
        analytics_table(province=province, month=month, runs=args.runs, live_ms=service_ms,
                        live_trend_ms={label: ms for label, ms, _q in rows}["monthly_trend(province, 12 months)"])


def analytics_table(*, province, month, runs: int, live_ms: float, live_trend_ms: float) -> None:
    """The closed months from the analytics table: each of the 12 months built (reports.analytics),
    then the province's statistics and trend read from it, beside the live figures above; the
    table's and the live computation's figures compared for every city."""
    from accounts.models import Region
    from core import months
    from reports import analytics, stats

    print("\nanalytics table (reports.analytics): building the 12 months …", flush=True)
    for m in months.months_ending(month, 12):
        started = time.perf_counter()
        build = analytics.stats_month_rebuild(month=m)
        print(f"  built {months.label(m)}: {build.rows:>7,} rows in {time.perf_counter() - started:6.1f} s", flush=True)
    rows = []
    table_ms, from_table, queries = timed(lambda: stats.region_stats(region=province, month=month), runs)
    rows.append(("region_stats(province), table", table_ms, queries, "< 300 ms", table_ms < 300))
    for label, code in (("region_stats(city 吕梁市), table", CITY), ("region_stats(county 离石区), table", COUNTY)):
        region = Region.objects.get(pk=code)
        ms, _r, queries = timed(lambda r=region: stats.region_stats(region=r, month=month), runs)
        rows.append((label, ms, queries, "", None))
    trend_ms, _t, queries = timed(lambda: stats.monthly_trend(region=province, month=month), runs)
    rows.append(("monthly_trend(province), table", trend_ms, queries, f"live {live_trend_ms:.0f} ms", None))
    by_month_ms, _b, queries = timed(lambda: stats.region_stats_by_subregion(region=province, month=month), runs)
    rows.append(("region_stats_by_subregion(province), table", by_month_ms, queries, "", None))
    for label, ms, queries, reference, met in rows:
        verdict = "" if met is None else (" met" if met else " NOT met")
        print(f"  {label:<44} {ms:9.1f} ms   {queries} quer{'y' if queries == 1 else 'ies'}   {reference}{verdict}")
    print(f"  province, table / live: {table_ms:.0f} / {live_ms:.0f} ms = {table_ms / live_ms:.3f}")
    live = stats.region_stats(region=province, month=month, live=True)
    assert from_table == live, "the analytics table and the live computation disagree for the province"
    for city in Region.objects.filter(parent=province):
        assert (stats.region_stats(region=city, month=month)
                == stats.region_stats(region=city, month=month, live=True)), f"table and live disagree for {city}"
    print("  the table and the live computation agree on every figure, for the province and each city")


if __name__ == "__main__":
    main()
