"""What comment attachments may store: one person a bounded number of bytes a day (comments cannot be deleted, so
the comment rate alone would let one person fill the portal's quota for good), and nothing once their target is
deleted (comments point to it by type and id, so nothing cascades)."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.access.policy import Actor
from portal.conversations import services
from portal.conversations.models import Attachment, Comment
from portal.conversations.services import CommentError, comment_add
from portal.documents.models import Document, Folder
from portal.documents.services import document_delete, documents_upload
from portal.files.quota import storage_used
from tests.portal.conversations.test_comments import PDF, contoso, paula, person
from tests.support.fake_clamd import fake_clamd

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]


def mia() -> Actor:
    return person("mia.member@northwind.example")


def text(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"x" * size, content_type="text/plain")


def attach(actor: Actor, *files: SimpleUploadedFile, target: Any = None) -> Comment:
    return comment_add(actor=actor, target=target or contoso(), body="See attached", files=list(files))


@pytest.fixture
def budget(in_demo: Any, settings: Any) -> int:
    settings.COMMENT_ATTACHMENT_BYTES_PER_DAY = 25
    return 25


# --- the daily budget per person -----------------------------------------------------------------------------------


def test_a_person_cannot_attach_more_than_their_daily_budget(budget: int) -> None:
    before = Comment.objects.count()
    attach(paula(), text("one.txt", 10), text("two.txt", 10))

    with pytest.raises(CommentError) as refused:
        attach(paula(), text("three.txt", 10))

    assert refused.value.field == "files"
    assert "up to 25\xa0bytes of files in 24 hours" in refused.value.message
    assert "5\xa0bytes left" in refused.value.message
    assert Comment.objects.count() == before + 1
    assert Attachment.objects.count() == 2
    attach(paula(), text("small.txt", 5))  # what is left still fits


def test_one_comment_over_the_budget_is_refused_whole(budget: int) -> None:
    before = Comment.objects.count()

    with pytest.raises(CommentError, match="24 hours"):
        attach(paula(), text("one.txt", 20), text("two.txt", 20))

    assert Comment.objects.count() == before
    assert not Attachment.objects.exists()


def test_the_budget_is_per_person(budget: int) -> None:
    attach(paula(), text("mine.txt", 25))

    attach(person("carla.admin@contoso.example"), text("hers.txt", 25))
    attach(mia(), text("staff.txt", 25))  # staff have one too

    assert Attachment.objects.count() == 3


def test_the_budget_counts_the_last_24_hours_only(budget: int) -> None:
    first = attach(paula(), text("yesterday.txt", 25))
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=24, minutes=1))

    attach(paula(), text("today.txt", 25))

    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=23))
    with pytest.raises(CommentError, match="24 hours"):
        attach(paula(), text("more.txt", 1))


def test_over_the_budget_nothing_is_scanned(budget: int, settings: Any) -> None:
    attach(paula(), text("one.txt", 25))
    with fake_clamd(scan_limit=64 * 1024) as clamd:
        settings.CLAMD_ADDRESS = f"127.0.0.1:{clamd.server_address[1]}"

        with pytest.raises(CommentError, match="24 hours"):
            attach(paula(), text("two.txt", 10))

    assert clamd.received == []  # refused before the expensive work


def test_the_budget_is_checked_again_under_the_quota_lock(budget: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two comments of one person at once: both pass the first check; the one that takes the lock second sees the
    first's attachments and is refused (here the first is written right after the lock, in the same transaction,
    so the refusal rolls both back)."""
    lock = services.quota_lock
    before = Comment.objects.count()

    def lock_after_the_other_comment() -> None:
        lock()
        other = Comment.objects.create(target_type="client", target_id=contoso().pk, client_org=contoso(),
                                       author=paula().user, body="at the same time")  # fmt: skip
        Attachment.objects.create(comment=other, file="demo/comments/other.txt", name="other.txt", size=20,
                                  content_type="text/plain")  # fmt: skip

    monkeypatch.setattr(services, "quota_lock", lock_after_the_other_comment)

    with pytest.raises(CommentError, match="24 hours"):
        attach(paula(), text("mine.txt", 10))

    assert Comment.objects.count() == before


def test_over_the_budget_the_thread_shows_the_message_on_the_files(
    as_user: Callable[[Any], Client], budget: int
) -> None:
    client = as_user(paula().user)
    url = reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk})
    attach(paula(), text("one.txt", 25))
    before = Comment.objects.count()

    response = client.post(url, {"body": "More", "files": [text("two.txt", 10)]}, headers={"hx-request": "true"})

    assert response.status_code == 400
    assert "You can attach up to 25\xa0bytes of files in 24 hours" in response.content.decode()
    assert Comment.objects.count() == before


def test_the_default_budget_is_250_mib() -> None:
    from django.conf import settings

    assert settings.COMMENT_ATTACHMENT_BYTES_PER_DAY == 250 * 1024**2


# --- deleting the target -------------------------------------------------------------------------------------------


@pytest.fixture
def document(in_demo: Any) -> Document:
    folder = Folder.objects.create(client_org=contoso(), name="Reports")
    pdf = SimpleUploadedFile("q3.pdf", PDF, content_type="application/pdf")
    [published] = documents_upload(actor=mia(), folder=folder, uploads=[pdf])
    return published


def test_deleting_a_document_deletes_its_comments_their_attachments_and_files(document: Document, told: Told) -> None:
    on_document = [
        attach(mia(), text("a.txt", 11), target=document),
        comment_add(actor=mia(), target=document, body="A staff note", internal=True,
                    files=[text("b.txt", 13)]),
    ]  # fmt: skip
    elsewhere = attach(paula(), text("c.txt", 17))
    gone = [str(name) for name in Attachment.objects.filter(comment__in=on_document).values_list("file", flat=True)]
    kept = str(elsewhere.attachments.get().file.name)
    assert all(default_storage.exists(name) for name in [*gone, kept])
    used = storage_used()
    document_id = document.pk

    with told():
        document_delete(actor=mia(), document=document)

    assert not Comment.objects.filter(target_type="document", target_id=document_id).exists()
    assert list(Attachment.objects.values_list("file", flat=True)) == [kept]
    assert not any(default_storage.exists(name) for name in gone)
    assert default_storage.exists(kept)
    assert storage_used() == used - 11 - 13 - len(PDF)
    assert Comment.objects.filter(pk=elsewhere.pk).exists()


def test_a_document_delete_that_rolls_back_keeps_its_comments_and_files(document: Document, told: Told) -> None:
    document_id = document.pk  # the instance forgets its id when deleted, even if the transaction rolls back
    comment = attach(mia(), text("a.txt", 11), target=document)
    name = str(comment.attachments.get().file.name)

    def delete_then_fail() -> None:
        with transaction.atomic():
            document_delete(actor=mia(), document=document)
            raise RuntimeError("something after it failed")

    with told(), pytest.raises(RuntimeError):
        delete_then_fail()

    assert list(Comment.objects.filter(target_type="document", target_id=document_id)) == [comment]
    assert default_storage.exists(name)
