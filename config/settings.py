"""Settings for 爱心妈妈结对关爱平台, read from the environment (see the table in README.md).

The embedded default (no DATABASE_URL, no REDIS_URL) is a SQLite file in ``var/`` with Celery tasks
run in-process. Production sets DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from config.env import env_bool, env_choice, env_duration, env_int, env_list, env_str, env_subset

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "The environment variable SECRET_KEY is required when DEBUG is off "
            "(set DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-local-development-only-never-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak for production: use at least 50 random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    # Two-factor login (accounts.twofactor): TOTP devices and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Shared helpers (no models); its ready() makes API requests keep their JSON types (core.json_types).
    "core",
    "accounts",
    "children",
    "volunteers",
    "pairing",
    "activities",
    "reports",
    "submissions",
    "casework",
    "exports",
    "alerts",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response; no-store on downloads and on views marked so (core.security).
    "core.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip for pages and JSON, not downloads nor views marked @no_compression (BREACH: core.compression).
    # After WhiteNoise (static files come pre-compressed), before all that reads or writes the body.
    "core.compression.CompressionMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session passed the second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A caring mother's phone session slides: it ends only after TOKEN_IDLE_VOLUNTEER unused (accounts.tokens).
    "accounts.tokens.PhoneSessionMiddleware",
    # The signed-in user's own language (User.language, chosen on her profile page), not the browser's.
    "accounts.language.UserLanguageMiddleware",
    # Pages need a login unless their view says @login_not_required (the API authenticates itself).
    "core.login.LoginRequiredMiddleware",
    # The roles in OTP_REQUIRED_ROLES see nothing but the enrolment page until they have passed the
    # second factor (accounts.twofactor); every signed-in session's last use is noted (accounts.usersessions).
    "accounts.twofactor.OTPRequiredMiddleware",
    "accounts.usersessions.SessionActivityMiddleware",
    # The client's address, for the audit log (core.request_context).
    "core.request_context.RequestContextMiddleware",
    # A ValidationError that gets out of a page answers 400 with its messages (core.errors).
    "core.errors.BadRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.navigation",
                "activities.context_processors.badge",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
VAR_DIR.mkdir(parents=True, exist_ok=True)
_database_url = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
if DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    raise ImproperlyConfigured("DATABASE_URL must be a postgres:// or sqlite:/// URL.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
else:
    # PostgreSQL's JIT compiles each of our statistics queries for longer than it then saves
    # (bench/stats.py: province overdue counts 2.1 s with JIT, 0.85 s without). Settled here, once.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# The hot queries of core.prepared (a caring mother's token, the checks of a visit she records) run as
# prepared statements: the database parses and plans them once per connection, not on every request.
# Only they are prepared (the rest of Django binds on the client). Off (0) behind a connection pooler in
# transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED_STATEMENTS:
    # psycopg prepares a statement from its second run on a connection.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 1
# A read-only streaming replica of the primary (docker-compose.yml's profile "replica"): the statistics,
# the dashboard, reports and exports read from it (core.dbrouting.reading_from_replica); everything else,
# and every write, goes to the primary. Unset: no "replica" alias, everything on DATABASE_URL.
_replica_url = env_str("DATABASE_REPLICA_URL")
if _replica_url:
    try:
        DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is malformed: {exc}") from None
    if (DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql"
            or DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL, beside a postgres:// DATABASE_URL "
                                   "(a replica of that primary).")
    DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if DB_PREPARED_STATEMENTS:
        DATABASES["replica"]["OPTIONS"]["prepare_threshold"] = 1
    # A test run reads the test database through it (there is no test replica to create).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.dbrouting.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed logins lock the account (by username, whatever the address) for a while.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
# By username only, on purpose: a township office's staff share one NAT address, and locking that
# address after five typos by different colleagues would lock the whole office out.
# HSTS preload (security.W021) is an operator's decision for their domain, not the app's.
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)

# Two-factor login (accounts.twofactor): the roles that must give a code from an authenticator app (TOTP)
# or a recovery code after their password, on the web and for an API token. Comma-separated; a superuser
# counts as an administrator; empty (OTP_REQUIRED_ROLES=) turns it off. Caring mothers keep a password
# alone (their phones are basic): "volunteer" is refused. Wrong codes count toward the lockout above.
OTP_REQUIRED_ROLES = frozenset(env_subset(
    "OTP_REQUIRED_ROLES", ["admin"], ("admin", "staff", "viewer"),
    hint="caring mothers (volunteer) keep a password alone"))
OTP_TOTP_ISSUER = "爱心妈妈结对关爱平台"
# django-otp's own back-off is off: wrong codes count toward django-axes's lockout instead (one limit,
# one message, shared with wrong passwords).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
# An API token (and a caring mother's phone session) ends after this long unused; each use renews it
# (accounts.tokens). Caring mothers' phones stay signed in for weeks; staff tokens for a working day.
TOKEN_IDLE_VOLUNTEER = env_duration("TOKEN_IDLE_VOLUNTEER", timedelta(days=30), minimum=timedelta(minutes=5))
TOKEN_IDLE_STAFF = env_duration("TOKEN_IDLE_STAFF", timedelta(hours=12), minimum=timedelta(minutes=5))

# --- I18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not a known IANA time zone.") from None
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private files (report PDFs, photos) live outside the static path and are served by views that check scope.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(VAR_DIR / "private")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT)}},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (production) ------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent on every response (core.security): no inline script, no inline style, nothing from elsewhere.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SESSION_COOKIE_HTTPONLY = True

# --- Protected personal data ---------------------------------------------------------------------
# 身份证号 are stored encrypted with these Fernet keys (the first encrypts; the others still decrypt,
# for rotation) and indexed by a keyed HMAC for uniqueness. See children/identity.py.
ID_NUMBER_KEYS = env_list("ID_NUMBER_KEYS", [])
ID_NUMBER_HASH_KEY = env_str("ID_NUMBER_HASH_KEY")
if not DEBUG and (not ID_NUMBER_KEYS or not ID_NUMBER_HASH_KEY):
    raise ImproperlyConfigured(
        "ID_NUMBER_KEYS and ID_NUMBER_HASH_KEY are required when DEBUG is off: generate a key with "
        "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
    )


def _check_fernet_keys(keys: list[str]) -> None:
    """Each key must be a Fernet key, none twice; the message says which, never the key (a secret)."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ImproperlyConfigured(
                f"ID_NUMBER_KEYS: key {position} of {len(keys)} is not a Fernet key (32 bytes in url-safe "
                "base64, 44 characters ending in '='); generate one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`."
            ) from None
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured("ID_NUMBER_KEYS lists the same key twice.")


