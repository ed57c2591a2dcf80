"""The hand-off sign-in token: single use, minutes-long, useless when read from the database."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import LoginToken, User
from accounts.services import LOGIN_TOKEN_TTL, LoginTokenError, login_token_issue, login_token_redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(demo: object) -> User:
    with schema_context("demo"):
        return User.objects.get(email="olivia.owner@northwind.example")


def test_a_token_works_once(owner: User) -> None:
    with schema_context("demo"):
        token = login_token_issue(user=owner)

        assert login_token_redeem(token=token) == owner
        with pytest.raises(LoginTokenError):
            login_token_redeem(token=token)


def test_a_token_expires_within_minutes(owner: User) -> None:
    assert timedelta(0) < LOGIN_TOKEN_TTL <= timedelta(minutes=10)
    with schema_context("demo"):
        token = login_token_issue(user=owner)
        LoginToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

        with pytest.raises(LoginTokenError, match="invalid or has expired"):
            login_token_redeem(token=token)


def test_only_the_hash_of_a_token_is_stored(owner: User) -> None:
    with schema_context("demo"):
        token = login_token_issue(user=owner)

        stored = LoginToken.objects.get()
        assert token not in stored.token_hash
        with pytest.raises(LoginTokenError):
            login_token_redeem(token=stored.token_hash)


def test_a_token_of_one_portal_is_unknown_in_another(owner: User) -> None:
    with schema_context("demo"):
        token = login_token_issue(user=owner)
    with schema_context("other"), pytest.raises(LoginTokenError):
        login_token_redeem(token=token)


def test_a_deactivated_user_cannot_spend_a_token(owner: User) -> None:
    with schema_context("demo"):
        token = login_token_issue(user=owner)
        User.objects.filter(pk=owner.pk).update(is_active=False)

        with pytest.raises(LoginTokenError):
            login_token_redeem(token=token)
