"""Who is told of each event, read from what each person's browser may open.

For every registered event type, on every kind of target it can concern, and for every principal (owner, admin,
the client's member of staff, a member of staff without the client, each default role, a custom role per
capability holding that capability alone, contacts of another client): a person is told — notified, e-mailed,
shown the event on their timeline — exactly when an HTTP GET of the target's page by that person answers 200
and, when the type names a capability, a GET of the page that capability unlocks does too; staff-only types
never reach contacts, mentions reach only the people named, nobody is told of their own action. The expectation
comes from HTTP answers, never from the functions the code uses to decide. A new event type or target kind
joins by registering and by adding its case here; the completeness tests below fail until it does.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.access.capabilities import REGISTRY
from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.policy import actor_for
from portal.access.services import (
    invitation_accept,
    invitation_create,
    person_deactivate,
)
from portal.access.visibility import KINDS
from portal.activity import outbound
from portal.activity.events import EVENT_TYPES
from portal.activity.fanout import fan_out
from portal.activity.models import ActivityEvent, Channel, Delivery, Notification
from portal.activity.selectors import events_for
from portal.clients.models import ClientOrg, Contact
from portal.conversations.registry import COMMENTABLE
from portal.conversations.services import comment_add
from portal.documents.models import Document, Folder
from portal.documents.services import document_delete, documents_upload
from portal.engagements.models import Deliverable, Project
from portal.engagements.services import (
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    milestone_add,
    milestone_complete,
    phase_add,
    phase_start,
    project_save,
    remind_waiting_decisions,
)
from portal.organisations.services import client_org_archive, client_org_save
from portal.requests.models import ClientRequest
from portal.requests.services import remind_due, request_assign, request_change_status, request_rate
from tests.portal.factories import ContactFactory, StaffFactory, make_user
from tests.portal.requests.support import make_type, submit
from tests.support.seeded import recent

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]


def user(email: str) -> User:
    return User.objects.get(email=email)


def contoso() -> ClientOrg:
    return ClientOrg.objects.get(name="Contoso Retail")


def mia() -> User:
    return user("mia.member@northwind.example")


# --- targets: one maker per kind of commentable target (and per variant that changes who may see it) ------------


def shared_document() -> Document:
    folder = Folder.objects.create(client_org=contoso(), name="Shared reports")
    [document] = documents_upload(actor=actor_for(mia()), folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"1")])
    return document


def internal_document() -> Document:
    folder = Folder.objects.create(client_org=contoso(), name="Staff workings", internal=True)
    [document] = documents_upload(actor=actor_for(mia()), folder=folder, uploads=[SimpleUploadedFile("memo.txt", b"1")])
    return document


def paula() -> User:
    return user("paula.lead@contoso.example")


def paulas_request() -> ClientRequest:
    """A request of Paula's (a project lead: she may send requests and see her organisation's)."""
    return submit(paula(), make_type())


COMMENT_TARGETS: dict[str, Callable[[], models.Model]] = {
    "client": contoso,
    "document": shared_document,
    "document-internal": internal_document,
    "request": paulas_request,
    "project": lambda: contoso_project(),
    "deliverable": lambda: submitted_deliverable(),
    "deliverable-internal": lambda: draft_deliverable(),
}


# --- the cases --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """`prepare` makes the target when it exists before the event (pages are then read before the event, which
    may delete the target or end someone's access); `act` causes the event and returns who acted. A type people
    are told of through another type's event (a mention, through its comment's) names that one as `recorded`."""

    verb: str
    name: str
    act: Callable[[Any], User]
    prepare: Callable[[], models.Model | None] = lambda: None
    recorded: str | None = None
    # A type told only to some of those who may see it (a request's new assignee): who.
    addressed: Callable[[], set[str]] | None = None

    @property
    def id(self) -> str:
        return f"{self.verb}[{self.name}]"


def comment_cases() -> Iterator[Case]:
    for name, make in COMMENT_TARGETS.items():
        if not name.endswith("-internal"):  # every comment on an internal target is a staff note
            yield Case("comment.added", name, lambda target: say(target, "Kick-off notes attached."), make)
        yield Case("note.added", name, lambda target: say(target, "Renewal at risk.", internal=True), make)
        comment = "note.added" if name.endswith("-internal") else "comment.added"
        yield Case("comment.mentioned", name, lambda target: say(target, mention_everyone()), make, recorded=comment)


def say(target: models.Model, body: str, internal: bool = False) -> User:
    comment_add(actor=actor_for(mia()), target=target, body=body, internal=internal)
    return mia()


def mention_everyone() -> str:
    return "See this, " + " ".join(f"@{person.email}" for person in User.objects.filter(is_active=True))


def publish(internal: bool, new_version: bool = False) -> Callable[[Any], User]:
    def act(_target: Any) -> User:
        folder = Folder.objects.create(client_org=contoso(), name="Published", internal=internal)
        upload = [SimpleUploadedFile("plan.txt", b"v1")]
        [document] = documents_upload(actor=actor_for(mia()), folder=folder, uploads=upload)
        if new_version:
            upload = [SimpleUploadedFile("plan.txt", b"v2")]
            documents_upload(actor=actor_for(mia()), folder=folder, uploads=upload, document=document)
        return mia()

    return act


def delete_document(document: Document) -> User:
    document_delete(actor=actor_for(mia()), document=document)
    return mia()


def invite(_target: Any) -> User:
    carla = user("carla.admin@contoso.example")
    invitation_create(
        actor=actor_for(carla),
        email="newbie@contoso.example",
        client_org=contoso(),
        role=Role.objects.get(slug="viewer"),
    )
    return carla


def invite_an_existing_account(_org: ClientOrg) -> User:
    carla = user("carla.admin@contoso.example")
    invitation_create(
        actor=actor_for(carla), email="fred.finance@fabrikam.example", client_org=contoso(),
        role=Role.objects.get(slug="viewer"),
    )  # fmt: skip
    return carla


def join(_target: Any) -> User:
    from portal.access.services import _hash  # the link's token is only ever mailed: make one we know

    invitation_create(
        actor=actor_for(mia()),
        email="newbie@contoso.example",
        client_org=contoso(),
        role=Role.objects.get(slug="viewer"),
    )
    Invitation.objects.filter(email="newbie@contoso.example").update(token_hash=_hash("known-token"))
    return invitation_accept(token="known-token", full_name="New Bie", password="a-long-new-password")


def victor_contact() -> Contact:
    return Contact.objects.get(user__email="victor.viewer@contoso.example")


def deactivate(contact: Contact) -> User:
    carla = user("carla.admin@contoso.example")
    person_deactivate(actor=actor_for(carla), user=contact.user)
    return carla


def create_client(_target: Any) -> User:
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    client_org_save(actor=actor_for(owner), org=None, name="Tailwind Traders", account_manager=mia(), team=[], notes="")
    return owner


def archive_client(org: ClientOrg) -> User:
    owner = StaffMembership.objects.get(role=StaffRole.OWNER).user
    client_org_archive(actor=actor_for(owner), org=org)
    return owner


def contoso_project() -> Project:
    return project_save(actor=actor_for(mia()), project=None, org=contoso(), name="Events project", budget_hours=None)


def draft_deliverable() -> Deliverable:
    deliverable = deliverable_add(actor=actor_for(mia()), project=contoso_project(), title="Campaign plan")
    upload = SimpleUploadedFile("plan.txt", b"The plan, v1\n")
    deliverable_version_add(actor=actor_for(mia()), deliverable=deliverable, upload=upload)
    return deliverable


def submitted_deliverable() -> Deliverable:
    return deliverable_submit(actor=actor_for(mia()), deliverable=draft_deliverable())


def submit_deliverable(deliverable: Deliverable) -> User:
    deliverable_submit(actor=actor_for(mia()), deliverable=deliverable)
    return mia()


def decide(outcome: str) -> Callable[[Deliverable], User]:
    def act(deliverable: Deliverable) -> User:
        latest = deliverable.versions.order_by("-number").first()
        assert latest is not None
        comment = "Shorter, please." if outcome == "changes_requested" else ""
        deliverable_decide(
            actor=actor_for(paula()), deliverable=deliverable, version_id=latest.pk, outcome=outcome, comment=comment
        )
        return paula()

    return act


def create_project(_target: Any) -> User:
    contoso_project()
    return mia()


def start_a_phase(project: Project) -> User:
    phase = phase_add(actor=actor_for(mia()), project=project, name="Build")
    phase_start(actor=actor_for(mia()), phase=phase)
    return mia()


def reach_a_milestone(project: Project) -> User:
    milestone = milestone_add(actor=actor_for(mia()), project=project, title="Pilot live", due_date=date(2026, 1, 5))
    milestone_complete(actor=actor_for(mia()), milestone=milestone)
    return mia()


def submit_request(_target: Any) -> User:
    paulas_request()
    return paula()


def start_work(request: ClientRequest) -> User:
    request_change_status(actor=actor_for(mia()), request=request, to_status="in_progress")
    return mia()


def hand_to_the_owner(request: ClientRequest) -> User:
    request_assign(actor=actor_for(mia()), request=request, assignee=owner())
    return mia()


def owner() -> User:
    return StaffMembership.objects.get(role=StaffRole.OWNER).user


def resolved_request() -> ClientRequest:
    request = paulas_request()
    return request_change_status(actor=actor_for(mia()), request=request, to_status="resolved")


def rate(request: ClientRequest) -> User:
    request_rate(actor=actor_for(paula()), request=request, score=5)
    return paula()


def assigned_to_mia() -> ClientRequest:
    request = paulas_request()
    assert request.assignee == mia()  # Contoso's account manager, by the type's own rule
    return request


def remind(request: ClientRequest) -> User:
    soon = timezone.now() + timedelta(hours=1)
    ClientRequest.objects.filter(pk=request.pk).update(first_response_due=soon, resolution_due=soon + timedelta(days=9))
    others = ClientRequest.objects.exclude(pk=request.pk)  # the demo's own open requests are not this case's
    others.update(first_response_reminded=True, resolution_reminded=True)
    assert remind_due() == 1
    return paula()  # the system acts; Paula, who may not see staff-only news anyway, stands in as "whoever did it"


def remind_of_the_decision(deliverable: Deliverable) -> User:
    waited = timezone.now() - timedelta(days=3)  # past the portal's default delay (2 days)
    Deliverable.objects.filter(pk=deliverable.pk).update(submitted_at=waited)
    others = Deliverable.objects.exclude(pk=deliverable.pk)  # the demo's waiting deliverables are not this case's
    others.update(reminded_at=timezone.now())
    assert remind_waiting_decisions() == 1
    return user("hana.admin@fabrikam.example")  # the system acts; Hana, of another client, stands in as "whoever"


def contacts() -> set[str]:
    return set(Contact.objects.values_list("user__email", flat=True))


CASES: list[Case] = [
    # Submitting is what shows a draft to the client: the pages are read after it (the target made by the event).
    Case("deliverable.submitted", "deliverable", lambda _target: submit_deliverable(draft_deliverable())),
    Case("deliverable.approved", "deliverable", decide("approved"), submitted_deliverable),
    Case("deliverable.changes_requested", "deliverable", decide("changes_requested"), submitted_deliverable),
    # Told to those who may decide: the client's people (staff, who see it on the timeline, do not decide).
    Case(
        "deliverable.decision_waiting", "deliverable", remind_of_the_decision, submitted_deliverable, addressed=contacts
    ),
    Case("project.created", "project", create_project),
    Case("project.phase_started", "project", start_a_phase, contoso_project),
    Case("project.milestone_reached", "project", reach_a_milestone, contoso_project),
    Case("request.submitted", "request", submit_request),
    Case("request.status_changed", "request", start_work, paulas_request),
    Case("request.assigned", "request", hand_to_the_owner, paulas_request, addressed=lambda: {owner().email}),
    Case("request.rated", "request", rate, resolved_request),
    Case("request.due_soon", "request", remind, assigned_to_mia, addressed=lambda: {mia().email}),
    *comment_cases(),
    Case("document.published", "shared", publish(internal=False)),
    Case("document.published", "internal", publish(internal=True)),
    Case("document.version_added", "shared", publish(internal=False, new_version=True)),
    Case("document.version_added", "internal", publish(internal=True, new_version=True)),
    Case("document.deleted", "shared", delete_document, shared_document),
    Case("document.deleted", "internal", delete_document, internal_document),
    Case("contact.invited", "invitation", invite),
    Case("invitation.existing_account", "client", invite_an_existing_account, contoso),
    Case("contact.joined", "contact", join),
    Case("contact.deactivated", "contact", deactivate, victor_contact),
    Case("client.created", "client", create_client),
    Case("client.archived", "client", archive_client, contoso),
]


def test_every_news_event_type_has_a_case() -> None:
    news = {code for code, event_type in EVENT_TYPES.items() if not event_type.audit_only}
    assert {case.verb for case in CASES} == news


def test_every_commentable_kind_has_a_target_maker() -> None:
    assert set(COMMENTABLE) <= {name.split("-")[0] for name in COMMENT_TARGETS}


# --- the people ---------------------------------------------------------------------------------------------------


@pytest.fixture
def people(in_demo: Any) -> list[User]:
    """Every kind of principal, in the demo portal: the demo's staff and contacts, a member of staff who does not
    reach Contoso, and a Contoso contact per capability whose custom role holds that capability alone."""
    StaffFactory(user=make_user("sam.member@northwind.example"))
    for code in REGISTRY:
        role = Role.objects.create(
            name=f"Only {code}", slug=f"only-{code.replace('.', '-')}", custom_capabilities=[code]
        )
        ContactFactory(
            client_org=contoso(), role=role, user=make_user(f"only-{code.replace('.', '-')}@contoso.example")
        )
    return list(User.objects.filter(is_active=True).order_by("email"))


def answers(client: Client, url: str) -> bool:
    return client.get(url).status_code == 200


def may_open(
    clients: dict[str, Client], target: models.Model, capability: str | None, org: ClientOrg
) -> dict[str, bool]:
    """Each person's answer, over HTTP: does the target's page open, and the type's capability page?"""
    target_page = KINDS[target._meta.label_lower].page(target.pk, org.pk)
    capability_page = reverse(REGISTRY[capability].url_name, kwargs={"org_id": org.pk}) if capability else None
    return {
        email: answers(client, target_page) and (capability_page is None or answers(client, capability_page))
        for email, client in clients.items()
    }


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_event_is_told_to_exactly_who_may_open_its_target(
    people: list[User], as_user: Callable[[Any], Client], told: Told, case: Case
) -> None:
    clients = {person.email: as_user(person) for person in people}
    event_type = EVENT_TYPES[case.verb]
    org = contoso()
    before = set(ActivityEvent.objects.values_list("pk", flat=True))
    hooked: list[ActivityEvent] = []
    hook = outbound.register(hooked.append)
    try:
        with told():
            target = case.prepare()
            opens = may_open(clients, target, event_type.capability, org) if target is not None else None
            acting = case.act(target)
    finally:
        outbound.unregister(hook)

    [event] = ActivityEvent.objects.exclude(pk__in=before).filter(verb=case.recorded or case.verb)
    if opens is None:  # the target was made by the event: read the pages now
        made = KINDS[event.target_type].model._default_manager.get(pk=event.target_id)
        opens = may_open(clients, made, event_type.capability, org)
    staff = set(StaffMembership.objects.values_list("user__email", flat=True))
    active = set(User.objects.filter(is_active=True).values_list("email", flat=True))
    may_see = {
        email
        for email, opened in opens.items()
        if opened and email in active and (email in staff or not event_type.staff_only)
    }
    expected = may_see - {acting.email}
    if case.addressed is not None:
        expected &= case.addressed()

    notified = set(Notification.objects.filter(event=event).values_list("user__email", flat=True))
    assert notified == expected
    assert notified, "the case should concern somebody"
    emailed = {address for message in mail.outbox if about(message, event, case.verb) for address in message.to}
    assert emailed == notified  # everyone's default is an instant e-mail, which names the type they are told of
    assert hooked.count(event) == 1
    on_timeline = {person.email for person in User.objects.filter(email__in=active) if shows(person, event)}
    assert on_timeline == may_see


