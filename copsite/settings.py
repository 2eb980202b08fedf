"""CoPsite settings: one file, read from the environment, with safe development defaults.

Every variable is listed in the README's configuration table. A malformed value stops start-up with a
message naming the variable (see copsite/config.py).
"""

import zoneinfo
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from copsite.config import (
    env_bool,
    env_database,
    env_email,
    env_int,
    env_list,
    env_rates,
    env_redis_url,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY: required when DEBUG is off (set a long random value)")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"  # noqa: S105

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "CoPsite")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

TIME_ZONE = env_str("TIME_ZONE", "UTC")
try:
    zoneinfo.ZoneInfo(TIME_ZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(f"TIME_ZONE: unknown time zone {TIME_ZONE!r} (use an IANA name)") from None
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "members",
    "communities",
    "activities",
    "repertoire",
    "insights",
    "integrations",
    "copsite",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every time a signed-in person sees is in their own zone (their profile's), on every page.
    "core.viewer_zone.ViewerZoneMiddleware",
]

ROOT_URLCONF = "copsite.urls"
WSGI_APPLICATION = "copsite.wsgi.application"
ASGI_APPLICATION = "copsite.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "builtins": ["core.moments", "core.links"],
            "libraries": {"fragments": "core.fragments"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "copsite.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'copsite.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default keeps its file under var/, which a fresh clone does not have yet.
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions and the broker: Redis when REDIS_URL is set, in-process otherwise --------------------
REDIS_URL = env_redis_url("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "copsite")
# Parallel test workers (pytest-xdist) share one Redis: each keeps its own keys.
CACHE_KEY_PREFIX += env_str("PYTEST_XDIST_WORKER", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Rate limits (members/ratelimits.py), beyond allauth's own for signing in ---------------------------------
# Requests per period, counted per signed-in person, per token for calendar feeds (calendar services fetch from
# shared addresses) and per client address for anonymous requests; past the limit, the 429 page. Override any of
# them with RATE_LIMITS="search=60/m,feeds=120/10m".
# Our own fixed-window counter over the cache (atomic cache.add + cache.incr), not django-ratelimit: its 4.1 (the
# last release, 2023) refuses the in-process cache of `make run` with an error (django_ratelimit.E003, which stops
# runserver; no cache without a server passes it) and warns about Django's own Redis cache (W001), so it would
# need both checks silenced, i.e. turned off, in one configuration or the other.
RATE_LIMITS = env_rates(
    "RATE_LIMITS",
    {
        "search": "30/m",  # site search
        "suggest": "120/m",  # the people suggestions of address fields, asked while typing
        "feeds": "60/10m",  # calendar feeds (per token) and one activity's .ics
        "exports": "30/m",  # health CSVs, the member list export, staff previews of digests and reports
        "post_reports": "20/h",  # reporting a post, which mails the coordinators
        "invitations": "20/h",  # sending email invitations (up to 50 addresses each)
        "unsubscribe": "20/m",  # the unsubscribe links in mail, often opened signed out
    },
)
# A client's address is the one allauth's sign-in limits use: REMOTE_ADDR, or behind this many proxies of our own
# the entry they added to X-Forwarded-For (0 trusts none: the header is easy to forge).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# --- Celery (namespace CELERY_) -------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
}
CELERY_TIMEZONE = TIME_ZONE
# A static schedule: beat only ticks; each task finds its due work in the database and claims it there.
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "copsite.tasks.heartbeat", "schedule": timedelta(minutes=1)},
    "hourly-tick": {"task": "copsite.tasks.hourly_tick", "schedule": crontab(minute=5)},
    "activity-reminders": {"task": "activities.tasks.send_due_reminders", "schedule": timedelta(minutes=10)},
    # Hourly, so a missed night is caught up soon; it snapshots the days (up to a week back) not yet taken.
    "daily-snapshots": {"task": "insights.tasks.take_daily_snapshots", "schedule": crontab(minute=20)},
    # Plans the digests and reports now due (per recipient's zone and preference) and sends what is pending.
    "digests": {"task": "insights.tasks.dispatch_digests", "schedule": crontab(minute="*/15")},
}

# --- Mail -----------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@copsite.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
_email = env_email("EMAIL_URL")
if _email:
    EMAIL_BACKEND = _email["EMAIL_BACKEND"]
    EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
    EMAIL_PORT = _email.get("EMAIL_PORT") or 25
    EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
    EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
    EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
    EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
    EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "copsite.mail.FileAndConsoleBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --- Static and uploaded files --------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security -------------------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and container health checks probe over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # allauth's TOTP setup shows its QR code as a data: image.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF, *env_list("CSP_FORM_ACTION_EXTRA")],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Accounts (django-allauth) --------------------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "members.adapters.SocialAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional" if DEBUG else "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"mandatory", "optional", "none"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION: expected mandatory, optional or none")
if not DEBUG and ACCOUNT_EMAIL_VERIFICATION != "mandatory" and not env_bool("SSO_ONLY", False):
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION: must be 'mandatory' when DEBUG is off")
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_MIN_LENGTH = 10
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
SIGNUP_EMAIL_DOMAINS = [domain.lower().lstrip("@") for domain in env_list("SIGNUP_EMAIL_DOMAINS")]

# Optional single sign-on through one OpenID Connect provider, configured only from the environment.
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SERVER_URL = env_str("OIDC_SERVER_URL")
OIDC_NAME = env_str("OIDC_NAME", "single sign-on")
# The claim naming the person's org unit: a unit's name or a path, "Operations / Maintenance" (empty: none).
OIDC_ORG_UNIT_CLAIM = env_str("OIDC_ORG_UNIT_CLAIM", "department")
# The claim naming their job title: the profile shows it read-only once the provider keeps the person.
OIDC_JOB_TITLE_CLAIM = env_str("OIDC_JOB_TITLE_CLAIM", "job_title")
SSO_ENABLED = bool(OIDC_CLIENT_ID and OIDC_SERVER_URL)
if any([OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_SERVER_URL]) and not SSO_ENABLED:
    raise ImproperlyConfigured(
        "OIDC_CLIENT_ID and OIDC_SERVER_URL: set both (and OIDC_CLIENT_SECRET) or neither"
    )
SOCIALACCOUNT_PROVIDERS = {}
if SSO_ENABLED:
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": "sso",
                "name": OIDC_NAME,
                "client_id": OIDC_CLIENT_ID,
                "secret": OIDC_CLIENT_SECRET,
                "settings": {"server_url": OIDC_SERVER_URL},
            }
        ],
    }
    SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
    SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
    # "Sign in with" posts to us and we redirect to the provider; browsers hold a form's redirects to form-action
    # as well, so the provider's origin is allowed there (CSP_FORM_ACTION_EXTRA for an authorize URL elsewhere).
    SECURE_CSP["form-action"].append("/".join(OIDC_SERVER_URL.split("/")[:3]))
