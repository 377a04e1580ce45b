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
from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DUALSOURCE_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET and env_bool("DUALSOURCE_PRODUCTION", default=False):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("DUALSOURCE_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

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
    "accounts",
    "suppliers",
    "parts",
    "contracts",
    "purchasing",
    "inventory",
    "scorecards",
    "prediction",
    "rules",
    "alerts",
    "messaging",
    "workspace",
    "portal",
    "imports",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
            ],
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
BASE_CURRENCY = env_str("DUALSOURCE_BASE_CURRENCY", "EUR").upper()
if len(BASE_CURRENCY) != 3 or not BASE_CURRENCY.isalpha():
    raise ImproperlyConfigured("DUALSOURCE_BASE_CURRENCY must be an ISO 4217 code such as EUR.")

STATIC_URL = "static/"
# plotly.js is served from the installed plotly package, so page and library versions match.
_PLOTLY_JS_DIR = Path(importlib.util.find_spec("plotly").submodule_search_locations[0])
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/plotly", _PLOTLY_JS_DIR / "package_data")]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DUALSOURCE_MAX_BODY_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 100_000
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Redis, when set, is the broker, the result store and the cache.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("REDIS_URL must start with redis:// or rediss://.")

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
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
    "recompute-kpis-nightly": {
        "task": "scorecards.refresh_nightly",
        "schedule": crontab(hour=2, minute=0),
        "options": {"expires": 23 * 3600},
    },
    # --- alerts (SPEC §5): scan, the 07:00 digest, and the email sweeper.
    "scan-alerts": {
        "task": "alerts.scan",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "send-alert-digests": {
        "task": "alerts.send_digests",
        "schedule": crontab(hour=7, minute=0),  # organisation time (CELERY_TIMEZONE)
        "options": {"expires": 23 * 3600},
    },
    "sweep-alert-emails": {
        "task": "alerts.sweep_deliveries",
        "schedule": crontab(minute="*/5"),
        "options": {"expires": 4 * 60},
    },
    # Contract rules (SPEC §4): daily after the nightly KPI recompute, on every supplier;
    # each scorecard refresh also chains `rules.evaluate` for the suppliers it refreshed.
    "evaluate-rules-daily": {
        "task": "rules.evaluate",
        "schedule": crontab(hour=2, minute=45),
        "options": {"expires": 23 * 3600},
    },
    "rebuild-kpis-weekly": {
        "task": "scorecards.recompute_all",
        "schedule": crontab(hour=3, minute=0, day_of_week="sunday"),
        "options": {"expires": 6 * 24 * 3600},
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
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
SESSION_COOKIE_AGE = env_int("DUALSOURCE_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DUALSOURCE_SESSION_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("DUALSOURCE_SECURE_COOKIES", default=False)
PASSWORD_RESET_TIMEOUT = env_int("DUALSOURCE_PASSWORD_RESET_SECONDS", 24 * 3600)
CERTIFICATE_MAX_BYTES = env_int("DUALSOURCE_CERTIFICATE_MAX_BYTES", 10 * 1024 * 1024)
CERTIFICATE_EXPIRY_WARNING_DAYS = env_int("DUALSOURCE_CERTIFICATE_WARNING_DAYS", 60)
INVITATION_MAX_AGE_SECONDS = env_int("DUALSOURCE_INVITATION_SECONDS", 7 * 24 * 3600)
CELERY_BEAT_SCHEDULE["message-emails-catch-up"] = {
    "task": "messaging.send_stale_notifications",
    "schedule": crontab(minute="*/10"),
    "options": {"expires": 9 * 60},
}
CELERY_BEAT_SCHEDULE["message-digests-daily"] = {
    "task": "messaging.send_message_digests",
    "schedule": crontab(hour=7, minute=0),
    "options": {"expires": 23 * 3600},
}

# Late-delivery prediction (docs/prediction.md): trained weekly, open lines re-scored daily.
LATE_RISK_ALERT_PCT = env_int("DUALSOURCE_LATE_RISK_ALERT_PCT", 60)
CELERY_BEAT_SCHEDULE["train-lateness-weekly"] = {
    "task": "prediction.train",
    "schedule": crontab(hour=4, minute=0, day_of_week="sunday"),
    "options": {"expires": 6 * 24 * 3600},
}
CELERY_BEAT_SCHEDULE["score-lateness-daily"] = {
    "task": "prediction.score",
    "schedule": crontab(hour=2, minute=30),
    "options": {"expires": 23 * 3600},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
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
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dualsource API",
    "DESCRIPTION": "Suppliers, parts, sources, contracts, orders, receipts and scorecards.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
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
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DUALSOURCE_LOG_LEVEL", "INFO")},
}
