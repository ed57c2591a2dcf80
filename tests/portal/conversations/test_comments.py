"""Comments: attachments go through the checks documents go through (portal.files), contacts comment only with
comments.create, and people comment at a bounded rate."""

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from accounts.models import User
from billing.models import Plan
from portal.access.models import Role
from portal.access.policy import Actor, NotFound, actor_for
from portal.clients.models import ClientOrg
from portal.conversations.models import Attachment, Comment, QuarantinedAttachment
from portal.conversations.services import CommentError, comment_add
from portal.files.quota import storage_used
from tests.portal.factories import ContactFactory
from tests.support.fake_clamd import EICAR, fake_clamd
from tests.support.network import closed_port
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def person(email: str) -> Actor:
    return actor_for(User.objects.get(email=email))


def paula() -> Actor:
    return person("paula.lead@contoso.example")


def attach(actor: Actor, *files: SimpleUploadedFile, body: str = "See attached") -> Comment:
    return comment_add(actor=actor, target=contoso(), body=body, files=list(files))


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return buffer.getvalue()


def add_url() -> str:
    return reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk})


@pytest.fixture
def clamd(settings: Any) -> Iterator[Any]:
    with fake_clamd(scan_limit=64 * 1024) as server:
        settings.CLAMD_ADDRESS = f"127.0.0.1:{server.server_address[1]}"
        settings.CLAMD_STREAM_MAX_BYTES = 64 * 1024
        yield server


# --- attachments: the checks documents go through --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "the name says .pdf"),
        ("invoice.pdf", b"MZ\x90\x00 an executable \x00\x01", "not accepted"),
        ("notes.exe", b"plain text, but a dangerous name", "the name says .exe"),
        ("photo.pdf", png(), "the name says .pdf"),
        ("empty.txt", b"", "is empty"),
    ],
)
def test_an_attachment_whose_content_is_refused_posts_nothing_and_stores_nothing(
    in_demo: Any, name: str, content: bytes, message: str
) -> None:
    with pytest.raises(CommentError, match=message):
        attach(paula(), SimpleUploadedFile("fine.txt", b"fine"), SimpleUploadedFile(name, content))

    assert not recent(Comment).exists()
    assert not Attachment.objects.exists()


def test_an_attachment_records_its_hash_its_sniffed_type_and_its_scan(in_demo: Any) -> None:
    comment = attach(paula(), SimpleUploadedFile("photo.png", png(), content_type="application/x-msdownload"))

    attachment = comment.attachments.get()
    assert attachment.content_type == "image/png"  # from the content, not from what the browser claimed
    assert len(attachment.sha256) == 64
    assert attachment.scan_status == "not_configured"


def test_attachment_names_are_made_safe_and_stay_under_the_tenant(in_demo: Any) -> None:
    comment = attach(paula(), SimpleUploadedFile("../../../etc/minutes\x00.txt", b"we agreed"))

    attachment = comment.attachments.get()
    assert attachment.name == "minutes.txt"
    assert str(attachment.file.name).startswith(f"demo/comments/{comment.pk}/")


def test_an_attachment_over_the_size_limit_is_refused(in_demo: Any, settings: Any) -> None:
    settings.COMMENT_ATTACHMENT_MAX_BYTES = 10

    with pytest.raises(CommentError, match="larger than"):
        attach(paula(), SimpleUploadedFile("minutes.txt", b"we agreed on a lot"))
    assert not recent(Comment).exists()


def test_an_infected_attachment_is_quarantined_and_the_comment_not_posted(in_demo: Any, clamd: Any) -> None:
    with pytest.raises(CommentError, match="contains malware \\(Eicar-Test-Signature\\)"):
        attach(paula(), SimpleUploadedFile("invoice.txt", EICAR))

    assert not recent(Comment).exists()
    quarantined = QuarantinedAttachment.objects.get()
    assert (quarantined.signature, quarantined.client_org, quarantined.target_type) == (
        "Eicar-Test-Signature",
        contoso(),
        "client",
    )
    assert quarantined.uploaded_by == paula().user
    assert str(quarantined.file.name).startswith("demo/quarantine/")
    assert default_storage.exists(str(quarantined.file.name))


def test_a_clean_attachment_is_recorded_as_scanned(in_demo: Any, clamd: Any) -> None:
    comment = attach(paula(), SimpleUploadedFile("notes.txt", b"meeting notes"))

    assert comment.attachments.get().scan_status == "clean"
    assert clamd.received == [len(b"meeting notes")]


def test_an_attachment_too_large_to_scan_is_refused_by_default(in_demo: Any, clamd: Any) -> None:
    with pytest.raises(CommentError, match="too large for the virus scanner"):
        attach(paula(), SimpleUploadedFile("big.txt", EICAR + b"x" * (128 * 1024)))

    assert clamd.received == []
    assert not recent(Comment).exists()


