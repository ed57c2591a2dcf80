"""Tenant tasks run in a real worker against the real Redis broker, in their tenant's schema or not at all."""

import uuid
from collections.abc import Iterator

import pytest
from celery import Celery
from celery.result import AsyncResult
from django.conf import settings
from django_tenants.utils import schema_context

from core.celery import app
from operators.demo import DEMO_CLIENTS, DEMO_STAFF
from tests.support.celery_tasks import tenant_probe
from tests.support.processes import running, venv_bin

RESULT_TIMEOUT = 30
# django_db: the worker these tests talk to uses the test database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def worker_queue(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[str]:
    """A real Celery worker on a queue of its own, loading the probe task."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    node = f"{queue}@localhost"
    command = [
        venv_bin("celery"), "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
        "-I", "tests.support.celery_tasks", "-Q", queue, "-n", node,
        "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]  # fmt: skip

    def answers() -> bool:
        return bool(app.control.ping(destination=[node], timeout=0.5))

    with running("celery-worker", command, answers):
        yield queue


def test_a_task_enqueued_for_a_tenant_runs_in_that_tenants_schema(worker_queue: str) -> None:
    with schema_context("demo"):
        result = tenant_probe.apply_async(queue=worker_queue)

    outcome = result.get(timeout=RESULT_TIMEOUT)

    assert outcome["schema"] == "demo"
    assert outcome["emails"] == sorted(
        [login.email for login in DEMO_STAFF] + [person.email for client in DEMO_CLIENTS for person in client.contacts]
    )


def test_the_same_task_for_another_tenant_reads_that_tenants_rows(worker_queue: str) -> None:
    with schema_context("other"):
        outcome = tenant_probe.apply_async(queue=worker_queue).get(timeout=RESULT_TIMEOUT)

    assert outcome == {"schema": "other", "emails": ["olivia.owner@northwind.example"]}


def refusal_of(result: AsyncResult) -> str:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - the type is checked by name below
        result.get(timeout=RESULT_TIMEOUT)
    assert type(raised.value).__name__ == "TenantRequiredError"
    return str(raised.value)


def test_a_tenant_task_sent_without_a_tenant_refuses_to_run(worker_queue: str) -> None:
    # A plain Celery client stamps no schema at all, as a misconfigured producer would.
    plain = Celery("plain", broker=settings.CELERY_BROKER_URL, backend=settings.CELERY_RESULT_BACKEND)

    message = refusal_of(plain.send_task("tests.tenant_probe", queue=worker_queue))

    assert "no tenant" in message


def test_a_tenant_task_sent_from_the_public_schema_refuses_to_run(worker_queue: str) -> None:
    message = refusal_of(tenant_probe.apply_async(queue=worker_queue))

    assert "'public'" in message


def test_a_tenant_task_sent_for_an_unknown_tenant_refuses_to_run(worker_queue: str) -> None:
    result = tenant_probe.apply_async(queue=worker_queue, headers={"_schema_name": "ghost"})

    assert refusal_of(result) == "tests.tenant_probe works on one tenant's data and was sent for 'ghost'."
