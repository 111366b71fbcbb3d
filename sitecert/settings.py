"""Settings, all read from the environment (see .env.example). Development defaults; DEBUG=0 is production."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from sitecert.lib.dates import LOCAL_ZONE
from sitecert.lib.env import envbool, envdate, envfile_load, envint, envjson, envlist, envstr

# An environment file, only when named (e.g. SITECERT_ENV_FILE=/etc/sitecert/sitecert.env, as the systemd
# units and the operator's `sitecert` in deploy/ do); the process environment wins over it.
envfile_load("SITECERT_ENV_FILE")
BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(envstr("SITECERT_VAR_DIR", str(BASE_DIR.parent / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)  # the SQLite file, uploads and collected static files

DEBUG = envbool("DEBUG", True)
# Demo only: pages, the API and commands live on this day (the time of day stays real), e.g. 2020-10-15 to
# replay the 2020 exchange round on the demo data. Refused in production.
DEMO_TODAY = envdate("DEMO_TODAY")
if DEMO_TODAY and not DEBUG:
    raise ImproperlyConfigured("DEMO_TODAY is for the demo (DEBUG=1) only.")
SECRET_KEY = envstr("SECRET_KEY", "dev-only-insecure-key-do-not-deploy" if DEBUG else None)
if not SECRET_KEY.strip():  # the shipped environment file has `SECRET_KEY=`: pages would fail one by one
    raise ImproperlyConfigured("Set the environment variable SECRET_KEY (it is empty).")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # Swagger UI served from the installed package, not a CDN (offline; the CSP allows 'self' only)
    "axes",
    # The domain in the order data flows (docs/architecture.md), then the faces.
    "sitecert.audit",
    "sitecert.outbox",
    "sitecert.policies",
    "sitecert.registry",
    "sitecert.people",
    "sitecert.learning",
    "sitecert.certificates",
    "sitecert.duty",
    "sitecert.portals",
    "sitecert.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "sitecert.portals.headers.PermissionsPolicy",
    "sitecert.portals.views.published.PublicCors",
    # The rush's hot paths: an ordinary beat and a public verification skip the rest.
    "sitecert.api.hotpath.Heartbeats",
    "sitecert.api.hotpath.Verifications",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sitecert.urls"
WSGI_APPLICATION = "sitecert.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sitecert.sqlite3'}"),
        conn_max_age=60,
        # A kept connection is checked before a request reuses it: after a database restart each thread's
        # old connection failed one request (the rush bench's 500s after PostgreSQL came back).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, for tests too: the import tests kill a real subprocess working on it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
    # WAL lets the public query read while an import writes; IMMEDIATE avoids lock-upgrade deadlocks;
    # a 64 MiB page cache keeps the import's index work in memory (and memory bounded); work tables (the
    # duty run's) stay in memory.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"
        " PRAGMA temp_store=MEMORY",
    }
else:
    # Parameters bound by the server, so psycopg prepares a statement run five times on a connection and
    # PostgreSQL plans it once: verification's seven-table join spent most of its database time planning
    # (docs/scaling.md). Not behind a pooler in transaction mode (prepared statements live per connection).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    DATABASES["default"]["ENGINE"] = "sitecert.postgresql"  # Django's, with a health check of no round trip
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_redis = envstr("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "sitecert.cachekit.TolerantRedisCache",  # an outage is an empty cache, not a 500
            "LOCATION": _redis,
            # A Redis that does not answer must not hold requests: it is a cache, the database has the truth.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
        if _redis
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the cache and written to both (the database keeps them through a Redis restart or
# outage): a signed-in page's heartbeat read its session from the database on every beat. The cached copy of
# a session lasts SESSION_CACHE_SECONDS at most (sitecert/people/sessions.py says why).
SESSION_ENGINE = "sitecert.people.sessions"
SESSION_CACHE_SECONDS = envint("SESSION_CACHE_SECONDS", 300)
# Rate limits, login slow-downs and reset tickets count in the cache. Without REDIS_URL each process counts
# for itself, so N processes allow N times every limit: production (DEBUG=0) refuses to start unless
# SINGLE_PROCESS=1 says that one process serves it (docs/deployment.md, "Rate limits").
SINGLE_PROCESS = envbool("SINGLE_PROCESS", False)
if not (_redis or DEBUG or SINGLE_PROCESS):
    raise ImproperlyConfigured(
        "Set REDIS_URL (a cache shared by every process), or SINGLE_PROCESS=1 if exactly one process serves"
        " sitecert: without a shared cache each process keeps its own rate-limit counters."
    )


# The task queue: Celery with its broker in the same Redis. Without one (development, the SQLite tests) the
# worker's part runs at once, in the request; docs/deployment.md starts the worker and the scheduler.
def _broker(redis_url: str) -> str:
    """Kombu's spelling of a Redis address: a Unix socket is redis+socket://, not unix://."""
    return (
        redis_url.replace("unix://", "redis+socket://", 1) if redis_url.startswith("unix://") else redis_url
    )


