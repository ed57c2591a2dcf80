"""Every default role, every registered capability, own organisation vs another, through the HTML views.

Generated from the registry: a capability registered by a later feature joins the matrix without editing this
test (its `url_name` is the page it unlocks)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.access.capabilities import DEFAULT_ROLE_NAMES, REGISTRY, default_role_capabilities
from portal.access.models import Role
from portal.clients.models import ClientOrg
from tests.portal.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("code", sorted(REGISTRY))
@pytest.mark.parametrize("role_slug", sorted(DEFAULT_ROLE_NAMES))
def test_default_role_capability_matrix(
    as_user: Callable[[Any], Client], role_slug: str, code: str, whose: str
) -> None:
    own, other = ClientOrg.objects.get(name="Contoso Retail"), ClientOrg.objects.get(name="Fabrikam Health")
    contact = ContactFactory(client_org=own, role=Role.objects.get(slug=role_slug))
    target = own if whose == "own" else other
    url = reverse(REGISTRY[code].url_name, kwargs={"org_id": target.pk})

    response = as_user(contact.user).get(url)

    allowed = whose == "own" and code in default_role_capabilities(role_slug)
    assert response.status_code == (200 if allowed else 404), (role_slug, code, whose)


def test_the_default_roles_say_what_the_product_promises() -> None:
    assert default_role_capabilities("client-admin") == frozenset(REGISTRY)
    assert "contacts.manage" not in default_role_capabilities("finance")
    assert "contacts.manage" not in default_role_capabilities("viewer")
    assert "organisation.view" in default_role_capabilities("viewer")


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_a_custom_role_grants_exactly_the_ticked_capabilities(as_user: Callable[[Any], Client], code: str) -> None:
    own = ClientOrg.objects.get(name="Contoso Retail")
    role = Role.objects.create(name=f"Only {code}", slug=f"only-{code.replace('.', '-')}", custom_capabilities=[code])
    contact = ContactFactory(client_org=own, role=role)
    client = as_user(contact.user)

    for other_code, capability in REGISTRY.items():
        response = client.get(reverse(capability.url_name, kwargs={"org_id": own.pk}))
        expected = 200 if other_code == code else 404
        assert response.status_code == expected, (code, other_code)
