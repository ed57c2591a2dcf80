"""The demo provider used by `make run` and the browser suite. Idempotent: safe to run again. Runs as the owner
role (`manage.py seed_demo` switches to it): the demo's history is dated in the past (operators.demo_history)."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import directory_sync, user_create
from core.audit import system
from operators.demo_engagements import seed_engagements
from operators.demo_history import seed_history
from operators.demo_requests import seed_requests
from operators.services import portal_host, tenant_change_status, tenant_provision
from portal.access.capabilities import DefaultRole
from portal.access.models import Role, StaffMembership, StaffRole
from portal.clients.models import ClientOrg, Contact
from tenants.lifecycle import TenantStatus
from tenants.models import Tenant

DEMO_SLUG = "demo"
DEMO_NAME = "Northwind Consulting"
DEMO_COLOUR = "#1f4e79"
DEMO_PASSWORD = "northwind-demo-2026"  # noqa: S105 - a published demo login, never used outside development


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    role: StaffRole


DEMO_STAFF = (
    DemoLogin("olivia.owner@northwind.example", "Olivia Owner", StaffRole.OWNER),
    DemoLogin("adam.admin@northwind.example", "Adam Admin", StaffRole.ADMIN),
    DemoLogin("mia.member@northwind.example", "Mia Member", StaffRole.MEMBER),
)


@dataclass(frozen=True)
class DemoContact:
    email: str
    full_name: str
    role: str  # a default role's slug


@dataclass(frozen=True)
class DemoClient:
    name: str
    account_manager: str  # a staff e-mail
    contacts: tuple[DemoContact, ...]


DEMO_CLIENTS = (
    DemoClient(
        "Contoso Retail",
        "mia.member@northwind.example",
        (
            DemoContact("carla.admin@contoso.example", "Carla Admin", DefaultRole.CLIENT_ADMIN),
            DemoContact("frank.finance@contoso.example", "Frank Finance", DefaultRole.FINANCE),
            DemoContact("paula.lead@contoso.example", "Paula Lead", DefaultRole.PROJECT_LEAD),
            DemoContact("victor.viewer@contoso.example", "Victor Viewer", DefaultRole.VIEWER),
        ),
    ),
    DemoClient(
        "Fabrikam Health",
        "adam.admin@northwind.example",
        (
            DemoContact("hana.admin@fabrikam.example", "Hana Admin", DefaultRole.CLIENT_ADMIN),
            DemoContact("fred.finance@fabrikam.example", "Fred Finance", DefaultRole.FINANCE),
        ),
    ),
    DemoClient(
        "Litware Logistics",
        "olivia.owner@northwind.example",
        (DemoContact("lena.lead@litware.example", "Lena Lead", DefaultRole.PROJECT_LEAD),),
    ),
)


def demo_host() -> str:
    return portal_host(DEMO_SLUG)


@transaction.atomic
def seed_demo() -> Tenant:
    owner = DEMO_STAFF[0]
    tenant = Tenant.objects.filter(slug=DEMO_SLUG).first() or tenant_provision(
        company_name=DEMO_NAME,
        subdomain=DEMO_SLUG,
        owner_name=owner.full_name,
        owner_email=owner.email,
        owner_password=DEMO_PASSWORD,
        brand_color=DEMO_COLOUR,
    )
    tenant_change_status(actor=system(), tenant=tenant, status=TenantStatus.ACTIVE, reason="demo portal")
    with tenant_context(tenant):
        for login in DEMO_STAFF:
            user = User.objects.filter(email=login.email).first() or user_create(
                tenant=tenant, email=login.email, full_name=login.full_name, password=DEMO_PASSWORD
            )
            EmailAddress.objects.filter(user=user).update(verified=True)
            directory_sync(tenant=tenant, user=user)
            StaffMembership.objects.update_or_create(user=user, defaults={"role": login.role})
        for client in DEMO_CLIENTS:
            org = ClientOrg.objects.filter(name=client.name).first() or ClientOrg.objects.create(
                name=client.name, account_manager=User.objects.get(email=client.account_manager)
            )
            for person in client.contacts:
                user = User.objects.filter(email=person.email).first() or user_create(
                    tenant=tenant, email=person.email, full_name=person.full_name, password=DEMO_PASSWORD, verified=True
                )
                Contact.objects.update_or_create(
                    user=user, defaults={"client_org": org, "role": Role.objects.get(slug=person.role)}
                )
        seed_history(tenant)  # weeks of past events: the owner-only path (operators.demo_history)
        seed_engagements()  # projects, phases, milestones and time entries (operators.demo_engagements)
        seed_requests(tenant)  # request types, hours, requests in every status, some about the projects above
    return tenant