def about(message: Any, event: ActivityEvent, verb: str) -> bool:
    return str(EVENT_TYPES[verb].label) in str(message.subject) and event.target_label in str(message.subject)


def shows(person: User, event: ActivityEvent) -> bool:
    return events_for(actor_for(person)).filter(pk=event.pk).exists()


# --- the finding, and the properties around it ----------------------------------------------------------------------


def test_a_contact_who_may_not_open_a_document_hears_nothing_of_its_comments(
    in_demo: Any, as_user: Callable[[Any], Client], told: Told
) -> None:
    role = Role.objects.create(
        name="Organisation and people", slug="org-people",
        custom_capabilities=["organisation.view", "contacts.view", "contacts.manage"],
    )  # fmt: skip
    nosy: Any = ContactFactory(client_org=contoso(), role=role).user
    document = shared_document()
    assert as_user(nosy).get(reverse("documents:detail", args=[document.pk])).status_code == 404

    with told():
        say(document, "Draft figures «confidential»")

    assert not Notification.objects.filter(user=nosy).exists()
    assert not any(nosy.email in message.to for message in mail.outbox)
    assert not events_for(actor_for(nosy)).filter(verb="comment.added").exists()
    page = as_user(nosy).get(reverse("clients:detail", args=[contoso().pk]))
    assert "confidential" not in page.content.decode()