def test_a_scanner_that_does_not_answer_refuses_the_attachment(in_demo: Any, settings: Any) -> None:
    settings.CLAMD_ADDRESS = f"127.0.0.1:{closed_port()}"

    with pytest.raises(CommentError, match="could not be checked for viruses"):
        attach(paula(), SimpleUploadedFile("notes.txt", b"meeting notes"))
    assert not recent(Comment).exists()


def test_attachments_count_against_the_plans_quota(in_demo: Any) -> None:
    Plan.objects.filter(pk=in_demo.subscription.plan_id).update(storage_bytes=storage_used() + 15)
    in_demo.subscription.plan.refresh_from_db()
    attach(paula(), SimpleUploadedFile("first.txt", b"0123456789"))

    with pytest.raises(CommentError, match="storage quota"):
        attach(paula(), SimpleUploadedFile("second.txt", b"0123456789"))
    assert Attachment.objects.count() == 1


def test_a_comment_that_fails_after_storing_its_files_leaves_none(in_demo: Any, monkeypatch: Any) -> None:
    from portal.conversations import services

    stored: list[str] = []
    save = Attachment.save

    def save_then_fail(attachment: Attachment, *args: Any, **kwargs: Any) -> None:
        save(attachment, *args, **kwargs)
        stored.append(str(attachment.file.name))
        if len(stored) == 2:
            raise RuntimeError("the database went away")

    monkeypatch.setattr(services.Attachment, "save", save_then_fail)

    with pytest.raises(RuntimeError):
        attach(paula(), SimpleUploadedFile("a.txt", b"first"), SimpleUploadedFile("b.txt", b"second"))

    assert len(stored) == 2
    assert not any(default_storage.exists(name) for name in stored)


# --- comments.create ---------------------------------------------------------------------------------------------


def test_a_contact_without_comments_create_may_not_comment(in_demo: Any) -> None:
    victor = person("victor.viewer@contoso.example")  # the default viewer role

    with pytest.raises(NotFound):
        comment_add(actor=victor, target=contoso(), body="Hello")
    assert not recent(Comment).exists()


def test_a_custom_role_comments_only_when_it_holds_comments_create(in_demo: Any) -> None:
    reader = Role.objects.create(name="Reader", slug="reader", custom_capabilities=["organisation.view"])
    writer = Role.objects.create(
        name="Writer", slug="writer", custom_capabilities=["organisation.view", "comments.create"]
    )
    reading = actor_for(ContactFactory(client_org=contoso(), role=reader).user)
    writing = actor_for(ContactFactory(client_org=contoso(), role=writer).user)

    with pytest.raises(NotFound):
        comment_add(actor=reading, target=contoso(), body="Hello")
    assert comment_add(actor=writing, target=contoso(), body="Hello").body == "Hello"


def test_staff_are_not_limited_by_capabilities(in_demo: Any) -> None:
    comment = comment_add(actor=person("mia.member@northwind.example"), target=contoso(), body="From the team")

    assert comment.body == "From the team"


def test_the_comment_form_is_shown_only_to_those_who_may_comment(as_user: Any) -> None:
    page = reverse("clients:detail", kwargs={"org_id": contoso().pk})
    victor: Client = as_user(User.objects.get(email="victor.viewer@contoso.example"))
    paula_client: Client = as_user(User.objects.get(email="paula.lead@contoso.example"))

    seen_by_victor = victor.get(page)
    seen_by_paula = paula_client.get(page)

    assert seen_by_victor.status_code == seen_by_paula.status_code == 200
    assert b'id="comment-body"' not in seen_by_victor.content
    assert b'id="comment-body"' in seen_by_paula.content
    assert victor.post(add_url(), {"body": "Hello"}).status_code == 404


# --- rate limit ----------------------------------------------------------------------------------------------------


def test_comments_are_rate_limited_per_person_with_a_message_not_an_error_page(
    as_user: Any, settings: Any, clean_cache: None
) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.COMMENT_RATE = "2/m"
    paula_client: Client = as_user(User.objects.get(email="paula.lead@contoso.example"))
    carla: Client = as_user(User.objects.get(email="carla.admin@contoso.example"))
    for number in range(2):
        assert paula_client.post(add_url(), {"body": f"Comment {number}"}).status_code == 302

    htmx = paula_client.post(add_url(), {"body": "One more"}, headers={"hx-request": "true"})
    plain = paula_client.post(add_url(), {"body": "And another", "next": "/"}, follow=True)

    assert htmx.status_code == 429
    assert b"commenting faster than this portal allows" in htmx.content
    assert b'id="thread"' in htmx.content  # the thread, with the message where the form is
    assert plain.status_code == 200
    assert b"commenting faster than this portal allows" in plain.content
    assert recent(Comment).count() == 2
    assert carla.post(add_url(), {"body": "Mine"}).status_code == 302  # per person
    assert recent(Comment).count() == 3