_check_fernet_keys(ID_NUMBER_KEYS)
if ID_NUMBER_HASH_KEY is not None and len(ID_NUMBER_HASH_KEY) < 32:
    raise ImproperlyConfigured("ID_NUMBER_HASH_KEY must be at least 32 characters.")

# The audit trail's keyed hashes (accounts.auditchain): kept out of the database, so that whoever can write
# to it cannot forge a row or mend the chain. Changing it makes every row sealed before fail verify_audit.
AUDIT_HMAC_KEY = env_str("AUDIT_HMAC_KEY") or SECRET_KEY  # without its own key: SECRET_KEY (checked above)
if len(AUDIT_HMAC_KEY) < 32:
    raise ImproperlyConfigured("AUDIT_HMAC_KEY must be at least 32 characters.")

# --- Children ledger ------------------------------------------------------------------------------
# Days until the next review of a risk assessment, by colour (三色卡).
RISK_REVIEW_DAYS = {
    "red": env_int("RISK_REVIEW_DAYS_RED", 30, minimum=1),
    "yellow": env_int("RISK_REVIEW_DAYS_YELLOW", 90, minimum=1),
    "green": env_int("RISK_REVIEW_DAYS_GREEN", 180, minimum=1),
}
# Children who age out within this many days are listed for staff.
AGING_OUT_WARNING_DAYS = env_int("AGING_OUT_WARNING_DAYS", 30, minimum=1)
# A red child without an open case plan this many days after turning red is listed on the risk board (casework).
CASE_PLAN_DUE_DAYS = env_int("CASE_PLAN_DUE_DAYS", 7, minimum=1, maximum=3650)
# An exited child (a caring mother who left) is anonymised this many years after the exit (children.retention,
# daily beat), unless staff hold the record for a legal case; staff see it RETENTION_NOTICE_DAYS ahead.
RETENTION_YEARS_AFTER_EXIT = env_int("RETENTION_YEARS_AFTER_EXIT", 3, minimum=1, maximum=100)
RETENTION_NOTICE_DAYS = 30

