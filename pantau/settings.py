"""Pantau's one settings module. Everything a deployment changes comes from the environment.

PANTAU_DATA_DIR     where the database, uploads and generated files live (default ./var)
DATABASE_URL        e.g. postgres://user@host:5432/pantau (default: SQLite in the data directory)
PANTAU_SECRET_KEY   generated once and kept in the data directory when unset
PANTAU_DEBUG        off by default
PANTAU_ALLOWED_HOSTS  comma-separated host names (default: localhost, 127.0.0.1, ::1)
PANTAU_REDIS_URL    e.g. redis://127.0.0.1:6379/0: the task queue runs on Redis across machines
                    (default: Huey on SQLite in the data directory, no other server)
PANTAU_EMAIL_HOST   SMTP server for e-mail notifications (unset: no e-mail is sent)
PANTAU_S3_BUCKET    uploads in an S3-compatible bucket (PANTAU_S3_ENDPOINT_URL, _REGION,
                    _ACCESS_KEY, _SECRET_KEY); default: files under PANTAU_DATA_DIR/media
PANTAU_REPLICA_URLS comma-separated database URLs of read replicas (see pantau/lib/dbrouter.py)
"""

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("PANTAU_DATA_DIR") or "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if os.environ.get("PANTAU_SECRET_KEY"):
        return os.environ["PANTAU_SECRET_KEY"]
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL: two processes starting at once must not write two different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("PANTAU_DEBUG")
ALLOWED_HOSTS = envlist("PANTAU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("PANTAU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "pantau.accounts",
    "pantau.regions",
    "pantau.instruction",
    "pantau.audit",
    "pantau.notify",
    "pantau.channels",
    "pantau.monitoring",
    "pantau.problems",
    "pantau.compliance",
    "pantau.dashboard",
    "pantau.rollups",
    "pantau.periodic",
    "pantau.api",
    "pantau.odk",
    "pantau.web",
    "pantau.demo",
    "huey.contrib.djhuey",
    "django_htmx",
    # Security (issue 6): Content-Security-Policy, login brake, two-factor login.
    "csp",
    "pantau.accounts.vendor_apps.AxesConfig",  # axes, django-otp: named in Indonesian
    "django_otp",
    "pantau.accounts.vendor_apps.TotpConfig",
    "pantau.accounts.vendor_apps.StaticConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pantau.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pantau.accounts.middleware.SessionIdleMiddleware",
    "pantau.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out login into its answer
]

# The OpenRosa endpoints (ODK Collect: HTTP Basic on every request, no cookies, no CSRF, no
# pages) go through this shorter chain instead (pantau/lib/handlers.py, pantau/wsgi.py): the
# security headers and the language; their views answer every error themselves.
LEAN_MIDDLEWARE = {
    "/odk/": [
        "django.middleware.security.SecurityMiddleware",
        "pantau.web.middleware.LanguageMiddleware",
    ],
}

ROOT_URLCONF = "pantau.urls"
CSRF_FAILURE_VIEW = "pantau.web.errors.csrf_failure"
WSGI_APPLICATION = "pantau.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pantau.notify.context.unread",
                "pantau.web.context.menu",
            ],
        },
    },
]

# SQLite by default: one file in the data directory, WAL so that readers never block the
# writer, a busy timeout and IMMEDIATE transactions so that concurrent writers wait their
# turn instead of failing with "database is locked"; pantau.lib.sqlite makes that wait a queue
# rather than SQLite's sleep-and-retry.
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;"
        "PRAGMA foreign_keys=ON;"
    ),
}
# PostgreSQL: no JIT compilation. The dashboard's and reports' queries are short index reads
# whose estimated cost still passes jit_above_cost at the national size; compiling them took
# 40-240 ms a query (the national dashboard's API p95 from 89 to 30 ms without). Options in the
# URL (`?options=-c%20...`) come after this one and win.
POSTGRESQL_OPTIONS = "-c jit=off"


