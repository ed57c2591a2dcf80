"""Provisioning: one service, all or nothing, schemas from the template."""

import threading

import pytest
from allauth.account.models import EmailAddress
from django.db import connection, connections, transaction
from django_tenants.utils import schema_context

from accounts.models import User
from accounts.services import email_digest
from billing.models import Subscription
from operators.services import TenantError, tenant_provision
from portal.access.models import StaffMembership, StaffRole
from tenants import template
from tenants.lifecycle import TenantStatus
from tenants.models import DirectoryEntry, Domain, Tenant
from tests.tenants.catalog import describe, schema_exists
from tests.tenants.committed import committed, drop_schemas, orphan_schemas, owner_connection


def provision(subdomain: str, email: str = "owner@acme.test", **overrides: str) -> Tenant:
    arguments = {
        "company_name": "Acme Advisory",
        "subdomain": subdomain,
        "owner_name": "Ada Owner",
        "owner_email": email,
        "owner_password": "a-good-long-password",
        **overrides,
    }
    return tenant_provision(**arguments)


@pytest.mark.django_db
def test_provisioning_creates_tenant_domain_trial_schema_and_owner() -> None:
    tenant = provision("Acme-Co", brand_color="#aa3300")

    assert (tenant.slug, tenant.schema_name, tenant.brand_color) == ("acme-co", "acme_co", "#aa3300")
    assert Domain.objects.get(tenant=tenant).domain == "acme-co.localhost"
    subscription = Subscription.objects.get(tenant=tenant)
    assert subscription.status == TenantStatus.TRIALING
    assert subscription.plan.is_default
    assert subscription.trial_ends_at is not None
    assert subscription.trial_ends_at > subscription.status_changed_at
    # Listed in the directory only once the owner proves the address is theirs.
    assert not DirectoryEntry.objects.filter(tenant=tenant, email_digest=email_digest("owner@acme.test")).exists()
    with schema_context("acme_co"):
        owner = User.objects.get()
        assert owner.email == "owner@acme.test"
        assert owner.check_password("a-good-long-password")
        assert StaffMembership.objects.get(user=owner).role == StaffRole.OWNER
        assert not EmailAddress.objects.get(user=owner).verified
    with schema_context("public"):
        assert not User.objects.filter(email="owner@acme.test").exists()


@pytest.mark.django_db
def test_provisioning_uses_the_template_not_migrations(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_migrations(name: str, verbosity: int = 0) -> None:
        raise AssertionError("provisioning ran migrations although the template is current")

    monkeypatch.setattr(template, "migrate_schema", no_migrations)

    template.create_tenant_schema("from_template")

    assert schema_exists("from_template")


@pytest.mark.django_db
def test_a_stale_template_is_refused_with_what_to_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Code deployed, `migrate` not run: the runtime role could not migrate a new schema, so nothing is made."""
    monkeypatch.setattr(template, "code_migrations", lambda: frozenset({"clients.9999_deployed_but_not_migrated"}))

    with pytest.raises(template.StaleTemplateError, match=r"run `manage\.py migrate`"):
        provision("stale")

    assert template.current_template() is None
    assert not Tenant.objects.filter(slug="stale").exists()
    assert not schema_exists("stale")


def test_a_schema_made_from_the_template_equals_one_made_by_migrations(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> None:
    """The clone is made by the runtime role (through the owner's function); migrations need the owner."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        try:
            with owner_connection():
                template.migrate_schema("made_by_migrations")
            with transaction.atomic():
                template.create_schema_from_template("made_by_clone")

            cloned, migrated = describe("made_by_clone"), describe("made_by_migrations")
        finally:
            connection.set_schema_to_public()  # type: ignore[attr-defined]
            drop_schemas("made_by_clone", "made_by_migrations")

    parts = ("tables", "indexes", "constraints", "sequences", "functions", "triggers")
    for part in (*parts, "migrations", "content_types", "permissions"):
        assert cloned[part] == migrated[part], part
    assert len(cloned["tables"]) > 50
    assert cloned["triggers"]  # the history guards came along
    assert ("billing", "0002_default_plan") in cloned["migrations"]


@pytest.mark.django_db
def test_sequences_continue_after_the_copied_rows() -> None:
    template.create_schema_from_template("sequenced")

    with schema_context("sequenced"), connection.cursor() as cursor:
        cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES ('probe', 'probe') RETURNING id")
        new_id = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM django_content_type WHERE app_label <> 'probe'")
        assert new_id > cursor.fetchone()[0]


def test_a_failure_after_the_schema_is_created_leaves_nothing_behind(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[bool] = []

    def owner_creation_fails(**kwargs: object) -> None:
        created.append(schema_exists("doomed"))
        raise RuntimeError("injected failure")

    monkeypatch.setattr("operators.services.user_create", owner_creation_fails)
    with committed(django_db_blocker, ("doomed", "doomed")):
        with pytest.raises(RuntimeError, match="injected failure"):
            provision("doomed", email="doomed@acme.test")

        assert created == [True]  # the failure came after the schema existed
        assert not Tenant.objects.filter(slug="doomed").exists()
        assert not Domain.objects.filter(domain="doomed.localhost").exists()
        assert not Subscription.objects.filter(tenant__slug="doomed").exists()
        assert not DirectoryEntry.objects.filter(email_digest=email_digest("doomed@acme.test")).exists()
        assert not schema_exists("doomed")
        assert orphan_schemas() == set()


def test_two_concurrent_signups_for_one_subdomain_make_one_tenant_and_one_clear_error(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> None:
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(number: int) -> None:
        start.wait()
        try:
            provision("contested", email=f"owner{number}@acme.test", company_name=f"Company {number}")
            outcomes.append("provisioned")
        except TenantError as error:
            outcomes.append(f"{error.field}: {error.message}")
        finally:
            connections.close_all()

    with committed(django_db_blocker, ("contested", "contested")):
        threads = [threading.Thread(target=sign_up, args=(number,)) for number in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(outcomes) == ["provisioned", "subdomain: That subdomain is already taken."]
        assert Tenant.objects.filter(slug="contested").count() == 1
        assert Domain.objects.filter(domain="contested.localhost").count() == 1
        assert schema_exists("contested")
        assert orphan_schemas() == set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subdomain": "www"}, "subdomain"),
        ({"subdomain": "demo"}, "subdomain"),
        ({"subdomain": "fine-name", "brand_color": "red"}, "brand_color"),
        ({"subdomain": "fine-name", "company_name": "  "}, "name"),
    ],
)
def test_bad_input_is_refused_with_a_message_for_its_field(overrides: dict[str, str], field: str) -> None:
    with pytest.raises(TenantError) as raised:
        provision(**overrides)

    assert raised.value.field == field
    assert not Tenant.objects.filter(slug="fine-name").exists()


@pytest.mark.django_db
def test_a_squashed_migration_keeps_the_template_current(monkeypatch: pytest.MonkeyPatch) -> None:
    """After `squashmigrations`, the code lists the squashed migration; the template recorded the ones it
    replaces and, once migrated, the squashed one too. (The runtime role may not write the snapshot, so the
    comparison is checked on the recorded list.)"""
    current = template.current_template()
    assert current is not None
    squashed = "billing.0001_squashed_0002_default_plan"
    code = (template.code_migrations() - {"billing.0001_initial", "billing.0002_default_plan"}) | {squashed}
    monkeypatch.setattr(template, "code_migrations", lambda: code)

    assert template.reflects_code([*current.applied_migrations, squashed])
    assert not template.reflects_code(current.applied_migrations)
