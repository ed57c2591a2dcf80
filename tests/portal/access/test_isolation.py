"""A contact of client A gets 404 for every object of client B, by id, through every view that takes an id;
staff members reach only the clients assigned to them.

A destructive view (`portal.access.confirm.destructive`) asks before it looks the object up: without `confirmed=1`
any id, whoever's it is, gets the same confirmation page, which changes nothing and names nothing. Its check is
the confirmed POST, which reaches the view and must answer 404."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import UserSession
from portal.access.confirm import is_destructive
from portal.access.models import Invitation, Role, StaffMembership, StaffRole
from portal.access.policy import SYSTEM, actor_for
from portal.access.services import invitation_create
from portal.activity.models import Notification
from portal.activity.services import record
from portal.api.services import api_key_create
from portal.clients.models import ClientOrg, Contact
from portal.conversations.services import comment_add
from portal.documents.models import Folder
from portal.documents.services import documents_upload
from portal.engagements.services import (
    deliverable_add,
    deliverable_submit,
    deliverable_version_add,
    milestone_add,
    phase_add,
    project_save,
)
from portal.requests.services import holiday_add, routing_rule_save
from portal.webhooks.services import endpoint_create, endpoint_send_test
from tests.portal.requests.support import make_type, submit

pytestmark = pytest.mark.django_db


def id_views(*, api: bool = False) -> list[tuple[str, list[str]]]:
    """Every URL name of the portal's pages (or, with `api`, of its API: tests/portal/api) whose pattern takes an
    integer id, with its parameters."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                converters = pattern.pattern.converters
                if any(converter.regex == "[0-9]+" for converter in converters.values()):
                    found.append((f"{namespace}{pattern.name}", list(converters)))

    walk(get_resolver(settings.ROOT_URLCONF).url_patterns, "")
    return [(name, params) for name, params in found if name.startswith("api:") == api]


def test_the_portal_has_id_views_to_check() -> None:
    names = {name for name, _ in id_views()}
    assert {"clients:detail", "clients:contact", "access:resend", "access:role_edit", "access:end_session"} <= names


@pytest.fixture
def objects_of_client_b(in_demo: Any) -> dict[str, Any]:
    """One object of each kind an id can name, all belonging to Fabrikam (client B) or to the provider."""
    fabrikam = ClientOrg.objects.get(name="Fabrikam Health")
    invitation = invitation_create(
        actor=SYSTEM, email="new@fabrikam.example", client_org=fabrikam, role=Role.objects.get(slug="viewer")
    )
    hana = Contact.objects.get(user__email="hana.admin@fabrikam.example")
    hanas_browser = Client(headers={"host": "demo.localhost"})
    hanas_browser.force_login(hana.user)  # a real session, in Django's table and in Hana's list
    session = UserSession.objects.get(user=hana.user)
    custom = Role.objects.create(name="Auditor", slug="auditor", custom_capabilities=["organisation.view"])
    hana_actor = actor_for(hana.user)
    comment = comment_add(
        actor=hana_actor, target=fabrikam, body="Fabrikam only",
        files=[SimpleUploadedFile("fabrikam.txt", b"secret", content_type="text/plain")],
    )  # fmt: skip
    event = record(actor=hana_actor, verb="comment.added", target=fabrikam)
    notification = Notification.objects.create(user=hana.user, event=event)
    folder = Folder.objects.create(client_org=fabrikam, name="Fabrikam reports")
    [document] = documents_upload(
        actor=SYSTEM, folder=folder, uploads=[SimpleUploadedFile("plan.txt", b"Fabrikam plan")]
    )
    request_type = make_type()
    fabrikam_request = submit(hana.user, request_type, with_file=True)
    rule = routing_rule_save(
        actor=SYSTEM, rule=None, request_type=None, client_org=fabrikam, field_key="", value="",
        assignee=fabrikam.account_manager,
    )  # fmt: skip
    holiday = holiday_add(actor=SYSTEM, date=datetime.date(2031, 3, 5), name="Founders' day")
    fabrikam_project = project_save(actor=SYSTEM, project=None, org=fabrikam, name="Fabrikam only")
    phase = phase_add(actor=SYSTEM, project=fabrikam_project, name="Build")
    milestone = milestone_add(
        actor=SYSTEM, project=fabrikam_project, title="Go live", due_date=datetime.date(2031, 3, 5)
    )
    deliverable = deliverable_add(actor=SYSTEM, project=fabrikam_project, title="Fabrikam report")
    version = deliverable_version_add(
        actor=SYSTEM, deliverable=deliverable, upload=SimpleUploadedFile("report.txt", b"Fabrikam report")
    )
    deliverable_submit(actor=SYSTEM, deliverable=deliverable)
    api_key, _token = api_key_create(actor=SYSTEM, name="ERP", scopes=["clients:read"], all_clients=True, clients=[])
    endpoint, _secret = endpoint_create(
        actor=SYSTEM, url="https://93.184.216.34/hooks", description="ERP", event_types=["client.created"],
        all_clients=True, clients=[],
    )  # fmt: skip
    test_delivery = endpoint_send_test(actor=SYSTEM, endpoint=endpoint)  # queued after commit: never, in a test
    return {
        "api_key_id": api_key.pk,  # the provider's own business (owners and admins)
        "endpoint_id": endpoint.pk,
        "delivery_id": test_delivery.pk,
        "deliverable_id": deliverable.pk,
        "deliverable_version_id": version.pk,
        "project_id": fabrikam_project.pk,
        "phase_id": phase.pk,
        "milestone_id": milestone.pk,
        "request_id": fabrikam_request.pk,
        "file_id": fabrikam_request.files.get().pk,
        "type_id": request_type.pk,
        "rule_id": rule.pk,
        "holiday_id": holiday.pk,
        "version_id": document.versions.get().pk,
        "document_id": document.pk,
        "type_code": "client",
        "target_id": fabrikam.pk,
        "attachment_id": comment.attachments.get().pk,
        "notification_id": notification.pk,
        "org_id": fabrikam.pk,
        "contact_id": hana.pk,
        "invitation_id": invitation.pk,
        "role_id": custom.pk,
        "membership_id": StaffMembership.objects.get(role=StaffRole.OWNER).pk,
        "session_id": session.public_id,
        "page": 1,  # a page of a document's preview (documents:page_image)
    }


