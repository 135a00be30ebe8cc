"""Settings for bin/schemathesis: the production settings (DEBUG=0, from the environment), serving no
collected static files — the fuzzer asks the API, and collecting and compressing the static files
would take longer than the run. Pages still render (their static URLs are not hashed)."""

from config.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
