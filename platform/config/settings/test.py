"""The test suite: real PostgreSQL and Redis (a separate Redis database), fast hashing, mail in memory."""

from .base import *

DEBUG = False
ALLOWED_HOSTS = [ROOT_DOMAIN, f".{ROOT_DOMAIN}", "127.0.0.1", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Sent at once, into django.core.mail.outbox; config.mail's Celery hop is tested on its own.
EMAIL_BACKEND = EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # served straight from the apps; only production collects static files
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
CONN_MAX_AGE = 0
DATABASES["default"]["CONN_MAX_AGE"] = 0
TEST_DATABASE_NAME = env.str("TEST_DATABASE_NAME", default="test_portico")
DATABASES["default"]["TEST"] = {"NAME": TEST_DATABASE_NAME}

# Tests use their own Redis database so they never see development keys or queues.
REDIS_URL = env.str("TEST_REDIS_URL", default=REDIS_URL.rsplit("/", 1)[0] + "/15")
CACHES["default"]["LOCATION"] = REDIS_URL
CACHES["default"]["KEY_PREFIX"] = "portico-test"
CACHES["generations"].update(LOCATION=REDIS_URL, KEY_PREFIX="portico-test")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Per test database, so two suites on one machine (TEST_DATABASE_NAME) never remove each other's files.
MEDIA_ROOT = VAR_DIR / "test-media" / TEST_DATABASE_NAME
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]  # allauth accepts False: no limits in tests
SITE_SCHEME = "http"
SITE_PORT = ""
RATELIMIT_ENABLE = False  # tests that prove the limits switch it on
# WebAuthn over plain http://<slug>.localhost (a secure context for browsers) in development and tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# Small, so the browser journey sends a file in resumable chunks.
RESUMABLE_ABOVE_BYTES = 64 * 1024
RESUMABLE_CHUNK_BYTES = 32 * 1024
RESUMABLE_UPLOAD_DIR = VAR_DIR / "test-uploads" / TEST_DATABASE_NAME
API_RATE = "100000/min"  # the API's rate per key: the tests that prove it set a small one