@pytest.mark.parametrize(("url_name", "params"), id_views())
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_contact_of_client_a_gets_404_for_every_object_of_client_b(
    as_user: Callable[[Any], Client], objects_of_client_b: dict[str, Any], url_name: str, params: list[str], method: str
) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example").user  # client admin: every capability
    url = reverse(url_name, kwargs={param: objects_of_client_b[param] for param in params})

    destructive = is_destructive(resolve(url).func)
    data = {"confirmed": "1"} if destructive and method == "post" else {}

    response = getattr(as_user(carla), method)(url, data)

    if method == "get" and response.status_code == 405:  # a POST-only action: the POST case is the check
        assert "GET" not in response["Allow"]
        return
    if method == "get" and destructive:  # its guard refuses, or it only asks (the same page for any id)
        assert response.status_code in (200, 404), url
        assert Invitation.objects.filter(email="new@fabrikam.example", revoked_at__isnull=True).exists()
        return
    assert response.status_code == 404, url
    assert Invitation.objects.filter(email="new@fabrikam.example", revoked_at__isnull=True).exists()


def test_own_organisation_with_another_clients_contact_id_is_404(
    as_user: Callable[[Any], Client], objects_of_client_b: dict[str, Any]
) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    url = reverse(
        "clients:contact", kwargs={"org_id": carla.client_org_id, "contact_id": objects_of_client_b["contact_id"]}
    )

    assert as_user(carla.user).get(url).status_code == 404


def test_a_contact_sees_own_organisation_and_not_its_internal_notes(as_user: Callable[[Any], Client]) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    ClientOrg.objects.filter(pk=carla.client_org_id).update(notes="Renewal at risk: keep an eye")

    page = as_user(carla.user).get(reverse("clients:detail", kwargs={"org_id": carla.client_org_id}))

    assert page.status_code == 200
    assert b"Renewal at risk" not in page.content
    assert b"Internal notes" not in page.content


def test_staff_members_reach_only_their_assigned_clients(as_user: Callable[[Any], Client]) -> None:
    mia = StaffMembership.objects.get(user__email="mia.member@northwind.example").user  # manages Contoso
    contoso, fabrikam = ClientOrg.objects.get(name="Contoso Retail"), ClientOrg.objects.get(name="Fabrikam Health")
    client = as_user(mia)

    listing = client.get(reverse("clients:list"))
    assert [org.name for org in listing.context["orgs"]] == ["Contoso Retail"]
    assert client.get(reverse("clients:detail", kwargs={"org_id": contoso.pk})).status_code == 200
    assert client.get(reverse("clients:detail", kwargs={"org_id": fabrikam.pk})).status_code == 404

    fabrikam.team.add(mia)
    assert client.get(reverse("clients:detail", kwargs={"org_id": fabrikam.pk})).status_code == 200


def test_owners_and_admins_reach_every_client(as_user: Callable[[Any], Client]) -> None:
    for email in ("olivia.owner@northwind.example", "adam.admin@northwind.example"):
        listing = as_user(StaffMembership.objects.get(user__email=email).user).get(reverse("clients:list"))
        assert [org.name for org in listing.context["orgs"]] == [
            "Contoso Retail",
            "Fabrikam Health",
            "Litware Logistics",
        ]


def test_an_archived_clients_contacts_lose_access(as_user: Callable[[Any], Client]) -> None:
    carla = Contact.objects.get(user__email="carla.admin@contoso.example")
    owner = as_user(StaffMembership.objects.get(role=StaffRole.OWNER).user)
    owner.post(reverse("clients:archive", kwargs={"org_id": carla.client_org_id}), {"confirmed": "1"})

    assert as_user(carla.user).get(reverse("clients:detail", kwargs={"org_id": carla.client_org_id})).status_code == 404
    assert owner.get(reverse("clients:detail", kwargs={"org_id": carla.client_org_id})).status_code == 200
