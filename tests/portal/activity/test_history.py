"""History no one can rewrite (issue 11). Connected as the runtime role (web, Celery, this suite), the triggers of
the activity history and the download records cannot be switched off, their rows cannot be changed, removed or
back-dated, and the purge function deletes nothing younger than the retention floor; the owner path (seeding,
the tests below) gives rows their own time, and the purge deletes those once they are older than the floor."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone
from django_tenants.utils import tenant_context
from psycopg import sql

from accounts.models import User
from operators.services import tenant_provision
from portal.access.policy import actor_for
from portal.activity.models import ActivityEvent, Delivery, Notification
from portal.activity.retention import purge_events
from portal.clients.models import ClientOrg
from portal.conversations.services import comment_add
from portal.documents.models import DocumentVersion, DownloadEvent, Folder
from portal.documents.services import document_delete, document_download_record, documents_upload
from tenants.models import Tenant
from tenants.template import current_template

pytestmark = pytest.mark.django_db
Told = Callable[[], AbstractContextManager[None]]

PAST_THE_FLOOR = 1200  # days: the retention floor is 1095 (activity.0004)
PURGE_FUNCTIONS = ("activity_purge", "download_purge")
HISTORY_FUNCTIONS = (*PURGE_FUNCTIONS, "activity_history_guard", "download_history_guard", "history_retention_floor")


def sqlstate(error: pytest.ExceptionInfo[DatabaseError]) -> str | None:
    return getattr(error.value.__cause__, "sqlstate", None)


def refused(statement: str, params: list[Any] | None = None) -> str | None:
    """Run `statement` in a savepoint; it must fail. Returns PostgreSQL's error code."""
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)
    return sqlstate(error)


