"""Portal tests run in the demo portal's schema, as people signed in through the real session machinery."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from tenants.models import Tenant

HOST = "demo.localhost"


@pytest.fixture
def in_demo(demo: Tenant) -> Iterator[Tenant]:
    with tenant_context(demo):
        yield demo


@pytest.fixture
def as_user(in_demo: Tenant) -> Callable[[Any], Client]:
    """A client signed in as `user` on the demo portal (a real session in the demo schema)."""

    def sign_in(user: Any) -> Client:
        client = Client(headers={"host": HOST})
        client.force_login(user)
        return client

    return sign_in
