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


def test_in_debug_the_inbox_page_shows_each_message_with_when_it_was_sent(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.DEBUG = True
    settings.EMAIL_FILE_PATH = str(tmp_path)
    EmailBackend(file_path=str(tmp_path)).send_messages(
        [EmailMultiAlternatives("Your portals", "Northwind: http://demo.localhost/", "from@portico.test", ["a@b.test"])]
    )

    response = client.get("/dev/inbox/", headers={"host": "localhost"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h2>Your portals</h2>" in page
    assert "a@b.test" in page
    assert ">just now</time>" in page  # the Date header, as a relative time
    assert '<a href="http://demo.localhost/"' in page


def test_in_debug_an_empty_inbox_says_what_will_arrive_there(client: Client, settings: Any, tmp_path: Path) -> None:
    settings.DEBUG = True
    settings.EMAIL_FILE_PATH = str(tmp_path)

    response = client.get("/dev/inbox/", headers={"host": "localhost"})

    assert response.status_code == 200
    assert b'class="empty"' in response.content
    assert b"No mail yet" in response.content
