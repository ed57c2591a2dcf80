"""The notification centre, preferences, comments on a client's page, timelines and the staff audit log."""

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.activity.models import Frequency, Notification, NotificationPreference
from portal.clients.models import ClientOrg
from portal.conversations.models import Comment
from tests.support.seeded import recent_only, since

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def person(as_user: Callable[[Any], Client], email: str) -> Client:
    return as_user(User.objects.get(email=email))


def post_comment(client: Client, body: str, **extra: Any) -> Any:
    return client.post(reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk}),
                       {"body": body, **extra})  # fmt: skip


def test_a_comment_posted_with_htmx_returns_the_thread_and_tells_the_others(
    as_user: Callable[[Any], Client], told: Told
) -> None:
    paula = person(as_user, "paula.lead@contoso.example")
    with told():
        response = paula.post(
            reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk}),
            {"body": "Kick-off on Monday"}, headers={"hx-request": "true"},
        )  # fmt: skip

    assert response.status_code == 200
    assert b"Kick-off on Monday" in response.content
    assert b'id="thread"' in response.content
    victor = person(as_user, "victor.viewer@contoso.example")
    home = victor.get("/")
    assert home.context["unread_notifications"] == 1
    assert b"Kick-off on Monday" in victor.get(reverse("activity:notifications")).content


def test_marking_read_one_and_all(as_user: Callable[[Any], Client], told: Told) -> None:
    paula = person(as_user, "paula.lead@contoso.example")
    with told():
        post_comment(paula, "One")
        post_comment(paula, "Two")
    victor = person(as_user, "victor.viewer@contoso.example")
    first = Notification.objects.filter(user__email="victor.viewer@contoso.example").first()
    assert first is not None

    victor.post(reverse("activity:read", kwargs={"notification_id": first.pk}))
    assert victor.get("/").context["unread_notifications"] == 1
    victor.post(reverse("activity:read_all"))
    assert victor.get("/").context["unread_notifications"] == 0


def test_internal_notes_are_hidden_from_contacts_and_refused_from_them(
    as_user: Callable[[Any], Client], told: Told
) -> None:
    mia = person(as_user, "mia.member@northwind.example")
    with told():
        post_comment(mia, "Internal: renewal at risk", internal="on")
    carla = person(as_user, "carla.admin@contoso.example")

    page = carla.get(reverse("clients:detail", kwargs={"org_id": contoso().pk}))
    assert b"renewal at risk" not in page.content
    assert b"Internal note" not in page.content
    post_comment(carla, "Trying to write a staff note", internal="on")
    assert not Comment.objects.filter(body="Trying to write a staff note").exists()
    assert b"renewal at risk" in mia.get(reverse("clients:detail", kwargs={"org_id": contoso().pk})).content


def test_attachments_are_stored_under_the_tenant_and_served_to_who_may_see_them(
    as_user: Callable[[Any], Client], told: Told
) -> None:
    paula = person(as_user, "paula.lead@contoso.example")
    with told():
        post_comment(
            paula, "Minutes", files=[SimpleUploadedFile("minutes.txt", b"we agreed", content_type="text/plain")]
        )
    attachment = Comment.objects.get(body="Minutes").attachments.get()
    assert str(attachment.file.name).startswith("demo/comments/")
    url = reverse("conversations:attachment", kwargs={"attachment_id": attachment.pk})

    download: Any = person(as_user, "victor.viewer@contoso.example").get(url)
    assert b"".join(download.streaming_content) == b"we agreed"
    assert person(as_user, "hana.admin@fabrikam.example").get(url).status_code == 404


def test_an_empty_comment_gets_a_clear_error(as_user: Callable[[Any], Client]) -> None:
    paula = person(as_user, "paula.lead@contoso.example")
    response = paula.post(
        reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk}),
        {"body": "   "}, headers={"hx-request": "true"},
    )  # fmt: skip

    assert response.status_code == 400
    assert b"Write something or attach a file." in response.content


def test_preferences_are_per_event_type(as_user: Callable[[Any], Client]) -> None:
    victor = person(as_user, "victor.viewer@contoso.example")
    form = victor.get(reverse("activity:preferences")).context["form"]
    assert "comment.added" in form.fields
    assert "note.added" not in form.fields  # staff-only types are not offered to contacts

    choices = {name: field.initial for name, field in form.fields.items()}
    victor.post(reverse("activity:preferences"), {**choices, "comment.added": "digest"})

    assert (
        NotificationPreference.objects.get(
            user__email="victor.viewer@contoso.example", event_type="comment.added"
        ).frequency
        == Frequency.DIGEST
    )


def test_the_client_page_shows_its_timeline(as_user: Callable[[Any], Client], told: Told) -> None:
    with told():
        post_comment(person(as_user, "paula.lead@contoso.example"), "On the timeline")

    page = person(as_user, "victor.viewer@contoso.example").get(
        reverse("clients:detail", kwargs={"org_id": contoso().pk})
    )

    assert [event.verb for event in recent_only(page.context["timeline"])] == ["comment.added"]


def test_the_audit_log_filters_and_exports_csv(as_user: Callable[[Any], Client], told: Told) -> None:
    with told():
        post_comment(person(as_user, "paula.lead@contoso.example"), "From Paula")
        post_comment(person(as_user, "mia.member@northwind.example"), "Note from Mia", internal="on")
    owner = person(as_user, "olivia.owner@northwind.example")
    mia_id = User.objects.get(email="mia.member@northwind.example").pk

    filtered = owner.get(reverse("activity:audit_log"), {"person": str(mia_id)})
    exported = owner.get(
        reverse("activity:audit_log"),
        {"verb": "comment.added", "client": str(contoso().pk), "format": "csv", "since": since().date().isoformat()},
    )

    assert [event.verb for event in recent_only(filtered.context["events"])] == ["note.added"]
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["time", "actor", "type", "target", "client", "internal"]
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [("Paula Lead", "comment.added", "Contoso Retail")]
    assert person(as_user, "carla.admin@contoso.example").get(reverse("activity:audit_log")).status_code == 404
