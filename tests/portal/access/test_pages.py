"""What is kept between requests (`portal.access.pages`, `accounts.sessions`, `portal.access.backends`, all on
`tenants.generations`) is reused only while nothing it was derived from has changed: a page is served again to
the same session without rendering, and a committed write, a deactivation, a role change or an ended session
takes effect on the very next request.

The suite's transaction never commits, so `settle()` runs the after-commit callbacks the commit would have run
(what the fixtures wrote is then "committed"), and writes made under `told()` run theirs as they would."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import pytest
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts.models import User
from portal.access import pages
from portal.access.models import Role
from portal.access.policy import actor_for
from portal.access.services import contact_change_role, end_sessions, person_deactivate
from portal.clients.models import ClientOrg, Contact
from portal.documents import selectors as document_selectors
from portal.documents.models import Folder
from portal.documents.services import documents_upload, folder_create
from portal.organisations.services import client_org_archive
from tests.portal.conftest import HOST
from tests.portal.factories import ClientOrgFactory, ContactFactory, make_user
from tests.support.generations import settle

pytestmark = pytest.mark.django_db

OWNER = "olivia.owner@northwind.example"
# The views that keep their pages: each depends only on the database and the request (no files, no Redis
# counters, no clock beyond the minute). Adding one is a review: check that, then list it here.
REVIEWED = {"documents:list", "clients:list", "dashboard:home", "activity:notifications"}


def owner() -> User:
    return User.objects.get(email=OWNER)


class Reader:
    """A contact (the Viewer role) of a client of their own, with a shared folder and one document in it."""

    def __init__(self, told: Callable[[], Any]) -> None:
        self.org = cast(ClientOrg, ClientOrgFactory(name="Kept Pages Ltd"))
        self.user = make_user("kim.kept@keptpages.test", full_name="Kim Kept")
        self.contact = cast(Contact, ContactFactory(user=self.user, client_org=self.org, role=role("viewer")))
        self.folder: Folder = folder_create(actor=actor_for(owner()), org=self.org, name="Reports", internal=False)
        self.publish("First report.txt", told)
        self.url = reverse("documents:list", kwargs={"org_id": self.org.pk})

    def publish(self, name: str, told: Callable[[], Any]) -> None:
        with told():
            documents_upload(
                actor=actor_for(owner()), folder=self.folder, uploads=[SimpleUploadedFile(name, b"figures\n")]
            )

    def client(self) -> Client:
        client = Client(headers={"host": HOST})
        client.force_login(self.user)
        settle()  # the sign-in's session row
        # The CSRF cookie a browser holds from the sign-in form (a page without one is rendered, not kept).
        client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
        return client


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


PINNED_MINUTE = 29_000_000


@pytest.fixture(autouse=True)
def one_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests run within one minute of the page's clock (one crossing a minute would render again)."""
    monkeypatch.setattr(pages, "minute", lambda: PINNED_MINUTE)


