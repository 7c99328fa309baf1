"""Django settings, read from environment variables (see docs/deployment.md).

SQLite under var/ by default; PostgreSQL when DATABASE_URL is set.
"""

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("COUNTY_INNOVATION_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("COUNTY_INNOVATION_VAR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and _env_bool("DJANGO_HTTPS", False):
    # A production deployment (DJANGO_HTTPS=true) takes its secrets from the environment only.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "生产环境（DJANGO_HTTPS=true）必须通过环境变量 DJANGO_SECRET_KEY 提供密钥，平台拒绝启动。"
        " Set DJANGO_SECRET_KEY in the environment."
    )
if not SECRET_KEY:
    # A per-installation key kept under var/, so sessions survive restarts without a key in the repository.
    _key_file = VAR_DIR / "secret_key"
    if not _key_file.exists():
        import secrets

        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from its own static files instead of a CDN
    "simple_history",
    "axes",
    "django_tasks",
    # Before django_tasks_db: its db_worker command wraps theirs (expires dead workers' jobs at start).
    "county_innovation.common",
    "django_tasks_db",
    "county_innovation.web",
    "county_innovation.regions",
    "county_innovation.accounts",
    "county_innovation.indicators",
    "county_innovation.collection",
    "county_innovation.evaluation",
    "county_innovation.enterprises",
    "county_innovation.reports",
    "county_innovation.designation",
    "county_innovation.supervision",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Refuses a request body far over the upload limit with 413 before anything reads it.
    "county_innovation.common.uploads.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Background work (robustness analyses): django-tasks with its database backend; a worker process runs
# `county-innovation db_worker` (make demo starts one beside the web server).
# Queue "reports": bulletins (Word + LibreOffice PDF, seconds each) kept apart from the analyses.
# A running job renews its lease (heartbeat) every quarter of this; a job silent for longer is marked failed.
COUNTY_INNOVATION_JOB_LEASE_SECONDS = float(os.environ.get("COUNTY_INNOVATION_JOB_LEASE_SECONDS", "60"))
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "reports"]}}

ROOT_URLCONF = "county_innovation.urls"
WSGI_APPLICATION = "county_innovation.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "county_innovation.web.context_processors.platform",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{VAR_DIR / 'county_innovation.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)
}
# WAL (readers never wait for the writer), a 20 s busy timeout, and transactions that take the write lock
# when they begin (IMMEDIATE): a second writer then waits at BEGIN instead of failing with "database is
# locked" when its read snapshot turns stale halfway through. Tested in tests/test_security.py.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Django's Chinese catalogue lacks the plural form of the length message, so the validators are subclassed
# with Chinese messages (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "county_innovation.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "county_innovation.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "county_innovation.accounts.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:workbench"  # every role lands on its own 工作台
LOGOUT_REDIRECT_URL = "accounts:login"

# Login lockout (django-axes): five failures lock the account and address pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = _env_bool("AXES_ENABLED", True)

# API tokens expire: a new token is valid this many days unless `token create --days N` says otherwise.
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))
# Separation of duties (four-eyes principle): the approver of a submission is never the person who last submitted it.
# A deployment with a single officer per county may switch it off (COUNTY_INNOVATION_SEPARATE_APPROVAL=false).
SEPARATE_APPROVAL = _env_bool("COUNTY_INNOVATION_SEPARATE_APPROVAL", True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Front-end libraries come from the npm registry (package.json + package-lock.json) into node_modules/,
# which is git-ignored; they are served from there, never copied into the repository.
_NODE_MODULES = Path(os.environ.get("COUNTY_INNOVATION_NODE_MODULES", BASE_DIR / "node_modules"))
STATICFILES_DIRS = [
    ("vendor/echarts", _NODE_MODULES / "echarts" / "dist"),
    ("vendor/htmx", _NODE_MODULES / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# DATA_UPLOAD_MAX_MEMORY_SIZE (a JSON or form body read into memory) follows the one upload limit below.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# The city whose subtree the platform serves by default.
COUNTY_INNOVATION_CITY = os.environ.get("COUNTY_INNOVATION_CITY", "360100")
# A deployment may supply an approved county boundary map (GeoJSON, features with properties.code = 6-digit
# division code) for the choropleth; without one the dashboard draws a tile cartogram.
COUNTY_INNOVATION_GEOJSON = os.environ.get("COUNTY_INNOVATION_GEOJSON", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# Behind HTTPS (DJANGO_HTTPS=true): secure cookies, redirect to HTTPS, HSTS; `check --deploy` is then clean.
HTTPS = _env_bool("DJANGO_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
# HSTS preload is irreversible for the whole domain: the deploying bureau decides, not the software.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
X_FRAME_OPTIONS = "DENY"

# Content security policy (django-csp): scripts only from our own static files, no inline code, no eval;
# pages pass data to scripts through json_script. Style attributes stay allowed (style-src 'unsafe-inline')
# because ECharts writes them into its tooltips and the progress bars take their width from data; <style>
# elements and stylesheets from elsewhere are refused (style-src-elem). See docs/deployment.md.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "style-src-elem": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Uploads (Excel/CSV/JSON imports): the largest file accepted, checked by common/uploads.py.
COUNTY_INNOVATION_UPLOAD_MAX_MB = float(os.environ.get("COUNTY_INNOVATION_UPLOAD_MAX_MB", "20"))
# One limit for every body: a file, a JSON body (an API import, base64 attachments) or a form may be as large
# as the upload limit plus the 1 MB a multipart body adds; RequestSizeLimitMiddleware refuses beyond it (413).
DATA_UPLOAD_MAX_MEMORY_SIZE = int((COUNTY_INNOVATION_UPLOAD_MAX_MB + 1) * 1024 * 1024)
# What an uploaded .xlsx/.docx may expand to (common/uploads.expansion_check); see docs/deployment.md 安全.
COUNTY_INNOVATION_UPLOAD_EXPANDED_MB = float(os.environ.get("COUNTY_INNOVATION_UPLOAD_EXPANDED_MB", "100"))
COUNTY_INNOVATION_UPLOAD_MEMBER_MB = float(os.environ.get("COUNTY_INNOVATION_UPLOAD_MEMBER_MB", "50"))
CSRF_FAILURE_VIEW = "county_innovation.common.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A 403 is one line with the reason, not a traceback (common/logging.py).
    "filters": {
        "permission_denied_one_line": {"()": "county_innovation.common.logging.PermissionDeniedOneLine"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["permission_denied_one_line"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
