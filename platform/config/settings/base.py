"""Settings shared by every environment, read from environment variables (twelve-factor).

Local defaults live here; `production.py` removes the defaults for secrets. In development the service
bootstrap (`infra/local/services.py`) writes `.var/services.env`; real environment variables win over it.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = BASE_DIR / ".var"

env = environ.Env()
# PORTICO_ENV_FILE="" switches the file off (production, and tests of production settings).
_services_env = env.str("PORTICO_ENV_FILE", default=str(VAR_DIR / "services.env"))
if _services_env and Path(_services_env).exists():
    environ.Env.read_env(_services_env, overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The living style guide (/_styleguide/ on portal hosts) is served when DEBUG or this is true; production pins it off.
STYLEGUIDE_ENABLED = env.bool("STYLEGUIDE_ENABLED", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-development-key-not-for-production")

# The root site (landing, signup, operators) is served on ROOT_DOMAIN; each provider's portal on
# <slug>.ROOT_DOMAIN. The port, if any, is not part of it.
ROOT_DOMAIN = env.str("ROOT_DOMAIN", default="localhost")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[ROOT_DOMAIN, f".{ROOT_DOMAIN}"])
# How links in e-mails (sent without a request) reach the sites: scheme and port (empty for the default port).
SITE_SCHEME = env.str("SITE_SCHEME", default="https")
SITE_PORT = env.str("SITE_PORT", default="")

SHARED_APPS = [
    # `tenants` comes before django_tenants so that its `migrate` (which also refreshes the template schema)
    # overrides django-tenants' own.
    "tenants",
    "django_tenants",
    "billing",
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's MFA pages use it
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    # Template components (`<c-button>`, `<c-field>` …, templates/cotton/) and the icon set they draw from.
    "django_cotton.apps.SimpleAppConfig",
    "heroicons",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the API docs' JavaScript and CSS, served from here (no CDN)
    "branding",
    "website",
    "signup",
    "operators",
]
TENANT_APPS = [
    "accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "portal.access",
    "portal.clients",
    "portal.organisations",
    "portal.activity",
    "portal.conversations",
    "portal.documents",
    "portal.requests",
    "portal.engagements",
    "portal.dashboard",
    "portal.api",
    "portal.webhooks",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
TENANT_BASE_MIGRATE_COMMAND = "tenants.migrate_command.TenantSchemaMigrateCommand"
# One `SET search_path` per schema switch instead of one per cursor (8 of a page's 16 statements). Safe because
# every switch (the tenant middleware, `schema_context`, tenant-aware tasks) goes through set_tenant / set_schema,
# which forget the path, and so do a closed connection and a rolled-back transaction or savepoint, which undo the
# SET: tests/tenants/test_search_path.py checks each.
TENANT_LIMIT_SET_CALLS = True

MIDDLEWARE = [
    # Probes answer on any host, a bare IP included, before host validation and tenant resolution.
    "config.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before tenant resolution, so every answer (the unknown-host page, lifecycle notices) carries the headers.
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.TenantResolutionMiddleware",
    # Right after the host is known (an unknown host's body is never parsed), before anything looks a request's
    # input up in the database: a NUL byte in it is a 400, never a 500.
    "config.nul_bytes.RefuseNulBytesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.access.lifecycle.TenantLifecycleMiddleware",
    "portal.api.middleware.ApiProblemMiddleware",
    "portal.access.middleware.ActorMiddleware",
    "portal.access.middleware.MfaPolicyMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # django-cotton compiles `<c-…>` component tags; the cached loader keeps compiled templates in memory
            # (Django reloads them when a template file changes under runserver).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django_cotton.cotton_loader.Loader",
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "builtins": [
                "django_cotton.templatetags.cotton",
                "heroicons.templatetags.heroicons",
                "branding.templatetags.ui",
            ],
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "branding.context_processors.branding",
                "portal.dashboard.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": {
        **env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/portico"),
        # The tenant-aware backend: django-tenants' search_path switching plus the fail-closed check.
        "ENGINE": "tenants.db_backend",
        "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    }
}
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env.int("DB_CONNECT_TIMEOUT", default=5)
# DATABASE_URL is the runtime role (web, Celery); the owner role's URL is used only by the processes that migrate,
# seed, purge and set up the roles (`tenants.db_roles.use_owner_connection`). Empty: a single-role database.
MIGRATION_DATABASE_URL = env.str("MIGRATION_DATABASE_URL", default="")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        # Prefix every key with the current schema, so two tenants never share a cache entry.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portico"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    },
    # Each schema's write generation (tenants.generations), keyed by the schema it names: written after commit,
    # when the connection may already work in another schema, so without the per-schema key function.
    "generations": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="portico"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    },
}
# How long a rendered page is kept for reuse by the same session (portal.access.pages; 0 renders every time), and
# a session row or signed-in person read from the database (accounts.sessions, portal.access.backends). Any write
# to the portal's data retires what was kept at once (tenants.generations), so these only bound memory.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=120)
KEPT_SECONDS = env.int("KEPT_SECONDS", default=300)

# Sessions live in each schema's own table and their cookies are host-only, so a login on one portal is
# never accepted on another (a signed-cookie or shared-cache session would break that). The engine is Django's
# database one with rows that carry their user (accounts.UserSession), so sessions are listed and ended by user.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)

AUTH_USER_MODEL = "accounts.User"
# allauth's backend, loading the person with their staff membership or contact in one query (first: sign-ins
# record it). allauth's own stays listed so that sessions signed in before it keep working until they expire.
AUTHENTICATION_BACKENDS = [
    "portal.access.backends.PortalAuthenticationBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# django-allauth: e-mail is the login; nobody signs up through allauth (accounts come from provider signup
# and invitations), see accounts.adapters.
ACCOUNT_ADAPTER = "accounts.adapters.ClosedSignupAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirmation keys are random and stored per schema: allauth's HMAC keys sign only the address's id, which
# repeats across schemas, so a key from one portal would confirm another portal's address.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Security notices (password changed, e-mail changed, two-factor changes), in Portico's words
# (templates/account/email/).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# A refused sign-in marks both fields aria-invalid (accounts.forms.LoginForm).
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_ADAPTER = "portal.access.mfa.PortalMFAAdapter"
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
# New recovery codes replace the old ones: only a confirmed POST generates them (accounts.forms).
MFA_FORMS = {"generate_recovery_codes": "accounts.forms.GenerateRecoveryCodesForm"}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Every message is queued for Celery (config.mail); the worker sends it with the backend EMAIL_URL names.
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "config.mail.CeleryEmailBackend"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Portico <no-reply@{ROOT_DOMAIN}>")

# django-ratelimit counts in the (Redis) cache, per client address: behind TRUSTED_PROXIES load balancers, the
# address they append to X-Forwarded-For (see core.proxy).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
RATELIMIT_IP_META_KEY = "core.proxy.client_ip"
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXIES  # allauth's own limits (failed sign-ins) key on the same address
SIGNUP_RATE = env.str("SIGNUP_RATE", default="10/h")
FIND_PORTAL_RATE = env.str("FIND_PORTAL_RATE", default="10/h")
# Per person (the signed-in user, in their portal's schema: cache keys carry the schema): comments, invitations
# sent (staff and contacts, resends included), and uploads started (each file of the drop zone, each resumable
# upload created; the chunks of an upload are not counted).
COMMENT_RATE = env.str("COMMENT_RATE", default="30/10m")
INVITATION_RATE = env.str("INVITATION_RATE", default="30/h")
UPLOAD_RATE = env.str("UPLOAD_RATE", default="300/h")
# Lookups of the mention picker (one per keystroke pause): generous for typing, a wall for walking the directory.
MENTION_LOOKUP_RATE = env.str("MENTION_LOOKUP_RATE", default="120/m")
# Preview pages rendered on first view (each runs poppler in the web process): pages already stored are not counted.
PREVIEW_RENDER_RATE = env.str("PREVIEW_RENDER_RATE", default="30/m")
# Requests sent per person.
REQUEST_RATE = env.str("REQUEST_RATE", default="20/h")
# Webhook sends a person starts by hand (test events, replays of one delivery or a time range): each makes the
# portal post to an address the person typed, so one person cannot make it hammer someone else's server.
WEBHOOK_SEND_RATE = env.str("WEBHOOK_SEND_RATE", default="60/h")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files on S3 when a bucket is named (django-storages); names already start with the tenant's schema. Downloads
# then redirect to presigned URLs that expire within minutes, after the permission check.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }

# A strict Content-Security-Policy: every script and stylesheet is served by the app itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "tenant-lifecycle": {"task": "tenants.run_lifecycle", "schedule": 60 * 60},
    "daily-digests": {"task": "activity.dispatch_daily", "schedule": crontab(minute=0)},
    "abandoned-uploads": {"task": "documents.sweep_uploads", "schedule": 60 * 60},
    # Reminders before a request's due time, and closing resolved requests after the reopen window.
    "requests-sweep": {"task": "requests.dispatch_sweep", "schedule": 5 * 60},
    # Reminders of deliverables waiting for a decision longer than the portal's delay (in days: this is soon enough).
    "engagements-reminders": {"task": "engagements.dispatch_reminders", "schedule": 15 * 60},
    # Webhook deliveries whose next attempt is due (first attempts are queued at once; this sends the retries).
    "webhooks-due": {"task": "webhooks.dispatch_due", "schedule": 30},
    "webhooks-logs": {"task": "webhooks.purge_logs", "schedule": crontab(hour=3, minute=40)},
}
# Where chunks of resumable uploads collect until the file is complete (a volume all web processes share).
RESUMABLE_UPLOAD_DIR = env.path("RESUMABLE_UPLOAD_DIR", default=str(VAR_DIR / "uploads"))
# Files above this size are sent in chunks of RESUMABLE_CHUNK_BYTES, resumable after an interruption.
RESUMABLE_ABOVE_BYTES = env.int("RESUMABLE_ABOVE_BYTES", default=20 * 1024**2)
RESUMABLE_CHUNK_BYTES = env.int("RESUMABLE_CHUNK_BYTES", default=8 * 1024**2)
# A resumable upload nobody continues for this long expires: its row and its part file go (hourly sweep), and the
# room it reserved in the quota is free again.
RESUMABLE_UPLOAD_TTL_SECONDS = env.int("RESUMABLE_UPLOAD_TTL_SECONDS", default=24 * 60 * 60)
# Largest single document version accepted (the plan's storage quota applies on top).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=2 * 1024**3)
# Most bytes one person may hold reserved by unfinished resumable uploads at once (at least DOCUMENT_MAX_BYTES, or
# the largest files cannot be sent): one person cannot reserve a portal's whole quota.
RESUMABLE_RESERVATION_MAX_BYTES = env.int("RESUMABLE_RESERVATION_MAX_BYTES", default=DOCUMENT_MAX_BYTES)
# Largest file attached to a comment.
COMMENT_ATTACHMENT_MAX_BYTES = env.int("COMMENT_ATTACHMENT_MAX_BYTES", default=20 * 1024**2)
# Most bytes of comment attachments one person may store in any 24 hours: comments cannot be deleted yet, so the
# comment rate alone would let one person fill the portal's quota for good.
# Largest file answered in a request's form, and the most bytes of them one person may store in any 24 hours: as
# for comment attachments, one person cannot fill the portal's one quota and block everyone's uploads.
REQUEST_FILE_MAX_BYTES = env.int("REQUEST_FILE_MAX_BYTES", default=20 * 1024**2)
REQUEST_FILE_BYTES_PER_DAY = env.int("REQUEST_FILE_BYTES_PER_DAY", default=250 * 1024**2)
COMMENT_ATTACHMENT_BYTES_PER_DAY = env.int("COMMENT_ATTACHMENT_BYTES_PER_DAY", default=250 * 1024**2)
# Optional virus scanning (clamd, INSTREAM): "host:port"; files above the stream limit are never called clean.
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
CLAMD_STREAM_MAX_BYTES = env.int("CLAMD_STREAM_MAX_BYTES", default=25 * 1024**2)
CLAMD_TIMEOUT = env.float("CLAMD_TIMEOUT", default=30.0)
# The activity history and download records are kept 3 years: the floor is fixed by migration (activity.0004), in
# the database function the daily retention purge calls, never by a setting.

# Outbound webhooks (portal.webhooks): https only and public addresses only (WEBHOOK_ALLOW_HTTP and
# WEBHOOK_ALLOW_LOOPBACK exist for tests and local development); the timeouts of one delivery in seconds and the
# most bytes of an answer read; retries back off from WEBHOOK_RETRY_BASE_SECONDS up to a wait of
# WEBHOOK_RETRY_MAX_DELAY_SECONDS, for WEBHOOK_RETRY_FOR_SECONDS; an endpoint failing every attempt for
# WEBHOOK_DISABLE_AFTER_SECONDS (and at least WEBHOOK_DISABLE_AFTER_FAILURES attempts) is switched off.
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=3.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=10.0)
WEBHOOK_TOTAL_TIMEOUT = env.float("WEBHOOK_TOTAL_TIMEOUT", default=15.0)
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=64 * 1024)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_DELAY_SECONDS = env.int("WEBHOOK_RETRY_MAX_DELAY_SECONDS", default=12 * 60 * 60)
WEBHOOK_RETRY_FOR_SECONDS = env.int("WEBHOOK_RETRY_FOR_SECONDS", default=3 * 24 * 60 * 60)
WEBHOOK_DISABLE_AFTER_SECONDS = env.int("WEBHOOK_DISABLE_AFTER_SECONDS", default=2 * 24 * 60 * 60)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=10)
# Days a delivered or failed delivery stays in its endpoint's log (pending ones stay until they end).
WEBHOOK_LOG_DAYS = env.int("WEBHOOK_LOG_DAYS", default=30)

# The tenant lifecycle (tenants.lifecycle): days a past-due portal keeps working before it turns read-only,
# and days a canceled portal is kept (and can be reactivated) before it is purged.
TENANT_PAST_DUE_GRACE_DAYS = env.int("TENANT_PAST_DUE_GRACE_DAYS", default=7)
TENANT_RETENTION_DAYS = env.int("TENANT_RETENTION_DAYS", default=30)

# Read by config.observability.init_sentry_from_settings when a process starts (wsgi, asgi, manage.py, Celery), once
# the environment's settings module has set them: never initialised here, or production's defaults would not count.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="development")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# The REST API (portal.api): API keys only (no session, so no CSRF), problem+json errors, JSON bodies (multipart
# where an endpoint takes files), a rate per key (API_RATE: DRF's form, "<n>/<s|min|hour|day>").
API_RATE = env.str("API_RATE", default="600/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.auth.HasScope"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "portal.api.problems.handle",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Portico API",
    "DESCRIPTION": "The portal's REST API for the provider's systems. Authenticate with an API key: "
    "`Authorization: Bearer pk_<prefix>.<secret>`. Errors are application/problem+json (RFC 9457).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}
