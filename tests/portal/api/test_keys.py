"""The API keys page: owners and admins create a key (its token shown once, only the secret's SHA-256 kept), see
the portal's keys and revoke them; creation, revocation and a key's first call from a new address are audited."""

import datetime
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.activity.models import ActivityEvent
from portal.api.models import ApiKey
from portal.api.services import api_key_revoke
from tests.portal import demo_people
from tests.portal.api.support import api, make_key, owner

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"\b(pk_[0-9a-f]{10})\.([A-Za-z0-9_-]{40,})")


def form(**changes: Any) -> dict[str, Any]:
    """The new-key form as a person fills it: a name, clients read and written, documents read, every client."""
    data: dict[str, Any] = {"name": "ERP sync", "reach": "all", "access_clients": "write", "access_documents": "read"}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def olivia(as_user: Callable[[Any], Client]) -> Client:
    return as_user(demo_people.olivia())


# --- who may ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mia", "carla"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_staff_member_and_a_contact_get_404_from_the_keys_page(
    as_user: Callable[[Any], Client], who: str, method: str
) -> None:
    person = as_user(getattr(demo_people, who)())

    listing = getattr(person, method)(reverse("api_keys:list"), form() if method == "post" else {})

    assert listing.status_code == 404
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("who", ["mia", "carla"])
def test_a_staff_member_and_a_contact_get_404_when_revoking(as_user: Callable[[Any], Client], who: str) -> None:
    key, _token = make_key()

    answer = as_user(getattr(demo_people, who)()).post(
        reverse("api_keys:revoke", kwargs={"api_key_id": key.pk}), {"confirmed": "1"}
    )

    assert answer.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None


@pytest.mark.parametrize("who", ["olivia", "adam"])
def test_owners_and_admins_see_the_keys_without_their_secrets(as_user: Callable[[Any], Client], who: str) -> None:
    key, token = make_key(name="CRM")

    page = as_user(getattr(demo_people, who)()).get(reverse("api_keys:list"))

    assert page.status_code == 200
    assert key.prefix.encode() in page.content
    assert b"CRM" in page.content
    assert token.split(".")[1].encode() not in page.content


# --- creating: the token once ---------------------------------------------------------------------------------------


def test_creating_a_key_shows_its_token_once_and_keeps_only_the_secrets_hash(olivia: Client) -> None:
    created = olivia.post(reverse("api_keys:list"), form())

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    found = TOKEN.search(created.content.decode())
    assert found is not None, "the token is on the page"
    prefix, secret = found.groups()
    key = ApiKey.objects.get()
    assert key.prefix == prefix
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str([getattr(key, field.attname) for field in key._meta.concrete_fields])
    assert key.scopes == ["clients:read", "clients:write", "documents:read"]
    assert key.all_clients
    assert key.created_by == demo_people.olivia()

    later = olivia.get(reverse("api_keys:list"))

    assert later.status_code == 200
    assert prefix.encode() in later.content
    assert secret.encode() not in later.content
    assert TOKEN.search(later.content.decode()) is None


def test_the_token_shown_works_and_reaches_only_the_chosen_clients(olivia: Client) -> None:
    contoso = demo_people.contoso()

    created = olivia.post(reverse("api_keys:list"), form(reach="chosen", clients=[contoso.pk], expires_on="2099-01-01"))

    assert created.status_code == 201
    found = TOKEN.search(created.content.decode())
    assert found is not None
    key = ApiKey.objects.get()
    assert list(key.clients.all()) == [contoso]
    assert key.expires_at == datetime.datetime(2099, 1, 1, tzinfo=timezone.get_current_timezone())
    listing = api(found.group(0)).get("/api/v1/clients/")
    assert listing.status_code == 200
    assert [row["name"] for row in listing.json()["results"]] == ["Contoso Retail"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"access_clients": "", "access_documents": ""}, None),  # no scope: the service's error, on the form
        ({"reach": "chosen"}, "clients"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"expires_on": "today"}, "expires_on"),
    ],
    ids=["no-name", "blank-name", "no-scope", "chosen-reach-without-clients", "expiry-past", "expiry-today"],
)
def test_a_refused_key_answers_400_with_the_forms_errors(
    olivia: Client, changes: dict[str, Any], field: str | None
) -> None:
    if changes.get("expires_on") == "today":
        changes = {"expires_on": timezone.localdate().isoformat()}

    refused = olivia.post(reverse("api_keys:list"), form(**changes))

    assert refused.status_code == 400
    errors = refused.context["form"].errors
    assert errors, "the form shows why"
    if field is not None:
        assert field in errors, errors
    else:
        assert "Choose what the key may read or write." in str(errors)
    assert TOKEN.search(refused.content.decode()) is None
    assert not ApiKey.objects.exists()
    assert not ActivityEvent.objects.filter(verb="api_key.created").exists()


# --- audited ------------------------------------------------------------------------------------------------------


