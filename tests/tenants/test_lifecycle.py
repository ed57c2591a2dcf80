"""Each lifecycle state behaves as described, and only allowed transitions happen."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from billing.models import Subscription
from operators import lifecycle_jobs
from operators.services import TenantError, tenant_change_status, tenant_purge
from portal.access.policy import SYSTEM
from tenants.lifecycle import ALLOWED_TRANSITIONS, TenantStatus
from tenants.models import Tenant
from tests.conftest import DEMO_HOST
from tests.tenants.catalog import schema_exists

pytestmark = pytest.mark.django_db
SetStatus = Callable[[Tenant, str], None]
OWNER, MEMBER = "olivia.owner@northwind.example", "mia.member@northwind.example"


def signed_in(client: Client, email: str, password: str) -> Client:
    response = client.post("/accounts/login/", {"login": email, "password": password}, headers={"host": DEMO_HOST})
    assert response.status_code == 302, response.content
    return client


def get(client: Client, path: str = "/") -> Any:
    return client.get(path, headers={"host": DEMO_HOST})


def rename_portal(client: Client) -> Any:
    return client.post(
        "/settings/branding/", {"display_name": "Renamed", "brand_color": "#123456"}, headers={"host": DEMO_HOST}
    )


@pytest.mark.parametrize("current", list(TenantStatus))
@pytest.mark.parametrize("target", list(TenantStatus))
def test_only_allowed_transitions_happen(demo: Tenant, current: str, target: str) -> None:
    Subscription.objects.filter(tenant=demo).update(status=current)
    if current == target:
        return
    if TenantStatus(target) in ALLOWED_TRANSITIONS[TenantStatus(current)]:
        assert tenant_change_status(actor=SYSTEM, tenant=demo, status=target).status == target
    else:
        with pytest.raises(TenantError, match="cannot become"):
            tenant_change_status(actor=SYSTEM, tenant=demo, status=target)
        assert Subscription.objects.get(tenant=demo).status == current


@pytest.mark.parametrize("status", ["trialing", "active", "past_due"])
def test_working_states_let_staff_change_things(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus, status: str
) -> None:
    set_status(demo, status)
    signed_in(client, OWNER, demo_password)

    assert rename_portal(client).status_code == 302
    assert Tenant.objects.get(pk=demo.pk).display_name == "Renamed"


def test_past_due_shows_a_banner(client: Client, demo: Tenant, demo_password: str, set_status: SetStatus) -> None:
    set_status(demo, "past_due")

    page = get(signed_in(client, MEMBER, demo_password))

    assert page.status_code == 200
    assert b"payment is overdue" in page.content


def test_read_only_shows_everything_with_a_banner_and_refuses_writes(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus
) -> None:
    set_status(demo, "read_only")
    signed_in(client, OWNER, demo_password)  # signing in is not a write it refuses

    home = get(client)
    refused = rename_portal(client)

    assert home.status_code == 200
    assert b"This portal is read-only" in home.content
    assert refused.status_code == 403
    assert b"Nothing was changed" in refused.content
    assert Tenant.objects.get(pk=demo.pk).display_name == ""


def test_suspended_shows_a_notice_to_clients_and_staff(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus
) -> None:
    set_status(demo, "suspended")

    anonymous = get(client)
    member = get(signed_in(client, MEMBER, demo_password), "/settings/branding/")

    for page in (anonymous, member):
        assert page.status_code == 403
        assert b"portal is unavailable" in page.content
        assert b"How to reactivate" not in page.content


def test_suspended_shows_its_owner_how_to_reactivate(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus
) -> None:
    set_status(demo, "suspended")

    page = get(signed_in(client, OWNER, demo_password))

    assert page.status_code == 403
    assert b"How to reactivate it" in page.content


def test_canceled_shows_a_notice_with_the_purge_date_to_its_owner(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus
) -> None:
    set_status(demo, "canceled")

    anonymous = get(client)
    owner = get(signed_in(client, OWNER, demo_password))

    assert anonymous.status_code == owner.status_code == 403
    assert b"no longer available" in anonymous.content
    purge_on = timezone.localdate() + timedelta(days=30)
    assert purge_on.strftime("%Y").encode() in owner.content
    assert b"deleted for good" in owner.content


def test_the_lifecycle_job_never_purges_it_marks(demo: Tenant) -> None:
    """Dropping a schema needs the owner's credentials: see tests/tenants/test_purge.py."""
    Subscription.objects.filter(tenant=demo).update(status="canceled", canceled_at=timezone.now())

    assert lifecycle_jobs.mark_purges() == 0  # within retention (the runtime role cannot date it earlier)
    assert schema_exists("demo")
    with pytest.raises(TenantError, match="retention"):
        tenant_purge(actor=SYSTEM, tenant=demo)


