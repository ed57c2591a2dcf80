"""What the demo portal's journeys share: signing in as a demo person, running code in the demo schema on a
connection of its own (committed, so the web server sees it and the test sees the server's rows), and removing
the history a journey committed (events are append-only for everyone while young: the owner role lifts the
trigger for its own transaction only)."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import transaction
from django_tenants.utils import tenant_context
from playwright.sync_api import Page, expect

from tenants.models import Tenant
from tests.tenants.committed import commit_now

PASSWORD = "northwind-demo-2026"  # operators.demo's published demo login
T = TypeVar("T")


def sign_in(page: Page, portal: str, email: str) -> None:
    """Sign in afresh (any earlier person's cookies dropped) and land on the home page."""
    page.context.clear_cookies()
    page.goto(f"{portal}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def in_demo_committed(django_db_blocker: Any) -> Callable[[Callable[[], T]], T]:
    """A runner of functions in the demo schema, each in a transaction of its own that commits."""

    def run(work: Callable[[], T]) -> T:
        result: list[T] = []

        def in_schema() -> None:
            with tenant_context(Tenant.objects.get(slug="demo")), transaction.atomic():
                result.append(work())

        commit_now(django_db_blocker, in_schema)
        return result[0]

    return run


def remove_events(owner_cursor: Any, condition: str, params: Sequence[Any]) -> None:
    """Delete the demo's events matching the SQL `condition` (on activity_activityevent), with their notifications
    and deliveries, inside the owner cursor's current transaction."""
    owner_cursor.execute(f"SELECT id FROM activity_activityevent WHERE {condition}", params)  # noqa: S608 - tests' SQL
    events = [row[0] for row in owner_cursor.fetchall()]
    owner_cursor.execute("ALTER TABLE activity_activityevent DISABLE TRIGGER activity_history_rows")
    owner_cursor.execute("DELETE FROM activity_delivery WHERE event_id = ANY(%s)", [events])
    owner_cursor.execute("DELETE FROM activity_notification WHERE event_id = ANY(%s)", [events])
    owner_cursor.execute("DELETE FROM activity_activityevent WHERE id = ANY(%s)", [events])
    owner_cursor.execute("ALTER TABLE activity_activityevent ENABLE TRIGGER activity_history_rows")


@contextmanager
def owner_in_demo(owner_cursor: Any) -> Iterator[Any]:
    """The owner cursor in one transaction in the demo schema, with a lock timeout and immediate constraint checks
    (no deferred check left for when a lifted trigger is back)."""
    with owner_cursor.connection.transaction():
        owner_cursor.execute("SET LOCAL search_path = demo")
        owner_cursor.execute("SET LOCAL lock_timeout = '10s'")
        owner_cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        yield owner_cursor
