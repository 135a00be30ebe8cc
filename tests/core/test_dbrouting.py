"""core.dbrouting: where reads and writes go, with and without the ``replica`` alias (DATABASE_REPLICA_URL).

The routing decisions are checked here on any database, the alias's presence stubbed; the real second
connection, and which queries of a report, an export and the statistics pages go through it, in
tests/reports/test_replica_reads.py and tests/exports/test_replica_reads.py (PostgreSQL)."""

import pytest
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import connections, transaction

from accounts.models import Region
from children.models import Child
from core import dbrouting
from core.dbrouting import REPLICA, ReplicaRouter, read_alias, reading_from_primary, reading_from_replica
from tests.test_settings_env import DEV, run

ROUTER = ReplicaRouter()


@pytest.fixture
def with_replica(monkeypatch):
    """As if DATABASE_REPLICA_URL were set (no connection is made by these tests)."""
    monkeypatch.setattr(dbrouting, "replica_configured", lambda: True)


class _Connection:
    closed = False

    def close(self):
        self.closed = True


def _loaded_from(alias: str) -> Region:
    region = Region(code="141102000000", name="离石区")
    region._state.db = alias
    return region


def test_the_router_is_installed():
    assert settings.DATABASE_ROUTERS == ["core.dbrouting.ReplicaRouter"]


@pytest.mark.usefixtures("with_replica")
def test_outside_a_block_reads_go_to_the_primary():
    assert ROUTER.db_for_read(Child) == "default"


@pytest.mark.usefixtures("with_replica")
def test_inside_a_block_reads_go_to_the_replica():
    with reading_from_replica():
        assert ROUTER.db_for_read(Child) == REPLICA


@pytest.mark.usefixtures("with_replica")
def test_the_block_ends_with_its_with_statement_also_on_an_exception(monkeypatch):
    monkeypatch.setattr(dbrouting, "connections", {"default": connections["default"], REPLICA: _Connection()})
    with pytest.raises(LookupError), reading_from_replica():
        raise LookupError
    assert read_alias() == "default"


@pytest.mark.usefixtures("with_replica")
def test_an_exception_in_a_block_closes_the_replicas_connection_it_may_have_left_busy(monkeypatch):
    replica = _Connection()
    monkeypatch.setattr(dbrouting, "connections", {"default": connections["default"], REPLICA: replica})
    with pytest.raises(TimeoutError), reading_from_replica():
        raise TimeoutError  # a task's soft time limit in the middle of a query
    assert replica.closed


@pytest.mark.usefixtures("with_replica")
def test_nested_blocks_keep_the_replica_until_the_outer_one_ends():
    with reading_from_replica():
        with reading_from_replica():
            pass
        assert read_alias() == REPLICA


@pytest.mark.usefixtures("with_replica")
def test_a_primary_block_inside_a_replica_block_reads_from_the_primary():
    with reading_from_replica():
        with reading_from_primary():
            assert read_alias() == "default"
        assert read_alias() == REPLICA


@pytest.mark.usefixtures("with_replica")
def test_it_decorates_a_function():
    assert reading_from_replica()(read_alias)() == REPLICA


@pytest.mark.usefixtures("with_replica")
def test_a_celery_task_run_in_process_inside_a_block_reads_from_the_primary():
    with reading_from_replica():
        task_prerun.send(sender=None, task_id="t1", task=None)
        inside_the_task = read_alias()
        task_postrun.send(sender=None, task_id="t1", task=None)
        assert (inside_the_task, read_alias()) == ("default", REPLICA)


def test_without_the_replica_alias_a_block_reads_from_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouting, "replica_configured", lambda: False)
    with reading_from_replica():
        assert ROUTER.db_for_read(Child) == "default"


@pytest.mark.django_db
@pytest.mark.usefixtures("with_replica")
def test_inside_a_transaction_on_the_primary_reads_stay_there():
    with transaction.atomic(), reading_from_replica():
        assert connections["default"].in_atomic_block
        assert read_alias() == "default"


@pytest.mark.usefixtures("with_replica")
def test_writes_go_to_the_primary_inside_a_block_also_for_an_instance_read_from_the_replica():
    with reading_from_replica():
        assert ROUTER.db_for_write(Region, instance=_loaded_from(REPLICA)) == "default"


def test_objects_read_from_the_primary_and_the_replica_may_be_related():
    assert ROUTER.allow_relation(_loaded_from("default"), _loaded_from(REPLICA)) is True


def test_nothing_is_migrated_on_the_replica():
    assert (ROUTER.allow_migrate(REPLICA, "children"), ROUTER.allow_migrate("default", "children")) == (False, None)


# --- the setting ------------------------------------------------------------------------------------

PRIMARY = "postgres://aixin:secret@primary:5432/aixin"
SHOW_DATABASES = ("import django; django.setup(); from django.conf import settings; d = settings.DATABASES; "
                  "print(sorted(d)); r = d.get('replica'); "
                  "r and print(r['HOST'], r['NAME'], r['OPTIONS']['options'], r['TEST']['MIRROR'])")


def test_without_database_replica_url_there_is_no_replica_alias(tmp_path):
    result = run(["-c", SHOW_DATABASES], {**DEV, "DATABASE_URL": PRIMARY}, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "['default']"), result.stderr


def test_database_replica_url_adds_the_replica_alias_with_the_primarys_options(tmp_path):
    env = {**DEV, "DATABASE_URL": PRIMARY, "DATABASE_REPLICA_URL": "postgres://aixin:secret@standby:5432/aixin"}
    result = run(["-c", SHOW_DATABASES], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["['default', 'replica']", "standby aixin -c jit=off default"]


@pytest.mark.parametrize(("primary", "replica"), [
    (PRIMARY, "postgres://aixin@standby:port/aixin"),  # malformed
    (PRIMARY, "mysql://standby/aixin"),
    (PRIMARY, "sqlite:///replica.sqlite3"),
    ("sqlite:///primary.sqlite3", "postgres://aixin@standby/aixin"),  # a replica of what?
])
def test_a_wrong_database_replica_url_stops_start_up_naming_it(tmp_path, primary, replica):
    result = run(["-c", "import django; django.setup()"],
                 {**DEV, "DATABASE_URL": primary, "DATABASE_REPLICA_URL": replica}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "DATABASE_REPLICA_URL" in result.stderr
