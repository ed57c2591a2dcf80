"""One `SET search_path` per schema switch (`TENANT_LIMIT_SET_CALLS`), and never a query in the wrong schema
because of it: every way the schema changes or the database forgets the path is checked here. Tasks switching
tenants on one worker connection: tests/tenants/test_tasks.py (the same task for another tenant reads that
tenant's rows); the schema guard: tests/tenants/test_schema_guard.py."""

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context, tenant_context

from accounts.models import User
from portal.clients.models import ClientOrg
from tenants.models import Tenant
from tests.conftest import DEMO_HOST, OTHER_SCHEMA
from tests.tenants.committed import commit_now

pytestmark = pytest.mark.django_db


def emails() -> set[str]:
    return set(User.objects.values_list("email", flat=True))


def sets(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if query["sql"].startswith("SET search_path")]


def test_the_setting_is_on() -> None:
    from django.conf import settings

    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_a_portal_page_sets_the_search_path_once(demo: Tenant) -> None:
    with tenant_context(demo):
        org = ClientOrg.objects.get(name="Contoso Retail")
        client = Client(headers={"host": DEMO_HOST})
        client.force_login(User.objects.get(email="carla.admin@contoso.example"))
    url = reverse("documents:list", kwargs={"org_id": org.pk})
    client.get(url)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert sets(queries) == ['SET search_path = "demo","public"']
    assert len(queries.captured_queries) > 5  # the page did read through that one path


def test_schema_context_switches_the_path_and_switches_it_back(demo: Tenant, other: Tenant) -> None:
    with tenant_context(demo):
        demo_people = emails()
        with schema_context(OTHER_SCHEMA):
            other_people = emails()
        with CaptureQueriesContext(connection) as queries:
            back = emails()

    assert "carla.admin@contoso.example" in demo_people
    assert "carla.admin@contoso.example" not in other_people
    assert back == demo_people
    assert sets(queries) == ['SET search_path = "demo","public"']  # set again after the switch back


def test_after_a_rolled_back_savepoint_queries_still_read_the_current_schema(demo: Tenant, other: Tenant) -> None:
    """PostgreSQL reverts a SET made inside a savepoint that rolls back: the connection must not trust it (the
    demo path set before the savepoint would come back and answer with demo's people)."""
    with tenant_context(other):
        expected = emails()
    with tenant_context(demo):
        emails()  # the path is demo's, outside the savepoint
        with schema_context(OTHER_SCHEMA):
            try:
                with transaction.atomic():
                    emails()  # SET to other's path inside the savepoint
                    raise RuntimeError("roll back")
            except RuntimeError:
                pass
            after = emails()

    assert after == expected


def test_a_new_connection_sets_the_path_again(other: Tenant, django_db_blocker: Any) -> None:
    """A closed connection (CONN_MAX_AGE, a lost server) comes back without the path: the next query sets it."""
    seen: dict[str, Any] = {}

    def read_twice() -> None:
        with tenant_context(Tenant.objects.get(schema_name=OTHER_SCHEMA)):
            seen["first"] = emails()
            connection.close()
            with CaptureQueriesContext(connection) as queries:
                seen["after"] = emails()
            seen["sets"] = sets(queries)

    commit_now(django_db_blocker, read_twice)

    assert seen["after"] == seen["first"]
    assert seen["sets"] == [f'SET search_path = "{OTHER_SCHEMA}","public"']
