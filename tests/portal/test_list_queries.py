"""Every list page of the portal runs the same SQL statements whatever the number of rows it shows (issue 14): each
page is rendered with a few rows and with many, after a warm-up request each time (routes, the schema check and
content types are per-process caches), and the two renders must run the same number of statements. The rows are
made through the services, with what the page reads of each (versions with thumbnails and uploaders, comments
with authors and attachments, events with actors, contacts with roles, invitations, ...). The navigation's
per-request statements are the same in both renders, so they cancel out.

The list pages of `config.urls_tenant`, each covered below:
  clients:list (current and archived), clients:detail (contacts, invitations, comments, recent activity),
  clients:contacts, clients:activity, documents:list, documents:detail (versions, comments),
  activity:notifications (page and htmx list), activity:audit_log (page and CSV), access:team, access:roles,
  access:profile (sessions), dashboard:home ("what needs you", recent activity), dashboard:search,
  conversations:mentions (the mention picker's people), activity:preferences (one choice per event type),
  account_email (a person's addresses) and mfa_list_webauthn (their passkeys), requests:list (mine and all),
  requests:queue, requests:figures, requests:detail (answers, history, comments), requests:types,
  requests:routing and requests:settings (holidays), engagements:projects, engagements:project (phases,
  milestones, time, comments, the requests about it), engagements:time, engagements:approvals and
  engagements:deliverable (versions, decisions, comments), webhooks:list (endpoints with their clients and
  counts of deliveries) and webhooks:detail (the delivery log with its attempts, page and htmx part).
Not lists: the forms (clients:create/edit, clients:invite, clients:contact, access:staff_member, access:role_*,
access:security, branding:settings, requests:new/submit/type_new/type_edit, engagements:project_new/edit; their
choices come from one query each), single objects and files (downloads, thumbnails, page images, attachments),
POST-only actions (their htmx answers render the lists above: conversations:add the thread, activity:read the
notification list, the engagement forms their project page), the invitation, sign-in, MFA and unsubscribe pages,
the icons and the style guide (sample data, development only)."""

import datetime
import difflib
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import count
from typing import Any, cast

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.models import User
from portal.access.models import Role, StaffRole
from portal.access.policy import actor_for
from portal.access.services import invitation_create, person_deactivate, role_save
from portal.activity.services import preferences_save
from portal.clients.models import ClientOrg
from portal.conversations.services import comment_add
from portal.documents.models import Document, Folder
from portal.documents.services import document_download_record, documents_upload, folder_create
from portal.engagements.services import (
    Entry,
    deliverable_add,
    deliverable_decide,
    deliverable_submit,
    deliverable_version_add,
    milestone_add,
    phase_add,
    phase_start,
    project_save,
    time_entries_add,
)
from portal.organisations.services import client_org_archive
from portal.requests.models import RequestType
from portal.requests.services import holiday_add, request_change_status, request_rate, routing_rule_save
from portal.webhooks import delivery, transport
from portal.webhooks.models import WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import endpoint_create, endpoint_send_test
from tests.portal.conftest import HOST
from tests.portal.factories import ClientOrgFactory, ContactFactory, StaffFactory, make_user
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db

FEW, MANY = 3, 15
OWNER = "olivia.owner@northwind.example"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SignIn = Callable[[Any], Client]
Told = Callable[[], Any]
_serial = count(1)


def serial() -> int:
    """A number no other row of this test run has (names and addresses stay unique)."""
    return next(_serial)


