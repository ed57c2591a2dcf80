"""Mail leaves through Celery: a request never waits on SMTP, and a transient failure is retried.

`CeleryEmailBackend` (settings.EMAIL_BACKEND outside tests) queues each message; the task sends it with the real
backend (settings.EMAIL_DELIVERY_BACKEND, from EMAIL_URL). Messages are queued only after the surrounding
transaction commits, so a rolled-back change sends nothing. The event e-mails of `portal.activity`, which
already run in Celery with their own once-only bookkeeping, use the real backend directly (`delivery_connection`).
"""

import smtplib
from collections.abc import Callable, Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from core.celery import app
from core.mail import delivery_connection

TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


def to_payload(message: EmailMessage) -> dict[str, Any]:
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [[str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def from_payload(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"], body=payload["body"], from_email=payload["from_email"], to=payload["to"],
        cc=payload["cc"], bcc=payload["bcc"], reply_to=payload["reply_to"], headers=payload["headers"],
        connection=delivery_connection(),
    )  # fmt: skip
    for content, mimetype in payload["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


@app.task(name="mail.send", autoretry_for=TRANSIENT, retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_email_task(payload: dict[str, Any]) -> int:
    return from_payload(payload).send()


class CeleryEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            transaction.on_commit(queue(to_payload(message)))
        return len(email_messages)


def queue(payload: dict[str, Any]) -> Callable[[], None]:
    def send_later() -> None:
        send_email_task.delay(payload)

    return send_later
