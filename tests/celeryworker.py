"""A REAL Celery worker for the tests marked ``redis``: started in-process (a thread, the solo pool) on
the Redis broker of settings.REDIS_URL, taking the tasks the code under test queues on commit.

Those tests use a transactional database (``django_db(transaction=True)``) so that the worker's own
connection sees what the test committed."""

import time
from collections.abc import Callable

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from config.celery import app

WAIT_SECONDS = 120  # a worker on a machine busy with the rest of the suite takes its time


def _close_worker_connections(**kwargs) -> None:
    # The worker thread's own database connection: closed after each task, or it would outlive the test
    # and keep PostgreSQL from dropping the test database.
    connections.close_all()


@pytest.fixture
def worker():
    # Tasks other tests or runs left in Redis — queued (sent on commit with nobody to run them), or taken
    # by a worker that stopped before acknowledging them (kombu gives those back once their visibility
    # timeout passes) — would otherwise be run by this worker against this test's database. The broker's
    # database is the tests' own (REDIS_URL): emptied whole.
    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    app.control.purge()
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, loglevel="WARNING"):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)


def wait_for(condition: Callable[[], object], *, seconds: float = WAIT_SECONDS):
    """Poll ``condition`` every half second until it returns something true (returned), or give up after
    ``seconds`` and return its last value."""
    deadline = time.monotonic() + seconds
    while True:
        found = condition()
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.5)
