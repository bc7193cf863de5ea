"""CertDesk settings: everything comes from the environment (see .env.example).

Defaults give a working single-machine install: SQLite under var/, an embedded Celery
broker on the filesystem under var/, console e-mail. Production differs only by
environment variables, never by code.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

from config.public_url import allowed_hosts_default, public_url
from config.secrets_init import DATABASE, private_file, secure_var_dir

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("CERTDESK_VAR_DIR", default=str(BASE_DIR / "var")))
# var/ holds the SQLite database (sessions, password hashes) and the secret files: 0700.
secure_var_dir(VAR_DIR)

env = environ.Env()
env_file = env.str("CERTDESK_ENV_FILE", default=str(BASE_DIR / ".env"))
if Path(env_file).is_file():
    environ.Env.read_env(env_file, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _secret(name: str, var_file: str = "") -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets).

    With neither set, the file `make run` created under var/ (VAR_DIR/var_file), if it
    exists: the Makefile's own defaults, so `manage.py` alone finds them.
    """
    value = env.str(name, default="")
    file_name = env.str(f"{name}_FILE", default="")
    if not value and not file_name and var_file and (VAR_DIR / var_file).is_file():
        file_name = str(VAR_DIR / var_file)
    if not value and file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            sys.exit(f"CertDesk: cannot read {name}_FILE={file_name}: {exc.strerror}.")
    return value


SECRET_KEY = _secret("SECRET_KEY", "secret-key")
CERTDESK_KEY_ENCRYPTION_KEY = _secret("CERTDESK_KEY_ENCRYPTION_KEY", "key-encryption.key")
if not DEBUG:
    for _name, _value in (
        ("SECRET_KEY", SECRET_KEY),
        ("CERTDESK_KEY_ENCRYPTION_KEY", CERTDESK_KEY_ENCRYPTION_KEY),
    ):
        if not _value:
            sys.exit(
                f"CertDesk: set {_name} (or {_name}_FILE) in the environment or .env, or run "
                f"'make run' once to create it under {VAR_DIR}; it is required when DEBUG is off."
            )
if not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105 (DEBUG only)

# Public URL of this CertDesk, used in CRL distribution points and OCSP URLs of issued certificates.
# Unset: derived from CERTDESK_BIND (make run's BIND), see config/public_url.py.
CERTDESK_PUBLIC_URL = public_url(os.environ)

# Default: loopback plus the public URL's host, so `make run BIND=0.0.0.0:8443` answers there.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=allowed_hosts_default(CERTDESK_PUBLIC_URL))
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "axes",
    "core",
    "certauthority",
    "deployments",
    "expiry",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

# `manage.py pki …` (the certificate-day file tool, run dozens of times in a row) starts with
# only the apps it needs: the web's and Celery beat's apps (admin, axes, beat's schedule, forms,
# static files) and the deployment models cost about 0.2 s of imports per run and no pki verb
# touches them (issue 10 item 19; tests/cli/test_startup.py). Everything else (migrate, check,
# shell, the web, the worker, the tests) gets every app.
CLI_LEAN_COMMANDS = ("pki",)
_FILE_TOOL_APPS = {
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "certauthority",
}
if Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] and sys.argv[1] in CLI_LEAN_COMMANDS:
    INSTALLED_APPS = [app for app in INSTALLED_APPS if app in _FILE_TOOL_APPS]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into core.lockout's answer.
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / DATABASE}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # Created 0600 before SQLite opens it (else the umask's 0644: world-readable).
        private_file(Path(DATABASES["default"]["NAME"]))
    # WAL and a busy timeout let the web process, worker and beat share one SQLite file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # IMMEDIATE: a transaction takes the write lock when it begins, so two of them that
        # read-then-write (issuing a plan twice at once) wait for each other instead of
        # failing with "database is locked" (PostgreSQL locks rows: select_for_update).
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Log-in lockout (django-axes, policy in core/lockout.py): the axes backend refuses a locked
# user name or address before the password is checked. Counted in the database, not the
# cache, so it holds when Redis is down.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env.bool("CERTDESK_LOGIN_LOCKOUT", default=True)
AXES_HANDLER = "core.lockout.LockoutHandler"
AXES_VERBOSE = False  # no start-up banner in every command's output
AXES_FAILURE_LIMIT = env.int("CERTDESK_LOGIN_FAILURE_LIMIT", default=5)
CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("CERTDESK_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("CERTDESK_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.lockout.client_address"
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names need `collectstatic` first (make run and the Dockerfile do it).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("CERTDESK_STATIC_MANIFEST", default=not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Lets runserver and tests serve vendored assets without collectstatic.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_MANIFEST_STRICT = False

# Uploads: certificates, keys and bundles are small; refuse anything big early.
CERTDESK_MAX_UPLOAD_BYTES = env.int("CERTDESK_MAX_UPLOAD_BYTES", default=1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = CERTDESK_MAX_UPLOAD_BYTES * 2
FILE_UPLOAD_MAX_MEMORY_SIZE = CERTDESK_MAX_UPLOAD_BYTES * 2

# Every form field renders empty instead of echoing a pasted private key (core.rendering).
FORM_RENDERER = "core.rendering.KeySafeFormRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis (when set) carries Celery and the cache; otherwise an embedded broker under var/.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A Redis that does not answer is reported within seconds, not after a minute (issue 9).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
    CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "certdesk",
        }
    }
else:
    for _sub in ("queue", "processed", "results", "control"):
        (CELERY_BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = f"file://{CELERY_BROKER_DIR / 'results'}"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="certdesk@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Issue 12: days before notAfter at which the expiry scan tells people (0, "expired", is always
# added); each message's first retry waits this long, then twice as long each time.
CERTDESK_EXPIRY_THRESHOLDS = env.list(
    "CERTDESK_EXPIRY_THRESHOLDS", default=["60", "30", "14", "7", "1"]
)
CERTDESK_NOTIFY_RETRY_SECONDS = env.float("CERTDESK_NOTIFY_RETRY_SECONDS", default=60.0)
CERTDESK_NOTIFY_MAX_RETRIES = env.int("CERTDESK_NOTIFY_MAX_RETRIES", default=6)
CERTDESK_WEBHOOK_TIMEOUT = env.float("CERTDESK_WEBHOOK_TIMEOUT", default=10.0)

# Production hardening; each can be relaxed by environment for a plain-HTTP lab install.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response, DEBUG or not (core.middleware). Everything is
# vendored and templates have no inline script/style/handler; Bootstrap's CSS draws its
# icons from data: URIs, hence img-src data:. Empty turns the header off.
CERTDESK_CONTENT_SECURITY_POLICY = env.str(
    "CERTDESK_CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
CERTDESK_CSP_REPORT_ONLY = env.bool("CERTDESK_CSP_REPORT_ONLY", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- the REST API (issue 13; api/) ---------------------------------------------------------------
# Token (Authorization: Token …, `manage.py drf_create_token USER` or the Tokens page) or the
# web session (with its CSRF check). The web's roles apply: api.permissions.RolePermission.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.RolePermission"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # ?format= is the download format here (pem, der, …), not a renderer choice.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CertDesk API",
    "DESCRIPTION": "Certificates, CAs and deployments of Cisco Meeting Server, for scripts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Vendored assets (drf-spectacular-sidecar): CertDesk runs on closed networks, no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "SignProfileEnum": ["server", "client", "server-client"],
        "CertificateProfileEnum": "certauthority.models.PROFILE_CHOICES",
    },
}
