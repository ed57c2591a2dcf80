"""Production: no default for any secret, HTTPS everywhere; passes `manage.py check --deploy`."""

from .base import *

DEBUG = False
STYLEGUIDE_ENABLED = False  # development only, whatever the environment says
SECRET_KEY = env.str("SECRET_KEY")
_production_db = env.db_url("DATABASE_URL")
_production_db["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_production_db.get("OPTIONS", {})}
DATABASES["default"].update({**_production_db, "ENGINE": "tenants.db_backend"})
REDIS_URL = env.str("REDIS_URL")
CACHES["default"]["LOCATION"] = REDIS_URL
CACHES["generations"]["LOCATION"] = REDIS_URL
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL)
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "config.mail.CeleryEmailBackend"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
