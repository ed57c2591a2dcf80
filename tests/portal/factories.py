"""Factories for people and organisations, in whatever tenant schema the connection is on."""

from typing import Any

import factory
from django.db import connection

from accounts.services import user_create
from portal.access.models import Role, StaffMembership, StaffRole
from portal.clients.models import ClientOrg, Contact


def make_user(email: str, *, password: str = "correct-horse-battery", full_name: str = "") -> Any:
    return user_create(
        tenant=connection.tenant,  # type: ignore[attr-defined]
        email=email,
        full_name=full_name or email.split("@")[0].replace(".", " ").title(),
        password=password,
        verified=True,
    )


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.Sequence(lambda n: make_user(f"staff{n}@provider.test"))
    role = StaffRole.MEMBER


class ClientOrgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientOrg

    name = factory.Sequence(lambda n: f"Client {n}")
    account_manager = factory.LazyFunction(lambda: StaffFactory().user)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    user = factory.Sequence(lambda n: make_user(f"contact{n}@client.test"))
    client_org = factory.SubFactory(ClientOrgFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(slug="viewer"))
