"""Purging canceled portals: Celery beat (the runtime role) only marks them; `purge_tenants`, run with the owner's
credentials, drops the marked ones after checking the public-schema record again, and refuses the others."""

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from billing.models import Subscription
from operators.management.commands import purge_tenants
from operators.services import purge_mark_due, tenant_change_status
from portal.access.policy import SYSTEM
from tenants.db_roles import current_credentials, owner_url, role_of
from tenants.models import Domain, Tenant
from tenants.routing import HostRouter, current_version
from tests.tenants.catalog import schema_exists
from tests.tenants.test_provisioning import provision


@pytest.fixture
def purge(monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """`manage.py purge_tenants`, its output returned. The command switches to the owner's connection first; the
    test already runs on it (switching would close the test's transaction), so the switch is only recorded."""
    switched: list[bool] = []
    monkeypatch.setattr(purge_tenants, "use_owner_connection", lambda: switched.append(True))

    def run(*arguments: str) -> str:
        output = StringIO()
        call_command("purge_tenants", *arguments, stdout=output)
        assert switched, "purge_tenants must switch to the owner's connection first"
        return output.getvalue()

    return run


def cancel(tenant: Tenant, days_ago: float, *, marked: bool = True) -> None:
    now = timezone.now()
    Subscription.objects.filter(tenant=tenant).update(
        status="canceled", canceled_at=now - timedelta(days=days_ago), purge_due_at=now if marked else None
    )


def mark_of(slug: str) -> Any:
    return Subscription.objects.get(tenant__slug=slug).purge_due_at


def test_the_hourly_job_only_marks_portals_past_their_retention(as_owner: None) -> None:
    from operators.tasks import run_lifecycle_task

    demo, other = Tenant.objects.get(slug="demo"), Tenant.objects.get(slug="other")
    cancel(demo, 31, marked=False)
    cancel(other, 29, marked=False)

    result = run_lifecycle_task.apply().get()

    assert result["marked_for_purge"] == 1
    assert mark_of("demo") is not None
    assert mark_of("other") is None
    assert schema_exists("demo")
    assert Tenant.objects.filter(slug="demo").exists()
    assert run_lifecycle_task.apply().get()["marked_for_purge"] == 0  # marked once


def test_purge_tenants_drops_a_marked_portal_its_files_and_its_routes(
    as_owner: None, purge: Callable[..., str], django_capture_on_commit_callbacks: Any
) -> None:
    gone = provision("gone", email="someone@gone.test")
    stored = default_storage.save("gone/documents/1/report.txt", ContentFile(b"kept 30 days, then gone"))
    router = HostRouter(check_interval=0)
    assert router.resolve("gone.localhost") == gone
    cancel(gone, 31, marked=False)
    assert purge_mark_due() == 1
    with connection.cursor() as cursor:  # provisioned in this transaction: check its deferred keys now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with django_capture_on_commit_callbacks(execute=True):
        printed = purge()

    assert "purged   gone" in printed
    assert "1 purged, 0 refused" in printed
    assert not schema_exists("gone")
    assert not Tenant.objects.filter(slug="gone").exists()
    assert not Domain.objects.filter(domain="gone.localhost").exists()
    assert not Subscription.objects.filter(tenant_id=gone.pk).exists()
    assert not default_storage.exists(stored)
    assert router.resolve("gone.localhost", at_least=current_version()) is None
    assert schema_exists("demo")  # only the marked portal


def test_purge_tenants_refuses_a_marked_portal_that_is_not_canceled(as_owner: None, purge: Callable[..., str]) -> None:
    """A mark alone never drops anything (the runtime role can write one): the subscription decides."""
    Subscription.objects.filter(tenant__slug="demo").update(purge_due_at=timezone.now())

    printed = purge()

    assert "refused  demo: not canceled (it is active)" in printed
    assert schema_exists("demo")
    assert Tenant.objects.filter(slug="demo").exists()
    assert mark_of("demo") is None  # cleared: the job marks it again once it is really due


def test_purge_tenants_refuses_a_portal_canceled_within_its_retention_period(
    as_owner: None, purge: Callable[..., str]
) -> None:
    cancel(Tenant.objects.get(slug="demo"), 5)

    printed = purge()

    assert "refused  demo: canceled on" in printed
    assert "5 days ago: kept 30 days" in printed
    assert "0 purged, 1 refused" in printed
    assert schema_exists("demo")


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(as_owner: None, purge: Callable[..., str]) -> None:
    cancel(Tenant.objects.get(slug="demo"), 31)
    cancel(Tenant.objects.get(slug="other"), 2)

    printed = purge("--dry-run")

    assert "would purge  demo" in printed
    assert "would refuse other: canceled on" in printed
    assert schema_exists("demo")
    assert mark_of("demo") is not None
    assert mark_of("other") is not None


def test_nothing_marked_is_said_plainly(as_owner: None, purge: Callable[..., str]) -> None:
    assert "No portal is marked for purge." in purge()


def test_every_needs_a_positive_interval(as_owner: None, purge: Callable[..., str]) -> None:
    with pytest.raises(CommandError, match="at least 1"):
        purge("--every", "0")


def test_any_move_clears_the_mark(as_owner: None) -> None:
    demo = Tenant.objects.get(slug="demo")
    cancel(demo, 31)

    tenant_change_status(actor=SYSTEM, tenant=demo, status="active", reason="paid after all")

    assert mark_of("demo") is None


@pytest.mark.django_db
def test_the_runtime_role_cannot_backdate_a_cancellation() -> None:
    """The purge trusts `canceled_at`: written by anyone but the owner, it is the database's clock."""
    if not owner_url() or role_of(owner_url()) == current_credentials()["USER"]:
        pytest.skip("one role only: the tests run as the owner")
    Subscription.objects.filter(tenant__slug="demo").update(
        status="canceled", canceled_at=timezone.now() - timedelta(days=400)
    )

    stored = Subscription.objects.get(tenant__slug="demo").canceled_at

    assert stored is not None
    assert stored > timezone.now() - timedelta(minutes=5)
    assert purge_mark_due() == 0
