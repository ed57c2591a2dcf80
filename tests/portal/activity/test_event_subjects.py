"""Event e-mails: the subject starts with the portal's own words; names people chose (theirs, a target's) come
after them, quoted, so "Your account is locked" as a display name never reads as the portal's message."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.events import EVENT_TYPES
from portal.clients.models import Contact
from portal.conversations.services import comment_add

pytestmark = pytest.mark.django_db


def test_event_subjects_quote_names_after_the_portals_words(in_demo: Any, told: Callable[[], Any]) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    User.objects.filter(pk=carla.user_id).update(full_name="Your account is locked")
    carla.user.refresh_from_db()

    with told():
        comment_add(actor=actor_for(carla.user), target=carla.client_org, body="Hello")

    subjects = {str(message.subject) for message in mail.outbox}
    label = EVENT_TYPES["comment.added"].label
    assert subjects == {f"[Northwind Consulting] {label}: “Contoso Retail”, by “Your account is locked”"}