def png(seed: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (seed * 37 % 256, 90, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def person(first: str, domain: str) -> User:
    n = serial()
    return cast(User, make_user(f"{first.lower()}{n}@{domain}", full_name=f"{first} Example{n}"))


def staff(role: str = StaffRole.MEMBER) -> User:
    return cast(User, StaffFactory(user=person("Sam", "provider.test"), role=role).user)


def contact(org: ClientOrg, role: str = "viewer", first: str = "Casey") -> User:
    return cast(User, ContactFactory(user=person(first, "tailspin.test"), client_org=org, role=role_of(role)).user)


def role_of(slug: str) -> Role:
    return Role.objects.get(slug=slug)


@dataclass
class World:
    """A client of its own, so the demo's history stays out of the lists: its account manager (a member of staff,
    who reaches only their clients), a colleague on its team, a client admin (every capability) and a viewer, a
    shared and an internal folder, and one document with a version."""

    org: ClientOrg
    manager: User
    colleague: User
    lead: User
    viewer: User
    shared: Folder
    internal: Folder
    document: Document


@pytest.fixture(autouse=True)
def every_request_renders(settings: Any) -> None:
    """What is measured is the render: a page kept from the warm-up (`portal.access.pages`) would hide it."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def world(in_demo: Any, told: Told) -> World:
    manager, colleague = staff(), staff()
    org = cast(ClientOrg, ClientOrgFactory(name="Tailspin Toys", account_manager=manager))
    org.team.add(colleague)
    lead, viewer = contact(org, "client-admin", "Lee"), contact(org, "viewer", "Vic")
    shared = folder_create(actor=actor_for(manager), org=org, name="Reports", internal=False)
    internal = folder_create(actor=actor_for(manager), org=org, name="Working papers", internal=True)
    with told():
        [document] = documents_upload(
            actor=actor_for(manager), folder=shared, uploads=[SimpleUploadedFile("Annual plan.png", png(0))]
        )
    return World(org, manager, colleague, lead, viewer, shared, internal, document)


# --- measuring --------------------------------------------------------------------------------------------------


@dataclass
class Render:
    statements: list[str]
    response: Any


def render(
    client: Client, url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None
) -> Render:
    """The page's statements, after a warm-up request (per-process caches fill on the first one)."""
    assert client.get(url, data, headers=headers).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data, headers=headers)
    assert response.status_code == 200
    return Render([query["sql"] for query in captured.captured_queries], response)


def shape(sql: str) -> str:
    """A statement without its numbers, so a diff shows the statements that differ, not the ids."""
    return re.sub(r"\d+", "N", sql)


def assert_flat(
    client: Client,
    url: str,
    grow: Callable[[int], object],
    rows: Callable[[Any], int],
    data: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """`grow(FEW)`, render; `grow(MANY - FEW)` more, render again: more rows shown, the same statements run."""
    grow(FEW)
    few = render(client, url, data, headers)
    grow(MANY - FEW)
    many = render(client, url, data, headers)

    assert rows(few.response) < rows(many.response), "the larger render must show more rows"
    extra = "\n".join(
        difflib.unified_diff([shape(s) for s in few.statements], [shape(s) for s in many.statements], lineterm="")
    )
    assert len(many.statements) == len(few.statements), f"statements that grew with the rows:\n{extra}"


def html(response: Any) -> str:
    return str(response.content.decode())


# --- rows, made as people make them ---------------------------------------------------------------------------


def publish(world: World, told: Told, n: int) -> None:
    """`n` documents: images (with a thumbnail, made by the task after commit) and PDFs, by either member of
    staff, one in three in the internal folder and one in three with a second version by the other one."""
    people = [world.manager, world.colleague]
    with told():
        for i in range(n):
            k = serial()
            by, other = people[i % 2], people[(i + 1) % 2]
            folder = world.internal if i % 3 == 2 else world.shared
            upload = (
                SimpleUploadedFile(f"Chart {k}.png", png(k))
                if i % 2 == 0
                else SimpleUploadedFile(f"Report {k}.pdf", PDF)
            )
            [document] = documents_upload(actor=actor_for(by), folder=folder, uploads=[upload], category="report")
            if i % 3 == 0:
                documents_upload(
                    actor=actor_for(other), folder=folder, document=document,
                    uploads=[SimpleUploadedFile(f"Chart {k} v2.png", png(k + 1))],
                )  # fmt: skip


def discuss(world: World, told: Told, target: Any, n: int) -> None:
    """`n` comments on `target`: by the client admin and both members of staff, every other one with a file
    attached, some mentioning someone, some internal notes (staff only)."""
    authors = [world.lead, world.manager, world.colleague]
    with told():
        for i in range(n):
            author = authors[i % 3]
            body = f"Point {serial()}: see the figures" + (f" @{world.viewer.email}" if i % 4 == 1 else "")
            files = [SimpleUploadedFile(f"figures-{i}.pdf", PDF)] if i % 2 == 0 else []
            if i % 2 == 1:
                files.append(SimpleUploadedFile(f"photo-{i}.png", png(i)))
            comment_add(
                actor=actor_for(author), target=target, body=body, files=files,
                internal=author != world.lead and i % 5 == 2,
            )  # fmt: skip


def invite(world: World, n: int, *, by: User | None = None) -> None:
    roles = ["viewer", "finance", "project-lead"]
    for i in range(n):
        k = serial()
        invitation_create(
            actor=actor_for(by or world.manager), email=f"invitee{k}@tailspin.test", full_name=f"Invitee {k}",
            client_org=world.org, role=role_of(roles[i % 3]),
        )  # fmt: skip


def client_people(world: World, n: int) -> None:
    """`n` contacts with their roles (one in four deactivated) and `n` pending invitations."""
    roles = ["viewer", "finance", "project-lead", "client-admin"]
    for i in range(n):
        user = contact(world.org, roles[i % 4])
        if i % 4 == 3:
            person_deactivate(actor=actor_for(world.manager), user=user)
    invite(world, n)


def news(world: World, told: Told, n: int) -> None:
    """`n` pieces of news about the client, each of another kind of target, by the colleague: a document published
    (a document), a comment mentioning the client admin and the manager (the client), an invitation (an
    invitation)."""
    colleague = actor_for(world.colleague)
    with told():
        for i in range(n):
            kind = i % 3
            if kind == 0:
                documents_upload(
                    actor=colleague, folder=world.shared, uploads=[SimpleUploadedFile(f"News {serial()}.png", png(i))]
                )
            elif kind == 1:
                body = f"Update {serial()} for @{world.lead.email} and @{world.manager.email}"
                comment_add(actor=colleague, target=world.org, body=body, files=[SimpleUploadedFile("a.pdf", PDF)])
            else:
                invite(world, 1, by=world.colleague)


# --- the client pages -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("archived", [False, True], ids=["current", "archived"])
def test_the_clients_list_reads_managers_and_head_counts_without_a_statement_per_client(
    world: World, as_user: SignIn, archived: bool
) -> None:
    owner = actor_for(User.objects.get(email=OWNER))

    def grow(n: int) -> None:
        for i in range(n):
            mine = i % 2 == 0  # half managed by them, half where they are on the team
            org = cast(
                ClientOrg,
                ClientOrgFactory(name=f"Client {serial()}", account_manager=world.manager if mine else world.colleague),
            )
            if not mine:
                org.team.add(world.manager)
            contact(org, "client-admin")
            contact(org, "viewer")
            if archived:
                client_org_archive(actor=owner, org=org)

    url = reverse("clients:list")
    assert_flat(
        as_user(world.manager), url, grow, lambda r: len(r.context["orgs"]), {"archived": "1"} if archived else None
    )


def test_a_clients_overview_lists_people_invitations_comments_and_activity_in_fixed_statements(
    world: World, as_user: SignIn, told: Told
) -> None:
    def grow(n: int) -> None:
        client_people(world, n)
        discuss(world, told, world.org, n)

    def rows(response: Any) -> int:
        context = response.context
        return len(context["contacts"]) + len(context["invitations"]) + len(context["thread"])

    assert_flat(as_user(world.manager), reverse("clients:detail", kwargs={"org_id": world.org.pk}), grow, rows)


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_a_clients_people_and_invitations_list_without_a_statement_per_person(
    world: World, as_user: SignIn, who: str
) -> None:
    def rows(response: Any) -> int:
        return len(response.context["contacts"]) + len(response.context["invitations"])

    url = reverse("clients:contacts", kwargs={"org_id": world.org.pk})
    assert_flat(as_user(getattr(world, who)), url, lambda n: client_people(world, n), rows)


def test_a_clients_activity_page_lists_events_without_a_statement_per_event(
    world: World, as_user: SignIn, told: Told
) -> None:
    url = reverse("clients:activity", kwargs={"org_id": world.org.pk})
    assert_flat(as_user(world.manager), url, lambda n: news(world, told, n), lambda r: len(r.context["timeline"]))


# --- documents --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_the_documents_list_reads_versions_thumbnails_and_folders_without_a_statement_per_document(
    world: World, as_user: SignIn, told: Told, who: str
) -> None:
    url = reverse("documents:list", kwargs={"org_id": world.org.pk})
    client = as_user(getattr(world, who))

    assert_flat(client, url, lambda n: publish(world, told, n), lambda r: len(r.context["documents"]))
    assert 'class="thumbnail"' in html(client.get(url))


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_a_documents_page_lists_versions_and_comments_without_a_statement_per_row(
    world: World, as_user: SignIn, told: Told, who: str
) -> None:
    staff_actors = [actor_for(world.manager), actor_for(world.colleague)]

    def grow(n: int) -> None:
        with told():
            for i in range(n):
                documents_upload(
                    actor=staff_actors[i % 2], folder=world.shared, document=world.document,
                    uploads=[SimpleUploadedFile(f"Annual plan v{serial()}.png", png(i))],
                )  # fmt: skip
        discuss(world, told, world.document, n)

    def rows(response: Any) -> int:
        return len(response.context["versions"]) + len(response.context["thread"])

    url = reverse("documents:detail", kwargs={"document_id": world.document.pk})
    assert_flat(as_user(getattr(world, who)), url, grow, rows)


# --- notifications and the history ------------------------------------------------------------------------------


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
@pytest.mark.parametrize("who", ["manager", "lead"])
def test_the_notification_centre_links_each_item_without_a_statement_per_notification(
    world: World, as_user: SignIn, told: Told, who: str, htmx: bool
) -> None:
    client = as_user(getattr(world, who))
    assert_flat(
        client, reverse("activity:notifications"), lambda n: news(world, told, n), lambda r: len(r.context["items"]),
        headers={"HX-Request": "true"} if htmx else None,
    )  # fmt: skip


def audit_rows(world: World, told: Told, n: int) -> None:
    """News, and what only the audit log shows: downloads (by the client admin)."""
    news(world, told, n)
    version = world.document.versions.first()
    assert version is not None
    for _ in range(n):
        document_download_record(actor=actor_for(world.lead), version=version, inline=False)


def test_the_audit_log_lists_events_without_a_statement_per_event(world: World, as_user: SignIn, told: Told) -> None:
    assert_flat(
        as_user(world.manager), reverse("activity:audit_log"), lambda n: audit_rows(world, told, n),
        lambda r: len(r.context["events"]),
    )  # fmt: skip


def test_the_audit_logs_csv_export_writes_every_event_without_a_statement_per_event(
    world: World, as_user: SignIn, told: Told
) -> None:
    assert_flat(
        as_user(world.manager), reverse("activity:audit_log"), lambda n: audit_rows(world, told, n),
        lambda r: len(r.content.decode().splitlines()), {"format": "csv"},
    )  # fmt: skip


def test_notification_preferences_read_the_persons_choices_in_one_statement(world: World, as_user: SignIn) -> None:
    preferences_save(
        actor=actor_for(world.lead), frequencies={"comment.added": "digest", "document.published": "in_app"}
    )

    page = render(as_user(world.lead), reverse("activity:preferences"))

    reads = [sql for sql in page.statements if "activity_notificationpreference" in sql]
    assert len(reads) == 1
    assert len(page.response.context["form"].fields) > 2


# --- the portal's people ----------------------------------------------------------------------------------------


def test_the_team_lists_staff_and_invitations_without_a_statement_per_person(world: World, as_user: SignIn) -> None:
    owner = User.objects.get(email=OWNER)

    def grow(n: int) -> None:
        for i in range(n):
            member = staff(StaffRole.ADMIN if i % 3 == 0 else StaffRole.MEMBER)
            if i % 4 == 3:
                person_deactivate(actor=actor_for(owner), user=member)
            k = serial()
            invitation_create(
                actor=actor_for(owner), email=f"newstaff{k}@provider.test", full_name=f"New Staff {k}",
                staff_role=StaffRole.MEMBER,
            )  # fmt: skip

    def rows(response: Any) -> int:
        return len(response.context["members"]) + len(response.context["invitations"])

    assert_flat(as_user(owner), reverse("access:team"), grow, rows)


def test_the_roles_page_lists_roles_and_their_capabilities_without_a_statement_per_role(
    world: World, as_user: SignIn
) -> None:
    owner = User.objects.get(email=OWNER)
    choices = [["organisation.view"], ["organisation.view", "documents.view"], ["contacts.view", "comments.create"]]

    def grow(n: int) -> None:
        for i in range(n):
            role_save(actor=actor_for(owner), role=None, name=f"Custom role {serial()}", capabilities=choices[i % 3])

    assert_flat(as_user(owner), reverse("access:roles"), grow, lambda r: len(r.context["roles"]))


def test_the_profile_lists_the_persons_sessions_without_a_statement_per_session(world: World, as_user: SignIn) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            Client(headers={"host": HOST}).force_login(world.lead)

    assert_flat(as_user(world.lead), reverse("access:profile"), grow, lambda r: len(r.context["sessions"]))


def test_the_email_page_lists_addresses_without_a_statement_per_address(world: World, as_user: SignIn) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            EmailAddress.objects.create(user=world.lead, email=f"lee{serial()}@tailspin.test", verified=i % 2 == 0)

    assert_flat(as_user(world.lead), reverse("account_email"), grow, lambda r: len(r.context["emailaddresses"]))


def test_the_passkeys_page_lists_keys_without_a_statement_per_key(world: World, as_user: SignIn) -> None:
    def grow(n: int) -> None:
        for i in range(n):
            Authenticator.objects.create(
                user=world.lead, type=Authenticator.Type.WEBAUTHN,
                data={"name": f"Key {serial()}", "passwordless": i % 2 == 0},
            )  # fmt: skip

    assert_flat(as_user(world.lead), reverse("mfa_list_webauthn"), grow, lambda r: len(r.context["authenticators"]))


# --- home, search, mentions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_home_lists_what_needs_the_person_and_recent_activity_without_a_statement_per_item(
    world: World, as_user: SignIn, told: Told, who: str
) -> None:
    second = cast(ClientOrg, ClientOrgFactory(name="Tailspin Labs", account_manager=world.manager))
    second.team.add(world.colleague)
    labs = folder_create(actor=actor_for(world.manager), org=second, name="Reports", internal=False)

    def grow(n: int) -> None:
        news(world, told, n)
        with told():  # news of a second client too, for staff (each item says which client)
            for _ in range(n):
                documents_upload(
                    actor=actor_for(world.colleague), folder=labs,
                    uploads=[SimpleUploadedFile(f"Lab notes {serial()}.pdf", PDF)],
                )  # fmt: skip

    def rows(response: Any) -> int:
        context = response.context
        return len(context["activity"]) + sum(need.count for need in context["needs"])

    assert_flat(as_user(getattr(world, who)), reverse("dashboard:home"), grow, rows)


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_search_results_list_clients_people_and_documents_without_a_statement_per_hit(
    world: World, as_user: SignIn, told: Told, who: str
) -> None:
    def grow(n: int) -> None:
        with told():
            for _ in range(n):
                k = serial()
                org = cast(ClientOrg, ClientOrgFactory(name=f"Tailspin {k}", account_manager=world.manager))
                ContactFactory(
                    user=make_user(f"tailspin.contact{k}@client.test", full_name=f"Tailspin Contact {k}"),
                    client_org=org, role=role_of("finance"),
                )  # fmt: skip
                ContactFactory(
                    user=make_user(f"tailspin.colleague{k}@tailspin.test", full_name=f"Tailspin Colleague {k}"),
                    client_org=world.org, role=role_of("viewer"),
                )  # fmt: skip
                folder = folder_create(actor=actor_for(world.manager), org=org, name="Reports", internal=False)
                for where in (folder, world.shared):
                    documents_upload(
                        actor=actor_for(world.manager), folder=where,
                        uploads=[SimpleUploadedFile(f"Tailspin report {k}.pdf", PDF)],
                    )  # fmt: skip

    def rows(response: Any) -> int:
        return sum(len(group.hits) for group in response.context["groups"])

    assert_flat(as_user(getattr(world, who)), reverse("dashboard:search"), grow, rows, {"q": "Tailspin"})


