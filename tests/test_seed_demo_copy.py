"""How ``seed_demo`` writes its big tables (demo.copywriter: COPY on PostgreSQL, bulk_create elsewhere)
and shows its progress (demo.progress). The seeding itself is tested in tests/test_seed_demo*.py."""

from datetime import date
from io import StringIO

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import Region, RegionLevel
from demo import progress
from demo.copywriter import BulkLoad
from volunteers.models import Team

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are set aside on PostgreSQL only")


@pytest.fixture
def lishi(db) -> Region:
    return Region.objects.create(code="141102000000", name="离石区", level=RegionLevel.COUNTY)


def _schema(table: str) -> set[tuple[str, str]]:
    """The table's indexes and constraints, as PostgreSQL defines them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = set(cursor.fetchall())
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                       [table])
        return indexes | set(cursor.fetchall())


def test_tuple_rows_are_stored_as_given(lishi):
    load = BulkLoad()
    writer = load.writer(Team, ("name", "region_id", "created_on"))
    writer.add("离石区爱心妈妈志愿服务队", lishi.code, date(2022, 5, 1))
    load.finish()

    assert list(Team.objects.values_list("name", "region_id", "created_on", "notes")) == [
        ("离石区爱心妈妈志愿服务队", lishi.code, date(2022, 5, 1), "")]  # notes: the field's default


def test_ids_handed_out_are_the_rows_ids_and_later_rows_get_new_ones(lishi):
    load = BulkLoad()
    writer = load.writer(Team, assign_ids=True)
    team = Team(name="离石区爱心妈妈专业服务队", region=lishi)
    writer.add_instance(team)
    load.finish()

    later = Team.objects.create(name="信义镇爱心妈妈志愿服务队", region=lishi)
    assert (Team.objects.get(pk=team.pk).name, later.pk > team.pk) == ("离石区爱心妈妈专业服务队", True)


@postgres_only
def test_indexes_and_foreign_keys_set_aside_for_the_load_are_all_put_back(lishi):
    before = _schema("volunteers_team")
    load = BulkLoad()
    writer = load.writer(Team, ("name", "region_id"))
    writer.add("离石区爱心妈妈志愿服务队", lishi.code)
    writer.flush()
    assert _schema("volunteers_team") < before  # set aside while loading

    load.finish()

    assert _schema("volunteers_team") == before


@postgres_only
def test_a_row_pointing_nowhere_fails_the_load_when_its_foreign_key_is_put_back(lishi):
    load = BulkLoad()
    load.writer(Team, ("name", "region_id")).add("无此区划的服务队", "149999000000")

    with pytest.raises(IntegrityError), transaction.atomic():
        load.finish()


def test_off_a_terminal_progress_is_a_line_per_tenth(monkeypatch):
    monkeypatch.setattr(progress, "QUIET_SECONDS", 0)
    out = StringIO()
    with progress.Progress(out, "children", 20) as bar:
        for _n in range(20):
            bar.advance()

    assert [line.split()[1] for line in out.getvalue().splitlines()] == [f"{p}%" for p in range(10, 100, 10)]


def test_on_a_terminal_progress_is_one_line_redrawn_and_erased_at_the_end():
    class Terminal(StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    with progress.Progress(out, "children", 4) as bar:
        for _n in range(4):
            bar.advance()

    text = out.getvalue()
    assert ("\n" not in text, text.count("\r"), "100% (4/4)" in text, text.endswith("\r")) == (True, 6, True, True)
