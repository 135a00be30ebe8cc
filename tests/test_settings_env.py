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
    ("TOKEN_IDLE_STAFF", "12 hours"),
    ("TOKEN_IDLE_STAFF", "-1h"),
    ("TOKEN_IDLE_STAFF", "1m"),
    ("TOKEN_IDLE_VOLUNTEER", "30w"),
    ("TOKEN_IDLE_VOLUNTEER", "0"),
    ("ID_NUMBER_KEYS", "not-a-fernet-key"),
    ("RETENTION_YEARS_AFTER_EXIT", "0"),
    ("RETENTION_YEARS_AFTER_EXIT", "three"),
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


@pytest.mark.parametrize(("value", "seconds"), [("8h", 8 * 3600), ("45m", 45 * 60), ("7d", 7 * 86400), ("900", 900)])
def test_token_idle_durations_reach_the_settings(tmp_path, value, seconds):
    code = SETUP + "; from django.conf import settings; print(int(settings.TOKEN_IDLE_STAFF.total_seconds()))"
    result = run(["-c", code], {**DEV, "TOKEN_IDLE_STAFF": value}, tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, str(seconds)), result.stderr


# A valid key fixed in the source: test ids must be the same in every pytest-xdist worker.
FIXED_KEY = "8fRDP3Jm1cI6lBV0n8pJDUFbcp3QbPuoXjKoLwP6NGo="


@pytest.mark.parametrize("bad_key", [
    "not-a-fernet-key",
    FIXED_KEY[:-2],  # truncated
    "A" * 44,  # base64, but not ending as a 32-byte key's encoding does
    FIXED_KEY.replace("=", "") + "!",
])
def test_a_malformed_id_number_key_stops_start_up_in_production(tmp_path, bad_key):
    """The README's promise: a malformed ID_NUMBER_KEYS stops start-up, naming the variable and which
    key, without printing the key."""
    good = Fernet.generate_key().decode()
    result = setup_django({**PRODUCTION, "ID_NUMBER_KEYS": f"{good},{bad_key}"}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: ID_NUMBER_KEYS: key 2 of 2 is not a Fernet key" in result.stderr
    assert bad_key not in result.stderr and good not in result.stderr


def test_the_same_id_number_key_twice_stops_start_up(tmp_path):
    key = Fernet.generate_key().decode()
    result = setup_django({**PRODUCTION, "ID_NUMBER_KEYS": f"{key},{key}"}, tmp_path)
    assert result.returncode != 0
    assert "ID_NUMBER_KEYS lists the same key twice" in result.stderr


def test_rotated_id_number_keys_start(tmp_path):
    keys = ",".join(Fernet.generate_key().decode() for _ in range(3))
    result = setup_django({**PRODUCTION, "ID_NUMBER_KEYS": keys}, tmp_path)
    assert result.returncode == 0, result.stderr