def test_the_mention_picker_suggests_people_without_a_statement_per_person(world: World, as_user: SignIn) -> None:
    def grow(n: int) -> None:
        roles = ["viewer", "finance", "project-lead"]
        for i in range(n):
            contact(world.org, roles[i % 3])

    url = reverse("conversations:mentions", kwargs={"type_code": "client", "target_id": world.org.pk})
    people = as_user(world.manager)
    assert_flat(people, url, grow, lambda r: len(json.loads(r.content)["people"]), {"q": "Casey"})


# --- requests ---------------------------------------------------------------------------------------------------


def requests_sent(world: World, told: Told, n: int, project: Any = None) -> None:
    """`n` requests of the client, by the client admin and the viewer's colleague, through the form, in each status,
    assigned, some with a file, some rated (about `project` when given)."""
    request_type = RequestType.objects.filter(name="List type").first() or make_type("List type")
    with told():
        for i in range(n):
            sent = submit(
                world.lead, request_type, subject=f"Request {serial()}", with_file=i % 2 == 0, project=project
            )
            staff_actor = actor_for(world.manager)
            if i % 4 >= 1:
                request_change_status(actor=staff_actor, request=sent, to_status="in_progress")
            if i % 4 >= 2:
                request_change_status(actor=staff_actor, request=sent, to_status="resolved")
            if i % 4 == 3:
                request_rate(actor=actor_for(world.lead), request=sent, score=4)


