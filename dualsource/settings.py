"""Dualsource settings: everything comes from the environment (see .env.example).

With nothing set, the portal runs on SQLite under var/ with kombu's filesystem
broker, so one command starts web, worker and scheduler on a fresh machine.
DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

import datetime as dt
import importlib.util
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from core import task_names
from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DUALSOURCE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# Production (docs/security.md): HTTPS only, secure cookies, an enforced CSP, a real key.
PRODUCTION = env_bool("DUALSOURCE_PRODUCTION", default=False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
_PLACEHOLDER_SECRETS = {_DEV_SECRET, "change-me-to-a-long-random-string", "change-me", ""}
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET)
if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
    if SECRET_KEY in _PLACEHOLDER_SECRETS or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be a random string of at least 50 characters in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Links in emails; `make run` sets it from HOST and PORT (an empty value means the default).
SITE_URL = (env_str("DUALSOURCE_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")

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
    "django_celery_beat",
    "axes",
    "csp",
    "django_htmx",
    "accounts",
    "suppliers",
    "outbox",
    "parts",
    "contracts",
    "sites",
    "purchasing",
    "inventory",
    "scorecards",
    "invoicing",
    "prediction",
    "rules",
    "planning",
    "alerts",
    "messaging",
    "engine",
    "workspace",
    "portal",
    "guide",
    "imports",
    "demo",
]

MIDDLEWARE = [
    "core.middleware.RequestSizeLimitMiddleware",
    "core.middleware.NulCharacterRefusalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Numbers and dates in the browser's language (Accept-Language), within LANGUAGES.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # request.htmx: a page answers an htmx request with just the part it swaps in.
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "dualsource.urls"
WSGI_APPLICATION = "dualsource.wsgi.application"

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
                "accounts.context_processors.role",
                "csp.context_processors.nonce",
            ],
            # `{{ value|when }}`: dates in the reader's own format (core/templatetags/dates.py).
            "builtins": ["core.templatetags.dates"],
        },
    },
]

# Database: SQLite in WAL mode with IMMEDIATE transactions unless DATABASE_URL is set.
_database_url = env_str("DATABASE_URL", "")
if _database_url:
    try:
        DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from exc
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "dualsource.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DUALSOURCE_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
LANGUAGES = [
    ("en-gb", "English (UK)"),
    ("en", "English (US)"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("nl", "Nederlands"),
    ("pl", "Polski"),
]
USE_TZ = True
# The organisation's main site: the default delivery site of a purchase order.
DUALSOURCE_MAIN_SITE = env_str("DUALSOURCE_MAIN_SITE", "MAIN")
# A part × site fed by a sensor that sent nothing for this long is stale (docs/inventory.md).
DUALSOURCE_SENSOR_STALE_HOURS = env_int("DUALSOURCE_SENSOR_STALE_HOURS", 6)
# Stock readings over MQTT (docs/inventory.md): broker, topic prefix, the ingest's fixed
# client id (its persistent session) and protocol ("5", or "3.1.1" for the embedded broker).
MQTT_URL = env_str("MQTT_URL", "mqtt://127.0.0.1:1883")
MQTT_TOPIC_PREFIX = env_str("MQTT_TOPIC_PREFIX", "dualsource/stock").rstrip("/")
MQTT_CLIENT_ID = env_str("MQTT_CLIENT_ID", "dualsource-ingest")
MQTT_PROTOCOL = env_str("MQTT_PROTOCOL", "5")
if MQTT_PROTOCOL not in ("5", "3.1.1"):
    raise ImproperlyConfigured("MQTT_PROTOCOL must be 5 or 3.1.1.")
BASE_CURRENCY = env_str("DUALSOURCE_BASE_CURRENCY", "EUR").upper()
if len(BASE_CURRENCY) != 3 or not BASE_CURRENCY.isalpha():
    raise ImproperlyConfigured("DUALSOURCE_BASE_CURRENCY must be an ISO 4217 code such as EUR.")

STATIC_URL = "static/"
# plotly.js is served from the installed plotly package, so page and library versions match.
_PLOTLY_JS_DIR = Path(importlib.util.find_spec("plotly").submodule_search_locations[0])
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/plotly", _PLOTLY_JS_DIR / "package_data")]
STATIC_ROOT = Path(env_str("DUALSOURCE_STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
# Fingerprinted, compressed, cached for good once collected; served from the source folders
# before that, so `manage.py runserver` shows styles and charts without DEBUG (core/staticfiles.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.staticfiles.FingerprintedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_COMPRESS = env_bool("DUALSOURCE_COMPRESS_STATIC", default=False)
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Replenishment planning (docs/planning.md): the planning period in days.
DUALSOURCE_PLANNING_PERIOD_DAYS = env_int("DUALSOURCE_PLANNING_PERIOD_DAYS", 7)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DUALSOURCE_MAX_BODY_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Any body over this is refused from its Content-Length before it is read (413); the
# margin leaves room for a multipart upload's headers around a file at the cap.
DUALSOURCE_MAX_REQUEST_BYTES = env_int(
    "DUALSOURCE_MAX_REQUEST_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024
)

# Redis, when set, is the broker, the result store and the cache.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis:// or rediss://.")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A cache that is down is a miss, never an error (core/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSafeRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
    # A broker that is down: publishing gives up quickly and the caller logs it
    # (core.tasks.task_queue_safely); the beat sweeps catch up once it is back.
    CELERY_BROKER_CONNECTION_TIMEOUT = 2
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 5}
    CELERY_TASK_PUBLISH_RETRY_POLICY = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
else:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # Poll often so a queued scorecard refresh starts well within a second.
        "polling_interval": 0.2,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    (VAR_DIR / "results").mkdir(parents=True, exist_ok=True)
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'results'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The whole beat schedule sits here; each entry expires just before its next run.
CELERY_BEAT_SCHEDULE = {
    # The engine pipeline (engine/pipeline.py: refresh → rules → alerts → emails). Every
    # 15 minutes it takes whatever waits (cells marked while the broker was down, alerts
    # that time alone raises: past due, unacknowledged, silent transit).
    "engine-pipeline": {
        "task": task_names.PIPELINE,
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    # 02:00: the as-of date moved for every supplier; every rule evaluated.
    "engine-nightly": {
        "task": task_names.PIPELINE_NIGHTLY,
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 23 * 3600},
    },
    # Sunday 03:00: every scorecard rebuilt from the facts (a safety net).
    "engine-rebuild-weekly": {
        "task": task_names.PIPELINE_REBUILD,
        "schedule": crontab(hour=3, minute=0, day_of_week="sunday"),
        "options": {"expires": 6 * 24 * 3600},
    },
    "send-alert-digests": {
        "task": task_names.ALERTS_SEND_DIGESTS,
        "schedule": crontab(hour=7, minute=0),  # organisation time (CELERY_TIMEZONE)
        "options": {"expires": 23 * 3600},
    },
    # Deliveries a dead worker left, or whose task the broker lost: within minutes.
    "sweep-alert-emails": {
        "task": task_names.ALERTS_SWEEP_DELIVERIES,
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # KPI cells marked while the broker was down (their task never queued) wait for no
    # posting and no nightly run: every two minutes the pipeline runs if anything waits.
    "engine-waiting-kpi-cells": {
        "task": task_names.PIPELINE,
        "schedule": 120.0,
        "kwargs": {"if_waiting": True},
        "options": {"expires": 100},
    },
    # Invoices still waiting for their goods or a match (docs/invoices.md).
    "match-invoices": {
        "task": task_names.INVOICE_MATCH_WAITING,
        "schedule": crontab(minute="7,37"),
        "options": {"expires": 29 * 60},
    },
}

# Supplier portal: login throttling (django-axes), sessions, uploads, invitations, messages.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("DUALSOURCE_LOGIN_THROTTLING", default=True)
AXES_FAILURE_LIMIT = env_int("DUALSOURCE_LOGIN_FAILURE_LIMIT", 5)
# Locked per username and, separately, per address: guessing one account from many
# addresses or many accounts from one address both stop.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("DUALSOURCE_LOGIN_LOCKOUT_MINUTES", 15))
AXES_RESET_ON_SUCCESS = True
# A lockout runs its cool-off from the failure that caused it: more attempts while locked
# do not restart it. The address is the one core.clientip reads (proxy header if set).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
SESSION_COOKIE_AGE = env_int("DUALSOURCE_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DUALSOURCE_SESSION_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool(
    "DUALSOURCE_SECURE_COOKIES", default=PRODUCTION
)
PASSWORD_RESET_TIMEOUT = env_int("DUALSOURCE_PASSWORD_RESET_SECONDS", 24 * 3600)
CERTIFICATE_MAX_BYTES = env_int("DUALSOURCE_CERTIFICATE_MAX_BYTES", 10 * 1024 * 1024)
# One warning period for certificates everywhere: portal, pages, alerts and emails.
CERTIFICATE_EXPIRY_WARNING_DAYS = env_int("DUALSOURCE_CERTIFICATE_WARNING_DAYS", 30)
INVITATION_MAX_AGE_SECONDS = env_int("DUALSOURCE_INVITATION_SECONDS", 7 * 24 * 3600)
CELERY_BEAT_SCHEDULE["message-emails-catch-up"] = {
    "task": task_names.MESSAGE_STALE,
    "schedule": crontab(minute="*/10"),
    "options": {"expires": 9 * 60},
}
CELERY_BEAT_SCHEDULE["message-digests-daily"] = {
    "task": task_names.MESSAGE_DIGESTS,
    "schedule": crontab(hour=7, minute=0),
    "options": {"expires": 23 * 3600},
}

# Late-delivery prediction (docs/prediction.md): trained weekly, open lines re-scored daily.
LATE_RISK_ALERT_PCT = env_int("DUALSOURCE_LATE_RISK_ALERT_PCT", 60)
CELERY_BEAT_SCHEDULE["train-lateness-weekly"] = {
    "task": task_names.LATENESS_TRAIN,
    "schedule": crontab(hour=4, minute=0, day_of_week="sunday"),
    "options": {"expires": 6 * 24 * 3600},
}
CELERY_BEAT_SCHEDULE["score-lateness-daily"] = {
    "task": task_names.LATENESS_SCORE,
    "schedule": crontab(hour=2, minute=30),
    "options": {"expires": 23 * 3600},
}

# Production sets EMAIL_BACKEND=core.mail.EmailBackend (SMTP that records a delivery sent
# at the server's acceptance, docs/emails.md).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
    EMAIL_BACKEND = "core.mail.EmailBackend"  # the same SMTP, with the acceptance hook
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "emails"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Dualsource <noreply@dualsource.local>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # Token authentication that counts bad tokens per client address.
        "core.throttling.ThrottledTokenAuthentication",
    ],
    # Per user (token or session), per client address, and anonymous (core/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserRateThrottle",
        "core.throttling.AnonRateThrottle",
        "core.throttling.ClientRateThrottle",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    # JSON with a size and nesting limit (a deeply nested body was a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
# Allowances per scope (docs/security.md); a refusal is a 429 with Retry-After.
DUALSOURCE_THROTTLE_RATES = {
    "user": env_str("DUALSOURCE_API_RATE_USER", "1200/min"),
    "client": env_str("DUALSOURCE_API_RATE_CLIENT", "3000/min"),
    "anon": env_str("DUALSOURCE_API_RATE_ANON", "30/min"),
    "bad_credentials": env_str("DUALSOURCE_BAD_CREDENTIALS_RATE", "20/hour"),
    "password_reset_address": env_str("DUALSOURCE_PASSWORD_RESET_RATE_ADDRESS", "3/hour"),
    "password_reset_client": env_str("DUALSOURCE_PASSWORD_RESET_RATE_CLIENT", "10/hour"),
}
# The header a trusted reverse proxy sets to the client's address (X-Real-IP, or
# X-Forwarded-For appended by the proxy). Empty: the connection's address (no proxy).
DUALSOURCE_CLIENT_IP_HEADER = env_str("DUALSOURCE_CLIENT_IP_HEADER", "")

SPECTACULAR_SETTINGS = {
    "TITLE": "Dualsource API",
    "DESCRIPTION": "Suppliers, parts, sources, contracts, orders, receipts and scorecards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Open in development; signed-in users only in production (docs/security.md).
    "SERVE_PERMISSIONS": ["core.permissions.SignedInInProduction"],
    # Several models have a `status`; name each enum after its model, not a hash.
    "ENUM_NAME_OVERRIDES": {
        "SupplierStatusEnum": "suppliers.models.Supplier.Status",
        "OrderLineStatusEnum": "purchasing.models.PurchaseOrderLine.Status",
        "PromiseRevisionReasonEnum": "purchasing.models.PromiseRevision.Reason",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_403_traceback": {"()": "core.logging.PermissionDeniedWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DUALSOURCE_LOG_LEVEL", "INFO")},
    # A refused request (403) is logged as one line: "Forbidden (Permission denied): /path".
    "loggers": {"django.request": {"filters": ["no_403_traceback"]}},
}

# --- Production hardening (docs/security.md) ------------------------------------------
# Scripts only from our own static files (or a per-request nonce: request.csp_nonce);
# styles also inline (style attributes in templates, plotly's and htmx's injected rules).
# Enforced in production, report-only elsewhere so a violation shows in the console.
_CSP = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if PRODUCTION:
    CONTENT_SECURITY_POLICY = _CSP
    SECURE_SSL_REDIRECT = env_bool("DUALSOURCE_SSL_REDIRECT", default=True)
    # The reverse proxy terminates TLS and says so in this header (it must set it itself).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DUALSOURCE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DUALSOURCE_HSTS_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("DUALSOURCE_HSTS_PRELOAD", default=True)
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
else:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
