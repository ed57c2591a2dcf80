"""Local development: debug pages, static files straight from the apps, mail on the console."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)
# Mail from the web server and the worker lands in .var/mail/, shown by the inbox page (/dev/inbox/ on the root site).
if not env.str("EMAIL_URL", default=""):
    EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[ROOT_DOMAIN, f".{ROOT_DOMAIN}", "127.0.0.1"])
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # served straight from the apps; only production collects static files
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
SITE_SCHEME = env.str("SITE_SCHEME", default="http")
SITE_PORT = env.str("SITE_PORT", default="8000")  # not PORT: honcho gives each process a PORT of its own
# WebAuthn over plain http://<slug>.localhost (a secure context for browsers) in development and tests.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
