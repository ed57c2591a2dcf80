"""Changes to who may do what, and to the portal's settings, are in the staff audit log (and its CSV) with who
made them, for owners and admins only, and tell nobody (audit-only)."""

from collections.abc import Callable
from typing import Any, cast

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from portal.access.models import Role, StaffMembership, StaffRole
from portal.access.policy import Actor
from portal.access.services import (
    contact_change_role,
    end_sessions,
    invitation_create,
    invitation_revoke,
    person_deactivate,
    role_save,
    staff_change_role,
)
from portal.activity.events import EVENT_TYPES
from portal.activity.models import ActivityEvent, Notification
from portal.clients.models import Contact
from tenants.models import Tenant
from tenants.services import tenant_update_branding, tenant_update_security
from tests.portal.factories import StaffFactory

OWNER = "olivia.owner@northwind.example"


def new_member() -> StaffMembership:
    return cast(StaffMembership, StaffFactory())


def owner() -> Actor:
    return Actor(user=User.objects.get(email=OWNER))


def change_security(tenant: Tenant) -> None:
    tenant_update_security(actor=owner(), tenant=tenant, mfa_policy="optional", time_zone="Europe/Brussels",
                           digest_hour=7, unscanned_files="flag")  # fmt: skip


def change_branding(tenant: Tenant) -> None:
    tenant_update_branding(actor=owner(), tenant=tenant, display_name="Northwind", brand_color="#123456", logo=None)


def invite_staff(tenant: Tenant) -> None:
    invitation_create(actor=owner(), email="new.member@provider.test", staff_role=StaffRole.MEMBER)


def revoke_invitation(tenant: Tenant) -> None:
    invitation = invitation_create(actor=owner(), email="new.member@provider.test", staff_role=StaffRole.MEMBER)
    invitation_revoke(actor=owner(), invitation=invitation)


def change_staff_role(tenant: Tenant) -> None:
    staff_change_role(actor=owner(), membership=new_member(), role=StaffRole.ADMIN)


def deactivate_staff(tenant: Tenant) -> None:
    person_deactivate(actor=owner(), user=new_member().user)


def change_contact_role(tenant: Tenant) -> None:
    contact = Contact.objects.get(user__email="victor.viewer@contoso.example")
    contact_change_role(actor=owner(), contact=contact, role=Role.objects.get(slug="finance"))


def create_role(tenant: Tenant) -> None:
    role_save(actor=owner(), role=None, name="Auditors", capabilities=["documents.view"])


def change_role(tenant: Tenant) -> None:
    role = role_save(actor=owner(), role=None, name="Auditors", capabilities=["documents.view"])
    role_save(actor=owner(), role=role, name="Auditors", capabilities=["documents.view", "contacts.view"])


def end_own_sessions(tenant: Tenant) -> None:
    actor = owner()
    end_sessions(actor=actor, user=actor.user)


CHANGES: dict[str, Callable[[Tenant], None]] = {
    "tenant.security_changed": change_security,
    "tenant.branding_changed": change_branding,
    "staff.invited": invite_staff,
    "invitation.revoked": revoke_invitation,
    "staff.role_changed": change_staff_role,
    "staff.deactivated": deactivate_staff,
    "contact.role_changed": change_contact_role,
    "role.created": create_role,
    "role.changed": change_role,
    "sessions.ended": end_own_sessions,
}


@pytest.mark.parametrize("verb", list(CHANGES))
def test_the_change_is_in_the_audit_log_with_who_made_it_for_managers_only(
    in_demo: Tenant, as_user: Callable[[Any], Client], told: Any, verb: str
) -> None:
    assert EVENT_TYPES[verb].audit_only
    notifications = Notification.objects.count()
    with told():  # what the change schedules after commit runs here: no fan-out for audit-only types
        CHANGES[verb](in_demo)
    event = ActivityEvent.objects.filter(verb=verb).latest("pk")
    assert event.actor_id == User.objects.get(email=OWNER).pk
    assert event.client_org_id is None or verb == "contact.role_changed"
    assert Notification.objects.count() == notifications

    csv = as_user(User.objects.get(email="adam.admin@northwind.example")).get("/activity/?format=csv")
    assert csv.status_code == 200
    assert f",{verb}," in csv.content.decode()
    member_csv = as_user(User.objects.get(email="mia.member@northwind.example")).get("/activity/?format=csv")
    if verb != "contact.role_changed":  # a client's contact: the staff of that client see it (Mia manages it)
        assert f",{verb}," not in member_csv.content.decode()


def test_settings_changed_from_the_root_site_are_recorded_in_the_portals_own_history(in_demo: Tenant) -> None:
    actor = owner()
    with schema_context("public"):  # signup hands the logo over from the root site
        tenant_update_branding(actor=actor, tenant=in_demo, display_name="", brand_color="#123456", logo=None)
    event = ActivityEvent.objects.filter(verb="tenant.branding_changed").latest("pk")
    assert (event.target_type, event.target_id, event.actor_id) == ("tenants.tenant", in_demo.pk, actor.user.pk)
    assert event.data["brand_color"] == "#123456"


def test_staff_deactivation_is_recorded_on_the_membership(in_demo: Tenant) -> None:
    member = new_member()
    person_deactivate(actor=owner(), user=member.user)
    event = ActivityEvent.objects.filter(verb="staff.deactivated").latest("pk")
    assert (event.target_type, event.target_id) == ("access.staffmembership", member.pk)
    assert StaffMembership.objects.filter(pk=member.pk).exists()
