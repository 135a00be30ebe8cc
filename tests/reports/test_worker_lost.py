"""A worker killed outright — SIGKILL of its main process and its pool child at once, as the OOM killer
or a lost machine does — leaves its report run ``running``. The task is acknowledged only when it ends,
so it stays in Redis unacknowledged; once the visibility timeout (settings.TASK_VISIBILITY_TIMEOUT,
sized from the task time limit) has passed, another worker takes it and makes the run.

Past its soft time limit, a report stuck in a query is left ``failed`` with the error at once and not
retried, though the limit interrupted the query and left the worker's connection busy with it.

Real worker processes (``celery worker``, prefork) on the real broker, against the test database. The
workers get a 20 s time limit through the environment, so the visibility timeout is 25 s instead of
minutes (the limits a task runs under travel with its message, stamped by the sender from its own
settings: the soft-limit test sends its task with the limits of a 20 s CELERY_TASK_TIME_LIMIT). They are other processes, so the test database must be one they can reach: PostgreSQL (SQLite's
test database lives in the test process's memory). Runs only where REDIS_URL is set, on PostgreSQL.

The report is held midway by a lock the test takes on the children table — the worker has marked the
run ``running`` and waits in its first statistics query, as a province report waits on a slow one — and
the lock is let go once the first worker is dead. Nothing in the application knows it is being tested.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

from children.models import Child
from reports import services, tasks
from reports.models import ReportRun, ReportStatus
from tests.factories import LVLIANG

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="needs PostgreSQL (worker processes cannot reach SQLite's in-memory test database)"),
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(__file__).resolve().parents[2]
# The workers' task time limit (s); their visibility timeout is derived from it (config/settings.py).
WORKER_TIME_LIMIT = 20
VISIBILITY_TIMEOUT = 25  # derived from WORKER_TIME_LIMIT, as tests/test_celery_limits.py checks
START_SECONDS = 90


def _database_url() -> str:
    """The test database (not the one DATABASE_URL names) as a URL, for the workers."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}{port}/{quote(db['NAME'], safe='')}"


class Worker:
    """``celery worker`` in a process group of its own (its main process and its pool child), logging
    to a file."""

    def __init__(self, name: str, queue: str, storage: Path, log: Path):
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", "DATABASE_URL": _database_url(),
               "REDIS_URL": settings.REDIS_URL, "PRIVATE_STORAGE_ROOT": str(storage),
               "CELERY_TASK_TIME_LIMIT": str(WORKER_TIME_LIMIT), "DB_CONN_MAX_AGE": "0"}
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
                 "--queues", queue, "--hostname", f"{name}-{uuid.uuid4().hex[:8]}@%h", "--loglevel", "INFO",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: the main process and its pool child die together."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _wait_for(run_id: int, statuses: set[str], seconds: float, worker: Worker) -> ReportRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run = ReportRun.objects.get(pk=run_id)
        if run.status in statuses or not worker.alive():
            return run
        time.sleep(0.2)
    return ReportRun.objects.get(pk=run_id)


@pytest.fixture
def queue():
    """A queue of this test's own, so no other test's worker takes its task (nor purges it). Removed
    from Redis afterwards with its bindings, and with its task if a failure left it unacknowledged."""
    name = f"test-worker-lost-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag, raw in client.hgetall("unacked").items():  # kombu's Redis transport: {tag: [message, exchange, queue]}
        if json.loads(raw)[2] == name:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    client.close()


@pytest.fixture
def children_locked():
    """A second connection holding an exclusive lock on the children table until ``release()``: the
    report's first statistics query waits for it."""
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute(f'LOCK TABLE "{Child._meta.db_table}" IN ACCESS EXCLUSIVE MODE')

    def release():
        if holder.connection is not None:
            with suppress(DatabaseError):  # its server process may be gone already (the workers' teardown)
                holder.rollback()
            holder.close()

    yield release
    release()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []
    storage = tmp_path / "private"

    def start(name: str, queue: str) -> Worker:
        worker = Worker(name, queue, storage, tmp_path / f"{name}.log")
        started.append(worker)
        return worker

    start.storage = storage
    yield start
    for worker in started:
        worker.stop()
    # A killed worker's server process may outlive it for a moment; the database is flushed next.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def test_a_run_left_running_by_a_killed_worker_is_made_by_another(admin_province, queue, children_locked, workers,
                                                                   monkeypatch, settings):
    monkeypatch.setattr(services, "_queue", lambda run_id: None)  # sent below, to this test's queue
    run = services.report_request(actor=admin_province, region_code=LVLIANG, month="2025-05", format="xlsx")
    tasks.generate_report.apply_async(args=[run.pk], queue=queue)

    first = workers("first", queue)
    held = _wait_for(run.pk, {ReportStatus.RUNNING}, START_SECONDS, first)
    assert (held.status, held.attempts, first.alive()) == (ReportStatus.RUNNING, 1, True), first.output()
    first.kill()
    children_locked()
    assert ReportRun.objects.get(pk=run.pk).status == ReportStatus.RUNNING

    second = workers("second", queue)
    made = _wait_for(run.pk, {ReportStatus.DONE, ReportStatus.FAILED}, VISIBILITY_TIMEOUT + START_SECONDS, second)
    assert (made.status, made.error, made.attempts) == (ReportStatus.DONE, "", 2), second.output()
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(workers.storage)}}}
    with made.file.open("rb") as handle:
        assert handle.read(2) == b"PK"


def test_a_report_stuck_in_a_query_past_its_soft_limit_is_failed_at_once(admin_province, queue, children_locked,
                                                                          workers, monkeypatch):
    monkeypatch.setattr(services, "_queue", lambda run_id: None)  # sent below, to this test's queue
    run = services.report_request(actor=admin_province, region_code=LVLIANG, month="2025-05", format="xlsx")
    hard, soft = WORKER_TIME_LIMIT, WORKER_TIME_LIMIT - 5  # as config/settings.py derives them
    tasks.generate_report.apply_async(args=[run.pk], queue=queue, time_limit=hard, soft_time_limit=soft)

    worker = workers("soft", queue)
    held = _wait_for(run.pk, {ReportStatus.RUNNING}, START_SECONDS, worker)
    held_at = time.monotonic()
    assert held.status == ReportStatus.RUNNING, worker.output()
    failed = _wait_for(run.pk, {ReportStatus.DONE, ReportStatus.FAILED}, hard + 10, worker)
    assert (failed.status, failed.attempts) == (ReportStatus.FAILED, 1), worker.output()
    assert failed.error.startswith("SoftTimeLimitExceeded"), failed.error
    assert time.monotonic() - held_at < hard
    time.sleep(2)
    assert ReportRun.objects.get(pk=run.pk).attempts == 1, worker.output()  # not retried