def test_an_event_about_a_deleted_target_keeps_its_rule(in_demo: Any, told: Told) -> None:
    with told():
        document = internal_document()
        document_delete(actor=actor_for(mia()), document=document)

    event = ActivityEvent.objects.get(verb="document.deleted")
    assert (event.client_org_id, event.capability, event.internal) == (contoso().pk, "documents.view", True)
    victor = user("carla.admin@contoso.example")
    assert not events_for(actor_for(victor)).filter(pk=event.pk).exists()
    assert events_for(actor_for(user("olivia.owner@northwind.example"))).filter(pk=event.pk).exists()


def test_notifications_follow_a_role_change(in_demo: Any, as_user: Callable[[Any], Client], told: Told) -> None:
    frank = user("frank.finance@contoso.example")
    with told():
        say(shared_document(), "Invoice draft is up")
    assert Notification.objects.filter(user=frank, event__verb="comment.added").exists()

    Contact.objects.filter(user=frank).update(
        role=Role.objects.create(name="Overview only", slug="overview", custom_capabilities=["organisation.view"])
    )

    page = as_user(frank).get(reverse("activity:notifications"))
    assert "Invoice draft" not in page.content.decode()


def test_a_contact_of_another_client_is_never_told(in_demo: Any, told: Told) -> None:
    with told():
        say(contoso(), "Only for Contoso")

    fabrikam_people = User.objects.filter(contact__client_org__name="Fabrikam Health")
    assert not Notification.objects.filter(user__in=fabrikam_people).exists()
    assert not any(set(m.to) & set(fabrikam_people.values_list("email", flat=True)) for m in mail.outbox)