def _database(url: str, **extra) -> dict:
    config = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("PANTAU_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        **extra,
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = "pantau.lib.sqlite"  # writers queue for their turn (lib/sqlite)
        config["OPTIONS"] = SQLITE_OPTIONS
    elif config["ENGINE"] == "django.db.backends.postgresql":
        options = config.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [POSTGRESQL_OPTIONS, options.get("options")]))
    return config


DATABASES = {
    "default": _database(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'pantau.sqlite3'}"
    )
}
# Read replicas (PANTAU_REPLICA_URLS, comma-separated database URLs): aliases replica1,
# replica2, ...; pantau.lib.dbrouter sends them the reads of the read-mostly views (dashboard,
# compliance, exports) and nothing else. In tests they mirror the primary.
for _number, _url in enumerate(envlist("PANTAU_REPLICA_URLS", ""), start=1):
    DATABASES[f"replica{_number}"] = _database(_url, test_options={"MIRROR": "default"})
DATABASE_ROUTERS = ["pantau.lib.dbrouter.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("PANTAU_SESSION_AGE", str(12 * 3600)))

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"  # shown in WIB; stored in UTC
USE_TZ = True

STATIC_URL = "static/"
# Leaflet's own files (leaflet/leaflet.js, leaflet/leaflet.css), from the django-leaflet package
# on PyPI; the package is not an installed app (its app wants GDAL, which Pantau does not use).
STATICFILES_DIRS = [
    Path(importlib.util.find_spec("leaflet").submodule_search_locations[0]) / "static"
]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed (gzip, brotli) names: WhiteNoise lets browsers keep them for a year.
    "staticfiles": {"BACKEND": "pantau.lib.storage.StaticStorage"},
}


# Uploads (photos, attachments, periodic report files) in an S3-compatible bucket (AWS, MinIO,
# ...) when PANTAU_S3_BUCKET is set; otherwise on disk under MEDIA_ROOT, which may be a shared
# volume (NFS) for app servers and workers on several machines. Files are always served through
# Pantau's access-checked views, never from the bucket directly: the bucket stays private.
def s3_storage(environ) -> dict:
    """The STORAGES entry of the bucket named by PANTAU_S3_BUCKET and its companions."""
    endpoint = environ.get("PANTAU_S3_ENDPOINT_URL") or None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ["PANTAU_S3_BUCKET"],
            "endpoint_url": endpoint,
            "region_name": environ.get("PANTAU_S3_REGION") or None,
            "access_key": environ.get("PANTAU_S3_ACCESS_KEY") or None,
            "secret_key": environ.get("PANTAU_S3_SECRET_KEY") or None,
            # Path-style URLs: what MinIO and most S3-compatible servers expect.
            "addressing_style": "path" if endpoint else None,
            "default_acl": None,  # the bucket's own policy: private
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }


S3_BUCKET = os.environ.get("PANTAU_S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = s3_storage(os.environ)
WHITENOISE_USE_FINDERS = DEBUG
# Only the hashed names are kept (and compressed): half the work at every `pantau serve` start.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True

# Uploads: photos of reports and attachments of problems.
PHOTO_MAX_BYTES = int(os.environ.get("PANTAU_PHOTO_MAX_MB", "10")) * 1024 * 1024
ATTACHMENT_MAX_BYTES = int(os.environ.get("PANTAU_ATTACHMENT_MAX_MB", "20")) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The task queue (notifications, image re-encoding, deadlines). Huey on SQLite by default: no
# other server to run, and `pantau serve` starts a consumer beside the web workers. With
# PANTAU_REDIS_URL it runs on Redis and `pantau run_huey` consumers may run on other machines.
REDIS_URL = os.environ.get("PANTAU_REDIS_URL", "")
HUEY = {
    "name": "pantau",
    "immediate": envbool("PANTAU_TASKS_IMMEDIATE"),
    "utc": True,
    "results": False,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "tasks.sqlite3")})