def assert_runtime_role(schema: str = "demo") -> None:
    """Connected as the role web and Celery use: no superuser, and not the owner of the history."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_roles r, "
            "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE r.rolname = current_user AND c.relname = 'activity_activityevent' AND n.nspname = %s",
            [schema],
        )
        role, superuser, owns_history = cursor.fetchone()
    assert (superuser, owns_history) == (False, False), f"{role} is not the runtime role"


@pytest.fixture
def runtime(in_demo: Tenant) -> Tenant:
    """The demo portal, as the runtime role."""
    assert_runtime_role()
    return in_demo


@pytest.fixture
def history(runtime: Tenant, told: Told) -> tuple[ActivityEvent, DownloadEvent]:
    """An event and a download record, made as the application makes them."""
    paula = User.objects.get(email="paula.lead@contoso.example")
    with told():
        comment_add(actor=actor_for(paula), target=ClientOrg.objects.get(name="Contoso Retail"), body="On the record")
    download = DownloadEvent.objects.create(document_id=1, document_title="Plan", version_number=1, user_label="x")
    return ActivityEvent.objects.get(verb="comment.added", data__excerpt="On the record"), download


@pytest.fixture
def version(runtime: Tenant) -> DocumentVersion:
    folder = Folder.objects.create(client_org=ClientOrg.objects.get(name="Contoso Retail"), name="History")
    mia = actor_for(User.objects.get(email="mia.member@northwind.example"))
    [document] = documents_upload(actor=mia, folder=folder, uploads=[SimpleUploadedFile("Plan.txt", b"figures")])
    return document.versions.get()


@pytest.mark.parametrize(
    "statement",
    [
        "SET session_replication_role = replica",
        "ALTER TABLE activity_activityevent DISABLE TRIGGER activity_history_rows",
        "ALTER TABLE activity_activityevent DISABLE TRIGGER ALL",
        "ALTER TABLE documents_downloadevent DISABLE TRIGGER download_history_rows",
        "DROP TRIGGER activity_history_rows ON activity_activityevent",
        "DROP FUNCTION activity_history_guard() CASCADE",
        "CREATE OR REPLACE FUNCTION history_retention_floor() RETURNS timestamptz LANGUAGE sql AS 'SELECT now()'",
        "UPDATE activity_activityevent SET target_label = 'rewritten'",
        "UPDATE activity_activityevent SET created_at = created_at - interval '5 years'",
        "DELETE FROM activity_activityevent",
        "TRUNCATE activity_activityevent CASCADE",
        "DROP TABLE activity_activityevent CASCADE",
        "UPDATE documents_downloadevent SET user_label = 'someone else'",
        "UPDATE documents_downloadevent SET at = at - interval '5 years'",
        "DELETE FROM documents_downloadevent",
        "TRUNCATE documents_downloadevent",
        "DROP TABLE documents_downloadevent",
    ],
)
def test_the_runtime_role_cannot_rewrite_history(history: tuple[ActivityEvent, DownloadEvent], statement: str) -> None:
    event, download = history

    assert refused(statement) == "42501"  # insufficient_privilege: PostgreSQL's own refusal, or the trigger's

    assert ActivityEvent.objects.get(pk=event.pk).target_label == "Contoso Retail"
    assert DownloadEvent.objects.get(pk=download.pk).user_label == "x"


def test_a_custom_setting_no_longer_lets_anyone_delete(history: tuple[ActivityEvent, DownloadEvent]) -> None:
    event, _download = history
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL portico.activity_purge = 'on'")  # any role may set a custom setting
        assert refused("DELETE FROM activity_activityevent WHERE id = %s", [event.pk]) == "42501"
    assert ActivityEvent.objects.filter(pk=event.pk).exists()


def test_history_inserted_with_a_past_time_gets_the_databases_time(runtime: Tenant) -> None:
    past = timezone.now() - timedelta(days=PAST_THE_FLOOR)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO activity_activityevent (created_at, verb, actor_label, target_type, target_id, "
            "target_label, capability, internal, data) VALUES (%s, 'comment.added', '', 'clients.clientorg', 1, "
            "'Forged', 'organisation.view', false, '{}') RETURNING created_at, statement_timestamp()",
            [past],
        )
        stored, clock = cursor.fetchone()
        assert stored == clock
        cursor.execute(
            "INSERT INTO documents_downloadevent (at, document_title, user_label, inline) "
            "VALUES (%s, 'Forged', 'x', false) RETURNING at, statement_timestamp()",
            [past],
        )
        stored, clock = cursor.fetchone()
        assert stored == clock

    # Through the ORM too, and the instance carries what was stored (the field is returned from the INSERT).
    event = ActivityEvent.objects.create(
        created_at=past, verb="comment.added", target_type="clients.clientorg", target_id=1, target_label="Forged"
    )
    download = DownloadEvent.objects.create(at=past, document_title="Forged", user_label="x")
    assert event.created_at > timezone.now() - timedelta(minutes=5)
    assert download.at > timezone.now() - timedelta(minutes=5)
    assert (ActivityEvent.objects.get(pk=event.pk).created_at, DownloadEvent.objects.get(pk=download.pk).at) == (
        event.created_at,
        download.at,
    )


def test_the_purge_function_deletes_nothing_younger_than_the_floor(
    history: tuple[ActivityEvent, DownloadEvent],
) -> None:
    event, download = history
    with connection.cursor() as cursor:
        cursor.execute("SELECT activity_purge(), download_purge()")
        assert cursor.fetchone() == (0, 0)
    assert purge_events() == 0
    assert ActivityEvent.objects.filter(pk=event.pk).exists()
    assert DownloadEvent.objects.filter(pk=download.pk).exists()
    assert Notification.objects.filter(event=event).exists()


def test_the_purge_functions_take_no_cutoff_and_run_as_the_owner_with_a_pinned_path(runtime: Tenant) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.proname, pg_get_function_arguments(p.oid), p.prosecdef, p.proconfig, p.proowner = c.relowner, "
            "has_function_privilege(p.oid, 'EXECUTE') FROM pg_proc p, pg_class c "
            "WHERE p.pronamespace = 'demo'::regnamespace AND p.proname = ANY(%s) "
            "AND c.oid = 'activity_activityevent'::regclass ORDER BY p.proname",
            [list(HISTORY_FUNCTIONS)],
        )
        functions = {name: rest for name, *rest in cursor.fetchall()}
    assert set(functions) == set(HISTORY_FUNCTIONS)
    for name, (arguments, definer, config, owners, executable) in functions.items():
        assert config == ["search_path=pg_catalog, pg_temp"], name
        assert owners, name  # owned by the tables' owner: migrations run as the owner
        assert (arguments, definer, executable) == ("", name in PURGE_FUNCTIONS, True), name
    assert refused("SELECT activity_purge(now())") == "42883"  # undefined_function: there is no cutoff to pass


@dataclass
class OldHistory:
    schema: str
    event: int
    notification: int
    delivery: int
    download: int


def owner_makes_old_history(owner_cursor: Any, schema: str) -> OldHistory:
    """The owner path: an event PAST_THE_FLOOR days old, with a notification and a delivery for someone, and a
    download record as old, committed at once. `remove` deletes them."""
    owner_cursor.execute("SET lock_timeout = '10s'")  # never wait forever on a lock the test's transaction holds
    owner_cursor.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(schema)))
    owner_cursor.execute(
        "INSERT INTO activity_activityevent (created_at, verb, actor_label, target_type, target_id, target_label, "
        "capability, internal, data) VALUES (now() - make_interval(days => %s), 'comment.added', '', "
        "'clients.clientorg', 1, 'Long ago', 'organisation.view', false, '{}') RETURNING id, created_at < now() - "
        "interval '3 years'",
        [PAST_THE_FLOOR],
    )
    event, kept_its_time = owner_cursor.fetchone()
    assert kept_its_time  # the owner's rows keep the time they were given
    owner_cursor.execute(
        "INSERT INTO activity_notification (user_id, event_id, created_at) "
        "SELECT min(id), %s, now() FROM accounts_user RETURNING id, user_id",
        [event],
    )
    notification, user_id = owner_cursor.fetchone()
    owner_cursor.execute(
        "INSERT INTO activity_delivery (event_id, user_id, channel, created_at, attempts) "
        "VALUES (%s, %s, 'in_app', now(), 0) RETURNING id",
        [event, user_id],
    )
    delivery = owner_cursor.fetchone()[0]
    owner_cursor.execute(
        "INSERT INTO documents_downloadevent (at, document_title, user_label, inline) "
        "VALUES (now() - make_interval(days => %s), 'Long ago', 'x', false) RETURNING id",
        [PAST_THE_FLOOR],
    )
    download = owner_cursor.fetchone()[0]
    return OldHistory(schema=schema, event=event, notification=notification, delivery=delivery, download=download)


def remove(owner_cursor: Any, made: OldHistory) -> None:
    """The owner deletes what it made (allowed: the owner, rows older than the floor)."""
    owner_cursor.execute(sql.SQL("SET search_path = {}").format(sql.Identifier(made.schema)))
    owner_cursor.execute("DELETE FROM activity_delivery WHERE event_id = %s", [made.event])
    owner_cursor.execute("DELETE FROM activity_notification WHERE event_id = %s", [made.event])
    owner_cursor.execute("DELETE FROM activity_activityevent WHERE id = %s", [made.event])
    owner_cursor.execute("DELETE FROM documents_downloadevent WHERE id = %s", [made.download])


@pytest.fixture
def old_history(runtime: Tenant, owner_cursor: Any) -> Iterator[OldHistory]:
    made = owner_makes_old_history(owner_cursor, "demo")
    try:
        yield made
    finally:
        remove(owner_cursor, made)


def test_the_purge_deletes_old_history_with_its_notifications_and_deliveries(
    old_history: OldHistory, history: tuple[ActivityEvent, DownloadEvent]
) -> None:
    young_event, young_download = history
    old = old_history
    assert ActivityEvent.objects.filter(pk=old.event).exists()  # the owner's commit is visible here
    assert Notification.objects.filter(pk=old.notification).exists()
    assert Delivery.objects.filter(pk=old.delivery).exists()

    # Deleting it directly is still refused: only the owner (the purge function runs as the owner) may.
    assert refused("DELETE FROM activity_activityevent WHERE id = %s", [old.event]) == "42501"
    assert refused("DELETE FROM documents_downloadevent WHERE id = %s", [old.download]) == "42501"

    with transaction.atomic():  # rolled back, so the rows stay unlocked for the owner to remove them
        assert purge_events() == 1  # the download records' purge is registered with it

        assert not ActivityEvent.objects.filter(pk=old.event).exists()
        assert not Notification.objects.filter(pk=old.notification).exists()
        assert not Delivery.objects.filter(pk=old.delivery).exists()
        assert not DownloadEvent.objects.filter(pk=old.download).exists()
        assert ActivityEvent.objects.filter(pk=young_event.pk).exists()
        assert DownloadEvent.objects.filter(pk=young_download.pk).exists()
        transaction.set_rollback(True)


def test_a_portal_made_from_the_template_guards_and_purges_its_own_history(demo: Tenant, owner_cursor: Any) -> None:
    """Functions live in each tenant schema; new schemas get them from the template's pg_dump, which names
    `portico_template` until the recipe rewrites it. Each schema's functions must work on that schema."""
    assert_runtime_role()
    assert current_template() is not None  # provisioning replays the template's DDL
    fresh = tenant_provision(
        company_name="History Check",
        subdomain="history-check",
        owner_name="Hedda Owner",
        owner_email="hedda@history.test",
        owner_password="a-good-long-password",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT quote_ident(%s)", [fresh.schema_name])
        qualified = f"{cursor.fetchone()[0]}."
        cursor.execute(
            "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = %s::regnamespace",
            [fresh.schema_name],
        )
        definitions = dict(cursor.fetchall())
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE c.relnamespace = %s::regnamespace AND p.pronamespace = c.relnamespace AND NOT t.tgisinternal",
            [fresh.schema_name],
        )
        triggers = {name for (name,) in cursor.fetchall()}
    assert set(HISTORY_FUNCTIONS) <= set(definitions)
    for name in HISTORY_FUNCTIONS:
        assert "portico_template" not in definitions[name], name
        assert qualified in definitions[name], name
    assert triggers >= {
        "activity_history_rows", "activity_history_truncate", "download_history_rows", "download_history_truncate"
    }  # fmt: skip

    with tenant_context(fresh):
        event = ActivityEvent.objects.create(
            created_at=timezone.now() - timedelta(days=PAST_THE_FLOOR), verb="comment.added",
            target_type="clients.clientorg", target_id=1, target_label="Forged",
        )  # fmt: skip
        assert event.created_at > timezone.now() - timedelta(minutes=5)
        assert purge_events() == 0
        assert refused("UPDATE activity_activityevent SET target_label = 'rewritten'") == "42501"

    # Rows past the floor, in the other portal (provisioned from the template when the suite started).
    other = Tenant.objects.get(schema_name="other")
    made = owner_makes_old_history(owner_cursor, other.schema_name)
    try:
        with tenant_context(demo):
            assert purge_events() == 0  # the demo portal's purge reaches its own schema only
        with tenant_context(other), transaction.atomic():
            assert purge_events() == 1
            assert not ActivityEvent.objects.filter(pk=made.event).exists()
            assert not Notification.objects.filter(pk=made.notification).exists()
            assert not DownloadEvent.objects.filter(pk=made.download).exists()
            transaction.set_rollback(True)
    finally:
        remove(owner_cursor, made)


