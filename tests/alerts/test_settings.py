"""ALERT_ESCALATE_AFTER_MINUTES is read from the environment and stops start-up when malformed."""

import pytest

from tests.test_settings_env import DEV, setup_django


@pytest.mark.parametrize("value", ["soon", "0", "-5", "2h"])
def test_a_bad_escalation_delay_stops_start_up_naming_the_variable(tmp_path, value):
    result = setup_django({**DEV, "ALERT_ESCALATE_AFTER_MINUTES": value}, tmp_path)
    assert result.returncode != 0 and "ALERT_ESCALATE_AFTER_MINUTES" in result.stderr


def test_a_good_escalation_delay_is_taken(tmp_path):
    result = setup_django({**DEV, "ALERT_ESCALATE_AFTER_MINUTES": "45"}, tmp_path)
    assert result.returncode == 0, result.stderr
