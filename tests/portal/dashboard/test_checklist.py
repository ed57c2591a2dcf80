"""The onboarding checklist: every step is real (checked against the portal's data, linking to where to do it),
and it leaves the home page once everything is done."""

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from portal.access.models import Invitation, InvitationKind, Role
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg, Contact
from portal.dashboard.checklist import checklist_for
from portal.documents.models import Folder
from portal.documents.services import documents_upload
from tenants.models import Tenant
from tests.conftest import OTHER_HOST, SHARED_EMAIL
from tests.portal.factories import ClientOrgFactory, ContactFactory

pytestmark = pytest.mark.django_db


def new_org(**fields: Any) -> ClientOrg:
    return cast(ClientOrg, ClientOrgFactory(**fields))


def new_contact(**fields: Any) -> Contact:
    return cast(Contact, ContactFactory(**fields))


@pytest.fixture
def fresh(other: Tenant) -> Iterator[Tenant]:
    """A portal just signed up for: its owner, no client, no document."""
    with tenant_context(other):
        yield other


def steps(tenant: Tenant) -> dict[str, dict[str, Any]]:
    owner = actor_for(User.objects.get(email=SHARED_EMAIL))
    return {item["step"].key: item for item in checklist_for(owner, tenant)}


def invite(org: ClientOrg, **fields: Any) -> Invitation:
    now = timezone.now()
    values = {"sent_at": now, "expires_at": now + timedelta(days=7), **fields}
    return Invitation.objects.create(
        email="new.person@client.test", kind=InvitationKind.CONTACT, client_org=org,
        role=Role.objects.get(slug="viewer"), token_hash=hashlib.sha256(str(values).encode()).hexdigest(), **values,
    )  # fmt: skip


def test_a_new_portal_has_invite_and_publish_to_do_each_linking_to_adding_a_client(fresh: Tenant) -> None:
    items = steps(fresh)

    assert [key for key, item in items.items() if not item["done"]] == ["brand", "invite", "publish"]
    assert items["invite"]["url"] == reverse("clients:create")
    assert items["publish"]["url"] == reverse("clients:create")
    assert items["brand"]["url"] == reverse("branding:settings")
    assert items["verify"]["url"] is None  # done: no link


def test_with_a_client_the_steps_link_to_inviting_there_and_to_its_documents(fresh: Tenant) -> None:
    org = new_org(name="Adatum")

    items = steps(fresh)

    assert not items["invite"]["done"]
    assert items["invite"]["url"] == reverse("clients:invite", kwargs={"org_id": org.pk})
    assert items["publish"]["url"] == reverse("documents:list", kwargs={"org_id": org.pk})


@pytest.mark.parametrize(
    ("state", "counts"),
    [("pending", True), ("accepted", False), ("revoked", False), ("expired", False)],
)
def test_a_pending_invitation_counts_as_inviting_a_client(fresh: Tenant, state: str, counts: bool) -> None:
    org = new_org()
    past = timezone.now() - timedelta(days=1)
    invite(org, **{"pending": {}, "accepted": {"accepted_at": past}, "revoked": {"revoked_at": past},
                   "expired": {"expires_at": past}}[state])  # fmt: skip

    assert steps(fresh)["invite"]["done"] is counts


def test_an_active_contact_counts_and_a_deactivated_one_does_not(fresh: Tenant) -> None:
    contact = new_contact()
    assert steps(fresh)["invite"]["done"]

    User.objects.filter(pk=contact.user_id).update(is_active=False)
    assert not steps(fresh)["invite"]["done"]


def test_a_revoked_invitation_and_a_deactivated_contact_leave_the_step_to_do(fresh: Tenant) -> None:
    new_contact(client_org=new_org(name="Beta"))
    User.objects.filter(contact__client_org__name="Beta").update(is_active=False)
    alpha = new_org(name="Alpha")
    invite(alpha, revoked_at=timezone.now())

    items = steps(fresh)

    assert not items["invite"]["done"]
    assert items["invite"]["url"] == reverse("clients:invite", kwargs={"org_id": alpha.pk})


def test_publishing_a_document_completes_the_publish_step(fresh: Tenant) -> None:
    org = new_org()
    folder = Folder.objects.create(client_org=org, name="Reports")
    assert not steps(fresh)["publish"]["done"]

    documents_upload(
        actor=actor_for(User.objects.get(email=SHARED_EMAIL)), folder=folder,
        uploads=[SimpleUploadedFile("Plan.txt", b"the plan")],
    )  # fmt: skip

    assert steps(fresh)["publish"]["done"]


def test_the_demo_portal_counts_its_clients_and_documents_as_done(in_demo: Any) -> None:
    owner = actor_for(User.objects.get(email="olivia.owner@northwind.example"))

    items = {item["step"].key: item for item in checklist_for(owner, in_demo)}

    assert ClientOrg.objects.count() == 3
    assert items["invite"]["done"]
    assert items["publish"]["done"]


def test_the_home_page_shows_real_steps_with_links_and_hides_them_when_all_are_done(fresh: Tenant) -> None:
    owner = User.objects.get(email=SHARED_EMAIL)
    fresh.logo = "logo.png"  # branded (before the first request: the portal's routing caches the tenant)
    fresh.save(update_fields=["logo"])
    browser = Client(headers={"host": OTHER_HOST})
    browser.force_login(owner)

    page = browser.get(reverse("dashboard:home")).content.decode()

    assert "Coming with" not in page
    assert f'<a class="step-title" href="{reverse("clients:create")}">Invite a client</a>' in page
    assert f'<a class="step-title" href="{reverse("clients:create")}">Publish a document</a>' in page

    folder = Folder.objects.create(client_org=new_contact().client_org, name="Reports")
    documents_upload(actor=actor_for(owner), folder=folder, uploads=[SimpleUploadedFile("Plan.txt", b"the plan")])
    assert EmailAddress.objects.filter(user=owner, verified=True).exists()
    page = browser.get(reverse("dashboard:home")).content.decode()

    assert "Get your portal ready" not in page
