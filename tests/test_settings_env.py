"""config/settings.py reads the environment and stops at start-up, naming the variable, when it is wrong.

Each case starts a fresh interpreter with DJANGO_SETTINGS_MODULE=config.settings (the production
settings, not the test settings) and a clean environment: only PATH, HOME and what the case sets.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent.parent
SETUP = "import django; django.setup()"
DEV = {"DEBUG": "1"}
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qw9!zR2$vX5^mN8&pL3*tY6(bH1)jF4-gD0+sA7=eC2~uW9%oI5@" * 2,
    "ALLOWED_HOSTS": "aixin.example.cn",
    "ID_NUMBER_KEYS": Fernet.generate_key().decode(),
    "ID_NUMBER_HASH_KEY": "h" * 48,
}


def run(args: list[str], env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    child_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(var_dir)),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(var_dir),
        **env,
    }
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=child_env, capture_output=True, text=True,
                          timeout=120)


def setup_django(env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    return run(["-c", SETUP], env, var_dir)


def test_development_settings_load(tmp_path):
    result = setup_django(DEV, tmp_path)
    assert result.returncode == 0, result.stderr


def test_debug_defaults_off_so_secret_key_is_required(tmp_path):
    result = setup_django({}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_a_short_secret_key_is_refused_in_production(tmp_path):
    result = setup_django({**PRODUCTION, "SECRET_KEY": "short"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_without_allowed_hosts_is_refused(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "ALLOWED_HOSTS"}
    result = setup_django(env, tmp_path)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


@pytest.mark.parametrize(("name", "value"), [
    ("DEBUG", "maybe"),
    ("DATABASE_URL", "mysql://x"),
    ("REDIS_URL", "http://x"),
    ("TIME_ZONE", "Mars/Base"),
    ("LOGIN_FAILURE_LIMIT", "abc"),
    ("LOGIN_FAILURE_LIMIT", "0"),
    ("LOGIN_LOCKOUT_MINUTES", "soon"),
    ("LOG_LEVEL", "LOUD"),
])
def test_a_malformed_variable_stops_start_up_naming_it(tmp_path, name, value):
    result = setup_django({**DEV, name: value}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_login_failure_limit_reaches_axes(tmp_path):
    result = run(["-c", SETUP + "; from django.conf import settings; print(settings.AXES_FAILURE_LIMIT)"],
                 {**DEV, "LOGIN_FAILURE_LIMIT": "3"}, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, "3"), result.stderr


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