def test_creating_and_revoking_are_audited_and_shown_in_the_owners_audit_log(
    olivia: Client, as_user: Callable[[Any], Client]
) -> None:
    olivia.post(reverse("api_keys:list"), form(name="Billing export"))
    key = ApiKey.objects.get()

    revoked = olivia.post(reverse("api_keys:revoke", kwargs={"api_key_id": key.pk}), {"confirmed": "1"})

    assert revoked.status_code == 302
    assert revoked["Location"] == reverse("api_keys:list")
    key.refresh_from_db()
    assert key.revoked_at is not None
    created_event = ActivityEvent.objects.get(verb="api_key.created")
    revoked_event = ActivityEvent.objects.get(verb="api_key.revoked")
    for event in (created_event, revoked_event):
        assert event.actor_id == demo_people.olivia().pk
        assert (event.target_type, event.target_id) == ("api.apikey", key.pk)
        assert event.client_org_id is None
    assert created_event.data["prefix"] == key.prefix
    assert created_event.data["scopes"] == ["clients:read", "clients:write", "documents:read"]
    assert "secret" not in str(created_event.data).lower()

    log = olivia.get(reverse("activity:audit_log"))
    assert log.status_code == 200
    assert {"api_key.created", "api_key.revoked"} <= {event.verb for event in log.context["events"]}
    assert b"API keys created" in log.content
    assert b"API keys revoked" in log.content

    # Audit-only: on no timeline, and not in a staff member's log (the portal's own business).
    mias_log = as_user(demo_people.mia()).get(reverse("activity:audit_log"))
    assert not {"api_key.created", "api_key.revoked"} & {event.verb for event in mias_log.context["events"]}


def test_revoking_asks_first_and_a_revoked_key_is_refused_at_once(olivia: Client) -> None:
    key, token = make_key()
    assert api(token).get("/api/v1/clients/").status_code == 200

    asked = olivia.post(reverse("api_keys:revoke", kwargs={"api_key_id": key.pk}))
    assert asked.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at is None

    olivia.post(reverse("api_keys:revoke", kwargs={"api_key_id": key.pk}), {"confirmed": "1"})

    assert api(token).get("/api/v1/clients/").status_code == 401


def test_revoking_twice_changes_nothing_the_second_time(olivia: Client) -> None:
    key, _token = make_key()
    api_key_revoke(actor=owner(), key=key)
    key.refresh_from_db()
    first = key.revoked_at

    again = olivia.post(reverse("api_keys:revoke", kwargs={"api_key_id": key.pk}), {"confirmed": "1"}, follow=True)

    assert again.status_code == 200
    key.refresh_from_db()
    assert key.revoked_at == first
    assert ActivityEvent.objects.filter(verb="api_key.revoked").count() == 1


# --- use: last use, new addresses ------------------------------------------------------------------------------


def test_the_first_call_from_each_new_address_is_audited_once(in_demo: Any) -> None:
    key, token = make_key()
    assert key.last_used_at is None

    for address in ("203.0.113.7", "203.0.113.7", "198.51.100.2", "203.0.113.7", "198.51.100.2"):
        assert api(token, address=address).get("/api/v1/clients/").status_code == 200

    events = ActivityEvent.objects.filter(verb="api_key.new_address").order_by("pk")
    assert [event.data["address"] for event in events] == ["203.0.113.7", "198.51.100.2"]
    for event in events:
        assert event.target_id == key.pk
        assert event.actor_id is None
        assert event.actor_label == "API key “ERP sync”"
    key.refresh_from_db()
    assert key.known_ips == ["203.0.113.7", "198.51.100.2"]


def test_a_call_records_the_keys_last_use_and_address(in_demo: Any) -> None:
    key, token = make_key()
    before = timezone.now()

    api(token, address="203.0.113.7").get("/api/v1/clients/")

    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.last_used_at >= before
    assert key.last_used_ip == "203.0.113.7"

    api(token, address="198.51.100.2").get("/api/v1/clients/")  # another address: noted at once

    key.refresh_from_db()
    assert key.last_used_ip == "198.51.100.2"


def test_the_new_address_event_is_in_the_owners_audit_log(olivia: Client) -> None:
    _key, token = make_key()
    api(token, address="203.0.113.7").get("/api/v1/clients/")

    log = olivia.get(reverse("activity:audit_log"), {"verb": "api_key.new_address"})

    assert log.status_code == 200
    assert [event.verb for event in log.context["events"]] == ["api_key.new_address"]
    assert "API key “ERP sync”".encode() in log.content


def test_a_refused_token_is_not_noted_as_a_use(in_demo: Any) -> None:
    key, token = make_key()
    wrong = token[:-2] + ("aa" if not token.endswith("aa") else "bb")

    assert api(wrong, address="203.0.113.7").get("/api/v1/clients/").status_code == 401

    key.refresh_from_db()
    assert key.last_used_at is None
    assert key.known_ips == []
    assert not ActivityEvent.objects.filter(verb="api_key.new_address").exists()
