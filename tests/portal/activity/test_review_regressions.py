"""Mail and export edges: unsubscribe links bound to the person and portal, From headers with punctuation,
digests that skip what a person may no longer see and survive one failure, CSV formulas, safe redirects and
attachments served inline only when they really are images."""

import csv
import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity import digest
from portal.activity.emails import event_email, unsubscribe_token
from portal.activity.models import ActivityEvent, Frequency, NotificationPreference
from portal.clients.models import ClientOrg, Contact
from portal.conversations.models import Attachment, Comment
from portal.conversations.services import comment_add
from tenants.models import Tenant
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]
HOST = {"host": "demo.localhost"}


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def say(email: str, body: str, **kwargs: Any) -> None:
    comment_add(actor=actor_for(User.objects.get(email=email)), target=contoso(), body=body, **kwargs)


def test_an_unsubscribe_link_stops_working_when_the_account_changes_hands(in_demo: Any) -> None:
    victor = User.objects.get(email="victor.viewer@contoso.example")
    token = unsubscribe_token(victor, "comment.added")
    User.objects.filter(pk=victor.pk).update(email="someone.else@contoso.example")

    response = Client(headers=HOST).post(f"/notifications/unsubscribe/{token}/")

    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=victor).exists()


def test_event_mail_from_a_portal_with_punctuation_in_its_name(in_demo: Tenant, told: Told) -> None:
    in_demo.display_name = "Northwind, Inc."
    with told():
        say("paula.lead@contoso.example", "Hello")
    event = recent(ActivityEvent).get(verb="comment.added")

    message = event_email(User.objects.get(email="victor.viewer@contoso.example"), event)
    message.send()

    assert message.from_email == '"Northwind, Inc." <no-reply@localhost>'


def test_a_digest_skips_what_the_person_may_no_longer_see_and_one_failure_stops_nobody(
    in_demo: Any, told: Told, monkeypatch: pytest.MonkeyPatch
) -> None:
    frank = User.objects.get(email="frank.finance@contoso.example")
    victor = User.objects.get(email="victor.viewer@contoso.example")
    carla = User.objects.get(email="carla.admin@contoso.example")
    for person in (frank, victor, carla):
        NotificationPreference.objects.create(user=person, event_type="comment.added", frequency=Frequency.DIGEST)
    with told():
        say("paula.lead@contoso.example", "Before Frank moved")
    Contact.objects.filter(user=frank).update(client_org=ClientOrg.objects.get(name="Fabrikam Health"))
    real = digest.digest_email

    def failing_for_victor(user: User, events: list[ActivityEvent]) -> Any:
        if user == victor:
            raise ValueError("the mail server refuses this address")
        return real(user, events)

    monkeypatch.setattr(digest, "digest_email", failing_for_victor)
    mail.outbox.clear()

    digest.send_digests()

    assert [m for m in mail.outbox if frank.email in m.to] == []  # Frank no longer sees Contoso
    assert [m.to for m in mail.outbox] == [[carla.email]]  # Victor's failure did not stop Carla's digest


def test_audit_csv_neutralises_formulas(as_user: Callable[[Any], Client], told: Told) -> None:
    paula = User.objects.get(email="paula.lead@contoso.example")
    User.objects.filter(pk=paula.pk).update(full_name='=HYPERLINK("http://evil")')
    with told():
        say("paula.lead@contoso.example", "Formula name")

    exported = as_user(User.objects.get(email="olivia.owner@northwind.example")).get(
        reverse("activity:audit_log"), {"format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[1][1].startswith("'=")


def test_posting_a_comment_never_redirects_off_the_portal(as_user: Callable[[Any], Client]) -> None:
    paula = as_user(User.objects.get(email="paula.lead@contoso.example"))

    response = paula.post(
        reverse("conversations:add", kwargs={"type_code": "client", "target_id": contoso().pk}),
        {"body": "Hi", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"


def test_attachments_are_inline_only_when_they_really_are_images(as_user: Callable[[Any], Client]) -> None:
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (4, 4)).save(picture, "PNG")
    say("paula.lead@contoso.example", "Files", files=[
        SimpleUploadedFile("photo.png", picture.getvalue(), content_type="image/png"),
    ])  # fmt: skip
    # A disguised file is refused when attached now (portal.files); one stored before those checks is not trusted.
    comment = Comment.objects.get(body="Files")
    fake = Attachment(comment=comment, name="page.pdf", size=38, content_type="application/pdf")
    fake.file.save("page.pdf", ContentFile(b"<html><script>alert(1)</script></html>"))
    photo = comment.attachments.get(name="photo.png")
    viewer = as_user(User.objects.get(email="victor.viewer@contoso.example"))

    fake_response = viewer.get(reverse("conversations:attachment", kwargs={"attachment_id": fake.pk}))
    photo_response = viewer.get(reverse("conversations:attachment", kwargs={"attachment_id": photo.pk}))

    assert fake_response["Content-Type"] == "application/octet-stream"
    assert fake_response["Content-Disposition"].startswith("attachment")
    assert photo_response["Content-Type"] == "image/png"
    assert photo_response["Content-Disposition"].startswith("inline")