SOCIALACCOUNT_LOGIN_ON_GET = False
SSO_ONLY = env_bool("SSO_ONLY", False)
if SSO_ONLY:
    if not SSO_ENABLED:
        raise ImproperlyConfigured("SSO_ONLY: needs OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_SERVER_URL")
    # Password forms are gone; the identity provider verifies addresses and handles second factors.
    SOCIALACCOUNT_ONLY = True
    ACCOUNT_EMAIL_VERIFICATION = "none"
    INSTALLED_APPS.remove("allauth.mfa")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Product settings -----------------------------------------------------------------------------------
PAGE_SIZE = env_int("PAGE_SIZE", 20, minimum=1)
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 14, minimum=1)
RESOURCE_MAX_UPLOAD_MB = env_int("RESOURCE_MAX_UPLOAD_MB", 25, minimum=1)
# The people import (integrations/people_import): the directory name recorded on the people it keeps, and the
# largest file accepted (checked before it is read).
PEOPLE_IMPORT_DIRECTORY = env_str("PEOPLE_IMPORT_DIRECTORY", "CSV import")
PEOPLE_IMPORT_MAX_MB = env_int("PEOPLE_IMPORT_MAX_MB", 5, minimum=1)

# Digests and reports go out from this hour on, in each recipient's time zone (weekly ones on Mondays, monthly
# ones on the 1st). A row a worker claimed but did not finish within the lease is taken over by the next run.
# A batch the SMTP server refused is retried after DELIVERY_RETRY_BASE_SECONDS, doubled each time (at most 1 h
# and at most half the visibility timeout: see insights.tasks.retry_countdown).
DIGEST_SEND_HOUR = env_int("DIGEST_SEND_HOUR", 7, minimum=0, maximum=23)
DELIVERY_LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 900, minimum=1)
DELIVERY_RETRY_BASE_SECONDS = env_int("DELIVERY_RETRY_BASE_SECONDS", 60, minimum=1)

# Health checks by lifecycle stage (insights/health.py): each check's threshold, and the stages it applies to.
# A check is "ok" when the threshold holds, "watch" when it is missed by at most half, "attention" beyond.
INSIGHTS_HEALTH_CHECKS = {
    "coordinator": {"stages": ["potential", "coalescing", "maturing", "stewardship", "transformation"]},
    "core_group": {"min_members": 3, "stages": ["potential", "coalescing"]},
    "rhythm": {"max_gap_weeks": 4, "window_weeks": 12, "stages": ["coalescing", "maturing", "stewardship"]},
    "active_share": {"min_percent": 20, "stages": ["coalescing", "maturing", "stewardship"]},
    "repertoire": {"min_resources": 3, "window_days": 90, "stages": ["maturing", "stewardship"]},
    "answered": {"min_percent": 70, "window_days": 90, "stages": ["maturing", "stewardship"]},
    "first_reply": {"max_hours": 48, "window_days": 90, "stages": ["maturing"]},
    "applied": {"min_stories": 1, "window_days": 90, "stages": ["maturing", "stewardship"]},
    "newcomers": {"min_promotions": 2, "window_days": 180, "stages": ["stewardship"]},
    "handover": {"min_stories": 1, "window_days": 180, "stages": ["transformation"]},
}

# --- Logging --------------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "copsite": {"level": LOG_LEVEL},
        "members": {"level": LOG_LEVEL},
        "communities": {"level": LOG_LEVEL},
        "activities": {"level": LOG_LEVEL},
        "repertoire": {"level": LOG_LEVEL},
        "insights": {"level": LOG_LEVEL},
    },
}
