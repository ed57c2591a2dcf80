"""Each event type: recorded exactly once, and told to exactly the people who may see its target, as the access
matrix of `portal.access` says. Every registered event type must have a trigger here."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts.models import User
from portal.access.capabilities import default_role_capabilities
from portal.access.models import Role, StaffMembership, StaffRole
from portal.access.policy import actor_for
from portal.access.services import (
    client_org_archive,
    client_org_save,
    invitation_accept,
    invitation_create,
    person_deactivate,
)
from portal.activity import outbound
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent, Channel, Delivery, Notification
from portal.activity.services import fan_out
from portal.clients.models import ClientOrg, Contact
from portal.conversations.services import comment_add
from portal.documents.models import Folder
from portal.documents.services import document_delete, documents_upload

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]


def user(email: str) -> User:
    return User.objects.get(email=email)


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def comment(actor_email: str, **kwargs: Any) -> User:
    comment_add(actor=actor_for(user(actor_email)), target=contoso(), **kwargs)
    return user(actor_email)


def invite() -> User:
    carla = user("carla.admin@contoso.example")
    invitation_create(
        actor=actor_for(carla),
        email="newbie@contoso.example",
        client_org=contoso(),
        role=Role.objects.get(slug="viewer"),
    )
    return carla


def join() -> User:
    from portal.access.models import Invitation
    from portal.access.services import _hash  # the link's token is only ever mailed: make one we know

    invite()
    Invitation.objects.filter(email="newbie@contoso.example").update(token_hash=_hash("known-token"))
    return invitation_accept(token="known-token", full_name="New Bie", password="a-long-new-password")


def deactivate() -> User:
    carla = user("carla.admin@contoso.example")
    person_deactivate(actor=actor_for(carla), user=user("victor.viewer@contoso.example"))
    return carla


def create_client() -> User:
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    client_org_save(
        actor=actor_for(owner),
        org=None,
        name="Tailwind Traders",
        account_manager=user("mia.member@northwind.example"),
        team=[],
        notes="",
    )
    return owner


def archive_client() -> User:
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    client_org_archive(actor=actor_for(owner), org=contoso())
    return owner


def publish_document(new_version: bool = False) -> User:
    mia = user("mia.member@northwind.example")
    folder = Folder.objects.create(client_org=contoso(), name="Shared reports")
    [document] = documents_upload(actor=actor_for(mia), folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"v1")])
    if new_version:
        documents_upload(
            actor=actor_for(mia), folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"v2")], document=document
        )
    return mia


def delete_document() -> User:
    mia = user("mia.member@northwind.example")
    folder = Folder.objects.create(client_org=contoso(), name="Old reports")
    [document] = documents_upload(actor=actor_for(mia), folder=folder, uploads=[SimpleUploadedFile("old.txt", b"x")])
    document_delete(actor=actor_for(mia), document=document)
    return mia


TRIGGERS: dict[str, Callable[[], User]] = {
    "document.deleted": delete_document,
    "document.published": publish_document,
    "document.version_added": lambda: publish_document(new_version=True),
    "comment.added": lambda: comment("paula.lead@contoso.example", body="Kick-off notes attached."),
    "note.added": lambda: comment("mia.member@northwind.example", body="Renewal at risk.", internal=True),
    "comment.mentioned": lambda: comment(
        "carla.admin@contoso.example",
        body="@victor.viewer@contoso.example and @fred.finance@fabrikam.example, see this",
    ),
    "contact.invited": invite,
    "contact.joined": join,
    "contact.deactivated": deactivate,
    "client.created": create_client,
    "client.archived": archive_client,
}


def test_every_event_type_has_a_trigger_here() -> None:
    assert set(TRIGGERS) == set(EVENT_TYPES)


def expected_audience(event: ActivityEvent) -> set[str]:
    """The access matrix of issue 03, read straight from the data (not through `portal.access`, which is under
    test): owners and admins see every client; a member the clients they manage or are assigned to; a contact
    their own, not archived, organisation, for the capabilities of their role. Internal and staff-only events
    reach staff only; mentions only the people named; nobody is told of their own action."""
    event_type = EVENT_TYPES[event.verb]
    org = ClientOrg.objects.get(pk=event.client_org_id or 0)
    addressed = event.data.get("recipients")
    team = {org.account_manager_id, *org.team.values_list("pk", flat=True)}
    emails = set()
    for person in User.objects.filter(is_active=True).exclude(pk=event.actor_id or 0):
        if (addressed is not None and person.pk not in addressed) or person.pk in event.data.get("excluded", []):
            continue
        staff = StaffMembership.objects.filter(user=person).first()
        contact = Contact.objects.filter(user=person).select_related("role").first()
        if staff is not None:
            sees = staff.role in (StaffRole.OWNER, StaffRole.ADMIN) or person.pk in team
        elif contact is not None and not (event.internal or event_type.staff_only):
            role = contact.role
            capabilities = default_role_capabilities(role.slug) if role.is_default else set(role.custom_capabilities)
            sees = contact.client_org_id == org.pk and org.archived_at is None and event_type.capability in capabilities
        else:
            sees = False
        if sees:
            emails.add(person.email)
    return emails


@pytest.mark.parametrize("verb", sorted(EVENT_TYPES))
def test_each_event_is_recorded_once_and_told_to_exactly_who_may_see_it(in_demo: Any, told: Told, verb: str) -> None:
    before = set(ActivityEvent.objects.values_list("pk", flat=True))
    sent_to_hook: list[ActivityEvent] = []
    hook = outbound.register(sent_to_hook.append)
    try:
        with told():
            TRIGGERS[verb]()
    finally:
        outbound.unregister(hook)

    events = ActivityEvent.objects.exclude(pk__in=before).filter(verb=verb)
    assert events.count() == 1
    event = events.get()
    notified = set(Notification.objects.filter(event=event).values_list("user__email", flat=True))
    assert notified == expected_audience(event)
    assert notified, "the trigger should concern somebody"
    emailed = {address for message in mail.outbox if verb_in(message, event) for address in message.to}
    assert emailed == notified  # everyone's default is an instant e-mail
    assert sent_to_hook.count(event) == 1


def verb_in(message: Any, event: ActivityEvent) -> bool:
    return str(EVENT_TYPES[event.verb].label) in str(message.subject) and event.target_label in str(message.subject)


def test_a_contact_of_another_client_is_never_told(in_demo: Any, told: Told) -> None:
    with told():
        comment("paula.lead@contoso.example", body="Only for Contoso")

    fabrikam_people = User.objects.filter(contact__client_org__name="Fabrikam Health")
    assert not Notification.objects.filter(user__in=fabrikam_people).exists()
    assert not any(set(m.to) & set(fabrikam_people.values_list("email", flat=True)) for m in mail.outbox)


def test_an_internal_note_never_reaches_contacts(in_demo: Any, told: Told) -> None:
    with told():
        comment("mia.member@northwind.example", body="Internal: renewal at risk", internal=True)

    assert not Notification.objects.filter(user__contact__isnull=False).exists()


def test_running_the_fan_out_again_tells_nobody_twice(in_demo: Any, told: Told) -> None:
    with told():
        comment("paula.lead@contoso.example", body="Once only")
    event = ActivityEvent.objects.get(verb="comment.added")
    notifications, deliveries, mails = Notification.objects.count(), Delivery.objects.count(), len(mail.outbox)

    assert fan_out(event.pk) == []  # every e-mail delivery already sent

    assert (Notification.objects.count(), Delivery.objects.count(), len(mail.outbox)) == (
        notifications,
        deliveries,
        mails,
    )
    assert Delivery.objects.filter(event=event, channel=Channel.WEBHOOK).count() == 1


def test_events_keep_their_history_when_the_target_is_deleted(in_demo: Any, told: Told) -> None:
    with told():
        create_client()
    org = ClientOrg.objects.get(name="Tailwind Traders")
    org.delete()

    event = ActivityEvent.objects.get(verb="client.created")
    assert (event.target_label, event.target_id) == ("Tailwind Traders", org.pk or event.target_id)
    assert connection.vendor == "postgresql"


def test_a_mentioned_person_is_told_once(in_demo: Any, told: Told) -> None:
    with told():
        comment("carla.admin@contoso.example", body="@victor.viewer@contoso.example have a look")

    victor = user("victor.viewer@contoso.example")
    assert list(Notification.objects.filter(user=victor).values_list("event__verb", flat=True)) == ["comment.mentioned"]
    assert Notification.objects.filter(user=user("paula.lead@contoso.example"), event__verb="comment.added").exists()
