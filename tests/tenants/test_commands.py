from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from billing.models import Subscription
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_provision_tenant_creates_a_portal_and_prints_its_address() -> None:
    output = run(
        "provision_tenant", "acme", "--company", "Acme Advisory", "--owner-email", "ada@acme.test",
        "--owner-name", "Ada", "--password", "a-good-long-password",
    )  # fmt: skip

    assert "http://acme.localhost/" in output
    assert Tenant.objects.filter(slug="acme").exists()


@pytest.mark.parametrize(("subdomain", "message"), [("www", "subdomain: “www” is reserved"), ("demo", "already taken")])
def test_provision_tenant_explains_what_is_wrong(subdomain: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(
            "provision_tenant", subdomain, "--company", "X Co", "--owner-email", "x@x.test", "--owner-name", "X",
            "--no-password",
        )  # fmt: skip


def test_tenant_status_shows_the_state_and_what_it_may_become() -> None:
    output = run("tenant_status", "demo")

    assert output.startswith("demo: active since ")
    assert "may become: canceled, past_due, read_only, suspended" in output


def test_tenant_status_changes_the_state() -> None:
    output = run("tenant_status", "demo", "--set", "suspended", "--reason", "unpaid invoice")

    assert output.startswith("demo: suspended since ")
    assert "reason: system: unpaid invoice" in output
    assert Subscription.objects.get(tenant__slug="demo").status == "suspended"


def test_tenant_status_refuses_a_transition_that_is_not_allowed() -> None:
    run("tenant_status", "demo", "--set", "canceled")

    with pytest.raises(CommandError, match="A canceled portal cannot become suspended"):
        run("tenant_status", "demo", "--set", "suspended")


def test_tenant_status_names_an_unknown_portal() -> None:
    with pytest.raises(CommandError, match="No portal has the subdomain 'ghost'"):
        run("tenant_status", "ghost")
