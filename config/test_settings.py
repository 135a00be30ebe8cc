"""Settings for the test suite: the real settings, plus a throwaway secret and fast hashing.

DATABASE_URL and REDIS_URL come from the environment as in production, so the same suite runs on
the embedded SQLite default and on PostgreSQL + Redis (see .ci/run).
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 40)
# Two-factor login is off for the suite, whose hundreds of tests sign administrators in with force_login
# (no second factor); tests/test_twofactor.py turns it on (settings.OTP_REQUIRED_ROLES) for what it tests.
os.environ.setdefault("OTP_REQUIRED_ROLES", "")
os.environ.setdefault("VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SECURE_SSL_REDIRECT = False
LANGUAGE_CODE = "zh-hans"
# Tests serve no collected static files; whitenoise would only warn that STATIC_ROOT is missing.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
# Each test process keeps its own cache, also on the PostgreSQL + Redis run: the tests clear the cache
# (a Redis cache's clear() empties the whole Redis database, under the other pytest worker's feet).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Never a real replica (DATABASE_REPLICA_URL set in the shell): pytest-django points a mirror alias at the test
# database only when a collected test names it, else the tests would read the replica's own database.
# tests/replica.py adds a mirror of the test database for the tests of core.dbrouting.
DATABASES.pop("replica", None)  # noqa: F405