# --- Care activities ------------------------------------------------------------------------------
# Expected days between contacts by risk colour (regions may set their own: activities.ContactRhythm).
CONTACT_DAYS = {
    "red": env_int("CONTACT_DAYS_RED", 7, minimum=1),
    "yellow": env_int("CONTACT_DAYS_YELLOW", 14, minimum=1),
    "green": env_int("CONTACT_DAYS_GREEN", 30, minimum=1),
    "": env_int("CONTACT_DAYS_UNASSESSED", 30, minimum=1),
}
# An activity older than this many days may be edited by staff only (and is audited).
ACTIVITY_EDIT_WINDOW_DAYS = env_int("ACTIVITY_EDIT_WINDOW_DAYS", 7, minimum=0)
# Aid above this many yuan needs an explicit confirmation.
ACTIVITY_AID_CONFIRM_YUAN = env_int("ACTIVITY_AID_CONFIRM_YUAN", 100_000, minimum=1)
# Person-times (人次) of one activity: more than ACTIVITY_MAX_PARTICIPANTS are refused, more than
# ACTIVITY_CONFIRM_PARTICIPANTS need an explicit confirmation (activities.services). The database
# refuses more than 100,000 whatever these say (activities.models.PARTICIPANTS_CEILING).
ACTIVITY_MAX_PARTICIPANTS = env_int("ACTIVITY_MAX_PARTICIPANTS", 2000, minimum=1, maximum=100_000)
ACTIVITY_CONFIRM_PARTICIPANTS = env_int("ACTIVITY_CONFIRM_PARTICIPANTS", 200, minimum=1)
if ACTIVITY_CONFIRM_PARTICIPANTS > ACTIVITY_MAX_PARTICIPANTS:
    raise ImproperlyConfigured(
        f"ACTIVITY_CONFIRM_PARTICIPANTS={ACTIVITY_CONFIRM_PARTICIPANTS} is above "
        f"ACTIVITY_MAX_PARTICIPANTS={ACTIVITY_MAX_PARTICIPANTS}: nothing above the maximum is accepted anyway."
    )
ACTIVITY_PHOTO_MAX_BYTES = env_int("ACTIVITY_PHOTO_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)
# Where reminders go besides the in-app notification (e.g. an SMS gateway later).
NOTIFICATION_BACKENDS = env_list("NOTIFICATION_BACKENDS", ["activities.delivery.InAppBackend"])
# E-mail and SMS delivery of notifications (activities.delivery, activities.channels), each user choosing
# hers on /profile/. E-mail goes through Django's EMAIL_BACKEND: SMTP, or the console in development.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG
                        else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "aixin@localhost")
if "@" not in DEFAULT_FROM_EMAIL.rpartition("<")[2] or any(c in DEFAULT_FROM_EMAIL for c in "\r\n"):
    raise ImproperlyConfigured(f"DEFAULT_FROM_EMAIL={DEFAULT_FROM_EMAIL!r} is not an e-mail address.")
if EMAIL_HOST_USER and not EMAIL_HOST_PASSWORD:
    raise ImproperlyConfigured("EMAIL_HOST_USER is set but EMAIL_HOST_PASSWORD is not.")
# SMS through an HTTP gateway (activities.channels.HttpSmsGateway): off while SMS_GATEWAY_URL is empty.
SMS_GATEWAY_URL = env_str("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = env_str("SMS_GATEWAY_KEY", "")
SMS_GATEWAY_TIMEOUT = env_int("SMS_GATEWAY_TIMEOUT", 5, minimum=1, maximum=60)
if SMS_GATEWAY_URL and not SMS_GATEWAY_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"SMS_GATEWAY_URL={SMS_GATEWAY_URL!r} is not an http(s) URL.")
if SMS_GATEWAY_URL and not SMS_GATEWAY_KEY:
    raise ImproperlyConfigured("SMS_GATEWAY_URL is set but SMS_GATEWAY_KEY is not.")
