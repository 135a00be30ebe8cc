"""The Celery limits of config/settings.py hold together: one task time limit, from which the broker's
visibility timeout (how long a dead worker's task waits before another worker gets it) and the time
after which a report run is taken as lost are derived — minutes, not hours — and no task waits out a
countdown so long that the broker would hand it to a second worker while the first still holds it."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings

from config.celery import app
from reports import services

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_APPS = ("accounts", "children", "volunteers", "pairing", "activities", "reports", "exports")


def _all_tasks():
    """Every task the app has registered: the project's and Celery's own (chord_unlock, backend_cleanup…)."""
    app.loader.import_default_modules()
    return [task for _name, task in sorted(app.tasks.items())]


def _project_tasks():
    return [task for task in _all_tasks() if task.name.split(".")[0] in PROJECT_APPS]


def test_every_task_is_acknowledged_late_and_handed_back_when_its_worker_dies():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert {task.name: task.acks_late for task in _project_tasks()} == {task.name: True for task in _project_tasks()}


def test_no_task_runs_longer_than_the_time_limit_the_visibility_timeout_is_sized_from():
    """Every registered task may set shorter limits of its own, never longer ones (nor none)."""
    limit, soft = settings.CELERY_TASK_TIME_LIMIT, settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert (app.conf.task_time_limit, app.conf.task_soft_time_limit) == (limit, soft)
    tasks = _all_tasks()
    assert {"celery.chord_unlock", "children.tasks.build_import_preview", "reports.tasks.generate_report"} <= {
        task.name for task in tasks}
    assert {task.name: (task.time_limit, task.soft_time_limit) for task in tasks
            if not (task.time_limit and task.time_limit <= limit)} == {}
    assert {task.name: (task.time_limit, task.soft_time_limit) for task in tasks
            if not (task.soft_time_limit and task.soft_time_limit <= soft and task.soft_time_limit < task.time_limit)
            } == {}


def test_the_broker_hands_a_dead_workers_task_on_after_the_time_limit_and_a_margin():
    options = app.conf.broker_transport_options
    assert options["visibility_timeout"] == settings.TASK_VISIBILITY_TIMEOUT == (
        settings.CELERY_TASK_TIME_LIMIT + settings.TASK_COUNTDOWN_MARGIN)
    assert (options["unacked_restore_interval"], options["unacked_restore_throttle"]) == (
        settings.TASK_RESTORE_INTERVAL, 1)


@pytest.mark.parametrize("task", _project_tasks(), ids=lambda task: task.name)
def test_no_retry_waits_longer_than_the_margin(task):
    """A retry waiting for its countdown is held by a worker, unacknowledged, before it runs; the
    visibility timeout leaves TASK_COUNTDOWN_MARGIN for that wait."""
    if not getattr(task, "autoretry_for", ()):
        return
    assert task.retry_backoff, f"{task.name} retries after default_retry_delay ({task.default_retry_delay} s)"
    longest = get_exponential_backoff_interval(factor=int(max(1.0, float(task.retry_backoff))),
                                               retries=task.max_retries - 1,
                                               maximum=getattr(task, "retry_backoff_max", 600),
                                               full_jitter=False)
    assert longest <= settings.TASK_COUNTDOWN_MARGIN


def _derived(time_limit: str | None, tmp_path: Path) -> list[int]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "VAR_DIR": str(tmp_path),
           "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    if time_limit is not None:
        env["CELERY_TASK_TIME_LIMIT"] = time_limit
    code = ("import django; django.setup(); from django.conf import settings as s; from reports import services; "
            "from children import tasks; "
            "print(s.CELERY_TASK_TIME_LIMIT, s.CELERY_TASK_SOFT_TIME_LIMIT, s.TASK_VISIBILITY_TIMEOUT, "
            "s.TASK_RESTORE_INTERVAL, int(services.running_lost_after().total_seconds()), s.TASK_LOST_AFTER, "
            "tasks.build_import_preview.soft_time_limit, tasks.build_import_preview.time_limit)")
    result = subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return [int(value) for value in result.stdout.split()]


@pytest.mark.parametrize(("time_limit", "derived"), [
    # hard, soft, visibility timeout, restore interval, a running report run (and a pending list import)
    # lost after (22.5 min) twice, the list preview's soft and hard limits (5 minutes at most)
    (None, [630, 600, 690, 30, 1350, 1350, 300, 330]),
    ("20", [20, 15, 25, 1, 46, 46, 15, 20]),
    ("3600", [3600, 3570, 3660, 30, 7290, 7290, 300, 330]),
    ("100", [100, 75, 125, 6, 231, 231, 75, 100]),
])
def test_the_limits_follow_the_task_time_limit(tmp_path, time_limit, derived):
    assert _derived(time_limit, tmp_path) == derived


def test_a_report_run_is_lost_after_minutes():
    lost_after = services.running_lost_after().total_seconds()
    assert settings.TASK_VISIBILITY_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT < lost_after < 30 * 60
