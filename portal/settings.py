"""Settings for the visitor portal, configured by environment variables (see README)."""

import datetime as dt
import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from apps.core.languages import DJANGO_LANGUAGES

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        # Published in this repository, so only ever for a development server (`make run`).
        SECRET_KEY = "django-insecure-local-development-only-set-SECRET_KEY-in-production"
    elif "PYTEST_VERSION" in os.environ:
        # pytest (8.2+) sets this: a test run needs a key, and one nobody knows is the safe kind.
        SECRET_KEY = f"test-only-{secrets.token_urlsafe(50)}"
    else:
        # A published key signs sessions and CSRF tokens that anyone could then forge.
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the portal needs its own secret key: set SECRET_KEY "
            "in the environment or .env (e.g. the output of `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`), or set DEBUG=1 for local development."
        )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A JSON problem document under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "apps.integrations.api.errors.api_csrf_failure"
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Guest data is kept this many days after an event ends, where a location sets no period of its own.
GUEST_RETENTION_DAYS = env.int("GUEST_RETENTION_DAYS", default=365)
if not 1 <= GUEST_RETENTION_DAYS <= 3650:
    raise ImproperlyConfigured("GUEST_RETENTION_DAYS must be 1 to 3650 days.")
# When set, every guest message ends with a link to this privacy notice.
PRIVACY_NOTICE_URL = env("PRIVACY_NOTICE_URL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "apps.core",
    "apps.directory",
    "apps.integrations",
    "apps.visits",
    "apps.notifications",
    "apps.reception",
    "apps.invites",
    "apps.webhooks",
    "apps.privacy",
    "django_htmx",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves STATIC_ROOT (admin, API docs) from the app itself, so gunicorn alone is a complete server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent requests wait instead of failing mid-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Every language the API accepts (apps/core/languages.py); page text without a translation stays English.
LANGUAGES = DJANGO_LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Login throttling (django-axes; the admin's login too) ---------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failures for one username from one address lock that pair out for 15 minutes; nobody can lock
# a colleague out from elsewhere, and a success resets the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- Email ---------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Visitor Portal <visits@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A hung SMTP server must not hold a worker forever; a timeout is retried like any transient failure.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Outbox delivery: attempts per message (transient failures only), exponential backoff between them.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BACKOFF_SECONDS = env.int("OUTBOX_RETRY_BACKOFF_SECONDS", default=60)
OUTBOX_RETRY_BACKOFF_MAX_SECONDS = env.int("OUTBOX_RETRY_BACKOFF_MAX_SECONDS", default=3600)
# The relay re-enqueues pending rows older than this (younger ones are still on their way via on_commit)
# and sends again rows stuck in SENDING for longer than the stale limit (their worker died mid-send).
OUTBOX_RELAY_GRACE_SECONDS = env.int("OUTBOX_RELAY_GRACE_SECONDS", default=60)
OUTBOX_RELAY_INTERVAL_SECONDS = env.float("OUTBOX_RELAY_INTERVAL_SECONDS", default=60.0)
# Without a broker, the web process's background sender runs these every OUTBOX_RELAY_INTERVAL_SECONDS,
# as `celery beat` does with one: rows a stopped process left behind and retries after a backoff go out.
BACKGROUND_RELAYS = [
    "apps.notifications.services.outbox_relay",
    "apps.webhooks.services.webhook_relay",
]
OUTBOX_SENDING_STALE_SECONDS = env.int("OUTBOX_SENDING_STALE_SECONDS", default=300)
# Celery kills a delivery still running after this (an SMTP server that hangs between timeouts), so by
# the time the relay takes a stale row back, no live attempt can still be sending it.
OUTBOX_SEND_TIME_LIMIT_SECONDS = max(1, OUTBOX_SENDING_STALE_SECONDS * 4 // 5)

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker the tasks run in-process (after commit), so the demo needs nothing but Python.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# …but never inside the request: the outbox hands its rows to a thread of the web process that sends
# them after the response and runs the relay (apps/notifications/background.py).
OUTBOX_DELIVERY_IN_BACKGROUND = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# The queue tasks are sent to; `bench_sync --http` points its server at a queue of its own that no worker
# reads (and empties it afterwards), so the benchmark's made-up guests are never mailed.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Redis redelivers a task whose worker died (kill -9, OOM) once it has been unacknowledged this long.
# It must outlast every task a worker legitimately holds unacknowledged: a delivery (at most
# OUTBOX_SEND_TIME_LIMIT_SECONDS) and a retry's countdown, which is why only retries that fit in it
# wait in the broker (longer backoffs wait in the row for the relay; see tasks.py). Short enough that a
# lost task comes back within minutes, though the relay already sends its row again after
# OUTBOX_SENDING_STALE_SECONDS; the redelivered copy then finds the row sent and does nothing.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * OUTBOX_SENDING_STALE_SECONDS),
    # How often a worker looks for such tasks: every this many seconds, each time (kombu's default looks
    # on every tenth 10-second tick only, so a task could wait 100 s past its visibility timeout).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=30),
    "unacked_restore_throttle": 1,
}
# `celery -A portal beat`: hands committed outbox rows that never reached the broker to the workers.
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {
        "task": "apps.notifications.tasks.outbox_relay_run",
        "schedule": OUTBOX_RELAY_INTERVAL_SECONDS,
    },
    "webhook-relay": {
        "task": "apps.webhooks.tasks.webhook_relay_run",
        "schedule": OUTBOX_RELAY_INTERVAL_SECONDS,
    },
    # apps/privacy: anonymise the guests of events past their location's retention, once a day.
    "guest-retention": {
        "task": "apps.privacy.tasks.retention_apply_run",
        "schedule": crontab(hour=3, minute=17),
    },
}

# --- Webhooks (apps/webhooks) --------------------------------------------------------------------
# On-premises only: let endpoints point at private, loopback or link-local addresses. Off by default
# (the SSRF guard refuses them at registration and at delivery); the tests' local receiver turns it on.
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
# A receiver gets this long (at most 15 s, the contract's limit) to connect and answer.
WEBHOOK_TIMEOUT_SECONDS = min(15.0, env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0))
# What is read back of an answer; the rest is never read.
WEBHOOK_RESPONSE_MAX_BYTES = env.int("WEBHOOK_RESPONSE_MAX_BYTES", default=64 * 1024)
# Seconds before each retry (growing, some 21 hours in all); one attempt more than delays listed.
WEBHOOK_RETRY_DELAYS_SECONDS = env.list(
    "WEBHOOK_RETRY_DELAYS_SECONDS", cast=int, default=[10, 60, 300, 1800, 7200, 21600, 43200]
)
# A delivery stuck in SENDING this long belonged to a worker that died mid-POST: the relay sends it again.
WEBHOOK_SENDING_STALE_SECONDS = env.int("WEBHOOK_SENDING_STALE_SECONDS", default=120)
# Without a broker deliveries go to a thread of the web process, never inside the request.
WEBHOOK_DELIVERY_IN_BACKGROUND = not CELERY_BROKER_URL

# --- Sync API ------------------------------------------------------------------------------------
SYNC_MAX_EVENTS = env.int("SYNC_MAX_EVENTS", default=1000)
SYNC_MAX_BODY_BYTES = env.int("SYNC_MAX_BODY_BYTES", default=10 * 1024 * 1024)
# DRF reads request bodies through Django, which enforces this limit; the API turns it into a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = SYNC_MAX_BODY_BYTES

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.integrations.api.authentication.IntegrationTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["apps.integrations.api.permissions.IsIntegration"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["apps.integrations.api.filters.QueryFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.integrations.api.errors.problem_exception_handler",
    "DEFAULT_METADATA_CLASS": "apps.integrations.api.metadata.ApiMetadata",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Visitor Portal API",
    "DESCRIPTION": "Keep the portal in step with your own event database (see README).",
    "VERSION": "2",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # 3.1: null is a type like any other, so `creator: null` and nullable references validate as served.
    "OAS_VERSION": "3.1.0",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.integrations.api.schema.schema_postprocess",
    ],
}

# --- Security (production values come from the environment) -------------------------------------
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
