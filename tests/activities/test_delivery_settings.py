"""The e-mail and SMS settings come from the environment; a malformed value stops start-up naming it."""

import pytest

from tests.test_settings_env import DEV, run, setup_django

SHOW = "import django; django.setup(); from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_PORT, " \
       "s.SMS_GATEWAY_URL or '-', s.SMS_GATEWAY_TIMEOUT)"


def test_development_prints_e_mail_to_the_console_and_has_no_sms(tmp_path):
    result = run(["-c", SHOW], DEV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.mail.backends.console.EmailBackend", "25", "-", "5"]


@pytest.mark.parametrize(("env", "named"), [
    ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
    ({"EMAIL_PORT": "70000"}, "EMAIL_PORT"),
    ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS"),
    ({"DEFAULT_FROM_EMAIL": "aixin"}, "DEFAULT_FROM_EMAIL"),
    ({"EMAIL_HOST_USER": "aixin"}, "EMAIL_HOST_PASSWORD"),
    ({"SMS_GATEWAY_URL": "sms.example.cn/send", "SMS_GATEWAY_KEY": "k"}, "SMS_GATEWAY_URL"),
    ({"SMS_GATEWAY_URL": "https://sms.example.cn/send"}, "SMS_GATEWAY_KEY"),
    ({"SMS_GATEWAY_TIMEOUT": "0"}, "SMS_GATEWAY_TIMEOUT"),
])
def test_a_malformed_value_stops_start_up_naming_it(tmp_path, env, named):
    result = setup_django({**DEV, **env}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr
