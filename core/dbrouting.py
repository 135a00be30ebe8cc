"""Reading the statistics off the primary: the ``replica`` database alias and the blocks that read from it.

With DATABASE_REPLICA_URL set (config/settings.py) a second alias, ``replica``, names a read-only
streaming replica of the primary (``default``). Nothing reads from it unless asked: the router below
sends every read and every write to ``default``, except the reads made inside a
:func:`reading_from_replica` block, which go to ``replica`` — the statistics service's callers (the
dashboard, ``/api/v1/stats/``), the making of a report (reports.generator.build_report) and of an export
(exports.services.export_generate, the rows only). The ledger's pages, the API's CRUD and every write stay
on the primary, so what someone just saved is what their next page shows.

Inside a block:

- writes still go to ``default`` (a run's progress and status, the audit rows): ``db_for_write`` is
  always ``default``, also for an instance read from the replica;
- a read made while a transaction is open on ``default`` stays on ``default``: it may depend on that
  transaction's own writes, which the replica cannot see (and the test suite's transactions, which are
  never committed, keep the tests of the callers reading their own rows);
- a :func:`reading_from_primary` block reads from ``default`` again, and so does every Celery task, until
  a block of its own (also a task run in-process, without Redis, from inside a block);
- an exception leaving the block closes the replica's connection (it may have interrupted a query on it);
- without the ``replica`` alias (DATABASE_REPLICA_URL unset) everything reads from ``default``: the block
  changes nothing.

A replica lags the primary by a moment (milliseconds on a healthy stream): a report or an export may
miss a record saved in the last instant before it was asked for. Their own rows (the run being made)
are read and written on the primary, outside the block.

Raw SQL follows the block only when it takes its connection from a queryset (``connections[qs.db]``,
as reports.stats does); ``django.db.connection`` is always the primary's.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    """Whether the ``replica`` alias exists (DATABASE_REPLICA_URL is set)."""
    return REPLICA in settings.DATABASES


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Within this block (or the function it decorates) reads go to the replica when there is one; see
    the module. Blocks nest; the setting is per thread and per asyncio task (a context variable)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    except BaseException:
        # An exception may have interrupted a query (a task's soft time limit in the middle of a slow
        # one), leaving the replica's connection busy with it: the next read opens a new one.
        if replica_configured():
            connections[REPLICA].close()
        raise
    finally:
        _reading_from_replica.reset(token)


@contextmanager
def reading_from_primary() -> Iterator[None]:
    """Within this block reads go to the primary even inside a :func:`reading_from_replica` block: for
    work that must not read a lagging copy — what checks a change counter and then computes from the rows
    (reports.analytics), or a Celery task run in-process (no Redis) from inside a block."""
    token = _reading_from_replica.set(False)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def read_alias() -> str:
    """The alias a read made here goes to: ``replica`` inside a block (with the alias configured and no
    transaction open on the primary), else ``default``."""
    if (_reading_from_replica.get() and replica_configured()
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
        return REPLICA
    return DEFAULT_DB_ALIAS


# A Celery task starts reading from the primary, whatever the block it was queued from: without Redis it
# runs right there, in-process (a rebuild of the statistics table asked for by a dashboard inside its block).
# (A stack per task id: an in-process retry runs the task again, with the same id, inside the first run.)
_task_tokens: dict[str, list[Token]] = {}


@task_prerun.connect(weak=False)
def _task_reads_from_the_primary(task_id=None, **kwargs) -> None:
    _task_tokens.setdefault(task_id, []).append(_reading_from_replica.set(False))


@task_postrun.connect(weak=False)
def _task_ended(task_id=None, **kwargs) -> None:
    tokens = _task_tokens.get(task_id)
    if tokens:
        _reading_from_replica.reset(tokens.pop())
    if not tokens:
        _task_tokens.pop(task_id, None)


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads as :func:`read_alias` says, writes always to ``default``, and no
    migrations on the replica (it follows the primary's)."""

    def db_for_read(self, model, **hints) -> str:
        return read_alias()

    def db_for_write(self, model, **hints) -> str:
        # Explicitly, not None: Django would otherwise write an instance back where it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The same data: an object read from the replica may be related to one read from the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None
