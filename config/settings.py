"""One settings file, read from the environment (see the README's table).

`make install` writes a `.env` with generated demo keys; real deployments set
the variables themselves. With DEBUG off the app refuses to start without
SECRET_KEY, ALLOWED_HOSTS and the field-encryption keys.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_dotenv(path: Path) -> None:
    """Fill os.environ from KEY=VALUE lines; the real environment wins."""
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_load_dotenv(Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def required(name: str) -> str:
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off (see README, Configuration).")
    return value


DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("TESTING", False)

if DEBUG:
    SECRET_KEY = env("SECRET_KEY") or "insecure-dev-only-" + "x" * 40
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
else:
    SECRET_KEY = required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

# Field encryption (MultiFernet): the first key encrypts, all of them decrypt.
# The blind-index key (HMAC) is separate so exact lookups never need the
# encryption keys. Neither derives from SECRET_KEY.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY")
if not FIELD_ENCRYPTION_KEYS or not BLIND_INDEX_KEY:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set (`make install` generates demo keys into .env)."
    )

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
    "simple_history",
    "django_celery_beat",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "access",
    "crm",
    "registry",
    "consent",
    "retention",
    "dsar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Security headers on every answer after this point, including those other middlewares give (core.security).
    "core.security.ContentSecurityPolicyMiddleware",
    "core.hostile_input.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.language.PreferredLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "access.session_lifetime.SessionLifetimeMiddleware",
    "access.two_factor.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.actors.ActorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.navigation.navigation",
                "core.health.health_banner",
            ],
        },
    },
]

# Database: embedded SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(env("CONN_MAX_AGE", "60")))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if TESTING:  # a test run's flush truncates every table, the audit trail's included (core.audit_chain)
        DATABASES["default"]["OPTIONS"] = {"options": "-c crm.audit_maintenance=on"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # CNIL délibération 2022-100: 12 characters from 4 classes, 14 from 3, or a 7-word passphrase (access.passwords).
    {"NAME": "access.passwords.CnilPasswordValidator"},
]
# Password sign-in refused while the name or the address is locked (access.login_guard).
AUTHENTICATION_BACKENDS = ["access.login_guard.LockoutModelBackend"]
# LOGIN_FAILURE_LIMIT failed attempts on one account name, each within LOGIN_LOCKOUT_MINUTES of the last,
# lock it for LOGIN_LOCKOUT_MINUTES.
LOGIN_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_MINUTES = int(env("LOGIN_LOCKOUT_MINUTES", "15"))
LOGIN_IP_FAILURE_LIMIT = int(env("LOGIN_IP_FAILURE_LIMIT", "20"))  # failures from one address within that time
# Two-factor sign-in (access.two_factor): required of the roles that hold access.roles.TWO_FACTOR_PERMISSIONS.
TWO_FACTOR_ENFORCED = env_bool("TWO_FACTOR_ENFORCED", True)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "GDPR CRM")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English and French, Paris time.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Unambiguous dates in both languages (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from the npm registry (package-lock.json); nothing is vendored.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Contact import: uploads above this size are refused; a file the upload's first look (64 KB)
# read whole and holding fewer rows than IMPORT_INLINE_MAX_ROWS runs inline, any other as a
# Celery job with a progress bar. Caps on what a file may hold (hostile files are refused).
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
IMPORT_INLINE_MAX_ROWS = int(env("IMPORT_INLINE_MAX_ROWS", "2000"))
# Duplicate detection (crm.dedup): pairs scoring at least the auto-merge threshold are merged without review only
# when this is on; restricted and archived contacts never are.
DEDUP_AUTO_MERGE = env_bool("DEDUP_AUTO_MERGE", False)
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "500000"))
IMPORT_MAX_COLUMNS = int(env("IMPORT_MAX_COLUMNS", "200"))
IMPORT_MAX_CELLS = int(env("IMPORT_MAX_CELLS", "10000000"))
IMPORT_XLSX_MAX_UNPACKED_BYTES = int(env("IMPORT_XLSX_MAX_UNPACKED_BYTES", str(200 * 1024 * 1024)))
# Import jobs are personal data with a short life: one never finished goes (file, row, history)
# after this many hours; a finished one keeps only its counts after this many days.
IMPORT_ABANDONED_HOURS = float(env("IMPORT_ABANDONED_HOURS", "23"))
IMPORT_KEEP_DAYS = float(env("IMPORT_KEEP_DAYS", "7"))

# Art. 19 webhooks (README, "Art. 19 notices by webhook"). Endpoints are https; plain http only to the hosts
# listed here. Addresses that are not public (loopback, private, link-local...) are refused unless allowed.
WEBHOOK_HTTP_HOSTS = env_list("WEBHOOK_HTTP_HOSTS")
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "8"))
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS", "60"))  # then 2x, 4x, 8x...
# Audit trail (SEC-04, core.audit_chain): events older than this many days are purged behind a checkpoint
# (`manage.py purge_audit`); the database refuses fewer than 180. AUDIT_APP_ROLE: the PostgreSQL role the
# application connects as, when it is not the tables' owner: `migrate` leaves it SELECT and INSERT on the audit
# tables only.
AUDIT_RETENTION_DAYS = int(env("AUDIT_RETENTION_DAYS", "365"))
AUDIT_APP_ROLE = env("AUDIT_APP_ROLE")

# Backups (SEC-03, SEC-06, core.backups): `manage.py backup` encrypts with this key (32 bytes, URL-safe base64);
# keep it apart from the backups. BACKUP_DIR: where `manage.py backup` writes without --output.
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY")
BACKUP_DIR = Path(env("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
# The dashboard warns when no restore test succeeded within this many days.
RESTORE_TEST_MAX_AGE_DAYS = int(env("RESTORE_TEST_MAX_AGE_DAYS", "90"))

# Access review (SEC-01): the report of users and their roles is due for a sign-off this many days after the last one.
ACCESS_REVIEW_INTERVAL_DAYS = int(env("ACCESS_REVIEW_INTERVAL_DAYS", "180"))

# Free-text notes: terms that need a justification before saving (crm/sensitive.py holds the default list).
SENSITIVE_TERMS_EXTRA = env_list("SENSITIVE_TERMS_EXTRA")

# Cache (API throttling counters, among others): per process by default; set
# CACHE_URL=redis://... when several web processes must share the counters.
CACHE_URL = env("CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Celery: embedded broker needing no server by default, Redis through CELERY_BROKER_URL.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = BASE_DIR / "var" / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # the worker's control exchanges; kombu's default is ./control in the checkout
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within this time is delivered again: reruns must be harmless.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
WORKER_HEARTBEAT_SECONDS = int(env("WORKER_HEARTBEAT_SECONDS", "30"))
# Installed into django-celery-beat's tables on start; administrators edit them there.
# Health (issue 12): a worker or the beat silent for longer than this shows a red banner to the DPO and admins.
HEALTH_SILENT_MINUTES = int(env("HEALTH_SILENT_MINUTES", "10"))
# Dashboard figures (core.figures): the beat looks for figures due every this many seconds.
FIGURES_REFRESH_SECONDS = int(env("FIGURES_REFRESH_SECONDS", "60"))
# Alerts (SEC-05): an export of more contacts than this alerts the DPO; the daily digest goes to these addresses
# (default: every active DPO user's e-mail); a user reading more than READ_FACTOR times their daily usual
# (and at least READ_MINIMUM records) is flagged.
ALERT_EXPORT_SIZE = int(env("ALERT_EXPORT_SIZE", "1000"))
ALERT_DIGEST_TO = env_list("ALERT_DIGEST_TO")
ALERT_READ_FACTOR = float(env("ALERT_READ_FACTOR", "5"))
ALERT_READ_MINIMUM = int(env("ALERT_READ_MINIMUM", "200"))
ALERT_LOGIN_FAILURES = int(env("ALERT_LOGIN_FAILURES", "20"))  # failed sign-ins in 24 h that alert the DPO (SEC-05)
# Evidence packs (SEC-11) are deleted this many days after they were produced.
EVIDENCE_PACK_KEEP_DAYS = int(env("EVIDENCE_PACK_KEEP_DAYS", "7"))
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "core.tasks.heartbeat", "schedule": float(WORKER_HEARTBEAT_SECONDS)},
    # One heartbeat per queue, consumed by whichever worker serves it (/healthz, the staff banner).
    **{
        f"queue-heartbeat-{queue}": {
            "task": "core.tasks.heartbeat",
            "schedule": float(WORKER_HEARTBEAT_SECONDS),
            "args": (queue,),
            "options": {"queue": queue},
        }
        for queue in ("default", "purge", "dedup", "reports")
    },
    "refresh-figures": {"task": "core.tasks.refresh_figures", "schedule": float(FIGURES_REFRESH_SECONDS)},
    "alert-digest": {"task": "core.tasks.send_alert_digest", "schedule": crontab(hour=7, minute=30)},
    # Abandoned uploads go within a day: IMPORT_ABANDONED_HOURS plus at most this hour.
    "expire-import-jobs": {"task": "crm.tasks.expire_import_jobs", "schedule": 3600.0},
    # Retention (issue 9): every enforced policy previewed daily; approved ones purge on the `purge` queue.
    "retention-evaluate": {"task": "retention.tasks.evaluate_policies", "schedule": crontab(hour=3, minute=0)},
    # RET-04: re-permission requests, N days before a policy's period ends, each morning.
    "retention-repermission": {
        "task": "retention.tasks.send_repermission_requests",
        "schedule": crontab(hour=8, minute=30),
    },
    # CON-12: Art. 14 notices to contacts from indirect sources, each morning (CELERY_TIMEZONE).
    "art14-notices": {"task": "crm.tasks.send_art14_notices", "schedule": crontab(hour=9, minute=0)},
    # Requests (issue 10): reminders before due dates and overdue escalation each morning (DSR-14); unverified
    # submissions of the public form deleted once lapsed.
    "dsar-reminders": {"task": "dsar.tasks.send_reminders", "schedule": crontab(hour=8, minute=0)},
    "dsar-lapse-unverified": {"task": "dsar.tasks.lapse_unverified", "schedule": 3600.0},
    "dsar-expire-reports": {
        "task": "dsar.fulfilment.tasks.expire_response_files",
        "schedule": crontab(hour=4, minute=15),
    },
}

# E-mail: every message to a person goes through the outbox (core.outbox).
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "privacy@example.org")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env("SITE_URL", f"http://127.0.0.1:{env('PORT', '8000')}")
# Who the controller is and how people reach it: Art. 14 notices name both.
CONTROLLER_NAME = env("CONTROLLER_NAME", "Our organisation")
CONTROLLER_CONTACT = env("CONTROLLER_CONTACT", DEFAULT_FROM_EMAIL)

# Consent (issue 8). From this date a consumer may be called for canvassing only with phone consent,
# unless a current contract has a direct link (C. consom. L.223-1 as amended by loi 2025-594, CNS-09).
CONSENT_PHONE_OPT_IN_FROM = env("CONSENT_PHONE_OPT_IN_FROM", "2026-08-11")
# Until then, a consumer's number must have been checked against Bloctel within this many days (C. consom.
# L.223-1, D.223-3: at least every 30 days), and calls to consumers happen only in these local slots, on
# weekdays that are not public holidays (décret 2022-1313). CNS-09.
CONSENT_BLOCTEL_VALIDITY_DAYS = int(env("CONSENT_BLOCTEL_VALIDITY_DAYS", "30"))
CONSENT_CALL_SLOTS = env("CONSENT_CALL_SLOTS", "10:00-13:00,14:00-20:00")
# How long a double opt-in link stays valid, in seconds (default 7 days).
# Retention (RET-06): a policy's first run, and its first run after each change, waits for the DPO.
RETENTION_APPROVAL_REQUIRED = env_bool("RETENTION_APPROVAL_REQUIRED", True)
# RET-08: every purge and erasure is also appended here, outside the database, so that a restored backup
# can be purged again (`manage.py replay_erasures`). Keep it on storage the database backups do not restore.
# Contacts per purge batch: one transaction, one task.
RETENTION_PURGE_BATCH_SIZE = int(env("RETENTION_PURGE_BATCH_SIZE", "2000"))
RETENTION_LEDGER_PATH = Path(env("RETENTION_LEDGER_PATH", str(BASE_DIR / "var" / "purge-ledger.jsonl")))
# Data-subject requests: how long an access report or portability export (and its download link) lives.
DSAR_REPORT_DAYS = int(env("DSAR_REPORT_DAYS", "7"))
CONSENT_CONFIRMATION_MAX_AGE = int(env("CONSENT_CONFIRMATION_MAX_AGE", str(7 * 24 * 3600)))

# REST API
# Proxies in front of the app that append to X-Forwarded-For (README, "Settings"); 0 believes no such header.
TRUSTED_PROXIES = int(env("TRUSTED_PROXIES", "0"))

REST_FRAMEWORK = {
    "NUM_PROXIES": TRUSTED_PROXIES,  # the throttles' client address, as core.client.client_address
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "access.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # HasScope: a request made with an API key reaches only views that declare `required_scopes`.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "access.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["access.throttling.ApiKeyRateThrottle", "access.throttling.AnonymousRateThrottle"],
    # A machine API: JSON only (nested lists and objects have one unambiguous encoding), through the parser that
    # turns a body nested too deep or text PostgreSQL cannot store into a 400. Forms and uploads are the staff UI's.
    "DEFAULT_PARSER_CLASSES": ["core.api.SafeJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_THROTTLE_ANON", "60/minute")},
}
API_KEY_THROTTLE_RATE = env("API_KEY_THROTTLE_RATE", "600/minute")  # per key, whatever address it comes from
SPECTACULAR_SETTINGS = {
    "TITLE": "GDPR CRM API",
    "DESCRIPTION": "Contacts, consents and data-subject requests, with evidence for every change.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that several fields share (the Art. 6 bases; the consent channels).
    "ENUM_NAME_OVERRIDES": {
        "LegalBasisEnum": "registry.choices.LegalBasis",
        "ConsentChannelEnum": "consent.models.Channel",
        "LanguageEnum": "django.conf.settings.LANGUAGES",
        "ExtensionCategoryEnum": "dsar.models.ExtensionCategory",
        "RefusalGroundEnum": "dsar.models.RefusalGround",
        "DataCategoryEnum": "core.subject_data.Category",
    },
}

# Security. Production settings pass `manage.py check --deploy` with zero warnings.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A staff session ends after 30 minutes without a request and 12 hours after sign-in (access.session_lifetime).
SESSION_IDLE_TIMEOUT = int(env("SESSION_IDLE_TIMEOUT", str(30 * 60)))
SESSION_ABSOLUTE_LIFETIME = int(env("SESSION_ABSOLUTE_LIFETIME", str(12 * 3600)))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The development server's request lines, as Django logs them, without query strings (core.accesslog).
    "filters": {
        "no_query_strings": {"()": "core.accesslog.QueryStringFilter"},
        "one_line_refusals": {"()": "core.log_filters.OneLineRefusals"},
    },
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's own console handler would print each record a second time through the root's.
        "django": {"handlers": [], "level": env("LOG_LEVEL", "INFO"), "propagate": True},
        # runserver's access lines, as Django prints them (configuring "django" resets its children).
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["no_query_strings"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# Data-subject requests (issue 10).
# DSR-06 (France): the Art. 12(3) clock stops while the requester's verification or identity information is awaited.
DSAR_SUSPEND_CLOCK_WHILE_AWAITING_IDENTITY = env_bool("DSAR_SUSPEND_CLOCK_WHILE_AWAITING_IDENTITY", True)
# An unverified submission of the public form lapses (and is deleted) after this many days; the link expires then.
DSAR_UNVERIFIED_LAPSE_DAYS = int(env("DSAR_UNVERIFIED_LAPSE_DAYS", "7"))
# DSR-14: reminders this many days before a due date (comma-separated).
DSAR_REMINDER_DAYS_BEFORE_DUE = [int(d) for d in env("DSAR_REMINDER_DAYS_BEFORE_DUE", "7,3,1").split(",") if d.strip()]
# Public form rate limits (counted in the cache, Redis in production): per IP address per hour, and
# per target e-mail address per day (beyond it the form answers the same but sends nothing).
DSAR_FORM_LIMIT_PER_IP_PER_HOUR = int(env("DSAR_FORM_LIMIT_PER_IP_PER_HOUR", "20"))
DSAR_FORM_LIMIT_PER_ADDRESS_PER_DAY = int(env("DSAR_FORM_LIMIT_PER_ADDRESS_PER_DAY", "3"))
