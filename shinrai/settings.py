"""Shinrai settings, read from environment variables (12-factor).

Defaults make `make run` work on a fresh machine: SQLite under var/, in-process tasks,
console e-mail. `SHINRAI_ENV=production` switches on the secure defaults and requires
a real secret key.
"""

import contextlib
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("SHINRAI_VAR_DIR", BASE_DIR.parent / "var"))

# matplotlib (charts) keeps its font cache in a config directory; without one it tries ~/.config, which a
# service account may not have, and then builds a temporary one on every start. Set before anything imports
# matplotlib; an operator's own MPLCONFIGDIR wins.
os.environ.setdefault("MPLCONFIGDIR", str(VAR_DIR / "matplotlib"))
with contextlib.suppress(OSError):  # unwritable: matplotlib warns and falls back to a temporary directory
    Path(os.environ["MPLCONFIGDIR"]).mkdir(parents=True, exist_ok=True)


def envbool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENV = os.environ.get("SHINRAI_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = envbool("SHINRAI_DEBUG", not PRODUCTION)


def _secret_key() -> str:
    """Use the environment's key; outside production, generate one under var/ on first run."""
    if key := os.environ.get("SHINRAI_SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("SHINRAI_SECRET_KEY must be set when SHINRAI_ENV=production")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = envlist("SHINRAI_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("SHINRAI_CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SHINRAI_SITE_URL", "http://127.0.0.1:8000")
SHINRAI_WEBHOOK_ALLOW_PRIVATE = envbool("SHINRAI_WEBHOOK_ALLOW_PRIVATE", False)  # see docs/WEBHOOKS.md
# Days a delivered or failed webhook delivery stays in the log (shinrai prune-webhook-deliveries).
SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS = envint("SHINRAI_WEBHOOK_DELIVERY_RETENTION_DAYS", 90)
# Hours within which a trouble of each severity must be told to the customer, e.g. "critical=2,high=12";
# severities not named keep the defaults in shinrai/troubles/models.py.
SHINRAI_TROUBLE_DISCLOSURE_HOURS = {
    name.strip(): int(hours)
    for name, _sep, hours in (item.partition("=") for item in envlist("SHINRAI_TROUBLE_DISCLOSURE_HOURS", ""))
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "shinrai.core",
    "shinrai.requirements",
    "shinrai.progress",
    "shinrai.troubles",
    "shinrai.ledger",
    "shinrai.surveys",
    "shinrai.accounts",
    "shinrai.flows",
    "shinrai.integrations",
    "shinrai.grayzone",
    "shinrai.partnership",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shinrai.core.middleware.RefuseUnusedMethodsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shinrai.core.bidi.BidiControlsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shinrai.core.middleware.SessionTimeoutMiddleware",
    "shinrai.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must come last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shinrai.urls"
WSGI_APPLICATION = "shinrai.wsgi.application"

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
                "csp.context_processors.nonce",
            ],
        },
    }
]

# SQLite under var/ is the embedded default; DATABASE_URL selects PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'shinrai.sqlite3'}",
        conn_max_age=envint("SHINRAI_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the worker and the web server write without "database is locked" under light load.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    # Kept open like PostgreSQL's (SHINRAI_DB_CONN_MAX_AGE): opening a SQLite file and reading its schema
    # again cost ~2 ms per request on the large dataset, a fifth of a small page.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shinrai.core.auth.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures per account and address lock it for 15 minutes.
AXES_FAILURE_LIMIT = envint("SHINRAI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "shinrai.core.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Outside production WhiteNoise serves straight from the apps' static folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Cache: rendered charts (SVG) are kept here, keyed by the data they were drawn from (see
# shinrai/progress/chart_data.py). In-process memory by default; SHINRAI_CACHE_URL=redis://… shares one cache
# between processes and machines.
CACHE_URL = os.environ.get("SHINRAI_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "shinrai",
            "OPTIONS": {"MAX_ENTRIES": envint("SHINRAI_CACHE_MAX_ENTRIES", 300)},
        }
    )
}
# Drawn charts have their own cache: a worker and `shinrai draw-charts` draw them ahead of the first view
# (shinrai/progress/chart_drawing.py), which only helps where the app servers read the same cache. Redis when
# SHINRAI_CACHE_URL is set; in production without it, files under var/cache/charts (shared by the processes of
# one machine); otherwise in-process memory.
CHART_CACHE_DIR = os.environ.get("SHINRAI_CHART_CACHE_DIR", str(VAR_DIR / "cache" / "charts"))
_CHART_CACHE_ENTRIES = envint("SHINRAI_CHART_CACHE_MAX_ENTRIES", 20000)
if CACHE_URL:
    CACHES["charts"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
elif PRODUCTION:
    CACHES["charts"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": CHART_CACHE_DIR,
        "OPTIONS": {"MAX_ENTRIES": _CHART_CACHE_ENTRIES},
    }
else:
    CACHES["charts"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shinrai-charts",
        "OPTIONS": {"MAX_ENTRIES": envint("SHINRAI_CACHE_MAX_ENTRIES", 300)},
    }

# E-mail: printed to the console unless SMTP is configured.
EMAIL_BACKEND = os.environ.get(
    "SHINRAI_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("SHINRAI_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("SHINRAI_EMAIL_HOST", "localhost")
EMAIL_PORT = envint("SHINRAI_EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("SHINRAI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SHINRAI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("SHINRAI_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("SHINRAI_EMAIL_FROM", "Shinrai <noreply@shinrai.invalid>")

# Background work: one interface (Django's tasks API via the django-tasks backport).
# immediate = in-process (default); database = `shinrai worker`; redis = RQ workers.
TASK_BACKEND = os.environ.get("SHINRAI_TASK_BACKEND", "immediate")
REDIS_URL = os.environ.get("SHINRAI_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "redis": "django_tasks_rq.RQBackend",
}
if TASK_BACKEND not in _TASK_BACKENDS:
    raise RuntimeError(f"SHINRAI_TASK_BACKEND must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASK_BACKEND], "QUEUES": ["default"]}}
if TASK_BACKEND == "redis":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}

# Content Security Policy: no inline script or style anywhere, everything served from here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SHINRAI_SESSION_AGE", 60 * 60 * 12)  # absolute: see core.middleware
# A signed-in session unused for this long ends (0: no idle limit); enforced by core.middleware.
SESSION_IDLE_MINUTES = envint("SHINRAI_SESSION_IDLE_MINUTES", 30)
LANGUAGE_COOKIE_NAME = "shinrai_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SHINRAI_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SHINRAI_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SHINRAI_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    if not envbool("SHINRAI_HSTS_PRELOAD", False):
        # Preload is a one-way door for the whole domain; the operator opts in explicitly.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHINRAI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