def test_an_ended_trial_becomes_past_due_then_read_only_after_the_grace_period(demo: Tenant) -> None:
    Subscription.objects.filter(tenant=demo).update(status="trialing", trial_ends_at=timezone.now())

    assert lifecycle_jobs.expire_trials() == 1
    assert Subscription.objects.get(tenant=demo).status == "past_due"
    assert lifecycle_jobs.end_grace_periods() == 0

    Subscription.objects.filter(tenant=demo).update(status_changed_at=timezone.now() - timedelta(days=8))

    assert lifecycle_jobs.end_grace_periods() == 1
    assert Subscription.objects.get(tenant=demo).status == "read_only"


def test_a_running_trial_is_left_alone(demo: Tenant) -> None:
    Subscription.objects.filter(tenant=demo).update(status="trialing", trial_ends_at=timezone.now() + timedelta(days=1))

    assert lifecycle_jobs.expire_trials() == 0
    with schema_context("demo"):
        assert Subscription.objects.get(tenant=demo).status == "trialing"


def test_read_only_refuses_account_changes_but_not_signing_in_and_out(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus
) -> None:
    set_status(demo, "read_only")
    signed_in(client, OWNER, demo_password)

    add_email = client.post(
        "/accounts/email/", {"email": "second@northwind.example", "action_add": ""}, headers={"host": DEMO_HOST}
    )
    change_password = client.post(
        "/accounts/password/change/",
        {"oldpassword": demo_password, "password1": "another-long-password-1", "password2": "another-long-password-1"},
        headers={"host": DEMO_HOST},
    )

    assert add_email.status_code == change_password.status_code == 403
    with schema_context("demo"):
        assert not EmailAddress.objects.filter(email="second@northwind.example").exists()
        assert User.objects.get(email=OWNER).check_password(demo_password)
    assert client.post("/accounts/logout/", headers={"host": DEMO_HOST}).status_code == 302


@pytest.mark.parametrize("status", ["suspended", "canceled"])
def test_closed_portals_keep_only_sign_in_and_their_look_open(
    client: Client, demo: Tenant, demo_password: str, set_status: SetStatus, status: str
) -> None:
    set_status(demo, status)
    signed_in(client, MEMBER, demo_password)

    assert get(client, "/accounts/email/").status_code == 403
    assert get(client, "/accounts/password/change/").status_code == 403
    assert get(client, "/branding/theme.css").status_code == 200
    notice = get(client)
    assert notice.status_code == 403
    assert "default-src 'self'" in notice["Content-Security-Policy"]
    assert notice["X-Frame-Options"] == "DENY"


def test_a_job_does_not_undo_a_newer_change(demo: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """The trial job lists `demo` as trialing; an operator activates it before the job moves it."""
    Subscription.objects.filter(tenant=demo).update(status="trialing", trial_ends_at=timezone.now())
    listed = list(Subscription.objects.filter(tenant=demo))
    tenant_change_status(actor=SYSTEM, tenant=demo, status="active")
    monkeypatch.setattr(Subscription.objects, "select_related", lambda *fields: _FakeQuery(listed))

    assert lifecycle_jobs.expire_trials() == 0
    assert Subscription.objects.get(tenant=demo).status == "active"


class _FakeQuery(list[Subscription]):
    def filter(self, **kwargs: object) -> "_FakeQuery":
        return self


def test_the_hourly_beat_task_runs_every_time_driven_move(demo: Tenant) -> None:
    from operators.tasks import run_lifecycle_task

    Subscription.objects.filter(tenant=demo).update(status="trialing", trial_ends_at=timezone.now())

    assert run_lifecycle_task.apply().get() == {"trials_expired": 1, "made_read_only": 0, "marked_for_purge": 0}
    assert Subscription.objects.get(tenant=demo).status == "past_due"
