"""Development only: the mail the app sent (Django's file-based backend writes it to .var/mail/)."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

SEPARATOR = b"-" * 79


def _text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def _sent_at(header: str | None) -> datetime | None:
    """The Date header as an aware datetime (shown as a relative time), or None when it is missing or unreadable."""
    try:
        sent = parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        return None
    if sent is not None and sent.tzinfo is None:  # "-0000": RFC 5322's "no zone information", which is UTC
        sent = sent.replace(tzinfo=UTC)
    return sent


def read_inbox(folder: Path, limit: int = 50) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for log in sorted(folder.glob("*.log"), key=lambda path: path.stat().st_mtime, reverse=True):
        for raw in reversed(log.read_bytes().split(SEPARATOR)):
            if raw.strip():
                message = message_from_bytes(raw.strip(), policy=policy.default)
                if not isinstance(message, EmailMessage):  # policy.default always builds one
                    continue
                messages.append(
                    {
                        "subject": message["Subject"],
                        "to": message["To"],
                        "date": message["Date"],
                        "sent_at": _sent_at(message["Date"]),
                        "text": _text_of(message),
                    }
                )
        if len(messages) >= limit:
            break
    return messages[:limit]


def inbox(request: HttpRequest) -> HttpResponse:
    folder = getattr(settings, "EMAIL_FILE_PATH", None)
    if not settings.DEBUG or folder is None:
        raise Http404
    return render(request, "website/inbox.html", {"messages_sent": read_inbox(Path(folder))})
