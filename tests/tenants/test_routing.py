"""Host → tenant resolution is cached per process, and a change reaches every process within 5 seconds."""

import time
import urllib.request

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from operators.services import tenant_change_status
from portal.access.policy import SYSTEM
from tenants.middleware import TenantResolutionMiddleware
from tenants.models import Tenant
from tenants.routing import ROUTER, HostRouter, current_version, routing_changed
from tests.conftest import OTHER_HOST
from tests.tenants.committed import committed


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@pytest.mark.django_db
def test_a_warm_request_resolves_its_tenant_with_zero_queries(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    middleware = TenantResolutionMiddleware(ok)
    factory = RequestFactory()
    middleware(factory.get("/", headers={"host": "demo.localhost"}))  # cold: reads the domain table

    with django_assert_num_queries(0):
        request = factory.get("/", headers={"host": "demo.localhost:8000"})
        response = middleware(request)

    assert response.status_code == 200
    assert request.tenant.schema_name == "demo"  # type: ignore[attr-defined]
    assert request.tenant.subscription.status == "active"  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_unknown_hosts_are_cached_as_unknown(django_assert_num_queries: DjangoAssertNumQueries) -> None:
    ROUTER.resolve("nobody.localhost")

    with django_assert_num_queries(0):
        assert ROUTER.resolve("nobody.localhost") is None


@pytest.mark.django_db
def test_a_bumped_version_makes_a_router_read_again() -> None:
    router = HostRouter(check_interval=0)
    router.resolve("demo.localhost")

    routing_changed()

    with CaptureQueriesContext(connection) as queries:
        assert router.resolve("demo.localhost") is not None
    assert any("tenants_domain" in query["sql"] for query in queries.captured_queries)


def status_seen(url: str) -> int:
    return status_seen_on(url, OTHER_HOST)


def status_seen_on(url: str, host: str) -> int:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_suspension_is_seen_by_another_process_within_5_seconds(
    live_url: str, django_db_blocker: pytest.FixtureRequest
) -> None:
    """gunicorn (two worker processes) serves `other`; the test process suspends it."""
    sign_in = live_url.replace("localhost", "127.0.0.1") + "/accounts/login/"
    home = live_url.replace("localhost", "127.0.0.1") + "/"
    for _ in range(6):  # warm both workers' caches: the portal redirects to its sign-in page
        assert status_seen(home) in (200, 302)
    with committed(django_db_blocker):
        other = Tenant.objects.get(slug="other")
        try:
            tenant_change_status(actor=SYSTEM, tenant=other, status="suspended")
            started = time.monotonic()
            streak = 0
            while streak < 6 and time.monotonic() - started < 10:
                streak = streak + 1 if status_seen(home) == 403 else 0
            elapsed = time.monotonic() - started
            assert status_seen(sign_in) == 200  # signing in stays possible (owners see how to reactivate)
        finally:
            tenant_change_status(actor=SYSTEM, tenant=other, status="active")
    assert streak == 6, "gunicorn kept serving the suspended portal"
    assert elapsed < 5


@pytest.mark.django_db
def test_a_request_carrying_a_newer_version_refreshes_at_once() -> None:
    router = HostRouter(check_interval=3600)
    router.resolve("demo.localhost")
    routing_changed()

    with CaptureQueriesContext(connection) as cached:
        router.resolve("demo.localhost")
    with CaptureQueriesContext(connection) as refreshed:
        router.resolve("demo.localhost", at_least=current_version())

    assert cached.captured_queries == []
    assert any("tenants_domain" in query["sql"] for query in refreshed.captured_queries)


def test_a_purged_tenants_host_never_reads_the_public_schema(
    live_url: str, django_db_blocker: pytest.FixtureRequest
) -> None:
    """gunicorn has resolved and verified `gone`; its schema is dropped; its host must fail, not serve public."""
    from tests.tenants.committed import remove_tenant
    from tests.tenants.test_provisioning import provision

    base = live_url.replace("localhost", "127.0.0.1")
    with committed(django_db_blocker, ("gone", "gone")):
        provision("gone", email="someone@gone.test")
        routing_changed()
        request = urllib.request.Request(base + "/accounts/login/", headers={"Host": "gone.localhost"})
        for _ in range(4):  # both workers resolve and verify the schema
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200
        remove_tenant("gone", "gone")
        routing_changed()
        time.sleep(2.5)  # one check interval

        for _ in range(4):
            status = status_seen_on(base + "/accounts/login/", "gone.localhost")
            assert status in (404, 500), status  # unknown host now, or refused: never the public sign-in page


@pytest.mark.django_db
def test_a_routing_change_makes_every_schema_be_verified_again() -> None:
    from tenants.db_backend.base import verified_schemas

    router = HostRouter(check_interval=0)
    router.resolve("demo.localhost")
    verified_schemas.add("demo")

    routing_changed()
    router.resolve("demo.localhost")

    assert "demo" not in verified_schemas
