"""Schemathesis against the live OpenAPI schema (`/api/schema/`), through gunicorn, in a portal of its own
(`apifuzz`, so the generated writes never touch the demo or other portals the rest of the suite reads): for every
operation, a bounded number of generated calls with a key holding every scope, each answer checked for what the
issue asks: no server error, and a body that matches the schema the operation declares for its status.

Budget: `EXAMPLES` calls per operation (plus Schemathesis' explicit examples); with the API's operations this
is a few hundred calls, under a minute on two cores (the closing note of issue 13 gives the figure)."""

from typing import Any

import pytest
import schemathesis
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User
from operators.services import tenant_change_status, tenant_provision
from portal.access.policy import SYSTEM, actor_for
from portal.api.models import API_SCOPES
from portal.api.services import api_key_create
from portal.organisations.services import client_org_save
from tenants.models import Tenant

# The resumable upload's chunks are `application/offset+octet-stream` (tus): bytes, as Schemathesis sends octets.
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

FUZZ = "apifuzz"
HOST = f"{FUZZ}.localhost"
OWNER = "owner@apifuzz.example"
EXAMPLES = 12

pytestmark = [pytest.mark.django_db(transaction=False)]


@pytest.fixture(scope="session")
def fuzz_token(django_db_setup: None, django_db_blocker: Any) -> str:
    """The fuzzing portal (made once per test database, kept: its rows are the fuzzer's own), a client in it, and
    a fresh key with every scope over every client."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.filter(schema_name=FUZZ).first()
        if tenant is None:
            tenant = tenant_provision(
                company_name="API fuzzing", subdomain=FUZZ, owner_name="Fuzz Owner", owner_email=OWNER,
                owner_password="fuzzing-owner-password-2026",
            )  # fmt: skip
            tenant_change_status(actor=SYSTEM, tenant=tenant, status="active")
        with tenant_context(tenant):
            owner = User.objects.get(email=OWNER)
            if not tenant_has_a_client():
                client_org_save(
                    actor=actor_for(owner), org=None, name="Fuzzed client", account_manager=owner, team=[], notes=""
                )
            _key, token = api_key_create(
                actor=SYSTEM, name="Schemathesis", scopes=API_SCOPES, all_clients=True, clients=[]
            )
    return token


def tenant_has_a_client() -> bool:
    from portal.clients.models import ClientOrg

    return ClientOrg.objects.exists()


def test_every_operation_answers_without_server_errors_and_within_its_schema(live_url: str, fuzz_token: str) -> None:
    port = live_url.rsplit(":", 1)[1]
    base = f"http://127.0.0.1:{port}"
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/?format=json", headers={"Host": HOST})
    headers = {"Host": HOST, "Authorization": f"Bearer {fuzz_token}"}
    results: list[Any] = list(schema.get_all_operations())
    operations = [result.ok() for result in results]  # an operation the schema describes wrongly raises here
    failures: list[str] = []
    calls: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate], database=None,
        )  # fmt: skip
        def call(case: Any) -> None:
            response = case.call_and_validate(
                base_url=base, headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )
            calls.append(response.status_code)

        try:
            call()
        except Exception as error:
            failures.append(f"{operation.label}: {error}")

    assert len(operations) >= 3, [operation.label for operation in operations]
    assert failures == []
    assert len(calls) >= len(operations) * 2, "Schemathesis made (almost) no calls"
    assert any(200 <= status < 300 for status in calls), "no call succeeded: the key or the host is wrong"
