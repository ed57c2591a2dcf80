"""The development inbox page shows what the file-based mail backend wrote; it does not exist outside DEBUG."""

from pathlib import Path
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.filebased import EmailBackend
from django.test import Client

from website.inbox import read_inbox


def test_the_inbox_reads_the_messages_the_file_backend_wrote(tmp_path: Path) -> None:
    backend = EmailBackend(file_path=str(tmp_path))
    for subject in ("First", "Second"):
        message = EmailMultiAlternatives(subject, f"Body of {subject} · café", "from@portico.test", ["to@client.test"])
        message.attach_alternative(f"<p>{subject}</p>", "text/html")
        backend.send_messages([message])

    messages = read_inbox(tmp_path)

    assert [m["subject"] for m in messages] == ["Second", "First"]
    assert messages[0]["to"] == "to@client.test"
    assert "Body of Second · café" in messages[0]["text"]


def test_the_inbox_page_is_absent_outside_debug(client: Client, settings: Any) -> None:
    settings.DEBUG = False

    assert client.get("/dev/inbox/", headers={"host": "localhost"}).status_code == 404