CELERY_BROKER_URL = envstr("CELERY_BROKER_URL", _broker(_redis))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True  # a task is acknowledged when done: a killed worker's task runs again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# An unacknowledged task (its worker killed) goes back to the queue after this many seconds: longer than the
# longest task (a region's duty run), shorter than anyone waits for an SMS.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULE = {
    # The nightly chain of docs/deployment.md, each idempotent: a run missed or repeated does no harm.
    "exchange": {"task": "sitecert.certificates.exchange_nightly", "schedule": crontab(hour=1, minute=0)},
    "evaluate-duty": {"task": "sitecert.duty.evaluate_nightly", "schedule": crontab(hour=1, minute=30)},
    "audit-verify": {"task": "sitecert.audit.verify_nightly", "schedule": crontab(hour=3, minute=0)},
    "send-reminders": {"task": "sitecert.duty.reminders_daily", "schedule": crontab(hour=8, minute=0)},
    "clear-sessions": {
        "task": "sitecert.people.clear_sessions_nightly",
        "schedule": crontab(hour=4, minute=0),
    },
    "outbox-sweep": {"task": "sitecert.outbox.sweep", "schedule": 60.0},
}
OUTBOX_MAX_ATTEMPTS = envint("OUTBOX_MAX_ATTEMPTS", 8)  # then the message is a dead letter (admin: 待发消息)
OUTBOX_SWEEP_AFTER = envint("OUTBOX_SWEEP_AFTER", 300)  # seconds a message may wait before the sweep resends

RATELIMIT_IP_META_KEY = envstr("RATELIMIT_IP_META_KEY", "REMOTE_ADDR")
# One IPv6 client is its whole network of this many bits (throttle.subscriber).
RATELIMIT_IPV6_PREFIX = envint("RATELIMIT_IPV6_PREFIX", 64)
REGISTRY_QUERY_RATE = envstr("REGISTRY_QUERY_RATE", "30/m")
# Certificate verification by number or QR (page and API) per client address: generous, for site gates
# scanning many prints.
VERIFY_RATE = envstr("VERIFY_RATE", "120/m")
# Each process keeps the records it verified while PostgreSQL tells it which certificates change
# (certificates/kept.py); 0 asks the database on every verification.
KEPT_RECORDS = envbool("KEPT_RECORDS", True)
# Every question by ID number and name (registry query and lookup, verification by person, pages and API)
# shares this one budget per client address: each is the same oracle (docs/security.md).
ID_NAME_RATE = envstr("ID_NAME_RATE", "30/m")

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses while an account or an address is locked out
    "sitecert.people.backends.IdentifierBackend",  # ID number, mobile number or user name
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal-home"
LOGOUT_REDIRECT_URL = "home"

# Failed logins (docs/security.md, "Logins"): after 5 for one account from one address, or 5 from one
# address, a 15-minute pause of that pair or that address (django-axes); never a lock of the account
# everywhere, which anyone could cause. Across addresses the account is slowed instead: each further
# failure doubles the wait, up to LOGIN_DELAY_MAX seconds, except in a browser where it logged in before
# (sitecert/portals/logins.py).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
LOGIN_DELAY_MAX = envint("LOGIN_DELAY_MAX", 300)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "sitecert.people.backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "sitecert.portals.views.accounts.locked_out"
AXES_CLIENT_IP_CALLABLE = "sitecert.throttle.client_ip"  # the same address the rate limits count
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False

# Time-keeping of online learning (seconds); see sitecert/learning/timekeeping.py.
LEARNING_RULES = {
    "HEARTBEAT": 30,
    "MIN_GAP": 20,
    "MAX_GAP": 90,
    "PRESENCE_EVERY": 20 * 60,
} | envjson("LEARNING_RULES", {})  # e.g. the heartbeat benchmark's {"MIN_GAP": 0}