@pytest.fixture
def reader(in_demo: Any, told: Callable[[], Any]) -> Reader:
    made = Reader(told)
    settle()
    return made


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the documents list ran its own queries (the view's body, not the kept page)."""
    calls: list[int] = []
    original = document_selectors.documents_for

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(document_selectors, "documents_for", counted)
    return calls


def get(client: Client, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    return response


def test_a_page_is_rendered_once_then_served_to_the_same_session_from_what_was_kept(
    reader: Reader, renders: list[int]
) -> None:
    client = reader.client()
    first = get(client, reader.url)
    with CaptureQueriesContext(connection) as again_queries:
        again = get(client, reader.url)
    statements = [query["sql"] for query in again_queries.captured_queries]

    assert first.status_code == again.status_code == 200
    assert renders == [1], "the second request must not run the view"
    assert again.content == first.content
    assert b"First report" in again.content
    # The session, the person and the guard's answer were kept too, under the same generations: no SQL at all.
    assert statements == []


def test_a_committed_write_retires_the_kept_page(reader: Reader, renders: list[int], told: Any) -> None:
    client = reader.client()
    get(client, reader.url)
    reader.publish("Second report.txt", told)

    response = get(client, reader.url)

    assert b"Second report" in response.content
    assert renders == [1, 1]


def test_a_write_not_yet_committed_is_seen_by_its_own_connection(reader: Reader, renders: list[int]) -> None:
    client = reader.client()
    get(client, reader.url)
    documents_upload(
        actor=actor_for(owner()), folder=reader.folder, uploads=[SimpleUploadedFile("Draft.txt", b"draft\n")]
    )  # no commit: only this connection sees the row

    response = get(client, reader.url)

    assert b"Draft" in response.content
    assert renders == [1, 1]


def test_a_role_change_takes_effect_on_the_next_request(reader: Reader, told: Any) -> None:
    client = reader.client()
    assert get(client, reader.url).status_code == 200
    get(client, reader.url)  # kept
    overview_only = Role.objects.create(
        name="Overview only", slug="overview-only", custom_capabilities=["organisation.view"]
    )
    with told():
        contact_change_role(actor=actor_for(owner()), contact=reader.contact, role=overview_only)

    assert get(client, reader.url).status_code == 404


def test_archiving_the_organisation_takes_effect_on_the_next_request(reader: Reader, told: Any) -> None:
    client = reader.client()
    get(client, reader.url)
    get(client, reader.url)  # the guard's answer kept
    with told():
        client_org_archive(actor=actor_for(owner()), org=reader.org)

    assert get(client, reader.url).status_code == 404


def test_a_deactivation_takes_effect_on_the_next_request(reader: Reader, told: Any) -> None:
    client = reader.client()
    get(client, reader.url)
    get(client, reader.url)  # the page, the session and the person all kept
    with told():
        person_deactivate(actor=actor_for(owner()), user=reader.user)

    response = get(client, reader.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_session_ended_elsewhere_is_not_read_from_what_was_kept(reader: Reader, told: Any) -> None:
    client, other_device = reader.client(), reader.client()
    get(client, reader.url)
    get(client, reader.url)
    with told():
        end_sessions(actor=actor_for(reader.user), user=reader.user, only=client.session.session_key)

    assert get(client, reader.url).status_code == 302
    assert get(other_device, reader.url).status_code == 200


def test_a_kept_session_past_its_expiry_is_not_used(reader: Reader, monkeypatch: pytest.MonkeyPatch) -> None:
    client = reader.client()
    get(client, reader.url)
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    monkeypatch.setattr(timezone, "now", lambda: later)

    assert get(client, reader.url).status_code == 302


def test_each_session_and_each_person_gets_a_page_of_its_own(reader: Reader, renders: list[int]) -> None:
    one, two = reader.client(), reader.client()
    colleague = make_user("kai.kept@keptpages.test", full_name="Kai Kept")
    ContactFactory(user=colleague, client_org=reader.org, role=role("viewer"))
    settle()
    three = Client(headers={"host": HOST})
    three.force_login(colleague)
    settle()
    three.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)

    pages_seen = [get(client, reader.url).content for client in (one, two, three, one, two, three)]

    assert renders == [1, 1, 1], "one render per session, each reused by its own session only"
    assert pages_seen[:3] == pages_seen[3:]
    assert b"Kai Kept" in pages_seen[2]
    assert b"Kai Kept" not in pages_seen[0]
    assert pages_seen[0] != pages_seen[1], "each session's page carries its own CSRF token"


def test_a_request_without_a_csrf_cookie_or_with_messages_is_rendered(reader: Reader, renders: list[int]) -> None:
    client = reader.client()
    get(client, reader.url)
    del client.cookies[settings.CSRF_COOKIE_NAME]
    get(client, reader.url)  # rendered, not kept: it sets a new cookie
    get(client, reader.url)  # kept under the new cookie
    get(client, reader.url)
    assert renders == [1, 1, 1]

    storage = cast(Any, CookieStorage(cast(Any, None)))  # its encoder is private: what a redirect after a save sets
    client.cookies[storage.cookie_name] = storage._encode([Message(messages.INFO, "Saved.")])
    shown = get(client, reader.url)

    assert b"Saved." in shown.content
    assert renders == [1, 1, 1, 1]


def test_htmx_partials_are_kept_apart_from_their_page(reader: Reader) -> None:
    client = reader.client()
    url = reverse("activity:notifications")
    page = get(client, url)
    partial = get(client, url, HX_Request="true")

    assert b"<html" in page.content
    assert b"<html" not in partial.content
    assert get(client, url).content == page.content


def test_relative_times_are_worded_again_each_minute(
    reader: Reader, renders: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = reader.client()
    get(client, reader.url)
    get(client, reader.url)
    monkeypatch.setattr(pages, "minute", lambda: PINNED_MINUTE + 1)

    get(client, reader.url)

    assert renders == [1, 1]


def test_nothing_is_kept_when_the_page_cache_is_off(reader: Reader, renders: list[int], settings: Any) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    client = reader.client()
    get(client, reader.url)
    get(client, reader.url)

    assert renders == [1, 1]


def walk(patterns: list[Any], prefix: str = "") -> dict[str, Any]:
    views: dict[str, Any] = {}
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            views.update(walk(pattern.url_patterns, namespace))
        elif isinstance(pattern, URLPattern) and pattern.name:
            views[f"{prefix}{pattern.name}"] = pattern.callback
    return views


def test_only_reviewed_views_keep_their_pages() -> None:
    views = walk(get_resolver(settings.ROOT_URLCONF).url_patterns)
    keeping = {name for name, view in views.items() if getattr(view, pages.ATTRIBUTE, False)}

    assert keeping == REVIEWED
