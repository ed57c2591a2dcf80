"""Suite-wide fixtures: the test database gets the demo provider and a second provider, committed once per
session, so tests (and the worker and web processes some of them start) share them."""

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from accounts.services import directory_sync
from billing.models import Subscription
from operators.demo import DEMO_PASSWORD, seed_demo
from operators.services import tenant_change_status, tenant_provision
from portal.access.policy import SYSTEM
from tenants import generations
from tenants.db_roles import (
    apply_roles,
    credentials,
    current_credentials,
    owner_url,
    role_of,
    use_credentials,
    use_owner_connection,
)
from tenants.models import Tenant
from tenants.routing import ROUTER
from tests.support.network import free_port
from tests.support.processes import http_answers, running, venv_bin

OTHER_SCHEMA = "other"
OTHER_HOST = "other.localhost"
DEMO_HOST = "demo.localhost"
ROOT_HOST = "localhost"
# The same address has an account in both portals, each with its own password.
SHARED_EMAIL = "olivia.owner@northwind.example"
OTHER_PASSWORD = "another-portal-password"


RUNTIME: dict[str, Any] = {}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """The test database is created, migrated, granted and seeded by the owner role (as `make` does for the
    development database); the tests then run as the runtime role, like web and Celery."""
    RUNTIME.update(current_credentials())
    use_owner_connection()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    database = connection.settings_dict["NAME"]
    if not database.startswith("test_"):
        pytest.exit(f"Refusing to seed {database!r}: mark the tests that need the database with django_db.")
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)  # files of earlier runs' rolled-back rows
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        if owner_url():
            apply_roles(owner=role_of(owner_url()), runtime=RUNTIME["USER"])
        seed_demo()
        if not Tenant.objects.filter(schema_name=OTHER_SCHEMA).exists():
            other = tenant_provision(
                company_name="Fabrikam Advisors",
                subdomain=OTHER_SCHEMA,
                owner_name="Olivia at Fabrikam",
                owner_email=SHARED_EMAIL,
                owner_password=OTHER_PASSWORD,
            )
            tenant_change_status(actor=SYSTEM, tenant=other, status="active")
            with tenant_context(other):  # the owner confirmed their address
                owner = User.objects.get(email=SHARED_EMAIL)
                EmailAddress.objects.filter(user=owner).update(verified=True)
                directory_sync(tenant=other, user=owner)
    if owner_url():
        use_credentials(RUNTIME)
    yield
    use_owner_connection()  # pytest-django's teardown drops the test database: the owner's to drop


@pytest.fixture
def owner_cursor(db: None) -> Iterator[Any]:
    """A cursor of the owner role on the test database, outside the test's transaction (autocommit): for what
    only the owner may do (history in the past, DDL). Rows it commits are not rolled back: remove them."""
    import psycopg

    owner = credentials(owner_url()) if owner_url() else current_credentials()
    with psycopg.connect(
        dbname=connection.settings_dict["NAME"], user=owner["USER"], password=owner["PASSWORD"] or None,
        host=owner["HOST"] or None, port=owner["PORT"] or None, autocommit=True,
    ) as conn, conn.cursor() as cursor:  # fmt: skip
        yield cursor


@pytest.fixture
def demo(db: None) -> Tenant:
    return Tenant.objects.get(schema_name="demo")


@pytest.fixture
def other(db: None) -> Tenant:
    return Tenant.objects.get(schema_name=OTHER_SCHEMA)


@pytest.fixture
def demo_password() -> str:
    return DEMO_PASSWORD


@pytest.fixture
def clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_generations() -> None:
    """Rows roll back after each test and Redis does not: a test starts with no write generation and nothing
    kept under one (tenants.generations), so nothing kept while an earlier test's rows existed is reused."""
    store = caches[generations.CACHE_ALIAS]
    client = store._cache.get_client(write=True)  # type: ignore[attr-defined]
    stale = list(client.scan_iter(match=store.make_key("*"), count=1000))
    if stale:
        client.delete(*stale)


@pytest.fixture(autouse=True)
def fresh_routes() -> Iterator[None]:
    """Routes are cached per process and invalidated after commit; test transactions never commit."""
    ROUTER.clear()
    yield
    ROUTER.clear()


@pytest.fixture
def set_status(db: None) -> Callable[[Tenant, str], None]:
    """Move a tenant to a lifecycle state inside the test's transaction, routes refreshed."""

    def move(tenant: Tenant, status: str) -> None:
        Subscription.objects.filter(tenant=tenant).update(status=status, canceled_at=timezone.now())
        ROUTER.clear()

    return move


@pytest.fixture(scope="session")
def live_url(django_db_setup: None) -> Iterator[str]:
    """gunicorn, two worker processes, on the test database: for browser journeys and cross-process checks."""
    port = free_port()
    command = [
        venv_bin("gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--access-logfile", "-",
    ]  # fmt: skip
    with running("web", command, lambda: http_answers(f"http://127.0.0.1:{port}/healthz")):
        yield f"http://localhost:{port}"
