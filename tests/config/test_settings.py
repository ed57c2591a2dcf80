import sentry_sdk
from django.conf import settings


def test_sentry_stays_off_without_a_dsn() -> None:
    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_cookies_are_host_only_by_configuration() -> None:
    assert settings.SESSION_COOKIE_DOMAIN is None
    assert settings.CSRF_COOKIE_DOMAIN is None
    assert settings.SESSION_ENGINE == "accounts.sessions"