@pytest.mark.parametrize("whose", ["", "all"])
def test_a_contacts_requests_list_without_a_statement_per_request(
    world: World, as_user: SignIn, told: Told, whose: str
) -> None:
    url = reverse("requests:list", kwargs={"org_id": world.org.pk})
    client = as_user(world.lead)

    assert_flat(client, url, lambda n: requests_sent(world, told, n), lambda r: len(r.context["requests"]),
                data={"whose": whose} if whose else None)  # fmt: skip


def test_the_staff_queue_lists_requests_without_a_statement_per_request(
    world: World, as_user: SignIn, told: Told
) -> None:
    url = reverse("requests:queue")
    client = as_user(world.manager)

    assert_flat(client, url, lambda n: requests_sent(world, told, n), lambda r: len(r.context["requests"]),
                data={"status": "", "client": str(world.org.pk)})  # fmt: skip


def test_the_service_figures_group_in_fixed_statements(world: World, as_user: SignIn, told: Told) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            make_type(f"Figures type {serial()}")
        requests_sent(world, told, n)
        for request_type in RequestType.objects.filter(name__startswith="Figures type"):
            submit(world.lead, request_type, subject=f"Figures {serial()}")

    client = as_user(User.objects.get(email=OWNER))
    assert_flat(
        client, reverse("requests:figures"), grow, lambda r: len(r.context["by_type"]) + len(r.context["csat_type"])
    )


