"""Every default role, every registered capability, own organisation vs another, through the HTML views.

Generated from the registry: a capability registered by a later feature joins the matrix without editing this
test. Each is proved by its `proof`: a GET of the page it unlocks, or the request of the action it unlocks (a
comment posted, for comments.create), with the capabilities reaching it takes (`proof.also`)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portal.access.capabilities import DEFAULT_ROLE_NAMES, REGISTRY, Capability, default_role_capabilities
from portal.access.models import Role
from portal.clients.models import ClientOrg
from tests.portal.factories import ContactFactory

pytestmark = pytest.mark.django_db


def prove(client: Client, capability: Capability, org_id: int) -> int:
    """Make the capability's proof in the organisation as this client; the status it answered."""
    proof = capability.proof
    send = getattr(client, proof.method.lower())
    return int(send(proof.url(org_id), dict(proof.data), headers=dict(proof.headers)).status_code)


def needs(capability: Capability) -> frozenset[str]:
    return frozenset({capability.code}) | capability.proof.also


@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("code", sorted(REGISTRY))
@pytest.mark.parametrize("role_slug", sorted(DEFAULT_ROLE_NAMES))
def test_default_role_capability_matrix(
    as_user: Callable[[Any], Client], role_slug: str, code: str, whose: str
) -> None:
    own, other = ClientOrg.objects.get(name="Contoso Retail"), ClientOrg.objects.get(name="Fabrikam Health")
    contact = ContactFactory(client_org=own, role=Role.objects.get(slug=role_slug))
    target = own if whose == "own" else other
    capability = REGISTRY[code]

    status = prove(as_user(contact.user), capability, target.pk)

    allowed = whose == "own" and needs(capability) <= default_role_capabilities(role_slug)
    assert status == (capability.proof.allowed_status if allowed else 404), (role_slug, code, whose)


def test_the_default_roles_say_what_the_product_promises() -> None:
    assert default_role_capabilities("client-admin") == frozenset(REGISTRY)
    assert "contacts.manage" not in default_role_capabilities("finance")
    assert "contacts.manage" not in default_role_capabilities("viewer")
    assert "organisation.view" in default_role_capabilities("viewer")
    assert "comments.create" not in default_role_capabilities("viewer")
    assert "comments.create" in default_role_capabilities("finance") & default_role_capabilities("project-lead")


@pytest.mark.parametrize("code", sorted(REGISTRY))
def test_a_custom_role_grants_exactly_the_ticked_capabilities(as_user: Callable[[Any], Client], code: str) -> None:
    """The role holds the capability and what reaching it takes (its proof's `also`), nothing else."""
    own = ClientOrg.objects.get(name="Contoso Retail")
    ticked = needs(REGISTRY[code])
    role = Role.objects.create(
        name=f"Only {code}", slug=f"only-{code.replace('.', '-')}", custom_capabilities=sorted(ticked)
    )
    contact = ContactFactory(client_org=own, role=role)
    client = as_user(contact.user)

    for other_code, capability in REGISTRY.items():
        expected = capability.proof.allowed_status if needs(capability) <= ticked else 404
        assert prove(client, capability, own.pk) == expected, (code, other_code)
