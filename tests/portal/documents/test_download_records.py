"""Downloads stay on record: rows that outlive the document and the person, and an audit-only event that reaches
the audit log and its CSV but never notifications, digests, e-mails or webhooks."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity import outbound
from portal.activity.models import ActivityEvent, Delivery, Notification
from portal.activity.selectors import events_for
from portal.clients.models import ClientOrg
from portal.documents.models import DocumentVersion, DownloadEvent, Folder
from portal.documents.services import document_delete, documents_upload
from tests.support.seeded import recent, recent_only

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def version(in_demo: Any) -> DocumentVersion:
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="Reports")
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    [document] = documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile("Budget.txt", b"figures")])
    return document.versions.get()


@pytest.fixture
def hooked() -> Iterator[list[ActivityEvent]]:
    sent: list[ActivityEvent] = []
    hook = outbound.register(sent.append)
    yield sent
    outbound.unregister(hook)


def download(as_user: Callable[[Any], Client], email: str, version: DocumentVersion) -> None:
    response = as_user(User.objects.get(email=email)).get(reverse("documents:download", args=[version.pk]))
    assert response.status_code == 200


def test_a_download_is_an_audit_only_event_that_tells_nobody(
    as_user: Callable[[Any], Client], version: DocumentVersion, told: Told, hooked: list[ActivityEvent]
) -> None:
    with told():
        download(as_user, "victor.viewer@contoso.example", version)

    event = recent(ActivityEvent).get(verb="document.downloaded")
    assert (event.target_label, event.data["version"]) == ("Budget", 1)
    assert not Notification.objects.filter(event=event).exists()
    assert not Delivery.objects.filter(event=event).exists()  # no in-app, e-mail, digest or webhook delivery
    assert hooked == []
    assert not [message for message in mail.outbox if "Downloads" in str(message.subject)]


def test_downloads_show_in_the_audit_log_and_its_csv_but_on_no_timeline(
    as_user: Callable[[Any], Client], version: DocumentVersion, told: Told
) -> None:
    with told():
        download(as_user, "victor.viewer@contoso.example", version)
    owner = as_user(User.objects.get(email="olivia.owner@northwind.example"))

    log = owner.get(reverse("activity:audit_log"), {"verb": "document.downloaded"})
    csv = owner.get(reverse("activity:audit_log"), {"verb": "document.downloaded", "format": "csv"}).content.decode()
    client_page = owner.get(reverse("clients:detail", args=[version.document.folder.client_org_id]))

    assert [event.verb for event in recent_only(log.context["events"])] == ["document.downloaded"]
    assert "document.downloaded" in csv
    assert "Victor Viewer" in csv
    assert "document.downloaded" not in [event.verb for event in client_page.context["timeline"]]
    victor = actor_for(User.objects.get(email="victor.viewer@contoso.example"))
    assert not events_for(victor).filter(verb="document.downloaded").exists()


def test_download_rows_outlive_the_document_and_the_person(
    as_user: Callable[[Any], Client], version: DocumentVersion, told: Told
) -> None:
    with told():
        download(as_user, "victor.viewer@contoso.example", version)
    document_id = version.document_id
    victor = User.objects.get(email="victor.viewer@contoso.example")
    victor_id = victor.pk

    document_delete(actor=actor_for(User.objects.get(email="mia.member@northwind.example")), document=version.document)
    victor.delete()

    row = recent(DownloadEvent).get()
    assert (row.version_id, row.user_id) == (None, None)
    assert (row.document_id, row.document_title, row.version_number) == (document_id, "Budget", 1)
    assert (row.person_id, row.user_label) == (victor_id, "victor.viewer@contoso.example")
    assert ActivityEvent.objects.filter(verb="document.downloaded", actor_id=victor_id).exists()