def test_the_request_types_list_without_a_statement_per_type(world: World, as_user: SignIn) -> None:
    client = as_user(User.objects.get(email=OWNER))

    def grow(n: int) -> None:
        for _ in range(n):
            make_type(f"Type {serial()}", default_assignee=world.manager, assign_to="person")

    assert_flat(client, reverse("requests:types"), grow, lambda r: len(r.context["types"]))


def test_routing_rules_and_holidays_list_without_a_statement_per_row(world: World, as_user: SignIn) -> None:
    client = as_user(User.objects.get(email=OWNER))
    owner = actor_for(User.objects.get(email=OWNER))

    def rules(n: int) -> None:
        for _ in range(n):
            routing_rule_save(
                actor=owner, rule=None, request_type=make_type(f"Routed {serial()}"), client_org=world.org,
                field_key="impact", value="High", assignee=world.manager,
            )  # fmt: skip

    def holidays(n: int) -> None:
        start = datetime.date(2031, 1, 1) + datetime.timedelta(days=serial() * 40)
        for i in range(n):
            holiday_add(actor=owner, date=start + datetime.timedelta(days=i), name=f"Day off {i}")

    assert_flat(client, reverse("requests:routing"), rules, lambda r: len(r.context["rules"]))
    assert_flat(client, reverse("requests:settings"), holidays, lambda r: len(r.context["holidays"]))


