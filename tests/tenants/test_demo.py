from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from operators.demo import DEMO_CLIENTS, DEMO_PASSWORD, DEMO_STAFF
from operators.demo_history import COMMENTS, DOCUMENTS, DOWNLOADS, JOININGS, ONBOARDING
from operators.management.commands import seed_demo
from portal.access.models import Invitation
from portal.activity.history import PastHistoryRefused, record_at
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg, Contact
from portal.conversations.models import Comment
from portal.documents.models import Document, DocumentVersion, DownloadEvent
from tenants.db_roles import current_credentials, owner_url, role_of
from tenants.models import Domain, Tenant

TARGETS = {
    "clients.clientorg": ClientOrg,
    "clients.contact": Contact,
    "access.invitation": Invitation,
    "documents.document": Document,
}


@pytest.fixture
def seed(monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """`manage.py seed_demo`, its output returned. The command switches to the owner's connection first; the test
    already runs on it (`as_owner`), so the switch is only recorded."""
    switched: list[bool] = []
    monkeypatch.setattr(seed_demo, "use_owner_connection", lambda: switched.append(True))

    def run() -> str:
        output = StringIO()
        call_command("seed_demo", stdout=output)
        assert switched, "seed_demo must switch to the owner's connection first"
        return output.getvalue()

    return run


def history() -> list[tuple[Any, ...]]:
    with schema_context("demo"):
        return list(ActivityEvent.objects.order_by("pk").values_list("pk", "created_at", "verb", "target_id"))


def test_seed_demo_is_idempotent_and_prints_the_logins(as_owner: None, seed: Callable[[], str]) -> None:
    printed = seed()
    before = history()
    printed += seed()

    assert history() == before  # the history is not written twice
    assert Tenant.objects.filter(schema_name="demo").count() == 1
    assert list(Domain.objects.filter(tenant__schema_name="demo").values_list("domain", flat=True)) == [
        "demo.localhost"
    ]
    contacts = [person for client in DEMO_CLIENTS for person in client.contacts]
    with schema_context("demo"):
        assert User.objects.count() == len(DEMO_STAFF) + len(contacts)
        assert all(user.check_password(DEMO_PASSWORD) for user in User.objects.all())
        assert ClientOrg.objects.count() == len(DEMO_CLIENTS) == 3
        assert {(c.user.email, c.role.slug) for c in Contact.objects.select_related("user", "role")} == {
            (person.email, person.role) for person in contacts
        }
        assert Document.objects.count() == len(DOCUMENTS)
        assert DocumentVersion.objects.count() == sum(len(item.versions) for item in DOCUMENTS)
        assert Comment.objects.count() == len(COMMENTS)
        assert DownloadEvent.objects.count() == len(DOWNLOADS)
        assert Invitation.objects.count() == len(JOININGS)
        files = list(DocumentVersion.objects.values_list("file", flat=True))
        assert len(set(files)) == len(files)
    assert DEMO_PASSWORD in printed
    assert all(login.email in printed for login in DEMO_STAFF)
    assert all(person.email in printed for person in contacts)


@pytest.mark.django_db
def test_the_demo_has_weeks_of_history_about_its_own_people_and_things(demo: Tenant) -> None:
    now = timezone.now()
    with schema_context("demo"):
        # Between a day and ten weeks old: not what other tests made today, nor their long-past rows.
        seeded = list(
            ActivityEvent.objects.filter(
                created_at__range=(now - timedelta(weeks=10), now - timedelta(days=1))
            ).exclude(target_type="requests.clientrequest")  # the demo's requests: tests/portal/requests/test_demo.py
        )
        people = set(User.objects.values_list("pk", flat=True))
        existing = {label: set(model._default_manager.values_list("pk", flat=True)) for label, model in TARGETS.items()}
        versions = list(DocumentVersion.objects.all())

    expected = (
        len(ONBOARDING) + 2 * len(JOININGS) + sum(len(item.versions) for item in DOCUMENTS) + len(COMMENTS)
        + len(DOWNLOADS)
    )  # fmt: skip
    assert len(seeded) == expected
    assert {event.verb for event in seeded} == {
        "client.created", "contact.invited", "contact.joined", "document.published", "document.version_added",
        "comment.added", "note.added", "document.downloaded",
    }  # fmt: skip
    dates = sorted(event.created_at for event in seeded)
    assert dates[0] < now - timedelta(weeks=6)
    assert dates[-1] < now - timedelta(days=1)
    assert len({date.isocalendar()[:2] for date in dates}) >= 6  # spread over the weeks, not in one burst
    assert all(event.actor_id in people for event in seeded)
    assert all(event.target_id in existing[event.target_type] for event in seeded)
    staff_only = {event.verb for event in seeded if event.internal}
    assert {"client.created", "note.added"} <= staff_only
    assert all(version.file.storage.exists(str(version.file.name)) for version in versions)
    for version in versions:
        with version.file.open("rb") as stored:
            assert stored.read(5) == b"%PDF-"


@pytest.mark.django_db
def test_the_runtime_role_cannot_write_history_in_the_past(demo: Tenant) -> None:
    if not owner_url() or role_of(owner_url()) == current_credentials()["USER"]:
        pytest.skip("one role only: the tests run as the owner")
    with schema_context("demo"), pytest.raises(PastHistoryRefused, match="owner"):
        record_at(
            timezone.now() - timedelta(days=30),
            actor=None,
            verb="client.created",
            target=ClientOrg.objects.get(name="Contoso Retail"),
        )
