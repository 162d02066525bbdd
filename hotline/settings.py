"""Django settings, read from the environment in one place.

DATABASE_URL selects the database (SQLite in the data directory when unset); every secret
comes from the environment. Every HOTLINE_* name read here is listed in .env.example and
documented (tests/test_settings_documented.py); docs/deploy.md says how to set them.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
# The data directory (the SQLite default, the demo's key, collected static files). It is never
# inside the package, which may be a read-only site-packages: ./var in the working directory.
VAR_DIR = Path(os.environ.get("HOTLINE_VAR_DIR", "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The secret key signs sessions, CSRF tokens, notices' action links and reply addresses: who
# knows it can act as any platform. There is no default. Without a key Django refuses every
# use of it, and `hotline`, the WSGI app and the worker refuse to start (hotline.startup);
# `hotline demo` and the tests make their own. HOTLINE_SECRET_KEY_FILE suits secret stores.
# Retired keys listed in HOTLINE_SECRET_KEY_FALLBACKS (comma-separated) still verify links and
# reply addresses that were sent before a rotation, while every new one uses the new key.
PUBLISHED_DEFAULT_KEYS = frozenset({"insecure-development-key-change-me"})


def _secret_key() -> str:
    key = os.environ.get("HOTLINE_SECRET_KEY", "").strip()
    key_file = os.environ.get("HOTLINE_SECRET_KEY_FILE", "").strip()
    if not key and key_file:
        key = Path(key_file).read_text(encoding="utf-8").strip()
    return "" if key in PUBLISHED_DEFAULT_KEYS else key


SECRET_KEY = _secret_key()
SECRET_KEY_FALLBACKS = [
    k.strip() for k in os.environ.get("HOTLINE_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()
]


# Webhook secrets and authenticator seeds are encrypted in the database (hotline.core.encryption)
# with a Fernet key kept outside it: HOTLINE_ENCRYPTION_KEY or HOTLINE_ENCRYPTION_KEY_FILE.
# Retired keys in HOTLINE_ENCRYPTION_KEY_FALLBACKS (comma-separated) still decrypt. No default:
# like the secret key, hotline refuses to start without one; the demo and the tests make theirs.
def _encryption_keys() -> list[str]:
    key = os.environ.get("HOTLINE_ENCRYPTION_KEY", "").strip()
    key_file = os.environ.get("HOTLINE_ENCRYPTION_KEY_FILE", "").strip()
    if not key and key_file:
        key = Path(key_file).read_text(encoding="utf-8").strip()
    fallbacks = os.environ.get("HOTLINE_ENCRYPTION_KEY_FALLBACKS", "").split(",")
    return [key, *(f.strip() for f in fallbacks if f.strip())] if key else []


HOTLINE_ENCRYPTION_KEYS = _encryption_keys()
DEBUG = _env_bool("HOTLINE_DEBUG", False)
ALLOWED_HOSTS = os.environ.get("HOTLINE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    # First, so that its `changepassword` and `createsuperuser` replace Django's unaudited ones.
    "hotline.core",
    "hotline.core.admin_apps.HotlineAdminConfig",  # read-only, TOTP-verified (core.admin)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' assets itself, not from a CDN
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "hotline.accounts",
    "hotline.audit",
    "hotline.platforms",
    "hotline.banks",
    "hotline.delivery",
    "hotline.verification",
    "hotline.cases",
    "hotline.inbound",
    "hotline.compliance",
    "hotline.evidence",
    "hotline.selfservice",
    "hotline.demo",
    "hotline.web",
]

MIDDLEWARE = [
    # Outermost: a request id for every log line, then request metrics (docs/operations.md).
    "hotline.core.middleware.RequestIdMiddleware",
    "hotline.ops.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The API's edge: no caching, no NUL in text, every error in the documented JSON shape.
    "hotline.core.middleware.ApiEdgeMiddleware",
    # Serves the admin's and the API docs' own assets; hotline loads nothing from a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hotline.web.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hotline.web.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "hotline.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "hotline.wsgi.application"

# A web worker keeps its database connection for HOTLINE_DB_CONN_MAX_AGE seconds (checked
# before reuse), so a PostgreSQL call does not pay a new connection each (decision 27).
HOTLINE_DB_CONN_MAX_AGE = int(os.environ.get("HOTLINE_DB_CONN_MAX_AGE", "60"))
if HOTLINE_DB_CONN_MAX_AGE < 0:
    raise ImproperlyConfigured("HOTLINE_DB_CONN_MAX_AGE must be 0 or more")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'hotline.sqlite3'}"),
        conn_max_age=HOTLINE_DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web server and the worker share the file safely.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Verification checks have their own queue, so `hotline worker` runs them on their own threads
# and they never hold back deadlines; deliveries do not use tasks at all (the outbox relay).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "checks"],
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]

# Web sessions (hotline.web): cookies are Secure unless HOTLINE_SECURE_COOKIES=off (local http).
_SECURE_COOKIES = _env_bool("HOTLINE_SECURE_COOKIES", True)

# Behind a TLS reverse proxy (docs/deploy.md). Only trust X-Forwarded-Proto when the proxy is
# the sole way in and overwrites that header: otherwise any client could claim https.
if _env_bool("HOTLINE_TRUSTED_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = _env_bool("HOTLINE_USE_FORWARDED_HOST", False)
# How many reverse proxies append to X-Forwarded-For in front of hotline (hotline.web.client):
# the sign-in lockout counts failures per client address, and only those proxies' entries
# name the client. 0 (the default) ignores the header, since a client can write anything in it.
# Independent of HOTLINE_TRUSTED_PROXY, which is about https only (docs/deploy.md).
HOTLINE_TRUSTED_PROXY_COUNT = int(os.environ.get("HOTLINE_TRUSTED_PROXY_COUNT", "0"))
if HOTLINE_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("HOTLINE_TRUSTED_PROXY_COUNT must be 0 or more")
# Anonymous /self/ submissions, and case openings, per client address per hour
# (hotline.selfservice.throttle; the address as the sign-in lockout sees it).
HOTLINE_SELF_SUBMISSIONS_PER_HOUR = int(os.environ.get("HOTLINE_SELF_SUBMISSIONS_PER_HOUR", "10"))
if HOTLINE_SELF_SUBMISSIONS_PER_HOUR < 1:
    raise ImproperlyConfigured("HOTLINE_SELF_SUBMISSIONS_PER_HOUR must be 1 or more")
# Origins a browser's POST may come from, e.g. https://hotline.example (scheme included): needed
# when the proxy passes on a Host other than the public one, and for any other public name.
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("HOTLINE_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# HSTS is off until the operator opts in: once a browser has seen it, plain http stops working
# for that long. Start small (300), then a year (31536000).
SECURE_HSTS_SECONDS = int(os.environ.get("HOTLINE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("HOTLINE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("HOTLINE_HSTS_PRELOAD", False)
# Redirect plain http to https here; usually the proxy does it, and /healthz probes stay on http.
SECURE_SSL_REDIRECT = _env_bool("HOTLINE_SSL_REDIRECT", False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = _SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
LOGIN_URL = "web:login"
# Checked by `hotline user password` (accounts.services.user_password_set).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
X_FRAME_OPTIONS = "DENY"
OTP_TOTP_ISSUER = "hotline"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from the installed apps, so no collectstatic step is needed.
WHITENOISE_USE_FINDERS = True

# Outside systems sit behind protocols; these settings choose the implementation.
# "real" sends email and webhooks; "recording" and "failing" are for tests and development.
HOTLINE_CHANNEL_BACKEND = os.environ.get("HOTLINE_CHANNEL_BACKEND", "real")
# Outbound email (docs/delivery.md). Credentials are only ever sent over TLS.
HOTLINE_SMTP_HOST = os.environ.get("HOTLINE_SMTP_HOST", "localhost")
HOTLINE_SMTP_PORT = int(os.environ.get("HOTLINE_SMTP_PORT", "25"))
HOTLINE_SMTP_USER = os.environ.get("HOTLINE_SMTP_USER", "")
HOTLINE_SMTP_PASSWORD = os.environ.get("HOTLINE_SMTP_PASSWORD", "")
HOTLINE_SMTP_STARTTLS = _env_bool("HOTLINE_SMTP_STARTTLS", False)
HOTLINE_SMTP_SSL = _env_bool("HOTLINE_SMTP_SSL", False)
HOTLINE_SMTP_TIMEOUT = float(os.environ.get("HOTLINE_SMTP_TIMEOUT", "30"))
# A CA bundle to trust instead of the system's (a private relay's certificate; tests).
HOTLINE_SMTP_CA_FILE = os.environ.get("HOTLINE_SMTP_CA_FILE", "")
HOTLINE_MAIL_FROM = os.environ.get("HOTLINE_MAIL_FROM", "hotline@localhost")
# DKIM signing of outbound mail (docs/delivery.md): on when all three are set, none is a
# startup error (hotline.delivery.dkim). The key is an RSA private key in PEM.
HOTLINE_DKIM_SELECTOR = os.environ.get("HOTLINE_DKIM_SELECTOR", "")
HOTLINE_DKIM_DOMAIN = os.environ.get("HOTLINE_DKIM_DOMAIN", "")
HOTLINE_DKIM_PRIVATE_KEY_FILE = os.environ.get("HOTLINE_DKIM_PRIVATE_KEY_FILE", "")
# Message-IDs are <idempotency-key@domain>; replies go to reply+n<notice>-<token>@domain.
HOTLINE_MAIL_DOMAIN = os.environ.get("HOTLINE_MAIL_DOMAIN", "localhost")
HOTLINE_PUBLIC_URL = os.environ.get("HOTLINE_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
HOTLINE_WEBHOOK_TIMEOUT = float(os.environ.get("HOTLINE_WEBHOOK_TIMEOUT", "15"))
# After a rotation the previous webhook secret still signs (a second v1=) for this long.
HOTLINE_WEBHOOK_SECRET_OVERLAP_HOURS = float(
    os.environ.get("HOTLINE_WEBHOOK_SECRET_OVERLAP_HOURS", "24")
)
# A worker holds a claimed delivery this long; a crashed worker's claims expire after it.
HOTLINE_DELIVERY_LEASE_SECONDS = float(os.environ.get("HOTLINE_DELIVERY_LEASE_SECONDS", "120"))
# Failed sends are retried (capped exponential backoff) for this long before a delivery fails.
HOTLINE_DELIVERY_GIVE_UP_HOURS = float(os.environ.get("HOTLINE_DELIVERY_GIVE_UP_HOURS", "72"))
# A delivery or task whose worker died this many times while handling it is given up.
HOTLINE_WORKER_MAX_CLAIMS = int(os.environ.get("HOTLINE_WORKER_MAX_CLAIMS", "5"))
# The longest a worker waits between tries while the database is down (capped backoff).
HOTLINE_WORKER_BACKOFF_MAX_SECONDS = float(
    os.environ.get("HOTLINE_WORKER_BACKOFF_MAX_SECONDS", "30")
)
# Verification checks run on this many threads of each worker, apart from deliveries.
HOTLINE_VERIFICATION_CONCURRENCY = int(os.environ.get("HOTLINE_VERIFICATION_CONCURRENCY", "4"))
# At most this many verification fetches per second to any one host, per worker process.
HOTLINE_FETCH_HOST_RATE = float(os.environ.get("HOTLINE_FETCH_HOST_RATE", "1"))
# Distinct "not the same content" reports from platforms that quarantine a bank entry.
HOTLINE_FALSE_MATCH_QUARANTINE = int(os.environ.get("HOTLINE_FALSE_MATCH_QUARANTINE", "3"))
if HOTLINE_FALSE_MATCH_QUARANTINE < 1:
    raise ImproperlyConfigured("HOTLINE_FALSE_MATCH_QUARANTINE must be 1 or more")
# Bank index snapshots (docs/matching.md#index-snapshots): files every process memory-maps,
# so a machine holds each bank's index once. Empty turns them off.
HOTLINE_INDEX_SNAPSHOT_DIR = os.environ.get(
    "HOTLINE_INDEX_SNAPSHOT_DIR", str(VAR_DIR / "index-snapshots")
)
# How often the worker re-snapshots banks that changed (0: only `hotline bank snapshot`).
HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS = int(
    os.environ.get("HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS", "900")
)
if HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS < 0:
    raise ImproperlyConfigured("HOTLINE_INDEX_SNAPSHOT_INTERVAL_SECONDS must be 0 or more")
# Each process drops its in-memory bank indexes that hold purged hashes (consent withdrawn)
# within this many seconds, from a background thread; 0 turns the thread off (tests).
HOTLINE_BANK_INDEX_REFRESH_SECONDS = float(
    os.environ.get("HOTLINE_BANK_INDEX_REFRESH_SECONDS", "30")
)
if not 0 <= HOTLINE_BANK_INDEX_REFRESH_SECONDS <= 60:
    raise ImproperlyConfigured("HOTLINE_BANK_INDEX_REFRESH_SECONDS must be 0 to 60")
HOTLINE_FETCHER_BACKEND = os.environ.get("HOTLINE_FETCHER_BACKEND", "http")
# Only tests and the local demo may verify URLs on loopback; private ranges are never allowed.
HOTLINE_FETCH_ALLOW_LOOPBACK = _env_bool("HOTLINE_FETCH_ALLOW_LOOPBACK", False)
HOTLINE_FETCH_TIMEOUT_SECONDS = float(os.environ.get("HOTLINE_FETCH_TIMEOUT_SECONDS", "10"))
HOTLINE_FETCH_MAX_BYTES = int(os.environ.get("HOTLINE_FETCH_MAX_BYTES", "2000000"))
# "PREFIX=REPLACEMENT,..." rewrites URLs before fetching (a mirror or test server); the demo
# uses it to serve t.me pages from loopback. The SSRF rules still apply to the rewritten URL.
HOTLINE_FETCH_REWRITES = os.environ.get("HOTLINE_FETCH_REWRITES", "")
# How often an unresolved item's URL is re-checked before its deadline.
HOTLINE_RECHECK_INTERVAL_MINUTES = int(os.environ.get("HOTLINE_RECHECK_INTERVAL_MINUTES", "240"))
# Inbound email (docs/email-hotline.md): a whole message over this is refused with SMTP 552.
HOTLINE_INBOUND_MAX_BYTES = int(os.environ.get("HOTLINE_INBOUND_MAX_BYTES", str(40 * 2**20)))
# The longest line `hotline smtpd` takes (RFC 5321 says 1000; HTML mailers write far longer);
# a longer one gets a temporary 451, never a 5xx that would lose the mail (decision 0015).
HOTLINE_INBOUND_MAX_LINE_BYTES = int(
    os.environ.get("HOTLINE_INBOUND_MAX_LINE_BYTES", str(4 * 2**20))
)
# Verify DKIM signatures of inbound mail (needs DNS); the result is recorded, never trusted alone.
HOTLINE_INBOUND_DKIM_VERIFY = _env_bool("HOTLINE_INBOUND_DKIM_VERIFY", True)
# The audit record's Ed25519 signing key lives outside the database (docs/decisions/0007):
# a PEM file written by `hotline audit keygen`, or the PEM text itself. There is no default;
# without a key hotline refuses to start (hotline.startup), the demo makes its own.
HOTLINE_AUDIT_SIGNING_KEY_FILE = os.environ.get("HOTLINE_AUDIT_SIGNING_KEY_FILE", "")
HOTLINE_AUDIT_SIGNING_KEY = os.environ.get("HOTLINE_AUDIT_SIGNING_KEY", "")
# Public keys of retired signing keys (one base64 key per line), so old events still verify.
HOTLINE_AUDIT_PUBLIC_KEYS_FILE = os.environ.get("HOTLINE_AUDIT_PUBLIC_KEYS_FILE", "")
# A TrueType font with Korean glyphs, embedded in evidence PDFs (default: Debian's fonts-nanum).
HOTLINE_PDF_FONT_FILE = os.environ.get("HOTLINE_PDF_FONT_FILE", "")

# Operations (docs/operations.md): /readyz fails when no worker finished a round this recently;
# /metrics answers only with this bearer token (it is off while the token is unset).
HOTLINE_READY_WORKER_MAX_AGE_SECONDS = float(
    os.environ.get("HOTLINE_READY_WORKER_MAX_AGE_SECONDS", "300")
)
HOTLINE_METRICS_TOKEN = os.environ.get("HOTLINE_METRICS_TOKEN", "")

# `hotline serve` (gunicorn; docs/deploy.md). Its flags override these. 0 workers: 2 x cores + 1.
# Seconds an API token, once resolved, is trusted by a process without reading the database
# again: a revocation elsewhere takes effect within this (docs/deploy.md). 0: read every call.
HOTLINE_TOKEN_CACHE_SECONDS = float(os.environ.get("HOTLINE_TOKEN_CACHE_SECONDS", "5"))
if HOTLINE_TOKEN_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("HOTLINE_TOKEN_CACHE_SECONDS must be 0 or more")
# A read-only POST /api/match (no upload_ref) is answered by hotline/lean_match.py in front of
# Django, with the same checks and the same bytes; off: Django answers every call (decision 31).
HOTLINE_LEAN_MATCH = _env_bool("HOTLINE_LEAN_MATCH", True)


def _match_shard(value: str) -> tuple[int, int] | None:
    """HOTLINE_MATCH_SHARD: `i/n`, this process indexes the entries whose id is i modulo n."""
    value = value.strip()
    if not value:
        return None
    index, sep, count = value.partition("/")
    if not (sep and index.isdigit() and count.isdigit() and int(index) < int(count)):
        raise ImproperlyConfigured(f"HOTLINE_MATCH_SHARD wants i/n with 0 <= i < n, got {value!r}")
    return int(index), int(count)


# Matching past one machine (docs/scaling.md): a shard matcher, a router, their shared secret.
HOTLINE_MATCH_SHARD = _match_shard(os.environ.get("HOTLINE_MATCH_SHARD", ""))
HOTLINE_MATCH_SHARD_URLS = [
    u.strip().rstrip("/")
    for u in os.environ.get("HOTLINE_MATCH_SHARD_URLS", "").split(",")
    if u.strip()
]
HOTLINE_MATCH_SHARD_SECRET = os.environ.get("HOTLINE_MATCH_SHARD_SECRET", "")
if (HOTLINE_MATCH_SHARD or HOTLINE_MATCH_SHARD_URLS) and len(HOTLINE_MATCH_SHARD_SECRET) < 16:
    raise ImproperlyConfigured(
        "HOTLINE_MATCH_SHARD and HOTLINE_MATCH_SHARD_URLS need HOTLINE_MATCH_SHARD_SECRET "
        "(16 characters or more), shared by the router and its shards"
    )
if HOTLINE_MATCH_SHARD and HOTLINE_MATCH_SHARD_URLS:
    raise ImproperlyConfigured("a process is a shard matcher or a router, not both")
HOTLINE_SERVE_BIND = os.environ.get("HOTLINE_SERVE_BIND", "127.0.0.1:8000")
HOTLINE_SERVE_WORKERS = int(os.environ.get("HOTLINE_SERVE_WORKERS", "0"))
HOTLINE_SERVE_THREADS = int(os.environ.get("HOTLINE_SERVE_THREADS", "1"))
# A request running longer than this is killed with its worker; SIGTERM waits this long for
# requests in flight before stopping.
HOTLINE_SERVE_TIMEOUT = int(os.environ.get("HOTLINE_SERVE_TIMEOUT", "60"))
HOTLINE_SERVE_GRACEFUL_TIMEOUT = int(os.environ.get("HOTLINE_SERVE_GRACEFUL_TIMEOUT", "30"))

# Uploaded media stays in memory and is dropped after hashing; never spooled to disk.
# A file over the limit is counted, not kept, so its refusal can give its size.
FILE_UPLOAD_HANDLERS = ["hotline.cases.uploads.MeasuredMemoryUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("HOTLINE_MAX_UPLOAD_BYTES", str(64 * 2**20)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 2**20

# One JSON object per line on stderr, each with its request id (docs/operations.md).
# HOTLINE_LOG_FORMAT=text gives plain lines for a person at a terminal.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "hotline.core.logs.JsonLinesFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": os.environ.get("HOTLINE_LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("HOTLINE_LOG_LEVEL", "WARNING")},
}