# The policy rows of this region rule exchange, yearly duty, daily learning cap and assessments (admin).
POLICY_REGION = envstr("POLICY_REGION", "tianjin")
# The region's province code (GB/T 2260, first two digits of its ID numbers): dashboards name its districts.
HOME_AREA = envstr("HOME_AREA", "12")
# Private signing keys: outside the repository and the database (`sitecert keys generate`).
SIGNING_KEY_DIR = Path(envstr("SIGNING_KEY_DIR", str(VAR_DIR / "keys")))
# The organisation named in the PDF seal's certificate.
SEAL_ORGANISATION = envstr("SEAL_ORGANISATION", "天津市住房和城乡建设委员会")
# The public address printed in QR codes; the credentials' issuer is its did:web DID.
PUBLIC_URL = envstr("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Seconds between publishing a rotated key and its first signature: longer than verifiers may cache the
# JWKS and the DID document (served with max-age=300), so none meets a key it has not fetched.
KEY_PUBLISH_LEAD = envint("KEY_PUBLISH_LEAD", 600)
# How long verifiers may cache a status list (Cache-Control max-age and the list's ttl): the longest a
# revocation or a lapse goes unseen by a verifier that checks status lists instead of asking the API.
STATUS_LIST_MAX_AGE = envint("STATUS_LIST_MAX_AGE", 60)
# Seconds a process keeps a signed status list before reading it again (adds to the bound above).
STATUS_LIST_CACHE_SECONDS = envint("STATUS_LIST_CACHE_SECONDS", 5)
# Rendered certificate PDFs, one per version (a cache: safe to delete).
CERTIFICATE_PDF_DIR = Path(envstr("CERTIFICATE_PDF_DIR", str(VAR_DIR / "certificates")))

# A TrueType CJK font, embedded (as a subset) in the PDFs sitecert prints (Debian: fonts-wqy-microhei).
CJK_FONT_PATH = envstr("CJK_FONT_PATH", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

SMS_BACKEND = envstr("SMS_BACKEND", "sitecert.people.sms.ConsoleBackend")
# Codes one mobile number may receive, whatever asks for them (registration, resend, reset): the SMS
# layer counts them in the database (sitecert/people/sms.py); at most one a minute besides.
SMS_CODES_PER_HOUR = envint("SMS_CODES_PER_HOUR", 5)
SMS_CODES_PER_DAY = envint("SMS_CODES_PER_DAY", 10)
# Registration and password reset, besides the SMS budget: per client address and per ID number or
# identifier (docs/security.md).
REGISTER_RATE = envstr("REGISTER_RATE", "20/h")
REGISTER_ID_RATE = envstr("REGISTER_ID_RATE", "5/h")
RESET_RATE = envstr("RESET_RATE", "20/h")
RESET_ID_RATE = envstr("RESET_ID_RATE", "5/h")
# The least time a password-reset step takes, so that an existing account answers no slower than a
# missing one (the SMS gateway's latency included); seconds.
ACCOUNT_ANSWER_SECONDS = float(envstr("ACCOUNT_ANSWER_SECONDS", "0.5"))
# E-mail (reminders): any Django e-mail backend; SMTP is configured with Django's EMAIL_* settings.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "sitecert@localhost")
# Days before a year or a two-year window ends at which holders short of hours (and their employers'
# administrators) are reminded; each point at most once (`sitecert send-reminders`).
REMINDER_DAYS = sorted({int(d) for d in envlist("REMINDER_DAYS", "90,30,7")}, reverse=True)
ONE_TIME_CODE_MINUTES = 10
API_TOKEN_MAX_PER_ORG = 20

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = LOCAL_ZONE
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Production hardening, on whenever DEBUG is off (`sitecert check --deploy` is clean then).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
# Load balancers probe over plain HTTP and read a redirect as "down".
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"  # verification and query addresses carry numbers: never to others
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every page (docs/security.md, "Headers"): scripts, styles, images and fonts from this origin only; no
# inline script or style attribute anywhere (server-drawn SVG gets the page's nonce on its <style>, see
# sitecert/lib/svg.py); QR codes and the help's screenshots are images from 'self' or data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Browser features no page uses, switched off for the pages and anything they might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Under systemd each line carries its level for the journal (journalctl -p warning), see lib/journal.py.
    "formatters": {"journal": {"()": "sitecert.lib.journal.JournalFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "journal"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},  # every login would otherwise log three lines
}
