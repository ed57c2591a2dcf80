"""Mail leaves through Celery, after commit, and a transient SMTP failure is retried."""

import smtplib
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction

from config.mail import send_email_task
from core.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def through_celery(settings: Any) -> Any:
    settings.EMAIL_BACKEND = "config.mail.CeleryEmailBackend"
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_mail_is_queued_after_commit_and_sent_by_the_task(
    through_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            send_mail("Hello", "Plain text", "from@portico.test", ["to@client.test"], html_message="<p>HTML</p>")
        assert mail.outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    [message] = mail.outbox
    assert isinstance(message, EmailMultiAlternatives)
    assert (message.subject, message.to, message.alternatives[0][0]) == ("Hello", ["to@client.test"], "<p>HTML</p>")


def failing_change() -> None:
    with transaction.atomic():
        send_mail("Never", "sent", "from@portico.test", ["to@client.test"])
        raise RuntimeError("the change failed")


def test_a_rolled_back_change_sends_nothing(through_celery: None, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError, match="the change failed"):
        failing_change()

    assert mail.outbox == []


def test_the_task_retries_a_transient_failure(through_celery: None) -> None:
    calls: list[int] = []
    real_send = EmailMultiAlternatives.send

    def flaky(self: EmailMultiAlternatives, fail_silently: bool = False) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("dropped")
        return real_send(self, fail_silently)

    payload = {"subject": "S", "body": "B", "from_email": "f@p.test", "to": ["t@c.test"], "cc": [], "bcc": [],
               "reply_to": [], "headers": {}, "alternatives": []}  # fmt: skip
    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        send_email_task.apply(args=[payload])

    assert len(calls) == 2
    assert len(mail.outbox) == 1
