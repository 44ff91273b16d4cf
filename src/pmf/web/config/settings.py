"""Django settings for pmf, read from environment variables.

Every setting that differs between a laptop and a deployment comes from the
environment (see ``.env.example``); the defaults are safe for local use.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import dj_database_url

from pmf.web.accounts.sso_config import load_sso_config, origin_of
from pmf.web.env import (
    DEVELOPMENT_SECRET_KEY,
    env_bool,
    env_int,
    env_list,
    env_str,
    redis_cache,
)

# pmf/web: its templates/ and static/ folders.
BASE_DIR = Path(__file__).resolve().parents[1]

DEBUG = env_bool("PMF_DEBUG", default=False)
# Serving with this default and DEBUG off is refused (pmf.web.env.refuse_published_secret_key).
SECRET_KEY = env_str("PMF_SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("PMF_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja: the JSON API, and Swagger UI from its bundled static files (no CDN).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "pmf.web.frameworks",
    "pmf.web.observations",
    "pmf.web.accounts",
    "pmf.web.scorecards",
    "pmf.web.entry",
    "pmf.web.cycles",
    "pmf.web.papers",
    "pmf.web.dashboard",
    "pmf.web.interventions",
    "pmf.web.plans",
    "pmf.web.risks",
    "pmf.web.recommendations",
    "pmf.web.commentary",
    "pmf.web.api",
    "pmf.web.audit",
    "pmf.web.scores",
    "pmf.web.deliveries",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pmf.web.security.ContentSecurityPolicyMiddleware",
    # Signed-in pages and API answers: Cache-Control: private, no-store (static files keep theirs).
    "pmf.web.security.PrivateResponsesMiddleware",
    # The NUL character in an address or query: 400 before any view or query reads it.
    "pmf.web.security.RefuseNulMiddleware",
    # Static files straight from the app server, compressed and cached (no proxy needed).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the language cookie, else what the browser asks for, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A single sign-on session's groups read again from the provider (docs/guide/sso.md).
    "pmf.web.accounts.sso_recheck.SsoRecheckMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (the login page).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Any page's tables as an Excel workbook (?export=xlsx), after the view's own checks.
    "pmf.web.exports.ExcelExportMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pmf.web.config.urls"

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
                "pmf.web.i18n.html_language",
            ],
            # ``when``: every date as people read it, "6 December 2026, 14:05"; ``figure``:
            # a number with separators and the measure's decimals.
            "builtins": ["pmf.web.dates", "pmf.web.numbers"],
        },
    },
]

WSGI_APPLICATION = "pmf.web.config.wsgi.application"

# SQLite in the working directory unless DATABASE_URL names another database.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", default=f"sqlite:///{Path.cwd() / 'pmf.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        # Seconds a write waits for another writer to finish before giving up with a message.
        "timeout": env_int("PMF_DATABASE_TIMEOUT", default=20, minimum=1),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
# British English and Welsh (Cymraeg): Welsh public bodies publish bilingually. The reader
# chooses with the language links in every page's header (a cookie); a browser asking for
# Welsh gets Welsh first. Catalogues: one per area of the code, src/pmf/locale/<area>/.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = sorted(
    path for path in (BASE_DIR.parent / "locale").glob("*") if (path / "cy").is_dir()
)
# One date format for people everywhere: "6 December 2026", "6 December 2026, 14:05"
# (pmf/web/formats/en_GB; Django's own would write "6 Dec 2026, 2:05 p.m.").
FORMAT_MODULE_PATH = ["pmf.web.formats"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("PMF_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# The reader's language (the switcher, pmf.web.i18n): kept a year, sent only as the session is.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
STATIC_ROOT = Path(env_str("PMF_STATIC_ROOT", default=str(Path.cwd() / "staticfiles")))

# Security headers. HSTS and the HTTPS redirect only where the deployment says it serves HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("PMF_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 31_536_000 if SESSION_COOKIE_SECURE else 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("PMF_BEHIND_PROXY", default=False) else None
)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Only pmf's own files: no inline script or style, no eval, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Single sign-on with OpenID Connect (docs/guide/sso.md): the provider, and the places in pmf
# its groups give. A file pmf cannot use stops start-up with a message naming the key.
PMF_SSO = load_sso_config(
    env_str("PMF_SSO_CONFIG", default=""),
    client_secret=env_str("PMF_SSO_CLIENT_SECRET", default=""),
)
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "pmf.web.accounts.sso.SsoBackend",
]
if PMF_SSO is not None:
    # Signing out ends the provider's session too: the sign-out form is redirected there.
    CONTENT_SECURITY_POLICY["form-action"].append(origin_of(PMF_SSO.issuer))

# Email, for password resets: printed on the console unless an SMTP host is set.
EMAIL_HOST = env_str("PMF_EMAIL_HOST", default="")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("PMF_EMAIL_PORT", default=587, minimum=1)
EMAIL_HOST_USER = env_str("PMF_EMAIL_USER", default="")
EMAIL_HOST_PASSWORD = env_str("PMF_EMAIL_PASSWORD", default="")
EMAIL_USE_TLS = env_bool("PMF_EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("PMF_EMAIL_FROM", default="pmf@localhost")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for three hours
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Not a rule for the password: revokes the user's API tokens whenever it changes.
    {"NAME": "pmf.web.api.services.TokensEndWithPassword"},
]

# A failed request's traceback goes to standard error, which `pmf serve` (gunicorn) logs with
# its own errors; Django's default only mails it to ADMINS, so a 500 would leave no trace.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"production": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {"plain": {"format": "[{levelname}] {name}: {message}", "style": "{"}},
    "handlers": {
        "errors": {
            "class": "logging.StreamHandler",
            "level": "ERROR",
            "filters": ["production"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["errors"], "level": "WARNING"},
}

# "default": each process's own memory. "shared": a database table every server process sees,
# for what must hold across processes (sign-in lockouts); `pmf migrate` creates the table.
# "pages": computed scorecards and assessments, shared by the server processes of one machine
# as files (ADR 0022), in a folder of their own for each database; or, when PMF_CACHE_URL
# names a Redis server, shared by every app server that reaches it (ADR 0032).
_DATABASE = DATABASES["default"]
_CACHE_NAME = hashlib.sha256(
    f"{_DATABASE['ENGINE']}|{_DATABASE.get('HOST')}|{_DATABASE.get('PORT')}|{_DATABASE['NAME']}".encode()
).hexdigest()[:16]
PMF_CACHE_DIR = Path(
    env_str("PMF_CACHE_DIR", default=str(Path(tempfile.gettempdir()) / "pmf-cache"))
)
PMF_CACHE_URL = env_str("PMF_CACHE_URL", default="")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "pmf_cache",
    },
    "pages": (
        redis_cache(PMF_CACHE_URL, name="PMF_CACHE_URL", database=_DATABASE)
        if PMF_CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(PMF_CACHE_DIR / _CACHE_NAME),
            "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
        }
    ),
}

# The JSON API lists observations a page at a time: 100 unless ?limit= asks for up to 1,000.
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 1000
# Background jobs (large imports): queued in the database, run by `pmf worker` (ADR 0008).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Files with more figures than this are checked and imported by the worker, with a progress bar.
PMF_BACKGROUND_IMPORT_ROWS = env_int("PMF_BACKGROUND_IMPORT_ROWS", default=5000)
# The largest file the import page accepts; a bigger one is refused before it is read.
PMF_MAX_UPLOAD_BYTES = env_int("PMF_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)


# Uploads wait here between the preview and the import; the web server and the worker share it.
# Each deployment has its own folder (0700), beside its SQLite database ("pmf.sqlite3" keeps
# "pmf-uploads" next to it), or in the folder it runs from for PostgreSQL: never a folder
# shared by every pmf on the machine.
def _upload_dir_default() -> Path:
    name = str(_DATABASE["NAME"])
    if _DATABASE["ENGINE"] == "django.db.backends.sqlite3" and name and name != ":memory:":
        database = Path(name).resolve()
        return database.with_name(f"{database.stem}-uploads")
    return Path.cwd() / "pmf-uploads"


PMF_UPLOAD_DIR = Path(env_str("PMF_UPLOAD_DIR", default=str(_upload_dir_default())))
# Uploads never imported (abandoned or refused) are deleted after this many seconds: on every
# upload, and when `pmf worker` starts.
PMF_UPLOAD_MAX_AGE = env_int("PMF_UPLOAD_MAX_AGE", default=24 * 60 * 60)