# The cache (rate limits, short-lived lookups) is shared by every web worker: Redis when
# configured, otherwise files in the data directory (no other server).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "pantau.lib.cache.FileCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}
RATELIMIT_FAIL_OPEN = True  # a broken cache must not lock everyone out on voting day

# E-mail notifications through SMTP, only when a server is configured.
EMAIL_HOST = os.environ.get("PANTAU_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("PANTAU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("PANTAU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PANTAU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("PANTAU_EMAIL_TLS")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("PANTAU_EMAIL_FROM", "pantau@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.dummy.EmailBackend"
)
# Absolute links in e-mails and webhooks.
SITE_URL = os.environ.get("PANTAU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Behind a TLS-terminating proxy (nginx, a load balancer) that sets X-Forwarded-Proto, set
# PANTAU_BEHIND_PROXY=1 so that links (ODK download URLs, e-mails) say https, and so that the
# client's address is the last X-Forwarded-For entry (pantau.lib.client: the login brake, the
# rate limits, axes' access log). Without it the header is ignored: a client could make it up.
BEHIND_PROXY = envbool("PANTAU_BEHIND_PROXY")
RATELIMIT_IP_META_KEY = "pantau.lib.client.ratelimit_ip"
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# --- Security (issue 6, "Harden") ---------------------------------------------------------
# PANTAU_HTTPS=1: served over HTTPS (directly or behind a TLS proxy with PANTAU_BEHIND_PROXY=1).
# Without it (the demo on http://127.0.0.1:8000) cookies are not Secure and nothing redirects.
HTTPS = envbool("PANTAU_HTTPS")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS  # nothing exempt: Pantau has no plain-http health endpoint
SECURE_HSTS_SECONDS = int(os.environ.get("PANTAU_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading commits the whole domain (the regency's go.id, not Pantau's to decide) to HTTPS in
# browsers for months: only on request. Django's check warns about it (security.W021) otherwise.
SECURE_HSTS_PRELOAD = HTTPS and envbool("PANTAU_HSTS_PRELOAD")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Sessions end 12 h after login (PANTAU_SESSION_AGE) and after PANTAU_SESSION_IDLE seconds
# without a request (default 4 h, 0: never; pantau.accounts.middleware.SessionIdleMiddleware
# writes the session at most once a minute for it, not on every request). They survive closing
# the browser: field officers on phones close it all day, and the offline outbox sends later.
SESSION_IDLE_SECONDS = int(os.environ.get("PANTAU_SESSION_IDLE", str(4 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = False

# Content-Security-Policy (django-csp 4): only Pantau's own scripts, styles, images and requests.
# No inline script or style anywhere (the htmx indicator style is in pantau.css, see base.html).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],  # Leaflet's icons, photo previews before upload
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# The brake on guessed passwords, on the login page, the admin, the API and ODK (the policy is in
# pantau/accounts/logins.py): PANTAU_LOGIN_FAILURES failed logins (default 10) for a username
# from one client address lock it from there; PANTAU_LOGIN_USERNAME_FAILURES (default 100) for
# a username from anywhere lock it everywhere; PANTAU_LOGIN_ADDRESS_FAILURES (default 50: offices
# share an address) from an address lock the address; for PANTAU_LOGIN_COOLOFF_MINUTES (default
# 15), even with the right password. A client that logged in recently from the same address is
# held only by its own count. A successful login resets that username's count from there.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("PANTAU_LOGIN_FAILURES", "10"))
LOGIN_ADDRESS_FAILURES = int(os.environ.get("PANTAU_LOGIN_ADDRESS_FAILURES", "50"))
LOGIN_USERNAME_FAILURES = int(os.environ.get("PANTAU_LOGIN_USERNAME_FAILURES", "100"))
AXES_COOLOFF_TIME = float(os.environ.get("PANTAU_LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]  # LoginHandler
AXES_HANDLER = "pantau.accounts.lockout.LoginHandler"
AXES_RESET_ON_SUCCESS = False  # see pantau.accounts.lockout.reset_on_login
AXES_LOCKOUT_CALLABLE = "pantau.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "pantau.lib.client.client_ip"
AXES_VERBOSE = False

# Two-factor login (django-otp, TOTP apps such as Google Authenticator or Aegis): optional for
# everyone; with PANTAU_REQUIRE_2FA=1 administrators, the Pj Bupati and the coordinators must
# enrol and verify before anything else (the admin and API tokens included).
REQUIRE_2FA = envbool("PANTAU_REQUIRE_2FA")
OTP_TOTP_ISSUER = "Pantau"

# API writes per user (pantau/api/throttle.py): django-ratelimit's rate format, "" for no limit.
API_WRITE_RATE = os.environ.get("PANTAU_API_WRITE_RATE", "600/m")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PANTAU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Message channels (pantau/channels, docs/channels.md): WhatsApp Cloud API, a Telegram bot and an
# Android phone running "SMS Gateway" as the SMS gateway. A channel without its secret is off
# (its webhook answers 404).
WHATSAPP_API_URL = os.environ.get("PANTAU_WHATSAPP_API_URL", "https://graph.facebook.com/v21.0")
WHATSAPP_PHONE_ID = os.environ.get("PANTAU_WHATSAPP_PHONE_ID", "")
WHATSAPP_TOKEN = os.environ.get("PANTAU_WHATSAPP_TOKEN", "")
WHATSAPP_APP_SECRET = os.environ.get("PANTAU_WHATSAPP_APP_SECRET", "")
WHATSAPP_VERIFY_TOKEN = os.environ.get("PANTAU_WHATSAPP_VERIFY_TOKEN", "")
# Approved message templates for messages outside WhatsApp's 24-hour window: "event=name,..."
# ("*" for every other event); each template takes one body parameter, the text.
WHATSAPP_TEMPLATES = dict(
    item.split("=", 1)
    for item in envlist("PANTAU_WHATSAPP_TEMPLATES", "*=pantau_pemberitahuan")
    if "=" in item
)
WHATSAPP_TEMPLATE_LANGUAGE = os.environ.get("PANTAU_WHATSAPP_TEMPLATE_LANGUAGE", "id")
TELEGRAM_API_URL = os.environ.get("PANTAU_TELEGRAM_API_URL", "https://api.telegram.org")
TELEGRAM_TOKEN = os.environ.get("PANTAU_TELEGRAM_TOKEN", "")
TELEGRAM_SECRET_TOKEN = os.environ.get("PANTAU_TELEGRAM_SECRET_TOKEN", "")
TELEGRAM_BOT_NAME = os.environ.get("PANTAU_TELEGRAM_BOT_NAME", "")
SMS_GATEWAY = os.environ.get("PANTAU_SMS_GATEWAY", "android-sms-gateway")
SMS_API_URL = os.environ.get("PANTAU_SMS_API_URL", "")  # e.g. http://192.168.1.20:8080
SMS_USERNAME = os.environ.get("PANTAU_SMS_USERNAME", "")
SMS_PASSWORD = os.environ.get("PANTAU_SMS_PASSWORD", "")
SMS_SIGNING_KEY = os.environ.get("PANTAU_SMS_SIGNING_KEY", "")
# A guided conversation left this many minutes without an answer is forgotten.
CHANNEL_TIMEOUT_MINUTES = int(os.environ.get("PANTAU_CHANNEL_TIMEOUT_MINUTES", "30"))
# Messages received are kept this many days (what was reported is in the reports and problems
# they made, and in the audit log), then deleted by a nightly task.
CHANNEL_INBOUND_DAYS = int(os.environ.get("PANTAU_CHANNEL_INBOUND_DAYS", "30"))
