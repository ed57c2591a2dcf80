"""The comments endpoints: a target's thread read and written under a key, through the target's own access check
(404 for another client's), shown in the portal's thread under the key's name; internal notes as staff write
them; the write scope needed to post."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.access.policy import SYSTEM, actor_for
from portal.activity.models import ActivityEvent, Notification
from portal.api.services import api_key_create
from portal.conversations.models import Comment
from portal.conversations.services import comment_add
from portal.documents.models import Document, Folder
from portal.documents.services import documents_upload
from tests.portal.conftest import HOST
from tests.portal.demo_people import carla, contoso, fabrikam, mia

pytestmark = pytest.mark.django_db
KEY_LABEL = "API key “ERP sync”"
PROBLEM = "application/problem+json"


def key(*scopes: str, name: str = "ERP sync") -> Client:
    _key, token = api_key_create(actor=SYSTEM, name=name, scopes=list(scopes), all_clients=False, clients=[contoso()])
    return Client(headers={"host": HOST, "authorization": f"Bearer {token}"})


@pytest.fixture
def erp(in_demo: Any) -> Client:
    return key("comments:read", "comments:write")


@pytest.fixture
def document(in_demo: Any) -> Document:
    folder = Folder.objects.create(client_org=contoso(), name="Shared")
    pdf = SimpleUploadedFile("Statement of work.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    [made] = documents_upload(actor=SYSTEM, folder=folder, uploads=[pdf])
    return made


def thread(type_code: str, target_id: int) -> str:
    return reverse("api:comments", kwargs={"type_code": type_code, "target_id": target_id})


def post(client: Client, address: str, **body: Any) -> Any:
    return client.post(address, body, content_type="application/json")


def test_a_key_comments_and_the_thread_shows_it_under_the_key_s_name(
    erp: Client, document: Document, as_user: Callable[[Any], Client], told: Any
) -> None:
    comment_add(actor=actor_for(mia()), target=document, body="Here is the statement of work.")
    address = thread("document", document.pk)

    with told():
        posted = post(erp, address, body="Signed copy received in the ERP.")
    listed = erp.get(address)

    assert posted.status_code == 201, posted.json()
    assert (posted.json()["author"], posted.json()["author_email"], posted.json()["internal"]) == (
        KEY_LABEL, None, False,
    )  # fmt: skip
    comment = Comment.objects.get(pk=posted.json()["id"])
    assert (comment.author, comment.author_label) == (None, KEY_LABEL)
    assert [row["body"] for row in listed.json()["results"]] == [
        "Here is the statement of work.", "Signed copy received in the ERP.",
    ]  # fmt: skip
    assert listed.json()["results"][0]["author_email"] == mia().email
    event = ActivityEvent.objects.get(verb="comment.added", data__comment_id=comment.pk)
    assert (event.actor_id, event.actor_label) == (None, KEY_LABEL)
    assert Notification.objects.filter(user=carla(), event=event).exists()
    page = as_user(carla()).get(reverse("documents:detail", kwargs={"document_id": document.pk})).content.decode()
    assert "Signed copy received in the ERP." in page
    assert KEY_LABEL in page


def test_an_internal_note_is_for_staff_only(erp: Client, document: Document, as_user: Callable[[Any], Client]) -> None:
    address = thread("document", document.pk)

    posted = post(erp, address, body="Check the PO number before filing.", internal=True)

    assert posted.status_code == 201, posted.json()
    assert erp.get(address).json()["results"][0]["internal"] is True
    assert ActivityEvent.objects.get(data__comment_id=posted.json()["id"]).verb == "note.added"
    page = as_user(carla()).get(reverse("documents:detail", kwargs={"document_id": document.pk})).content.decode()
    assert "Check the PO number" not in page
    assert (
        "Check the PO number"
        in as_user(mia()).get(reverse("documents:detail", kwargs={"document_id": document.pk})).content.decode()
    )


def test_the_thread_of_another_client_s_target_is_not_found(erp: Client) -> None:
    comment_add(actor=SYSTEM, target=fabrikam(), body="Fabrikam's own business.")
    theirs = thread("client", fabrikam().pk)

    answers = [
        erp.get(theirs),
        post(erp, theirs, body="Hello?"),
        erp.get(thread("nothing", contoso().pk)),
        erp.get(thread("document", 10**9)),
    ]

    assert [answer.status_code for answer in answers] == [404] * 4
    assert all(answer["Content-Type"] == PROBLEM for answer in answers)
    assert not Comment.objects.filter(body="Hello?").exists()
    assert erp.get(thread("client", contoso().pk)).status_code == 200


def test_an_empty_comment_is_refused_on_its_field(erp: Client, document: Document) -> None:
    refused = post(erp, thread("document", document.pk), body="   ")

    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["body"]


def test_a_read_only_key_may_read_but_not_post(in_demo: Any, document: Document) -> None:
    reader = key("comments:read", name="Reporting")
    address = thread("document", document.pk)

    assert reader.get(address).status_code == 200
    refused = post(reader, address, body="Hello")
    assert (refused.status_code, refused["Content-Type"]) == (403, PROBLEM)
    assert not Comment.objects.filter(body="Hello").exists()


def test_a_documents_key_may_not_comment(in_demo: Any, document: Document) -> None:
    documents_only = key("documents:read", "documents:write", name="Files only")

    assert documents_only.get(thread("document", document.pk)).status_code == 403
