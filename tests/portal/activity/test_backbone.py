"""The history cannot be rewritten (more in test_history); digests, unsubscribe links and e-mail retries behave."""

import re
import smtplib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.utils import timezone

from accounts.models import User
from core.celery import app
from portal.access.policy import actor_for
from portal.activity import digest
from portal.activity.emails import unsubscribe_token
from portal.activity.models import ActivityEvent, Delivery, Frequency, Notification, NotificationPreference
from portal.activity.tasks import dispatch_daily_task, send_event_email_task
from portal.clients.models import ClientOrg
from portal.conversations.services import comment_add
from tenants.models import Tenant

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]
HOST = {"host": "demo.localhost"}


def say(email: str, body: str, **kwargs: Any) -> None:
    comment_add(actor=actor_for(User.objects.get(email=email)), target=ClientOrg.objects.get(name="Contoso Retail"),
                body=body, **kwargs)  # fmt: skip


def test_update_and_delete_of_events_fail_in_the_database(in_demo: Any, told: Told) -> None:
    """More of this, and the purge, in test_history."""
    with told():
        say("paula.lead@contoso.example", "On the record")
    with connection.cursor() as cursor:
        for statement in (
            "UPDATE activity_activityevent SET target_label = 'rewritten'",
            "DELETE FROM activity_activityevent",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                cursor.execute(statement)
    assert ActivityEvent.objects.get(data__excerpt="On the record").target_label == "Contoso Retail"


def test_the_daily_digest_lists_the_chosen_events_in_order_once(in_demo: Any, told: Told) -> None:
    olivia = User.objects.get(email="olivia.owner@northwind.example")
    NotificationPreference.objects.create(user=olivia, event_type="comment.added", frequency=Frequency.DIGEST)
    with told():
        say("paula.lead@contoso.example", "First: kick-off agenda")
        say("carla.admin@contoso.example", "Second: budget approved")
    instant_to_olivia = [m for m in mail.outbox if olivia.email in m.to]
    assert instant_to_olivia == []  # she chose the digest for comments
    mail.outbox.clear()

    assert digest.send_digests() == 1

    [message] = [m for m in mail.outbox if m.to == [olivia.email]]
    assert isinstance(message, EmailMultiAlternatives)
    body = str(message.body)
    assert "Your daily digest: 2 updates" in str(message.subject)
    first, second = body.index("Paula Lead · New comments: Contoso Retail"), body.index("Carla Admin · New comments")
    assert first < second
    assert "http://demo.localhost/clients/" in body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    mail.outbox.clear()
    assert digest.send_digests() == 0
    assert mail.outbox == []


def test_digests_start_at_each_tenants_hour_in_its_time_zone(in_demo: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[str] = []
    monkeypatch.setattr("portal.activity.tasks.daily_task.delay", lambda: started.append(connection.schema_name))  # type: ignore[attr-defined]
    now = timezone.now()
    tokyo_hour = (now + timedelta(hours=9)).hour  # Asia/Tokyo: UTC+9, no daylight saving
    Tenant.objects.filter(slug="demo").update(time_zone="Asia/Tokyo", digest_hour=tokyo_hour)
    Tenant.objects.filter(slug="other").update(time_zone="Asia/Tokyo", digest_hour=(tokyo_hour + 1) % 24)

    dispatch_daily_task()

    assert started == ["demo"]


def test_an_unsubscribe_link_changes_only_that_persons_preference_without_signing_in(in_demo: Any, told: Told) -> None:
    victor, frank = (
        User.objects.get(email="victor.viewer@contoso.example"),
        User.objects.get(email="frank.finance@contoso.example"),
    )
    token = unsubscribe_token(victor, "comment.added")

    page = Client(headers=HOST).get(f"/notifications/unsubscribe/{token}/")
    assert page.status_code == 200
    assert b"victor.viewer@contoso.example" in page.content
    done = Client(headers=HOST, enforce_csrf_checks=True).post(
        f"/notifications/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}
    )

    assert done.status_code == 200
    assert NotificationPreference.objects.get(user=victor, event_type="comment.added").frequency == Frequency.IN_APP
    assert not NotificationPreference.objects.filter(user=frank).exists()
    assert not NotificationPreference.objects.filter(user=victor).exclude(event_type="comment.added").exists()
    with told():
        say("paula.lead@contoso.example", "After the unsubscribe")
    assert Notification.objects.filter(user=victor).exists()
    assert [m for m in mail.outbox if victor.email in m.to] == []
    assert any(frank.email in m.to for m in mail.outbox)


@pytest.mark.parametrize("tamper", ["signature", "payload", "other-portal"])
def test_a_tampered_unsubscribe_link_is_rejected(in_demo: Any, tamper: str) -> None:
    victor = User.objects.get(email="victor.viewer@contoso.example")
    token = unsubscribe_token(victor, "comment.added")
    if tamper == "signature":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif tamper == "payload":  # someone else's id in a link signed for Victor
        payload, rest = token.split(":", 1)
        token = re.sub(r"^\w", "x", payload) + ":" + rest
    else:  # validly signed, but for another portal's schema
        token = signing.dumps({"u": victor.pk, "t": "comment.added", "s": "other"}, salt="portico.unsubscribe")

    response = Client(headers=HOST).post(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=victor).exists()


def test_the_email_task_retries_a_transient_smtp_failure_and_sends_once(
    in_demo: Any, told: Told, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[int] = []
    monkeypatch.setattr("portal.activity.tasks.send_event_email_task.delay", queued.append)
    frank = User.objects.get(email="frank.finance@contoso.example")
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user=u, event_type="comment.added", frequency=Frequency.IN_APP)
         for u in User.objects.exclude(pk=frank.pk)]
    )  # fmt: skip
    with told():
        say("paula.lead@contoso.example", "Only Frank is e-mailed")
    [delivery_id] = queued
    calls: list[str] = []
    real_send = EmailMultiAlternatives.send

    def flaky(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        calls.append(self.to[0])
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection dropped")
        return real_send(self, fail_silently)

    app.conf.task_eager_propagates = False  # let Celery's retry run as it would in a worker
    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        send_event_email_task.apply(args=[delivery_id])

    delivery = Delivery.objects.get(pk=delivery_id)
    assert calls == [frank.email, frank.email]  # failed once, retried once
    assert [m.to for m in mail.outbox] == [[frank.email]]
    assert delivery.sent_at is not None
    assert delivery.attempts == 2

    send_event_email_task.apply(args=[delivery_id])  # the same message delivered twice by the broker

    assert len(mail.outbox) == 1