SMS_GATEWAY_ADAPTER = "activities.channels.HttpSmsGateway"

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF tokens that expire after TOKEN_IDLE_* unused (accounts.tokens).
        "accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Default-deny: an API view admits nobody unless it names its roles (core.access.api_roles).
    "DEFAULT_PERMISSION_CLASSES": ["core.access.DenyAll"],
    # The API takes JSON (a photo upload says multipart itself): no HTML-form semantics, where an
    # empty optional field counts as not sent.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # A filter value it cannot read is a 400, not ignored (core.filters).
    "DEFAULT_FILTER_BACKENDS": ["core.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    # Documents every operation's 400/401/403/404 once (core.openapi).
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "爱心妈妈结对关爱平台 API",
    "DESCRIPTION": "Public API v1 of 爱心妈妈结对关爱平台. Objects outside the caller's region subtree are 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The same choice sets appear on several models; name them once.
    "ENUM_NAME_OVERRIDES": {
        "ChildStatusEnum": "children.models.Status",
        "NeedStatusEnum": "children.models.NeedStatus",
        "RiskColorEnum": "children.models.RiskColor",
        "ExitReasonEnum": "children.models.ExitReason",
        "VolunteerStatusEnum": "volunteers.models.VolunteerStatus",
        "PairingEndReasonEnum": "pairing.models.EndReason",
        "PairingRoleEnum": "pairing.models.PairingRole",
        "RoleEnum": "accounts.roles.Role",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "ExportKindEnum": "exports.models.ExportKind",
        "SubmissionStatusEnum": "submissions.models.SubmissionStatus",
        "AlertKindEnum": "alerts.models.AlertKind",
        "AlertStatusEnum": "alerts.models.AlertStatus",
        "CasePlanStatusEnum": "casework.models.PlanStatus",
        "CaseActionStatusEnum": "casework.models.ActionStatus",
        "ReferralStatusEnum": "casework.models.ReferralStatus",
        "ReferralDepartmentEnum": "casework.models.Department",
        "ActivityKindEnum": "activities.models.ActivityKind",
        "CareServiceEnum": "activities.models.CareService",
    },
}

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis://, rediss:// or unix://.")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Without Redis (the embedded default), tasks run in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, not when a worker takes it: if its pool process dies the worker
# hands it back at once (reject on worker lost); if the whole worker dies (SIGKILL, out of memory, the
# machine lost), the broker hands it to another worker after TASK_VISIBILITY_TIMEOUT.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# THE time limits of every task (reports included; a province report at province scale renders in well
# under a minute, bench/reports.py). Past the hard limit the worker kills the task's process; the soft
# limit comes 30 s earlier (a quarter of the limit under 2 minutes) so the task can record its failure.
# The sender (web, beat) stamps them on each task's message from its own settings: give workers the same.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 630, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - min(30, CELERY_TASK_TIME_LIMIT // 4)
# How long a task taken by a worker may stay unacknowledged before Redis hands it to another worker:
# derived from the time limit, never set on its own, so that it always exceeds the longest a live
# worker holds a task — the time limit, plus the countdown before a retry starts (retries back off
# 1, 2, 4… s; tests/test_celery_limits.py keeps every task's longest countdown within the margin).
TASK_COUNTDOWN_MARGIN = min(60, CELERY_TASK_TIME_LIMIT // 4)
TASK_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT + TASK_COUNTDOWN_MARGIN
# Every worker looks for such abandoned tasks this often (and once when it starts).
TASK_RESTORE_INTERVAL = max(1, min(30, TASK_VISIBILITY_TIMEOUT // 20))
# A job still unfinished this long after it started is lost — no worker is coming back to it: the broker
# gives a dead worker's task to another after the visibility timeout, the workers look for such tasks every
# restore interval, and the task may then wait up to a time limit for a busy worker to be free (a new
# attempt would have started by then). Report runs still ``running`` (reports.services) and list imports
# still ``pending`` (children.reconcile) are then marked failed by the beat. Minutes, from the time limit.
TASK_LOST_AFTER = TASK_VISIBILITY_TIMEOUT + TASK_RESTORE_INTERVAL + CELERY_TASK_TIME_LIMIT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": TASK_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": TASK_RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,
    # A worker killed while it looks must not keep the others from looking for kombu's default 5 minutes.
    "unacked_mutex_expire": max(5, TASK_RESTORE_INTERVAL),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Daily at 01:30 in CELERY_TIMEZONE (= TIME_ZONE, Asia/Shanghai by default), after midnight so
    # "today" (timezone.localdate(), the same zone) is the new day: children who aged out are exited.
    "children-exit-aged-out": {
        "task": "children.tasks.exit_aged_out_children",
        "schedule": crontab(hour=1, minute=30),
    },
    # Daily at 02:00: exited children and caring mothers who left RETENTION_YEARS_AFTER_EXIT ago are
    # anonymised, unless held (children.retention.retention_anonymise_due).
    "retention-anonymise-due": {"task": "children.tasks.anonymise_due_records", "schedule": crontab(hour=2, minute=0)},
    "activities-daily-reminders": {"task": "activities.tasks.send_daily_reminders", "schedule": crontab(hour=7, minute=30)},
    # Nightly at 02:30: the analytics table's rows of the current and previous month are rebuilt
    # (reports.analytics), so that on the 1st the closed month's table is ready before the monthly reports.
    "reports-stats-nightly": {"task": "reports.tasks.rebuild_stats_nightly", "schedule": crontab(hour=2, minute=30)},
    "reports-monthly": {"task": "reports.tasks.monthly_reports", "schedule": crontab(day_of_month=1, hour=3, minute=0)},
    # Report runs whose worker was lost are marked failed (reports.services.report_runs_fail_lost).
    "reports-fail-lost-runs": {"task": "reports.tasks.fail_lost_report_runs", "schedule": crontab(minute="*/5")},
    # List imports whose preview job was lost are marked failed, their uploads deleted
    # (children.reconcile.imports_fail_lost).
    "children-fail-lost-imports": {"task": "children.tasks.fail_lost_imports", "schedule": crontab(minute="*/5")},
    # Export runs whose worker was lost are marked failed, and files past EXPORT_KEEP_DAYS deleted
    # (exports.services.export_runs_fail_lost and export_files_expire).
    "exports-sweep": {"task": "exports.tasks.sweep_export_runs", "schedule": crontab(minute="*/5")},
    # Staff of regions that have not sent last month's submission are reminded, from
    # SUBMISSION_REMINDER_DAY on, once per region and month (submissions.reminders).
    "submissions-reminders": {"task": "submissions.tasks.send_submission_reminders",
                              "schedule": crontab(hour=8, minute=0)},
    # Urgent reports (紧急情况报告) open and unacknowledged for ALERT_ESCALATE_AFTER_MINUTES are escalated
    # to the child's city, once each (alerts.services.alerts_escalate).
    "alerts-escalate": {"task": "alerts.tasks.escalate_alerts", "schedule": crontab(minute="*/5")},
    # E-mail and SMS deliveries that failed (backoff 1, 2, 4 … minutes) or waited out quiet hours are
    # sent when due (activities.delivery.retry_due).
    # The audit rows written since are chained (accounts.auditchain; verify with manage.py verify_audit).
    "accounts-seal-audit": {"task": "accounts.tasks.seal_audit", "schedule": crontab(minute="*")},
    "activities-retry-deliveries": {"task": "activities.tasks.retry_deliveries", "schedule": crontab(minute="*")},
}
# Four queues, so that one kind of work never waits behind another (README.md, "Workers and queues"): the
# month-start reports ("reports"), a province's ledger export ("exports"), the reminders, deliveries and
# escalations people wait for ("notifications"), and the rest ("default": the ledger's jobs, the sweeps).
# A worker started without -Q consumes all four; `-Q reports` makes a machine of its own for the reports.
# The sweeps that find lost runs stay on "default": they must run when no worker of the runs' queue is.
CELERY_TASK_DEFAULT_QUEUE = "default"
TASK_QUEUE_NAMES = ("default", "reports", "exports", "notifications")
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in TASK_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    "reports.tasks.generate_report": {"queue": "reports"},
    "reports.tasks.monthly_reports": {"queue": "reports"},
    "reports.tasks.rebuild_stats_month": {"queue": "reports"},
    "reports.tasks.rebuild_stats_nightly": {"queue": "reports"},
    "exports.tasks.generate_export": {"queue": "exports"},
    "activities.tasks.send_daily_reminders": {"queue": "notifications"},
    "activities.tasks.send_deliveries": {"queue": "notifications"},
    "activities.tasks.retry_deliveries": {"queue": "notifications"},
    "submissions.tasks.send_submission_reminders": {"queue": "notifications"},
    "alerts.tasks.escalate_alerts": {"queue": "notifications"},
}
# An export's file (personal data) is deleted this many days after it was made; exporting again is a click.
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7, minimum=1)
# Last month's reports made on the 1st: for every region at these levels, in these formats.
REPORT_SCHEDULE_LEVELS = env_list("REPORT_SCHEDULE_LEVELS", ["county", "city", "province"])
REPORT_SCHEDULE_FORMATS = env_list("REPORT_SCHEDULE_FORMATS", ["pdf"])
# From this day of the month on, staff of a region that has not sent last month's submission (月度报送) get
# a reminder (once per region and month). 1–28, so that every month has the day.
SUBMISSION_REMINDER_DAY = env_int("SUBMISSION_REMINDER_DAY", 5, minimum=1, maximum=28)
# An urgent report (紧急情况报告) nobody acknowledged this many minutes after it was made is escalated to the
# staff and administrators of the child's city (alerts.services.alerts_escalate; checked every 5 minutes).
ALERT_ESCALATE_AFTER_MINUTES = env_int("ALERT_ESCALATE_AFTER_MINUTES", 120, minimum=5, maximum=7 * 24 * 60)

# --- Caches ---------------------------------------------------------------------------------------
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Logging --------------------------------------------------------------------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"axes": {"level": "WARNING"}},
}
