"""The only settings module. Every value comes from the environment (see .env.example).

Safe defaults give the embedded demo: SQLite under var/, Celery eager, e-mail to files.
A malformed value fails at start-up rather than at the first request that needs it.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# Lets classes the type checker sees as generic (ModelForm[Tool], ModelAdmin[School]) be
# subscripted at run time too; it changes nothing else.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# Values already in the environment win over the file. `make run` and `make test` write a
# development .env (DJANGO_DEBUG=true) so manage.py commands work when typed by hand.
ENV_FILE = Path(environ.Env().str("DJANGO_ENV_FILE", default=str(BASE_DIR / ".env")))
if ENV_FILE.is_file():
    env.read_env(ENV_FILE)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting. Anything but a clear yes or no stops start-up (django-environ would
    quietly read a typo as False)."""
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


DEBUG = env_bool("DJANGO_DEBUG", default=False)


def _secret_key() -> str:
    key: str = env.str("DJANGO_SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off (or set DJANGO_DEBUG=true for local development)."
        )
    # Development only: generate once and keep it, so sessions survive restarts.
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links in e-mails (reminders, password resets sent by background tasks).
SITE_URL = env.url("SITE_URL", default="http://127.0.0.1:8000").geturl().rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # Google and Microsoft are added below when their credentials are set (their pages need them).
    "allauth.socialaccount.providers.openid_connect",
    "django_celery_beat",
    "csp",
    "accounts",
    "tools",
    "registry",
    "disclosures",
    "consent",
    "authorizations",
    "compliance",
    "reminders",
    "dashboards",
    "audit",
    "evidence",
    "onboarding",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Saves the session now and then, not on every request (config/sessions.py).
    "config.sessions.SessionRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.DistrictTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Signed-in pages are never kept by the browser; no page may use the camera, microphone...
    "config.middleware.PrivatePagesMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "registry.context_processors.navigation",
                "dashboards.context_processors.navigation",
                "audit.context_processors.navigation",
                "evidence.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASE_JIT = env_bool("DATABASE_JIT", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL and an immediate write lock keep the demo's web server and eager tasks from
    # tripping over each other with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    # Recover from a restarted database without restarting the web server.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # The same backend, with a health check that asks the socket, not the server (no round trip).
        DATABASES["default"]["ENGINE"] = "config.postgresql"
    if DATABASES["default"]["ENGINE"] == "config.postgresql" and not DATABASE_JIT:
        # PostgreSQL compiles "expensive" queries with JIT; for a page's correlated counts that
        # compilation (over a second) costs far more than the query itself (a few milliseconds).
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ----------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Redis down means an empty cache, not failing pages (config/cache.py).
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "registry",
            "TIMEOUT": 3600,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            # The sign-in throttle's counts (allauth's rate limits and their locks) go to the database
            # while Redis is down: guessing passwords is never unthrottled.
            "FALLBACK_CACHE": "throttle_fallback",
            "FALLBACK_KEY_PREFIXES": ["allauth:rl:"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "TIMEOUT": 3600,
        }
    }
# Where the sign-in throttle's counts go while Redis is down (config/cache.py): a table in the
# database, created by a migration (accounts 0005).
CACHES["throttle_fallback"] = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "registry_throttle_fallback",
    "TIMEOUT": 3600,
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the embedded demo runs every task in-process, immediately.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only after it finished, so a killed worker's task is redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The one place periodic work is scheduled (beat copies it into its database table at start).
# Every ten minutes: plan the day once the planning hour has come (once per day, see
# reminders.services.reminders_plan_due), then queue every reminder that nobody holds.
REMINDER_PLAN_HOUR = env.int("REMINDER_PLAN_HOUR", default=6)
if not 0 <= REMINDER_PLAN_HOUR <= 23:
    raise ImproperlyConfigured("REMINDER_PLAN_HOUR must be an hour from 0 to 23.")
