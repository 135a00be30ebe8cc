"""CASE_PLAN_DUE_DAYS is read from the environment (default 7) and stops start-up, naming it, when wrong."""

import pytest

from tests.test_settings_env import DEV, SETUP, run

PRINT = SETUP + "; from django.conf import settings; print(settings.CASE_PLAN_DUE_DAYS)"


@pytest.mark.parametrize(("env", "days"), [({}, "7"), ({"CASE_PLAN_DUE_DAYS": "14"}, "14")])
def test_the_due_days_come_from_the_environment(tmp_path, env, days):
    result = run(["-c", PRINT], {**DEV, **env}, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, days), result.stderr


@pytest.mark.parametrize("value", ["abc", "0", "-3", "7d"])
def test_a_malformed_value_stops_start_up_naming_it(tmp_path, value):
    result = run(["-c", SETUP], {**DEV, "CASE_PLAN_DUE_DAYS": value}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "CASE_PLAN_DUE_DAYS" in result.stderr