def test_running_the_fan_out_again_tells_nobody_twice(in_demo: Any, told: Told) -> None:
    with told():
        say(contoso(), "Once only")
    event = recent(ActivityEvent).get(verb="comment.added")
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
        create_client(None)
    org = ClientOrg.objects.get(name="Tailwind Traders")
    org_id = org.pk
    org.delete()

    event = recent(ActivityEvent).get(verb="client.created")
    assert (event.target_label, event.target_id, event.client_org_id) == ("Tailwind Traders", org_id, org_id)


def test_a_mentioned_person_is_told_once(in_demo: Any, told: Told) -> None:
    with told():
        comment_add(
            actor=actor_for(user("carla.admin@contoso.example")), target=contoso(),
            body="@victor.viewer@contoso.example have a look",
        )  # fmt: skip

    victor, paula = user("victor.viewer@contoso.example"), user("paula.lead@contoso.example")
    assert Notification.objects.filter(user=victor).count() == 1
    assert Notification.objects.filter(user=paula).count() == 1
    [to_victor] = [message for message in mail.outbox if message.to == [victor.email]]
    [to_paula] = [message for message in mail.outbox if message.to == [paula.email]]
    assert str(EVENT_TYPES["comment.mentioned"].label) in str(to_victor.subject)  # told as a mention
    assert str(EVENT_TYPES["comment.added"].label) in str(to_paula.subject)