def test_a_requests_page_lists_answers_history_and_comments_without_a_statement_per_row(
    world: World, as_user: SignIn, told: Told
) -> None:
    sent = submit(world.lead, make_type(f"Detailed {serial()}"), with_file=True)
    url = reverse("requests:detail", kwargs={"request_id": sent.pk})
    client = as_user(world.manager)
    staff_actor = actor_for(world.manager)

    def grow(n: int) -> None:
        discuss(world, told, sent, n)
        for _ in range(n):  # back and forth: each move is a row of the history
            request_change_status(actor=staff_actor, request=sent, to_status="waiting_on_client")
            request_change_status(actor=staff_actor, request=sent, to_status="in_progress")

    assert_flat(client, url, grow, lambda r: len(r.context["thread"]) + len(r.context["changes"]))


# --- engagements ------------------------------------------------------------------------------------------------


def projects_run(world: World, n: int) -> None:
    """`n` projects of the client, each with phases (one current), milestones and time logged by both staff."""
    staff_actor = actor_for(world.manager)
    for _ in range(n):
        project = project_save(
            actor=staff_actor, project=None, org=world.org, name=f"Project {serial()}", budget_hours=Decimal(40)
        )
        phase_start(actor=staff_actor, phase=phase_add(actor=staff_actor, project=project, name="Build"))
        milestone_add(actor=staff_actor, project=project, title="Pilot", due_date=datetime.date(2026, 1, 5))
        log_time(world, project, 2)


