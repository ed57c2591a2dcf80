import os

from django.core.asgi import get_asgi_application

from config.observability import init_sentry_from_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
init_sentry_from_settings()  # before the application (and its middleware) is built

application = get_asgi_application()