def test_a_comment_that_mentions_someone_is_listed_once(
    in_demo: Any, as_user: Callable[[Any], Client], told: Told
) -> None:
    """The review's finding: a comment with a mention was two events, so every timeline (the client's page, the
    audit log) listed it twice. One comment is one event, whoever it mentions."""
    with told():
        comment_add(
            actor=actor_for(user("carla.admin@contoso.example")), target=contoso(),
            body="Listed once? @victor.viewer@contoso.example @mia.member@northwind.example",
        )  # fmt: skip

    for email in ("victor.viewer@contoso.example", "paula.lead@contoso.example", "olivia.owner@northwind.example"):
        reader = as_user(user(email))
        about_it = recent(ActivityEvent).filter(data__excerpt__startswith="Listed once?")
        assert events_for(actor_for(user(email))).filter(pk__in=about_it).count() == 1, email
        page = reader.get(reverse("clients:detail", args=[contoso().pk])).content.decode()
        assert page.count("Listed once?") == 2, email  # the thread, and the recent activity: once each
        notifications = reader.get(reverse("activity:notifications")).content.decode()
        assert notifications.count("Listed once?") == 1, email
    owner = as_user(user("olivia.owner@northwind.example"))
    assert owner.get(reverse("activity:audit_log")).content.decode().count("Listed once?") == 1