def log_time(world: World, project: Any, n: int) -> None:
    entries = [
        Entry(person=[world.manager, world.colleague][i % 2], date=datetime.date(2026, 1, 1 + i % 28), hours=Decimal(2))
        for i in range(n)
    ]
    time_entries_add(actor=actor_for(world.manager), project=project, entries=entries)


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_a_clients_projects_list_reads_phases_and_hours_without_a_statement_per_project(
    world: World, as_user: SignIn, who: str
) -> None:
    url = reverse("engagements:projects", kwargs={"org_id": world.org.pk})

    assert_flat(as_user(getattr(world, who)), url, lambda n: projects_run(world, n), lambda r: len(r.context["rows"]))


@pytest.mark.parametrize("who", ["manager", "lead"])
def test_a_projects_page_lists_phases_milestones_time_comments_and_requests_without_a_statement_per_row(
    world: World, as_user: SignIn, told: Told, who: str
) -> None:
    staff_actor = actor_for(world.manager)
    project = project_save(actor=staff_actor, project=None, org=world.org, name=f"Detailed {serial()}")
    url = reverse("engagements:project", kwargs={"project_id": project.pk})

    def grow(n: int) -> None:
        for _ in range(n):
            phase_add(actor=staff_actor, project=project, name=f"Phase {serial()}")
            milestone_add(
                actor=staff_actor, project=project, title=f"Milestone {serial()}", due_date=datetime.date(2026, 2, 1)
            )
        log_time(world, project, n)
        discuss(world, told, project, n)
        requests_sent(world, told, n, project=project)

    def rows(response: Any) -> int:
        context = response.context
        [requests] = [panel.context["project_requests"] for panel in context["sections"] if panel.key == "requests"]
        return len(context["phases"]) + len(context["milestones"]) + len(context["thread"]) + len(requests)

    assert_flat(as_user(getattr(world, who)), url, grow, rows)


def test_the_hours_page_lists_entries_and_budgets_without_a_statement_per_row(world: World, as_user: SignIn) -> None:
    url = reverse("engagements:time", kwargs={"org_id": world.org.pk})

    assert_flat(as_user(world.lead), url, lambda n: projects_run(world, n), lambda r: len(r.context["entries"]))


def deliverables_submitted(world: World, project: Any, n: int) -> None:
    staff_actor = actor_for(world.manager)
    for _ in range(n):
        deliverable = deliverable_add(actor=staff_actor, project=project, title=f"Deliverable {serial()}")
        upload = SimpleUploadedFile(f"d{serial()}.pdf", PDF)
        deliverable_version_add(actor=staff_actor, deliverable=deliverable, upload=upload)
        deliverable_submit(actor=staff_actor, deliverable=deliverable)


def test_approvals_list_deliverables_without_a_statement_per_deliverable(world: World, as_user: SignIn) -> None:
    project = project_save(actor=actor_for(world.manager), project=None, org=world.org, name=f"Approvals {serial()}")
    url = reverse("engagements:approvals", kwargs={"org_id": world.org.pk})

    assert_flat(
        as_user(world.lead), url, lambda n: deliverables_submitted(world, project, n),
        lambda r: len(r.context["deliverables"]),
    )  # fmt: skip


