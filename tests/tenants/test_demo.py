from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from accounts.models import User
from portal.clients.models import ClientOrg, Contact
from tenants.demo import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_STAFF
from tenants.models import Domain, Tenant

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_prints_the_logins() -> None:
    output = StringIO()
    call_command("seed_demo", stdout=output)
    call_command("seed_demo", stdout=output)

    assert Tenant.objects.filter(schema_name="demo").count() == 1
    assert list(Domain.objects.filter(tenant__schema_name="demo").values_list("domain", flat=True)) == [
        "demo.localhost"
    ]
    contacts = [person for client in DEMO_CLIENTS for person in client.contacts]
    with schema_context("demo"):
        assert User.objects.count() == len(DEMO_STAFF) + len(contacts)
        assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
        assert ClientOrg.objects.count() == len(DEMO_CLIENTS) == 3
        assert {(c.user.email, c.role.slug) for c in Contact.objects.select_related("user", "role")} == {
            (person.email, person.role) for person in contacts
        }
    printed = output.getvalue()
    assert DEMO_PASSWORD in printed
    assert all(login.email in printed for login in DEMO_STAFF)
    assert all(person.email in printed for person in contacts)
