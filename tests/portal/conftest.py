"""Portal tests run in the demo portal's schema, as people signed in through the real session machinery."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from django.test import Client
from django_tenants.utils import tenant_context

from core.celery import app
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


@pytest.fixture
def told(django_capture_on_commit_callbacks: Any) -> Iterator[Callable[[], AbstractContextManager[None]]]:
    """`with told(): ...` runs the block, then what it scheduled after commit, with Celery tasks run here and
    at once (the fan-out, then the e-mails it queues)."""
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True

    @contextmanager
    def block() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    try:
        yield block
    finally:
        app.conf.task_always_eager = False
        app.conf.task_eager_propagates = False