CELERY_BEAT_SCHEDULE = {
    "plan-and-queue-reminders": {
        "task": "reminders.tasks.plan_reminders",
        "schedule": crontab(minute="*/10"),
    },
    "queue-stalled-roster-imports": {
        "task": "accounts.tasks.requeue_roster_imports",
        "schedule": crontab(minute="*/10"),
    },
    # Every ten minutes: the districts' scheduled roster syncs that are due (a drop folder is looked at
    # each time; an API is pulled at the interval the district chose).
    "run-due-roster-syncs": {
        "task": "accounts.tasks.run_due_roster_syncs",
        "schedule": crontab(minute="*/10"),
    },
    "refresh-district-dashboards": {
        "task": "dashboards.tasks.refresh_district_dashboards",
        "schedule": crontab(minute="*/5"),
    },
    # Every hour: delete the evidence packs past their keeping time (and queue any the broker lost).
    "delete-expired-evidence-packs": {
        "task": "evidence.tasks.delete_expired_evidence_packs",
        "schedule": crontab(minute=17),
    },
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
if env.str("EMAIL_URL", default=""):
    _email = env.email_url("EMAIL_URL")
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = _email.get("EMAIL_PORT", 25)
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Social Media Registry <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
if EMAIL_TIMEOUT < 1:
    raise ImproperlyConfigured("EMAIL_TIMEOUT must be at least 1 second.")
# A sender holds a reminder this long; after it, another sender may take it (its worker died).
# It must outlast one message's conversation with the mail server, so it exceeds EMAIL_TIMEOUT.
REMINDER_SEND_LEASE_SECONDS = env.int("REMINDER_SEND_LEASE_SECONDS", default=300)
if REMINDER_SEND_LEASE_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured("REMINDER_SEND_LEASE_SECONDS must be longer than EMAIL_TIMEOUT.")
# The first wait after the mail server refuses a reminder; it doubles up to half an hour.
REMINDER_RETRY_SECONDS = env.int("REMINDER_RETRY_SECONDS", default=30)
if not 1 <= REMINDER_RETRY_SECONDS <= 1_800:
    raise ImproperlyConfigured("REMINDER_RETRY_SECONDS must be from 1 to 1800.")
# A queued reminder waits this long for a sender before it is queued again (a lost queue).
REMINDER_QUEUE_LEASE_SECONDS = env.int("REMINDER_QUEUE_LEASE_SECONDS", default=3600)
if REMINDER_QUEUE_LEASE_SECONDS < REMINDER_SEND_LEASE_SECONDS:
    raise ImproperlyConfigured("REMINDER_QUEUE_LEASE_SECONDS must be at least REMINDER_SEND_LEASE_SECONDS.")

# The district dashboard shows figures counted at most this long ago (beat recounts every 5 minutes).
DASHBOARD_FIGURES_MAX_AGE_SECONDS = env.int("DASHBOARD_FIGURES_MAX_AGE_SECONDS", default=600)
if not 60 <= DASHBOARD_FIGURES_MAX_AGE_SECONDS <= 86400:
    raise ImproperlyConfigured("DASHBOARD_FIGURES_MAX_AGE_SECONDS must be from 60 to 86400.")
# A school's dashboard is counted when opened and kept this long for the same reader.
DASHBOARD_SCHOOL_MAX_AGE_SECONDS = env.int("DASHBOARD_SCHOOL_MAX_AGE_SECONDS", default=60)
if not 0 <= DASHBOARD_SCHOOL_MAX_AGE_SECONDS <= 3600:
    raise ImproperlyConfigured("DASHBOARD_SCHOOL_MAX_AGE_SECONDS must be from 0 to 3600.")
# How long a list page keeps a reader's counts over the whole district (the totals above a list, its
# per-school table, its number of pages; core/counted.py). 0 counts on every request.
COUNTS_MAX_AGE_SECONDS = env.int("COUNTS_MAX_AGE_SECONDS", default=60)
# Families' consent links (no account): how many openings and how many bad links one address may
# try in an hour before it is turned away for the rest of that hour.
FAMILY_LINK_REQUESTS_PER_HOUR = env.int("FAMILY_LINK_REQUESTS_PER_HOUR", default=120)
FAMILY_LINK_FAILURES_PER_HOUR = env.int("FAMILY_LINK_FAILURES_PER_HOUR", default=10)
if FAMILY_LINK_REQUESTS_PER_HOUR < 1 or FAMILY_LINK_FAILURES_PER_HOUR < 1:
    raise ImproperlyConfigured("FAMILY_LINK_REQUESTS_PER_HOUR and FAMILY_LINK_FAILURES_PER_HOUR must be 1 or more.")
# Reports of fake pages sent from the public directory, per network address and hour.
FAKE_REPORTS_PER_HOUR = env.int("FAKE_REPORTS_PER_HOUR", default=10)
if FAKE_REPORTS_PER_HOUR < 1:
    raise ImproperlyConfigured("FAKE_REPORTS_PER_HOUR must be 1 or more.")
if not 0 <= COUNTS_MAX_AGE_SECONDS <= 3600:
    raise ImproperlyConfigured("COUNTS_MAX_AGE_SECONDS must be from 0 to 3600.")

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# One backend: a right and a wrong password cost the same (one password hash), and every way in
# (the admin's sign-in included, see config/urls.py) goes through allauth's throttle.
AUTHENTICATION_BACKENDS = ["accounts.backends.AuthenticationBackend"]
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
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"

# --- Single sign-on ---------------------------------------------------------------------------
# Staff sign in with the account their district gave them. A provider without credentials is not
# offered. One set of credentials serves every district of the installation: which people may come
# in is each district's own setting (its e-mail domains and Microsoft tenant, accounts.sign_in).
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = False  # sign-in never creates people: the roster does
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # linking by e-mail is decided by accounts.sign_in, not allauth
SOCIALACCOUNT_STORE_TOKENS = False  # the product calls no provider API after sign-in
SOCIALACCOUNT_LOGIN_ON_GET = False  # a sign-in starts from a POST, so a link cannot start one
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, Any]] = {}