def test_download_records_are_stamped_and_only_their_links_may_be_cleared(version: DocumentVersion, told: Told) -> None:
    victor = User.objects.get(email="victor.viewer@contoso.example")
    with told():
        row = document_download_record(actor=actor_for(victor), version=version, inline=False)
    assert DownloadEvent.objects.get(pk=row.pk).at == row.at  # what the database stamped

    for statement in (
        "UPDATE documents_downloadevent SET version_id = NULL, inline = true WHERE id = %s",
        "UPDATE documents_downloadevent SET user_id = NULL, user_label = '' WHERE id = %s",
        "UPDATE documents_downloadevent SET user_id = (SELECT min(id) FROM accounts_user) WHERE id = %s",
        "UPDATE documents_downloadevent SET person_id = NULL WHERE id = %s",
    ):
        assert refused(statement, [row.pk]) == "42501", statement

    # What on_delete=SET_NULL does when the document goes, then the person: allowed, nothing else changes.
    document_delete(actor=actor_for(User.objects.get(email="mia.member@northwind.example")), document=version.document)
    victor.delete()
    kept = DownloadEvent.objects.get(pk=row.pk)
    assert (kept.version_id, kept.user_id) == (None, None)
    assert (kept.document_title, kept.version_number, kept.user_label, kept.at) == (
        "Plan",
        1,
        "victor.viewer@contoso.example",
        row.at,
    )
    # Once cleared, a link cannot be set again.
    statement = "UPDATE documents_downloadevent SET user_id = %s WHERE id = %s"
    assert refused(statement, [version.uploaded_by_id, row.pk]) == "42501"
