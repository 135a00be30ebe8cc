"""The Celery queues (config/settings.py CELERY_TASK_QUEUES and CELERY_TASK_ROUTES): reports, exports and
notifications each on a queue of their own, the rest on ``default``; a worker started without ``-Q`` — the
tests' own (tests/celeryworker.py) — consumes them all."""

import pytest
from django.conf import settings

from config.celery import app

QUEUES = {"default", "reports", "exports", "notifications"}


def _queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name, args=(), kwargs={})["queue"].name


def _project_tasks() -> list[str]:
    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


def test_the_four_queues_are_declared_and_default_is_the_default():
    assert (set(app.amqp.queues), settings.CELERY_TASK_DEFAULT_QUEUE) == (QUEUES, "default")


def test_a_worker_without_q_consumes_every_queue():
    assert set(app.amqp.queues.consume_from) == QUEUES


def test_every_task_goes_to_a_declared_queue():
    assert {name: _queue_of(name) for name in _project_tasks() if _queue_of(name) not in QUEUES} == {}


def test_every_route_names_a_task_that_exists():
    assert set(settings.CELERY_TASK_ROUTES) - set(_project_tasks()) == set()


@pytest.mark.parametrize(("task", "queue"), [
    ("reports.tasks.generate_report", "reports"),
    ("reports.tasks.monthly_reports", "reports"),
    ("exports.tasks.generate_export", "exports"),
    ("activities.tasks.send_daily_reminders", "notifications"),
    ("activities.tasks.send_deliveries", "notifications"),
    ("activities.tasks.retry_deliveries", "notifications"),
    ("submissions.tasks.send_submission_reminders", "notifications"),
    ("alerts.tasks.escalate_alerts", "notifications"),
    ("children.tasks.apply_import", "default"),
    ("accounts.tasks.seal_audit", "default"),
    # The sweeps of lost runs must run when no worker of the runs' own queue is left.
    ("reports.tasks.fail_lost_report_runs", "default"),
    ("exports.tasks.sweep_export_runs", "default"),
])
def test_the_task_goes_to_its_queue(task, queue):
    assert _queue_of(task) == queue
