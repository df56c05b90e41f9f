"""Settings for klentyadmin, read from the environment.

Every value has a safe local default so `bin/run` works on a laptop with no
configuration; KLENTYADMIN_ENV=production switches on the deployment
hardening that `manage.py check --deploy` asks for.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from klentyadmin.accounts.sign_in_settings import (
    oidc_provider_settings,
    origin,
    parse_role_map,
    parse_roles,
)
from klentyadmin.lib.env import env_bool, env_float, env_int, env_list, env_str
from klentyadmin.lib.private_files import keep_private
from klentyadmin.lib.secret_key import local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KLENTYADMIN_VAR_DIR", str(BASE_DIR / "var")))
# Before anything is written there: var/ and what this process creates are 0700/0600.
keep_private(VAR_DIR)

ENVIRONMENT = env_str("KLENTYADMIN_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("KLENTYADMIN_ENV must be development or production")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_q",
    "axes",
    "klentyadmin.accounts",
    "klentyadmin.core",
    "prospects",
    "cadences",
    "reporting",
    "enrichment",
    "contacts",
    "saved_views",
    "dedupe",
    "alerts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: private, no-store on every answer, the refusals below included.
    "klentyadmin.core.private_pages.PrivateNoStoreMiddleware",
    # Before anything reads request.GET: a query string too long to parse gets a 400.
    "klentyadmin.core.query_limits.QueryFieldLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before LoginRequiredMiddleware: it loads the user, so a locked or unreachable
    # database can be answered with a clear 503 rather than a 500.
    "klentyadmin.core.middleware.DatabaseUnavailableMiddleware",
    # Dates and times in the signed-in user's own zone (User.time_zone).
    "klentyadmin.accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Under DEBUG (bin/run) a missing page is ours, not Django's technical 404 page.
    "klentyadmin.core.error_pages.FriendlyNotFoundMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Static files straight from the app, compressed and cache-busted for good (so before the
# no-store rule): in production, and under bin/run, which collects them first and sets
# STATIC_COMPRESSED=true; the reports' plotly bundle then travels as 496 KB, once. Tests
# and a bare runserver serve them from the source folders.
STATIC_COMPRESSED = env_bool("STATIC_COMPRESSED", PRODUCTION)
if STATIC_COMPRESSED:
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "klentyadmin.urls"
WSGI_APPLICATION = "klentyadmin.wsgi.application"

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
                "django.template.context_processors.csp",
                "klentyadmin.core.context_processors.layout",
                "saved_views.context_processors.pinned_views",
            ],
        },
    },
]

# SQLite by default: a file beside the app, in WAL mode with a busy timeout so the
# web process and the django-q2 worker can share it without "database is locked".
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Memory-mapped reads and a larger page cache keep search fast on a big cache;
    # persistent connections (CONN_MAX_AGE above) keep that cache warm.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-32768;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# plotly.js is plotly's cartesian partial bundle, kept in static/vendor/plotly (its
# README says why and how to update it), served like our own files: no CDN.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COMPRESSED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# No inline scripts anywhere: every behaviour lives in static/*.js. Plotly writes
# inline styles into the charts it draws, hence 'unsafe-inline' for styles only.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Sign-in throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is locked out for AXES_COOLOFF_MINUTES. Keyed
# on the pair so that one office behind a NAT cannot lock out everyone else in it.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# How many proxies in front of the app append to X-Forwarded-For (the README's TLS proxy:
# 1). The address a lockout is keyed on is read through them; 0 believes REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "klentyadmin.lib.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2. `retry` is longer than `timeout` so a task still running is never
# started a second time; long work (bulk jobs, syncs) is cut into tasks that each
# finish well inside `timeout` and queue their own continuation.
Q_CLUSTER = {
    "name": "klentyadmin",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": env_int("Q_TIMEOUT", 600, minimum=30),
    "retry": env_int("Q_RETRY", 900, minimum=60),
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "ack_failures": True,
    "poll": 0.5,
    "sync": env_bool("Q_SYNC", False),
}
if Q_CLUSTER["retry"] <= Q_CLUSTER["timeout"]:
    raise ImproperlyConfigured("Q_RETRY must be longer than Q_TIMEOUT")
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Outgoing mail: SMTP in production; on a laptop, files under var/sent-mail.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
    }
elif EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": str(VAR_DIR / "sent-mail")}
else:
    _mail_options = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "klentyadmin <klentyadmin@localhost>")

# Keys stored in the database are encrypted with this Fernet key; by default it
# is derived from SECRET_KEY, so rotating SECRET_KEY means re-entering API keys.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")

# The embedded sandbox: the default target whenever no real key is configured.
SANDBOX_URL = env_str("SANDBOX_URL", "http://127.0.0.1:8765").rstrip("/")
SANDBOX_KLENTY_KEY = env_str("SANDBOX_KLENTY_KEY", "sandbox-klenty-key")
# The sandbox's Klenty team, the first the manager: the team while the sandbox is the
# target. The sandbox seeds its own copy (sandbox/team.py); it is a separate program.
SANDBOX_TEAM_EMAILS = env_list(
    "SANDBOX_TEAM_EMAILS",
    [
        "morgan.hale@northwind.example",
        "priya.natarajan@northwind.example",
        "diego.alvarez@northwind.example",
        "sam.okafor@northwind.example",
    ],
)
# The Klenty members that `manage.py seed_demo` links its Manager and Rep to.
DEMO_MANAGER_KLENTY_EMAIL = env_str("DEMO_MANAGER_KLENTY_EMAIL", "morgan.hale@northwind.example")
DEMO_REP_KLENTY_EMAIL = env_str("DEMO_REP_KLENTY_EMAIL", "priya.natarajan@northwind.example")

KLENTY_API_KEY = env_str("KLENTY_API_KEY")
KLENTY_TEAM_EMAILS = env_list("KLENTY_TEAM_EMAILS")
KLENTY_API_BASE = env_str("KLENTY_API_BASE").rstrip("/")
KLENTY_APP_BASE = env_str("KLENTY_APP_BASE").rstrip("/")
KLENTY_RATE_LIMIT_PER_MIN = env_int("KLENTY_RATE_LIMIT_PER_MIN", 60, minimum=1)
# The prospect outcomes set up in the Klenty account, exactly as spelt there (Klenty
# matches them case-sensitively). The edit form offers these and those already cached.
KLENTY_OUTCOMES = env_list("KLENTY_OUTCOMES")

# Snov.io and the contacts CRM (Skarbe): the same rules as Klenty. Without
# credentials the sandbox answers; with them, the vendors' own base URLs.
SANDBOX_SNOV_CLIENT_ID = env_str("SANDBOX_SNOV_CLIENT_ID", "sandbox-snov-id")
SANDBOX_SNOV_CLIENT_SECRET = env_str("SANDBOX_SNOV_CLIENT_SECRET", "sandbox-snov-secret")
SANDBOX_CRM_KEY = env_str("SANDBOX_CRM_KEY", "sandbox-crm-key")
SNOV_CLIENT_ID = env_str("SNOV_CLIENT_ID")
SNOV_CLIENT_SECRET = env_str("SNOV_CLIENT_SECRET")
SNOV_API_BASE = env_str("SNOV_API_BASE").rstrip("/")
SNOV_RATE_LIMIT_PER_MIN = env_int("SNOV_RATE_LIMIT_PER_MIN", 60, minimum=1)
# How long to poll an asynchronous Snov.io task before telling the user to come back.
SNOV_POLL_SECONDS = env_float("SNOV_POLL_SECONDS", 20)
# A domain searched again within this many hours is answered from the stored
# results (no time, no credits) unless the user asks for a fresh search; 0 turns it off.
SNOV_RESULT_CACHE_HOURS = env_int("SNOV_RESULT_CACHE_HOURS", 24, minimum=0)
# Snov.io's id of the account's Do-not-email List (no endpoint lists it): the
# Do-not-email page offers it, and a manager may type another.
SNOV_DO_NOT_EMAIL_LIST_ID = env_str("SNOV_DO_NOT_EMAIL_LIST_ID")
CRM_API_KEY = env_str("CRM_API_KEY")
CRM_API_BASE = env_str("CRM_API_BASE").rstrip("/")
CRM_RATE_LIMIT_PER_MIN = env_int("CRM_RATE_LIMIT_PER_MIN", 60, minimum=1)

API_CONNECT_TIMEOUT = env_float("API_CONNECT_TIMEOUT", 5.0)
API_READ_TIMEOUT = env_float("API_READ_TIMEOUT", 30.0)
API_MAX_ATTEMPTS = env_int("API_MAX_ATTEMPTS", 5, minimum=1)
API_BACKOFF_BASE = env_float("API_BACKOFF_BASE", 0.5)
API_BACKOFF_CAP = env_float("API_BACKOFF_CAP", 30.0)
RATE_LIMIT_DIR = VAR_DIR / "ratelimit"

# Every handler masks the tokens of our webhook receivers' URLs (a credential) in what
# it writes: runserver's request lines, Django's "Not Found: /hooks/klenty/…" and
# whatever else names a receiver URL. Django's own handlers are redefined here for
# that; gunicorn's logs are masked by gunicorn.conf.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "redact_hook_tokens": {"()": "klentyadmin.lib.hook_tokens.RedactHookTokens"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_hook_tokens"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_hook_tokens"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["require_debug_false", "redact_hook_tokens"],
        },
    },
    "loggers": {
        # Django's own records reach the console through the root logger.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Prospect sync (prospects/sync.py)
KLENTY_SYNC_MINUTES = env_int("KLENTY_SYNC_MINUTES", 15, minimum=1)
# Per-prospect calls (status, and custom fields the first time) one sync run may
# spend. Klenty has no bulk status call, so by default a run spends five minutes of
# the rate limit on them, leaving the rest of each interval to everything else.
KLENTY_SYNC_STATUS_CHECKS = env_int(
    "KLENTY_SYNC_STATUS_CHECKS", 5 * KLENTY_RATE_LIMIT_PER_MIN, minimum=0
)
# How far back a full sync reads prospects' details by creation day.
KLENTY_SYNC_HISTORY_DAYS = env_int("KLENTY_SYNC_HISTORY_DAYS", 365, minimum=0)

# CSV import (prospects/imports/)
# Uploads over this size are refused while they stream in (an upload handler stops
# reading them), so a huge file never reaches memory or disk. Django's own
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB of non-file fields) and FILE_UPLOAD_MAX_MEMORY_SIZE
# (files over 2.5 MB spool to a temporary file) suit these uploads as they are.
CSV_IMPORT_MAX_BYTES = env_int("CSV_IMPORT_MAX_BYTES", 10 * 1024 * 1024, minimum=1024)

# Cadences and webhooks (cadences/)
# The address Klenty reaches this dashboard at: webhook receiver URLs are built on it.
# Production has no default (the "Subscribe" action says so); in development the
# sandbox runs on this machine and reaches the local server directly.
PUBLIC_BASE_URL = env_str(
    "PUBLIC_BASE_URL", "" if PRODUCTION else f"http://127.0.0.1:{env_str('PORT', '8000')}"
).rstrip("/")
# Webhook URLs typed in by an Admin may not point at loopback, link-local or private
# addresses (klentyadmin/lib/internal_hosts.py) unless this allows it: bin/run does,
# against the sandbox on this machine.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
# Webhook bodies above this are refused unread (413): Klenty's are well under 4 KB.
WEBHOOK_MAX_BODY_BYTES = env_int("WEBHOOK_MAX_BODY_BYTES", 64 * 1024, minimum=1024)

# Reporting (reporting/)
# How often each pull runs, in minutes.
REPORTS_ENGAGEMENT_MINUTES = env_int("REPORTS_ENGAGEMENT_MINUTES", 60, minimum=1)
REPORTS_STEPWISE_MINUTES = env_int("REPORTS_STEPWISE_MINUTES", 360, minimum=1)
REPORTS_CALLS_MINUTES = env_int("REPORTS_CALLS_MINUTES", 30, minimum=1)
# Home and the scorecards count a meeting for each call logged with this prospect
# outcome, spelt as in Klenty: by default the configured outcome that names a meeting
# (KLENTY_OUTCOMES), else the sandbox's "Meeting Booked".
COCKPIT_MEETING_OUTCOME = env_str(
    "COCKPIT_MEETING_OUTCOME",
    next((o for o in KLENTY_OUTCOMES if "meeting" in o.lower()), "Meeting Booked"),
)
# Days of email engagement fetched (one request per cadence and day) on the first run.
REPORTS_BACKFILL_DAYS = env_int("REPORTS_BACKFILL_DAYS", 90, minimum=1)
# Recent days fetched again on every run: counts such as "in cadence" keep moving.
REPORTS_REFRESH_DAYS = env_int("REPORTS_REFRESH_DAYS", 3, minimum=1)
# The range each step-wise snapshot covers, ending on the day it is taken.
REPORTS_STEPWISE_DAYS = env_int("REPORTS_STEPWISE_DAYS", 90, minimum=1)
# Klenty's default sending limit per email account and day: the deliverability page's
# capacity is measured against it.
KLENTY_DAILY_SEND_LIMIT = env_int("KLENTY_DAILY_SEND_LIMIT", 500, minimum=1)
# Klenty keeps calls for about 30 days and refuses a startDate further back than 29.
REPORTS_CALL_DAYS = env_int("REPORTS_CALL_DAYS", 29, minimum=1)
if REPORTS_CALL_DAYS > 29:
    raise ImproperlyConfigured("REPORTS_CALL_DAYS must be 29 or less: Klenty refuses older starts")
# How often due report emails are looked for; each is sent at its own hour.
REPORTS_EMAIL_MINUTES = env_int("REPORTS_EMAIL_MINUTES", 5, minimum=1)
REPORTS_EMAIL_MAX_ATTEMPTS = env_int("REPORTS_EMAIL_MAX_ATTEMPTS", 3, minimum=1)
REPORTS_EMAIL_RETRY_MINUTES = env_int("REPORTS_EMAIL_RETRY_MINUTES", 15, minimum=1)
# Chart images in report emails are drawn by kaleido in a headless Chromium; it
# finds Debian's /usr/bin/chromium by itself, this overrides the path.
REPORTS_CHROMIUM_PATH = env_str("REPORTS_CHROMIUM_PATH")
# Where links in report emails point (the unsubscribe link, "open the report").
REPORTS_SITE_URL = env_str(
    "REPORTS_SITE_URL", PUBLIC_BASE_URL or f"http://127.0.0.1:{env_str('PORT', '8000')}"
).rstrip("/")

# Alerts (alerts/)
# A Slack-compatible webhook that fails (5xx, 429, no answer) is tried this many times,
# waiting ALERTS_SLACK_BACKOFF_SECONDS, then twice that, between tries.
ALERTS_SLACK_ATTEMPTS = env_int("ALERTS_SLACK_ATTEMPTS", 3, minimum=1)
ALERTS_SLACK_BACKOFF_SECONDS = env_float("ALERTS_SLACK_BACKOFF_SECONDS", 2.0)
ALERTS_SLACK_RATE_LIMIT_PER_MIN = env_int("ALERTS_SLACK_RATE_LIMIT_PER_MIN", 60, minimum=1)

# -- Sign-in: single sign-on, two-factor and sessions (django-allauth) --
# One block, so the rest of the settings stay as they were. The project's own login
# view stays (django-axes throttles it); it hands a correct password to allauth's login
# flow, so the second-factor step is the same for passwords and for OpenID Connect.
INSTALLED_APPS += [
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "allauth.usersessions",
]
_after_login_required = (
    MIDDLEWARE.index("django.contrib.auth.middleware.LoginRequiredMiddleware") + 1
)
MIDDLEWARE[_after_login_required:_after_login_required] = [
    # Turns allauth's "sign in again first" into the re-authentication page, and drops a
    # half-finished sign-in (password given, code not yet) when the visitor goes elsewhere.
    "allauth.account.middleware.AccountMiddleware",
    "klentyadmin.accounts.idle_sessions.SessionIdleTimeoutMiddleware",
    # A role that must use two-factor sign-in reaches nothing but enrollment until it has.
    "klentyadmin.accounts.middleware.TwoFactorEnrollmentMiddleware",
]
# allauth's backend logs in the users its flows authenticate (OpenID Connect).
AUTHENTICATION_BACKENDS.append("allauth.account.auth_backends.AuthenticationBackend")

# LOCAL_PASSWORDS=false leaves only "Sign in with <provider>" on the login page.
LOCAL_PASSWORDS = env_bool("LOCAL_PASSWORDS", True)

ACCOUNT_ADAPTER = "klentyadmin.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "klentyadmin.accounts.adapters.SingleSignOnAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Sensitive changes (turning two-factor off, new recovery codes) ask for the password or
# a code again; not for a code by email, which this console does not send.
ACCOUNT_REAUTHENTICATION_METHODS = ["password", "mfa"]
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("OIDC_TIMEOUT_SECONDS", 10, minimum=1)

# One OpenID Connect provider (Google Workspace, Entra ID, Okta, Keycloak, ...). The
# secret is read from the environment only; nothing about it is stored in the database.
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL").rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_NAME = env_str("OIDC_NAME", "single sign-on")
OIDC_PROVIDER_ID = env_str("OIDC_PROVIDER_ID", "sso")
OIDC_SCOPES = env_list("OIDC_SCOPES", ["openid", "profile", "email"])
# Accounts are created on first sign-in only for these email domains.
OIDC_ALLOWED_DOMAINS = [domain.lower() for domain in env_list("OIDC_ALLOWED_DOMAINS")]
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
# "klenty-admins=admin,sales-managers=manager,sales-reps=rep": refreshed at each sign-in.
OIDC_ROLE_MAP = parse_role_map("OIDC_ROLE_MAP", env_str("OIDC_ROLE_MAP"))
SOCIALACCOUNT_PROVIDERS = oidc_provider_settings(
    provider_id=OIDC_PROVIDER_ID,
    name=OIDC_NAME,
    server_url=OIDC_SERVER_URL,
    client_id=OIDC_CLIENT_ID,
    secret=OIDC_CLIENT_SECRET,
    scopes=OIDC_SCOPES,
)
if OIDC_SERVER_URL:
    # The "Sign in with" button's POST is answered with a redirect to the provider, and
    # browsers hold a form's redirects to form-action too.
    SECURE_CSP["form-action"] += env_list("OIDC_FORM_ACTION_ORIGINS", [origin(OIDC_SERVER_URL)])
if not LOCAL_PASSWORDS and not OIDC_SERVER_URL:
    raise ImproperlyConfigured("LOCAL_PASSWORDS=false needs OIDC_SERVER_URL: nobody could sign in")

# Two-factor sign-in: an authenticator app (TOTP) with recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "klentyadmin")
# A code typed as the 30-second period turns over is still accepted (RFC 6238 section 5.2
# advises one step back for the delay between reading and sending); allauth still refuses
# a code used once.
MFA_TOTP_TOLERANCE = 1
# Emails here are set by an Admin or the identity provider, never self-registered, so
# allauth's "verify your email first" guard has nothing to guard against.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_REQUIRED_ROLES = parse_roles("MFA_REQUIRED_ROLES", env_list("MFA_REQUIRED_ROLES", ["admin"]))

# Sessions: signed out after SESSION_IDLE_HOURS without a request (requests push the
# expiry on: klentyadmin/accounts/idle_sessions.py). allauth.usersessions records each
# sign-in's session, lists a user's own and signs them out; it does not write on every
# request to track "last seen" (USERSESSIONS_TRACK_ACTIVITY), as HTMX polls would.
SESSION_IDLE_HOURS = env_int("SESSION_IDLE_HOURS", 8, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_HOURS * 3600
# -- end of sign-in --