def _credentials(prefix: str) -> tuple[str, str] | None:
    """(client id, secret) from <prefix>_CLIENT_ID and <prefix>_CLIENT_SECRET; both or neither."""
    client_id = env.str(f"{prefix}_CLIENT_ID", default="").strip()
    secret = env.str(f"{prefix}_CLIENT_SECRET", default="").strip()
    if bool(client_id) != bool(secret):
        raise ImproperlyConfigured(f"Set both {prefix}_CLIENT_ID and {prefix}_CLIENT_SECRET, or neither.")
    return (client_id, secret) if client_id else None


if google := _credentials("GOOGLE"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.google")
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": google[0], "secret": google[1]}],
        "SCOPE": ["openid", "email", "profile"],
        "AUTH_PARAMS": {"prompt": "select_account"},
        "OAUTH_PKCE_ENABLED": True,
    }
if microsoft := _credentials("MICROSOFT"):
    INSTALLED_APPS.append("allauth.socialaccount.providers.microsoft")
    SOCIALACCOUNT_PROVIDERS["microsoft"] = {
        # Reads the tenant (tid) from the ID token the token endpoint returns (accounts.sso).
        "provider_class": "accounts.sso.provider.MicrosoftProvider",
        "APPS": [
            {
                "client_id": microsoft[0],
                "secret": microsoft[1],
                # "organizations": any work or school tenant; each district lists its own tenant id.
                "settings": {"tenant": env.str("MICROSOFT_TENANT", default="organizations")},
            }
        ],
        "SCOPE": ["openid", "email", "profile", "User.Read"],
        "OAUTH_PKCE_ENABLED": True,
    }
if oidc := _credentials("OIDC"):
    OIDC_SERVER_URL = env.url("OIDC_SERVER_URL", default="").geturl()
    if not OIDC_SERVER_URL:
        raise ImproperlyConfigured("OIDC_SERVER_URL is required with OIDC_CLIENT_ID (the provider's issuer address).")
    OIDC_PROVIDER_ID = env.str("OIDC_PROVIDER_ID", default="district")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", OIDC_PROVIDER_ID):
        raise ImproperlyConfigured("OIDC_PROVIDER_ID is part of addresses: lower-case letters, digits and dashes.")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": OIDC_PROVIDER_ID,
                "name": env.str("OIDC_NAME", default="your district's sign-in"),
                "client_id": oidc[0],
                "secret": oidc[1],
                "settings": {"server_url": OIDC_SERVER_URL, "oauth_pkce_enabled": True},
            }
        ],
    }
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Rates, not secrets (bandit reads "password" in the key as one).
# login_failed's key is the address from one client (accounts/adapters.py): a guesser locks out only
# themselves, never the person they guess at.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "reset_password": "20/m/ip,5/m/key"}  # nosec B105
ACCOUNT_PREVENT_ENUMERATION = True
# A reset asked for an address nobody has is not answered by mail: the product mails no strangers.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Subjects name the district (templates/emails/), never the host the request came through.
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# How many proxies in front of the app append to X-Forwarded-For. Behind one proxy it must be 1,
# or every sign-in appears to come from the proxy's address and one person's mistyped passwords
# would throttle the whole district.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if ALLAUTH_TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
if SESSION_COOKIE_AGE < 60:
    raise ImproperlyConfigured("SESSION_COOKIE_AGE must be at least 60 seconds.")
# Expiry counts from the last request, so an unattended session ends after inactivity; the session
# is saved again once this many seconds have passed since it was last saved, not on every request
# (config/sessions.py), so it ends between SESSION_COOKIE_AGE minus this and SESSION_COOKIE_AGE.
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=SESSION_COOKIE_AGE // 10)
if not 0 <= SESSION_REFRESH_SECONDS < SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("SESSION_REFRESH_SECONDS must be 0 or more and less than SESSION_COOKIE_AGE.")
SESSION_SAVE_EVERY_REQUEST = False
# Sessions live in the database; pages read a copy kept in the cache for this long (0: always the
# database), so a signed-in page costs no database round trip for its session.
SESSION_ENGINE = "config.sessions"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
if SESSION_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("SESSION_CACHE_SECONDS must be 0 or more.")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Messages often name a student ("Recorded for Ana Lee: refused"): kept in the server-side session,
# never in a cookie the browser holds.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security -------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# No inline scripts or styles anywhere: every asset is a file the app serves itself.
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

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "en"
# Families are answered in their language: the guardian's preferred language from the roster, else
# the browser's (LocaleMiddleware), with a switch on every family page. Adding a language is a line
# here and a locale/<code>/ catalog.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded roster bundles hold student data: kept outside any served directory and deleted
# once imported.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "uploads")
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ROSTER_UPLOAD_MAX_BYTES = env.int("ROSTER_UPLOAD_MAX_BYTES", default=512 * 1024 * 1024)
# A roster zip is refused, before anything is unpacked, when its files would unpack to more than
# this in all, or when one file would grow more than this many times (real CSV: 5 to 15 times).
# A zip bomb of 1 MB otherwise grows a worker by gigabytes.
ROSTER_MAX_UNPACKED_BYTES = env.int("ROSTER_MAX_UNPACKED_BYTES", default=4 * 1024**3)
if ROSTER_MAX_UNPACKED_BYTES < 1024**2:
    raise ImproperlyConfigured("ROSTER_MAX_UNPACKED_BYTES must be at least 1048576 (1 MiB).")
