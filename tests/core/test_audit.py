"""Every write is audited or says why not: the services walk, and the run-time check of `@audited`."""

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.audit import AUDITED, NOT_AUDITED, AuditMissing, audited, not_audited, system
from portal.access.policy import SYSTEM, Actor
from portal.activity.models import ActivityEvent
from portal.activity.services import record
from portal.clients.models import ClientOrg
from tenants.models import Tenant

ROOT = Path(__file__).resolve().parents[2]
# The packages whose writers are services: the portal's apps, the tenancy kernel, billing and every platform app.
PLATFORM_APPS = sorted(path for path in (ROOT / "platform").iterdir() if (path / "__init__.py").exists())
PACKAGES = [ROOT / "portal", ROOT / "tenants", ROOT / "billing", *PLATFORM_APPS]


def services_modules() -> Iterator[ModuleType]:
    for package in PACKAGES:
        for path in sorted(package.rglob("services.py")):
            name = ".".join(path.relative_to(package.parent).with_suffix("").parts)
            yield importlib.import_module(name)


def public_functions(module: ModuleType) -> list[Any]:
    """The functions a module defines (not those it imports) whose names do not start with `_`."""
    return [
        value
        for name, value in vars(module).items()
        if not name.startswith("_") and inspect.isfunction(value) and value.__module__ == module.__name__
    ]


def unmarked(functions: list[Any]) -> list[str]:
    """The functions that wear neither mark, or both."""
    return [
        function.__qualname__ for function in functions if hasattr(function, AUDITED) == hasattr(function, NOT_AUDITED)
    ]


def test_every_service_function_is_audited_or_says_why_not() -> None:
    modules = {module.__name__: module for module in services_modules()}
    assert {"portal.access.services", "portal.documents.services", "operators.services", "billing.services",
            "accounts.services", "signup.services"} <= set(modules)  # fmt: skip
    missing = {name: unmarked(public_functions(module)) for name, module in modules.items()}
    assert {name: functions for name, functions in missing.items() if functions} == {}


def test_the_walk_refuses_an_unmarked_service() -> None:
    def document_shred(*, actor: Actor) -> None:  # a write that says nothing about its audit
        pass

    @not_audited("reads only")
    def document_count() -> int:
        return 0

    module = ModuleType("portal.fake.services")
    for function in (document_shred, document_count):
        function.__module__ = module.__name__
        setattr(module, function.__name__, function)
    assert [function.__name__ for function in public_functions(module)] == ["document_shred", "document_count"]
    assert unmarked(public_functions(module)) == [document_shred.__qualname__]


def test_a_service_cannot_wear_both_marks() -> None:
    with pytest.raises(TypeError, match="marked twice"):

        @audited("client.archived")
        @not_audited("why not")
        def client_archive() -> None:
            pass


def test_the_system_actor_is_the_portals_one() -> None:
    assert system() is SYSTEM


# --- the run-time check -------------------------------------------------------------------------------------------


@pytest.fixture
def in_demo(demo: Tenant) -> Iterator[Tenant]:
    with tenant_context(demo):
        yield demo


@transaction.atomic
@audited("client.archived")
def _archive_quietly(*, actor: Actor, org: ClientOrg) -> None:
    """A service that forgot its event."""
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at"])


@transaction.atomic
@audited("client.archived")
def _archive_as_someone_else(*, actor: Actor, org: ClientOrg) -> None:
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at"])
    record(actor=SYSTEM, verb="client.archived", target=org)


@transaction.atomic
@audited("client.archived")
def _archive_with_the_wrong_event(*, actor: Actor, org: ClientOrg) -> None:
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at"])
    record(actor=actor, verb="client.updated", target=org)


@transaction.atomic
@audited("client.archived")
def _archive(*, actor: Actor, org: ClientOrg) -> None:
    org.archived_at = timezone.now()
    org.save(update_fields=["archived_at"])
    record(actor=actor, verb="client.archived", target=org)


@pytest.mark.parametrize("service", [_archive_quietly, _archive_as_someone_else, _archive_with_the_wrong_event])
def test_an_audited_service_without_its_event_by_its_actor_fails_and_writes_nothing(in_demo: Any, service: Any) -> None:
    owner = Actor(user=in_demo_owner())
    org = ClientOrg.objects.filter(archived_at__isnull=True).first()
    assert org is not None
    events = ActivityEvent.objects.count()
    with pytest.raises(AuditMissing, match=r"recorded no client\.archived event"):
        service(actor=owner, org=org)
    org.refresh_from_db()
    assert org.archived_at is None  # rolled back with the transaction the check ran in
    assert ActivityEvent.objects.count() == events


def test_an_audited_service_that_records_its_event_with_its_actor_passes(in_demo: Any) -> None:
    owner = Actor(user=in_demo_owner())
    org = ClientOrg.objects.filter(archived_at__isnull=True).first()
    assert org is not None
    _archive(actor=owner, org=org)
    event = ActivityEvent.objects.filter(verb="client.archived", target_id=org.pk).latest("pk")
    assert event.actor_id == owner.user.pk


def in_demo_owner() -> Any:
    from accounts.models import User

    return User.objects.get(email="olivia.owner@northwind.example")
