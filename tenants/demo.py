"""The demo provider used by `make run` and the browser suite. Idempotent: safe to run again."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Tenant
from tenants.services import tenant_create

DEMO_SCHEMA = "demo"
DEMO_NAME = "Northwind Consulting"
DEMO_PASSWORD = "northwind-demo-2026"  # noqa: S105 - a published demo login, never used outside development


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    title: str


DEMO_STAFF = (
    DemoLogin("olivia.owner@northwind.example", "Olivia Owner", "staff owner"),
    DemoLogin("adam.admin@northwind.example", "Adam Admin", "staff admin"),
    DemoLogin("mia.member@northwind.example", "Mia Member", "staff member"),
)


def demo_host() -> str:
    return f"{DEMO_SCHEMA}.{settings.ROOT_DOMAIN}"


@transaction.atomic
def seed_demo() -> Tenant:
    tenant = Tenant.objects.filter(schema_name=DEMO_SCHEMA).first() or tenant_create(
        schema_name=DEMO_SCHEMA, name=DEMO_NAME, domain=demo_host()
    )
    with schema_context(DEMO_SCHEMA):
        for login in DEMO_STAFF:
            user = User.objects.filter(email=login.email).first()
            if user is None:
                user = User.objects.create_user(login.email, DEMO_PASSWORD, full_name=login.full_name)
            EmailAddress.objects.update_or_create(
                user=user, email=login.email, defaults={"verified": True, "primary": True}
            )
    return tenant
