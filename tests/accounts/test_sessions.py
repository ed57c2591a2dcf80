"""The session engine: every save of a session, the one a key rotation makes included, writes whose session it
is and where it was signed in from."""

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY

from accounts.models import UserSession
from accounts.sessions import SessionStore, sign_in_details
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_rotated_key_keeps_its_user_and_sign_in_details() -> None:
    user: Any = UserFactory()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session.update(sign_in_details(ip_address="203.0.113.9", user_agent="Test browser"))
    session.save()
    first = UserSession.objects.get(session_key=session.session_key)
    old_key = session.session_key

    session.cycle_key()

    row = UserSession.objects.get(session_key=session.session_key)
    assert session.session_key != old_key
    assert not UserSession.objects.filter(session_key=old_key).exists()
    assert (row.user, row.ip_address, row.user_agent, row.created_at) == (
        user,
        "203.0.113.9",
        "Test browser",
        first.created_at,
    )


def test_an_anonymous_session_has_no_user() -> None:
    session = SessionStore()
    session["something"] = "kept"
    session.save()

    row = UserSession.objects.get(session_key=session.session_key)
    assert row.user is None
    assert row.get_decoded() == {"something": "kept"}


def test_an_address_that_is_not_one_is_left_out() -> None:
    assert sign_in_details(ip_address="not-an-address", user_agent="x")["_portico_ip"] is None
    assert sign_in_details(ip_address="2001:db8::1", user_agent="x")["_portico_ip"] == "2001:db8::1"