def test_a_deliverables_page_lists_versions_decisions_and_comments_without_a_statement_per_row(
    world: World, as_user: SignIn, told: Told
) -> None:
    staff_actor = actor_for(world.manager)
    project = project_save(actor=staff_actor, project=None, org=world.org, name=f"Decided {serial()}")
    deliverable = deliverable_add(actor=staff_actor, project=project, title="Report")
    url = reverse("engagements:deliverable", kwargs={"deliverable_id": deliverable.pk})

    def grow(n: int) -> None:
        for _ in range(n):  # a version, submitted, changes requested: a row in each list
            upload = SimpleUploadedFile(f"r{serial()}.pdf", PDF)
            deliverable_version_add(actor=staff_actor, deliverable=deliverable, upload=upload)
            submitted = deliverable_submit(actor=staff_actor, deliverable=deliverable)
            latest = submitted.versions.order_by("-number").first()
            assert latest is not None
            deliverable_decide(
                actor=actor_for(world.lead), deliverable=submitted, version_id=latest.pk,
                outcome="changes_requested", comment="Shorter",
            )  # fmt: skip
        deliverable.refresh_from_db()  # submitted once: no longer a staff-only draft
        discuss(world, told, deliverable, n)

    def rows(response: Any) -> int:
        return len(response.context["versions"]) + len(response.context["decisions"]) + len(response.context["thread"])

    assert_flat(as_user(world.manager), url, grow, rows)


# --- webhooks ---------------------------------------------------------------------------------------------------


@pytest.fixture
def receiver(settings: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Endpoints on this machine accepted (an IP literal: no DNS lookup), and a receiver that answers each attempt
    with the next status of the returned list (refilled by the test) instead of the network."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    statuses: list[int] = []

    def answer(url: str, body: bytes, headers: Any, **options: Any) -> transport.Answer:
        status = statuses.pop(0)
        return transport.Answer(status=status, body_excerpt=f"answer {status}", duration_ms=12)

    monkeypatch.setattr(transport, "send", answer)
    return statuses


def endpoint_added(owner: User, clients: list[ClientOrg]) -> WebhookEndpoint:
    """An endpoint added on the page: every client, or the ones given."""
    endpoint, _secret = endpoint_create(
        actor=actor_for(owner), url=f"http://127.0.0.1:9/hook/{serial()}", description=f"System {serial()}",
        event_types=["comment.added", "document.published"], all_clients=not clients, clients=clients,
    )  # fmt: skip
    return endpoint


def deliveries_tried(owner: User, endpoint: WebhookEndpoint, receiver: list[int], n: int) -> None:
    """`n` test events sent to `endpoint` and tried by the sender: delivered on the second attempt, still failing
    after two (waiting for the next), or given up after two."""
    for i in range(n):
        test = endpoint_send_test(actor=actor_for(owner), endpoint=endpoint)
        kind = i % 3
        receiver.extend([503, 200 if kind == 0 else 503])
        assert delivery.attempt(test.pk) is False
        WebhookDelivery.objects.filter(pk=test.pk).update(next_attempt_at=timezone.now())  # due again
        with override_settings(WEBHOOK_RETRY_FOR_SECONDS=0 if kind == 2 else 3 * 24 * 60 * 60):
            delivery.attempt(test.pk)


def test_the_webhooks_list_reads_clients_and_delivery_counts_without_a_statement_per_endpoint(
    in_demo: Any, as_user: SignIn, receiver: list[int]
) -> None:
    owner = User.objects.get(email=OWNER)
    chosen = list(ClientOrg.objects.filter(name__in=["Contoso Retail", "Fabrikam Health"]))

    def grow(n: int) -> None:
        for i in range(n):
            endpoint = endpoint_added(owner, chosen if i % 2 else [])
            deliveries_tried(owner, endpoint, receiver, 3)

    assert_flat(as_user(owner), reverse("webhooks:list"), grow, lambda r: len(r.context["endpoints"]))


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_an_endpoints_delivery_log_lists_deliveries_and_attempts_without_a_statement_per_row(
    in_demo: Any, as_user: SignIn, receiver: list[int], htmx: bool
) -> None:
    owner = User.objects.get(email=OWNER)
    endpoint = endpoint_added(owner, list(ClientOrg.objects.filter(name="Contoso Retail")))
    url = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})

    assert_flat(
        as_user(owner), url, lambda n: deliveries_tried(owner, endpoint, receiver, n), lambda r: len(r.context["log"]),
        headers={"HX-Request": "true", "HX-Target": "delivery-log"} if htmx else None,
    )  # fmt: skip
    tried = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert set(tried.values_list("status", flat=True)) == {"succeeded", "pending", "failed"}
    assert set(tried.values_list("attempts", flat=True)) == {2}