ROSTER_MAX_COMPRESSION_RATIO = env.int("ROSTER_MAX_COMPRESSION_RATIO", default=100)
if not 20 <= ROSTER_MAX_COMPRESSION_RATIO <= 10_000:
    raise ImproperlyConfigured("ROSTER_MAX_COMPRESSION_RATIO must be from 20 to 10000.")
CONSENT_UPLOAD_MAX_BYTES = env.int("CONSENT_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Evidence packs (a district's proof of following its policy: a ZIP under MEDIA_ROOT/evidence, never
# served directly) are deleted this many days after they were built.
EVIDENCE_PACK_KEEP_DAYS = env.int("EVIDENCE_PACK_KEEP_DAYS", default=7)
if not 1 <= EVIDENCE_PACK_KEEP_DAYS <= 90:
    raise ImproperlyConfigured("EVIDENCE_PACK_KEEP_DAYS must be from 1 to 90.")

# Scheduled roster syncs (accounts/sync/). Each district's SIS drops its OneRoster zip in a folder of
# its own under this root (its SFTP server writes there); processed bundles move to archive/ beside it.
ROSTER_DROP_ROOT = env.path("ROSTER_DROP_ROOT", default=VAR_DIR / "roster-drop")
# A zip in a drop folder is read once `<name>.done` exists beside it, or once it has not changed for
# this many seconds: a file still being uploaded is never read.
ROSTER_DROP_SETTLE_SECONDS = env.int("ROSTER_DROP_SETTLE_SECONDS", default=300)
if not 0 <= ROSTER_DROP_SETTLE_SECONDS <= 86_400:
    raise ImproperlyConfigured("ROSTER_DROP_SETTLE_SECONDS must be from 0 to 86400.")
# OneRoster REST pulls: seconds to wait for one answer, and records asked for per page.
ROSTER_API_TIMEOUT_SECONDS = env.int("ROSTER_API_TIMEOUT_SECONDS", default=60)
if not 1 <= ROSTER_API_TIMEOUT_SECONDS <= 600:
    raise ImproperlyConfigured("ROSTER_API_TIMEOUT_SECONDS must be from 1 to 600.")
ROSTER_API_PAGE_SIZE = env.int("ROSTER_API_PAGE_SIZE", default=1000)
if not 10 <= ROSTER_API_PAGE_SIZE <= 10_000:
    raise ImproperlyConfigured("ROSTER_API_PAGE_SIZE must be from 10 to 10000.")
# Plain http:// API addresses: only for a test server on this machine; student data goes over HTTPS.
ROSTER_API_ALLOW_HTTP = env_bool("ROSTER_API_ALLOW_HTTP", default=False)
# API addresses on this machine or a private network (core.outbound refuses them): only for a test
# server, or an installation whose SIS sits inside the district's own network.
ROSTER_API_ALLOW_PRIVATE_ADDRESSES = env_bool("ROSTER_API_ALLOW_PRIVATE_ADDRESSES", default=False)


def _credentials_key() -> str:
    """The Fernet key that encrypts stored API secrets: CREDENTIALS_KEY, or one derived from the secret
    key (so rotating DJANGO_SECRET_KEY then means entering the secrets again)."""
    import base64
    import hashlib

    from cryptography.fernet import Fernet

    key = env.str("CREDENTIALS_KEY", default="")
    if not key:
        digest = hashlib.sha256(b"registry-credentials:" + SECRET_KEY.encode()).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii")
    try:
        Fernet(key.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise ImproperlyConfigured(
            "CREDENTIALS_KEY must be a Fernet key: 32 random bytes in URL-safe base64 (44 characters)."
        ) from None
    return str(key)


CREDENTIALS_KEY = _credentials_key()

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports every step of every PDF at INFO: only its warnings are worth a line.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Demo: print one sign-in per role; the shared password is only ever used by `load_demo`.
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-password-2026")
