"""The webhooks pages (owners and admins): endpoints added with their signing secret shown once, refused when their
URL could reach inside our network or they ask for audit-only events, edited, their secret rotated, a test event
sent, deliveries replayed one by one or over a time range, deleted after asking; the delivery log; and nothing of
it for staff members, contacts or another portal.

Nothing is ever sent: the tests run in a transaction that is rolled back, so no after-commit callback runs unless a
test captures it, and those that do replace `deliver_task.delay` with a recorder first."""

import datetime
import ipaddress
import re
import socket
from collections.abc import Callable
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.events import audit_only_types
from portal.activity.models import ActivityEvent
from portal.clients.models import ClientOrg
from portal.conversations.services import comment_add
from portal.webhooks import transport
from portal.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal.webhooks.services import endpoint_create, subscribable_types
from portal.webhooks.urls import urlpatterns
from portal.webhooks.views import LOG_PAGE
from tenants.models import Tenant
from tests.conftest import OTHER_HOST, SHARED_EMAIL
from tests.portal import demo_people
from tests.portal.factories import ClientOrgFactory

pytestmark = pytest.mark.django_db

SECRET = re.compile(r"whsec_[A-Za-z0-9+/=]{40,}")
LOCAL_URL = "http://127.0.0.1:9/hook"  # an IP literal: no DNS lookup; accepted with the test settings below
PUBLIC = "93.184.216.34"
TYPES = ["request.submitted", "comment.added", "document.published"]
URL_NAMES = sorted(f"webhooks:{pattern.name}" for pattern in urlpatterns)
TIME = "%Y-%m-%dT%H:%M"  # what the datetime-local inputs send

SignIn = Callable[[Any], Client]


def form(**changes: Any) -> dict[str, Any]:
    """The endpoint form as a person fills it: a local receiver, three event types, every client."""
    data: dict[str, Any] = {"url": LOCAL_URL, "description": "ERP sync", "event_types": TYPES, "reach": "all"}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def editing(endpoint: WebhookEndpoint, **changes: Any) -> dict[str, Any]:
    """The endpoint page's settings form as it is shown (switched on when it is), with `changes`."""
    data: dict[str, Any] = {
        "url": endpoint.url, "description": endpoint.description, "event_types": endpoint.event_types,
        "reach": "all" if endpoint.all_clients else "chosen", "clients": [org.pk for org in endpoint.clients.all()],
        "enabled": "on" if endpoint.enabled else None,
    }  # fmt: skip
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def url_of(name: str, endpoint: WebhookEndpoint, delivery: WebhookDelivery | None = None) -> str:
    if name == "webhooks:list":
        return reverse(name)
    kwargs = {"endpoint_id": endpoint.pk}
    if name == "webhooks:replay_one":
        assert delivery is not None
        kwargs["delivery_id"] = delivery.pk
    return reverse(name, kwargs=kwargs)


def logged(
    endpoint: WebhookEndpoint,
    status: str = DeliveryStatus.FAILED,
    *,
    attempts: int = 0,
    answer: int | None = 503,
    event_type: str = "comment.added",
    event_id: int | None = None,
) -> WebhookDelivery:
    """A delivery as the sender leaves it after `attempts` tries, each answered `answer` (the last one 200 when it
    succeeded)."""
    at = timezone.now() - datetime.timedelta(hours=1)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type=event_type,
        message_id=f"msg_{WebhookDelivery.objects.count() + 1:032x}", payload={"type": event_type, "data": {}},
        status=status, attempts=attempts, retrying_since=at, last_attempt_at=at if attempts else None,
        next_attempt_at=at if status == DeliveryStatus.PENDING else None,
        response_status=(200 if status == DeliveryStatus.SUCCEEDED else answer) if attempts else None,
    )  # fmt: skip
    for number in range(1, attempts + 1):
        succeeded = status == DeliveryStatus.SUCCEEDED and number == attempts
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, at=at, url=endpoint.url, response_status=200 if succeeded else answer,
            response_excerpt="ok" if succeeded else "busy", duration_ms=40 + number, succeeded=succeeded,
        )  # fmt: skip
    return delivery


def errors_of(response: Any, form_name: str = "form") -> dict[str, list[str]]:
    return dict(response.context[form_name].errors)


def followed_messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture
def local_receiver(settings: Any) -> None:
    """http and loopback addresses accepted, as for a receiver on this machine (tests and development only)."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True


class FakeDNS:
    """Answers from `answers`; a name it does not know does not resolve."""

    def __init__(self) -> None:
        self.answers: dict[str, list[str]] = {"hooks.example": [PUBLIC]}

    def __call__(self, host: str, port: int) -> list[transport.IPAddress]:
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [ipaddress.ip_address(address) for address in self.answers[host]]


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    fake = FakeDNS()
    monkeypatch.setattr(transport, "resolve", fake)
    return fake


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The deliveries handed to the worker (`deliver_task.delay`), recorded instead of queued."""
    seen: list[int] = []
    monkeypatch.setattr("portal.webhooks.tasks.deliver_task.delay", seen.append)
    return seen


@pytest.fixture
def olivia(as_user: SignIn) -> Client:
    return as_user(demo_people.olivia())


@pytest.fixture
def endpoint(in_demo: Tenant, local_receiver: None) -> WebhookEndpoint:
    """An endpoint the owner added: the local receiver, every client, three event types."""
    made, _secret = endpoint_create(
        actor=actor_for(demo_people.olivia()), url=LOCAL_URL, description="ERP sync", event_types=TYPES,
        all_clients=True, clients=[],
    )  # fmt: skip
    return made


@pytest.fixture
def failed(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return logged(endpoint, DeliveryStatus.FAILED, attempts=3)


# --- who may ----------------------------------------------------------------------------------------------------


def test_every_webhooks_url_is_checked_below() -> None:
    assert URL_NAMES == [
        "webhooks:delete", "webhooks:detail", "webhooks:list", "webhooks:replay", "webhooks:replay_one",
        "webhooks:rotate", "webhooks:test",
    ]  # fmt: skip


@pytest.mark.parametrize("who", ["mia", "carla"])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_a_staff_member_and_a_contact_get_404_from_every_webhooks_url_and_change_nothing(
    as_user: SignIn, endpoint: WebhookEndpoint, failed: WebhookDelivery, who: str, method: str, name: str
) -> None:
    person = as_user(getattr(demo_people, who)())
    now = timezone.now()
    data = {
        **form(), "confirmed": "1", "overlap": "24", "enabled": "on",
        "since": (now - datetime.timedelta(days=1)).strftime(TIME), "until": now.strftime(TIME),
    }  # fmt: skip

    answer = getattr(person, method)(url_of(name, endpoint, failed), data if method == "post" else {})

    assert answer.status_code == 404
    assert b"whsec_" not in answer.content
    assert WebhookEndpoint.objects.get().secret == endpoint.secret
    assert list(WebhookDelivery.objects.values_list("pk", "status")) == [(failed.pk, DeliveryStatus.FAILED)]
    assert list(ActivityEvent.objects.filter(verb__startswith="webhook.").values_list("verb", flat=True)) == [
        "webhook.created"
    ]


# What an owner or admin posts to each URL, and the answer: the form's page (201 with a new endpoint, 200 with a
# rotated secret) or back to the endpoint's page.
ACTIONS: dict[str, tuple[dict[str, Any], int]] = {
    "webhooks:list": (form(url="http://127.0.0.1:9/other"), 201),
    "webhooks:detail": (form(enabled="on", description="Changed"), 302),
    "webhooks:test": ({}, 302),
    "webhooks:rotate": ({"overlap": "24"}, 200),
    "webhooks:replay": ({"since": "2020-01-01T00:00", "until": "2020-01-02T00:00"}, 302),
    "webhooks:replay_one": ({}, 302),
    "webhooks:delete": ({"confirmed": "1"}, 302),
}


def test_every_webhooks_url_has_an_action_for_owners_and_admins() -> None:
    assert sorted(ACTIONS) == URL_NAMES


@pytest.mark.parametrize("who", ["olivia", "adam"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_owners_and_admins_may_post_to_every_webhooks_url(
    as_user: SignIn, endpoint: WebhookEndpoint, failed: WebhookDelivery, queued: list[int], who: str, name: str
) -> None:
    data, status = ACTIONS[name]

    answer = as_user(getattr(demo_people, who)()).post(url_of(name, endpoint, failed), data)

    assert answer.status_code == status, answer.content[:2000]
    done = ActivityEvent.objects.filter(verb__startswith="webhook.").order_by("pk").last()
    assert done is not None
    assert done.verb != "webhook.created" or name == "webhooks:list", "the action was audited"
    assert done.actor_id == getattr(demo_people, who)().pk


@pytest.mark.parametrize("who", ["olivia", "adam"])
def test_owners_and_admins_open_the_list_and_an_endpoints_page(
    as_user: SignIn, endpoint: WebhookEndpoint, who: str
) -> None:
    person = as_user(getattr(demo_people, who)())

    listing = person.get(reverse("webhooks:list"))
    page = person.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}))

    assert listing.status_code == 200
    assert list(listing.context["endpoints"]) == [endpoint]
    assert reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}).encode() in listing.content
    assert page.status_code == 200
    assert page.context["endpoint"] == endpoint
    assert LOCAL_URL.encode() in page.content


def test_an_endpoint_that_does_not_exist_is_404(olivia: Client, endpoint: WebhookEndpoint) -> None:
    assert olivia.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk + 1000})).status_code == 404


# --- adding: the secret once --------------------------------------------------------------------------------------


def test_adding_an_endpoint_shows_its_secret_once_and_stores_its_types_and_reach(
    olivia: Client, local_receiver: None
) -> None:
    created = olivia.post(reverse("webhooks:list"), form())

    assert created.status_code == 201
    assert created["Cache-Control"] == "no-store"
    secrets_shown = SECRET.findall(created.content.decode())
    assert len(secrets_shown) == 1, "the secret is on the page, once"
    [secret] = secrets_shown
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.url == LOCAL_URL
    assert endpoint.description == "ERP sync"
    assert endpoint.event_types == sorted(TYPES)
    assert endpoint.all_clients
    assert list(endpoint.clients.all()) == []
    assert endpoint.enabled
    assert endpoint.created_by == demo_people.olivia()

    for later in (
        olivia.get(reverse("webhooks:list")),
        olivia.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})),
    ):
        assert later.status_code == 200
        assert LOCAL_URL.encode() in later.content
        assert secret.encode() not in later.content
        assert b"whsec_" not in later.content
        assert later.get("Cache-Control") != "no-store"


def test_adding_an_endpoint_for_chosen_clients_stores_them(olivia: Client, local_receiver: None) -> None:
    contoso = demo_people.contoso()

    created = olivia.post(reverse("webhooks:list"), form(reach="chosen", clients=[contoso.pk]))

    assert created.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert not endpoint.all_clients
    assert list(endpoint.clients.all()) == [contoso]
    assert ActivityEvent.objects.get(verb="webhook.created").data["clients"] == ["Contoso Retail"]


def test_an_https_endpoint_whose_host_resolves_to_a_public_address_is_added(olivia: Client, dns: FakeDNS) -> None:
    created = olivia.post(reverse("webhooks:list"), form(url="https://hooks.example/portal/events"))

    assert created.status_code == 201
    assert WebhookEndpoint.objects.get().url == "https://hooks.example/portal/events"


def test_adding_an_endpoint_is_audited_without_its_secret_and_only_in_the_owners_audit_log(
    olivia: Client, as_user: SignIn, local_receiver: None
) -> None:
    created = olivia.post(reverse("webhooks:list"), form())
    [secret] = SECRET.findall(created.content.decode())
    endpoint = WebhookEndpoint.objects.get()

    event = ActivityEvent.objects.get(verb="webhook.created")

    assert event.actor_id == demo_people.olivia().pk
    assert (event.target_type, event.target_id) == ("webhooks.webhookendpoint", endpoint.pk)
    assert event.client_org_id is None
    assert event.data == {
        "url": LOCAL_URL, "description": "ERP sync", "event_types": sorted(TYPES), "clients": "all", "enabled": True,
    }  # fmt: skip
    assert secret not in str(event.data)
    assert "webhook.created" in {e.verb for e in olivia.get(reverse("activity:audit_log")).context["events"]}
    mias_log = as_user(demo_people.mia()).get(reverse("activity:audit_log"))
    assert "webhook.created" not in {e.verb for e in mias_log.context["events"]}


# --- refused at creation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example/hook", "https://"),
        ("https://127.0.0.1/", "loopback"),
        ("https://10.0.0.5/", "private"),
        ("https://169.254.169.254/", "metadata"),
        ("https://[::ffff:10.0.0.1]/", "private"),
        ("https://[fd00::1]/", "unique-local"),
        ("https://user:pass@hooks.example/", "password"),
        ("https://intranet.example/hook", "192.168.1.10"),
        ("https://mixed.example/hook", "10.1.2.3"),
        ("https://nowhere.example/hook", "could not be found"),
    ],
    ids=[
        "http", "loopback", "private", "cloud-metadata", "ipv4-mapped-private", "unique-local", "credentials",
        "resolves-private", "resolves-public-and-private", "does-not-resolve",
    ],
)  # fmt: skip
def test_an_endpoint_that_could_reach_inside_our_network_is_refused_on_its_url(
    olivia: Client, dns: FakeDNS, url: str, says: str
) -> None:
    dns.answers["intranet.example"] = ["192.168.1.10"]
    dns.answers["mixed.example"] = [PUBLIC, "10.1.2.3"]

    refused = olivia.post(reverse("webhooks:list"), form(url=url))

    assert refused.status_code == 400
    errors = errors_of(refused)
    assert list(errors) == ["url"], errors
    assert says in " ".join(errors["url"])
    assert b"whsec_" not in refused.content
    assert refused.get("Cache-Control") != "no-store"
    assert not WebhookEndpoint.objects.exists()
    assert not ActivityEvent.objects.filter(verb="webhook.created").exists()


@pytest.mark.parametrize("code", ["api_key.created", "document.downloaded", "webhook.created", "staff.invited"])
def test_an_audit_only_event_type_cannot_be_subscribed(olivia: Client, local_receiver: None, code: str) -> None:
    assert code in audit_only_types()

    refused = olivia.post(reverse("webhooks:list"), form(event_types=["comment.added", code]))

    assert refused.status_code == 400
    assert "event_types" in errors_of(refused)
    assert not WebhookEndpoint.objects.exists()


def test_the_forms_event_choices_offer_every_news_type_and_no_audit_only_type(
    olivia: Client, endpoint: WebhookEndpoint
) -> None:
    listing = olivia.get(reverse("webhooks:list"))
    page = olivia.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}))

    for response in (listing, page):
        offered = {code for code, _label in response.context["form"].fields["event_types"].choices}
        assert offered == set(subscribable_types())
        assert "comment.added" in offered
        assert not offered & set(audit_only_types())
        for code in audit_only_types():
            assert f'value="{code}"'.encode() not in response.content


def test_an_endpoint_without_event_types_is_refused(olivia: Client, local_receiver: None) -> None:
    refused = olivia.post(reverse("webhooks:list"), form(event_types=None))

    assert refused.status_code == 400
    assert "event_types" in errors_of(refused)
    assert not WebhookEndpoint.objects.exists()


def test_chosen_reach_without_clients_is_refused(olivia: Client, local_receiver: None) -> None:
    refused = olivia.post(reverse("webhooks:list"), form(reach="chosen"))

    assert refused.status_code == 400
    assert "clients" in errors_of(refused)
    assert not WebhookEndpoint.objects.exists()
    assert not ActivityEvent.objects.filter(verb="webhook.created").exists()


# --- editing ----------------------------------------------------------------------------------------------------


def test_editing_an_endpoint_saves_redirects_and_records_what_changed(
    olivia: Client, endpoint: WebhookEndpoint
) -> None:
    page = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})
    contoso = demo_people.contoso()

    saved = olivia.post(
        page, editing(endpoint, description="CRM", event_types=["comment.added"], reach="chosen", clients=[contoso.pk])
    )

    assert saved.status_code == 302
    assert saved["Location"] == page
    endpoint.refresh_from_db()
    assert endpoint.description == "CRM"
    assert endpoint.event_types == ["comment.added"]
    assert not endpoint.all_clients
    assert list(endpoint.clients.all()) == [contoso]
    assert endpoint.enabled
    changed = ActivityEvent.objects.get(verb="webhook.changed")
    assert changed.actor_id == demo_people.olivia().pk
    assert (changed.target_type, changed.target_id) == ("webhooks.webhookendpoint", endpoint.pk)
    assert changed.data == {
        "changed": {"description": "CRM", "event_types": ["comment.added"], "clients": ["Contoso Retail"]}
    }
    assert "Endpoint saved." in followed_messages(olivia.get(page))


def test_switching_an_endpoint_off_then_on_resets_its_failures_and_sends_its_waiting_deliveries_again(
    olivia: Client, endpoint: WebhookEndpoint, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    page = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        failures_in_a_row=7, failing_since=timezone.now() - datetime.timedelta(hours=5)
    )
    waiting = logged(endpoint, DeliveryStatus.PENDING, attempts=2)

    off = olivia.post(page, editing(endpoint, enabled=None))

    assert off.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.failures_in_a_row == 7
    assert b"switched off" in olivia.get(page).content

    with django_capture_on_commit_callbacks(execute=True):
        on = olivia.post(page, editing(endpoint, enabled="on"))

    assert on.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.failures_in_a_row == 0
    assert endpoint.failing_since is None
    assert endpoint.disabled_reason == ""
    assert queued == [waiting.pk]
    changes = ActivityEvent.objects.filter(verb="webhook.changed").order_by("pk")
    assert [event.data for event in changes] == [{"changed": {"enabled": False}}, {"changed": {"enabled": True}}]


def test_an_edit_to_an_unsafe_url_is_refused_and_changes_nothing(
    olivia: Client, endpoint: WebhookEndpoint, settings: Any
) -> None:
    settings.WEBHOOK_ALLOW_HTTP = False

    refused = olivia.post(
        reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}),
        editing(endpoint, url="https://10.0.0.5/hook", description="Changed"),
    )

    assert refused.status_code == 400
    assert "url" in errors_of(refused)
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description) == (LOCAL_URL, "ERP sync")
    assert not ActivityEvent.objects.filter(verb="webhook.changed").exists()


@pytest.mark.parametrize("now_answers", [None, ["10.0.0.7"]], ids=["host-gone", "host-now-private"])
def test_an_endpoint_whose_host_changed_can_still_be_switched_off(
    olivia: Client, dns: FakeDNS, now_answers: list[str] | None
) -> None:
    endpoint, _secret = endpoint_create(
        actor=actor_for(demo_people.olivia()), url="https://hooks.example/hook", description="ERP sync",
        event_types=TYPES, all_clients=True, clients=[],
    )  # fmt: skip
    if now_answers is None:
        del dns.answers["hooks.example"]
    else:
        dns.answers["hooks.example"] = now_answers

    off = olivia.post(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}), editing(endpoint, enabled=None))

    assert off.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.enabled


# --- rotating the secret ----------------------------------------------------------------------------------------


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_signing_for_the_overlap(
    olivia: Client, endpoint: WebhookEndpoint
) -> None:
    old = endpoint.secret
    page = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})

    rotated = olivia.post(reverse("webhooks:rotate", kwargs={"endpoint_id": endpoint.pk}), {"overlap": "24"})

    assert rotated.status_code == 200
    assert rotated["Cache-Control"] == "no-store"
    [secret] = SECRET.findall(rotated.content.decode())
    assert secret != old
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    assert endpoint.previous_secret == old
    assert endpoint.previous_until is not None
    expected = timezone.now() + datetime.timedelta(hours=24)
    assert abs(endpoint.previous_until - expected) < datetime.timedelta(minutes=1)
    assert b"The previous secret also signs until" in rotated.content
    event = ActivityEvent.objects.get(verb="webhook.secret_rotated")
    assert event.data == {"overlap_hours": 24.0}
    assert secret not in str(event.data)
    assert old not in str(event.data)

    later = olivia.get(page)
    assert later.status_code == 200
    assert b"whsec_" not in later.content


def test_rotating_without_an_overlap_drops_the_old_secret_at_once(olivia: Client, endpoint: WebhookEndpoint) -> None:
    rotated = olivia.post(reverse("webhooks:rotate", kwargs={"endpoint_id": endpoint.pk}), {"overlap": "0"})

    assert rotated.status_code == 200
    [secret] = SECRET.findall(rotated.content.decode())
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    assert endpoint.previous_secret == ""
    assert endpoint.previous_until is None


def test_rotating_with_an_overlap_not_offered_is_refused(olivia: Client, endpoint: WebhookEndpoint) -> None:
    old = endpoint.secret

    refused = olivia.post(reverse("webhooks:rotate", kwargs={"endpoint_id": endpoint.pk}), {"overlap": "500"})

    assert refused.status_code == 400
    assert "overlap" in errors_of(refused, "rotate_form")
    assert b"whsec_" not in refused.content
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (old, "")


# --- a test event -----------------------------------------------------------------------------------------------


def test_sending_a_test_event_logs_a_pending_delivery_and_queues_it(
    olivia: Client, endpoint: WebhookEndpoint, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    page = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})

    with django_capture_on_commit_callbacks(execute=True):
        sent = olivia.post(reverse("webhooks:test", kwargs={"endpoint_id": endpoint.pk}))

    assert sent.status_code == 302
    assert sent["Location"] == page
    test = WebhookDelivery.objects.get()
    assert test.endpoint == endpoint
    assert test.event_type == "webhook.test"
    assert test.event_id is None
    assert test.status == DeliveryStatus.PENDING
    assert test.attempts == 0
    assert test.payload["type"] == "webhook.test"
    assert queued == [test.pk]
    assert ActivityEvent.objects.get(verb="webhook.test_sent").data == {"message_id": test.message_id}
    shown = olivia.get(page)
    assert "Test event sent: it appears in the delivery log below." in followed_messages(shown)
    assert test.message_id.encode() in shown.content


def test_a_switched_off_endpoint_sends_no_test_event_and_says_why(
    olivia: Client, endpoint: WebhookEndpoint, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)

    with django_capture_on_commit_callbacks(execute=True):
        refused = olivia.post(reverse("webhooks:test", kwargs={"endpoint_id": endpoint.pk}), follow=True)

    assert refused.status_code == 200
    assert "Switch the endpoint on first." in followed_messages(refused)
    assert not WebhookDelivery.objects.exists()
    assert queued == []
    assert not ActivityEvent.objects.filter(verb="webhook.test_sent").exists()


# --- replays ----------------------------------------------------------------------------------------------------


def test_replaying_a_failed_delivery_sends_it_again_with_the_same_message_id(
    olivia: Client,
    endpoint: WebhookEndpoint,
    failed: WebhookDelivery,
    queued: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        replayed = olivia.post(
            reverse("webhooks:replay_one", kwargs={"endpoint_id": endpoint.pk, "delivery_id": failed.pk})
        )

    assert replayed.status_code == 302
    assert replayed["Location"] == reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})
    again = WebhookDelivery.objects.get()
    assert again.pk == failed.pk
    assert again.message_id == failed.message_id
    assert again.payload == failed.payload
    assert again.status == DeliveryStatus.PENDING
    assert again.next_attempt_at is not None
    assert again.next_attempt_at >= before
    assert again.retrying_since >= before
    assert again.attempt_log.count() == 3, "the earlier attempts stay in the log"
    assert queued == [failed.pk]
    assert ActivityEvent.objects.get(verb="webhook.replayed").data == {"message_ids": [failed.message_id]}


def test_a_delivery_of_another_endpoint_cannot_be_replayed_through_this_one(
    olivia: Client, endpoint: WebhookEndpoint
) -> None:
    other, _secret = endpoint_create(
        actor=actor_for(demo_people.olivia()), url="http://127.0.0.1:9/other", description="", event_types=TYPES,
        all_clients=True, clients=[],
    )  # fmt: skip
    theirs = logged(other, DeliveryStatus.FAILED, attempts=1)

    answer = olivia.post(reverse("webhooks:replay_one", kwargs={"endpoint_id": endpoint.pk, "delivery_id": theirs.pk}))

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == DeliveryStatus.FAILED


def test_replaying_a_time_range_sends_every_matching_event_again_and_counts_them(
    olivia: Client, endpoint: WebhookEndpoint, queued: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    owner = actor_for(demo_people.olivia())
    tailspin = cast(ClientOrg, ClientOrgFactory(name="Tailspin Toys"))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(all_clients=False, event_types=["comment.added"])
    endpoint.clients.set([tailspin])
    comments = [comment_add(actor=owner, target=tailspin, body=f"Point {n}") for n in range(3)]
    events = list(ActivityEvent.objects.filter(verb="comment.added", client_org_id=tailspin.pk).order_by("pk"))
    assert len(events) == len(comments)
    comment_add(actor=owner, target=tailspin, body="Staff only", internal=True)  # another type: not replayed
    comment_add(actor=owner, target=demo_people.contoso(), body="Elsewhere")  # another client: not replayed
    sent_before = logged(endpoint, DeliveryStatus.FAILED, attempts=2, event_id=events[0].pk)
    now = timezone.now()
    window = {
        "since": (now - datetime.timedelta(days=1)).strftime(TIME),
        "until": (now + datetime.timedelta(days=1)).strftime(TIME),  # the future: up to now
    }

    with django_capture_on_commit_callbacks(execute=True):
        replayed = olivia.post(reverse("webhooks:replay", kwargs={"endpoint_id": endpoint.pk}), window)

    assert replayed.status_code == 302
    deliveries = {delivery.event_id: delivery for delivery in WebhookDelivery.objects.all()}
    assert set(deliveries) == {event.pk for event in events}
    assert {delivery.status for delivery in deliveries.values()} == {DeliveryStatus.PENDING}
    assert deliveries[events[0].pk].pk == sent_before.pk
    assert deliveries[events[0].pk].message_id == sent_before.message_id
    assert {deliveries[event.pk].event_type for event in events} == {"comment.added"}
    assert sorted(queued) == sorted(delivery.pk for delivery in deliveries.values())
    assert ActivityEvent.objects.get(verb="webhook.replayed").data["count"] == 3
    shown = olivia.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}))
    assert "3 events are being sent again." in followed_messages(shown)


@pytest.mark.parametrize("same", [True, False], ids=["start-is-end", "start-after-end"])
def test_a_replay_range_that_does_not_start_before_it_ends_is_a_form_error(
    olivia: Client, endpoint: WebhookEndpoint, same: bool
) -> None:
    until = timezone.now() - datetime.timedelta(hours=2)
    since = until if same else until + datetime.timedelta(hours=1)

    refused = olivia.post(
        reverse("webhooks:replay", kwargs={"endpoint_id": endpoint.pk}),
        {"since": since.strftime(TIME), "until": until.strftime(TIME)},
    )

    assert refused.status_code == 400
    assert errors_of(refused, "replay_form")
    assert not ActivityEvent.objects.filter(verb="webhook.replayed").exists()


# --- deleting ---------------------------------------------------------------------------------------------------


def test_deleting_asks_first_and_deletes_nothing_without_confirmation(
    olivia: Client, endpoint: WebhookEndpoint, failed: WebhookDelivery
) -> None:
    asked = olivia.post(reverse("webhooks:delete", kwargs={"endpoint_id": endpoint.pk}))

    assert asked.status_code == 200
    assert asked.templates[0].name == "portal/confirm.html"
    assert b"Delete this webhook endpoint?" in asked.content
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
    assert WebhookDelivery.objects.filter(pk=failed.pk).exists()
    assert not ActivityEvent.objects.filter(verb="webhook.deleted").exists()


def test_deleting_removes_the_endpoint_with_its_delivery_log_and_is_audited(
    olivia: Client, endpoint: WebhookEndpoint, failed: WebhookDelivery
) -> None:
    deleted = olivia.post(reverse("webhooks:delete", kwargs={"endpoint_id": endpoint.pk}), {"confirmed": "1"})

    assert deleted.status_code == 302
    assert deleted["Location"] == reverse("webhooks:list")
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert not WebhookAttempt.objects.exists()
    event = ActivityEvent.objects.get(verb="webhook.deleted")
    assert event.actor_id == demo_people.olivia().pk
    assert (event.target_type, event.target_id) == ("webhooks.webhookendpoint", endpoint.pk)
    assert event.data == {"url": LOCAL_URL}
    listing = olivia.get(reverse("webhooks:list"))
    assert "The endpoint “ERP sync” is deleted." in followed_messages(listing)
    assert list(listing.context["endpoints"]) == []


# --- the delivery log -------------------------------------------------------------------------------------------


def test_the_delivery_log_lists_each_delivery_with_its_status_message_id_and_attempts(
    olivia: Client, endpoint: WebhookEndpoint
) -> None:
    delivered = logged(endpoint, DeliveryStatus.SUCCEEDED, attempts=2, event_type="document.published")
    failing = logged(endpoint, DeliveryStatus.FAILED, attempts=3, answer=503)
    waiting = logged(endpoint, DeliveryStatus.PENDING, event_type="request.submitted")

    page = olivia.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}))

    assert page.status_code == 200
    assert [item.pk for item in page.context["log"]] == [waiting.pk, failing.pk, delivered.pk]
    html = page.content.decode()
    for delivery in (delivered, failing, waiting):
        assert delivery.message_id in html
    for shown in ("Delivered", "Failed", "Pending", "2 attempts", "3 attempts", "0 attempts", "HTTP 503", "HTTP 200"):
        assert shown in html
    assert "Not sent yet." in html  # the pending one
    assert 'hx-trigger="every 5s"' in html, "the log refreshes itself while a delivery waits"


def test_the_delivery_log_filters_by_status(olivia: Client, endpoint: WebhookEndpoint) -> None:
    delivered = logged(endpoint, DeliveryStatus.SUCCEEDED, attempts=1)
    failing = logged(endpoint, DeliveryStatus.FAILED, attempts=3)
    waiting = logged(endpoint, DeliveryStatus.PENDING)

    page = olivia.get(reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}), {"status": "failed"})

    assert page.status_code == 200
    assert [item.pk for item in page.context["log"]] == [failing.pk]
    html = page.content.decode()
    assert failing.message_id in html
    assert delivered.message_id not in html
    assert waiting.message_id not in html
    assert 'hx-trigger="every 5s"' not in html, "nothing shown waits: no polling"


def test_the_delivery_log_alone_is_sent_to_htmx(olivia: Client, endpoint: WebhookEndpoint) -> None:
    failing = logged(endpoint, DeliveryStatus.FAILED, attempts=1)

    part = olivia.get(
        reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk}),
        headers={"HX-Request": "true", "HX-Target": "delivery-log"},
    )

    assert part.status_code == 200
    assert part.templates[0].name == "portal/webhooks/log.html"
    assert failing.message_id.encode() in part.content
    assert b"<html" not in part.content
    assert "HX-Target" in part["Vary"]


# --- the endpoint's page, shown at another URL ----------------------------------------------------------------
#
# The page shown after adding an endpoint (the answer to the list's POST), after rotating its secret and after a
# refused replay is the endpoint's page rendered at the URL that was posted to. Its forms and links must still
# lead to the endpoint's own page.


def opening_tag_of_form_holding(html: str, field: str) -> str:
    at = html.index(f'name="{field}"')
    return html[html.rindex("<form", 0, at) : html.index(">", html.rindex("<form", 0, at)) + 1]


def shown_elsewhere(olivia: Client, how: str) -> tuple[WebhookEndpoint, Any]:
    if how == "added":
        answer = olivia.post(reverse("webhooks:list"), form())
        return WebhookEndpoint.objects.get(), answer
    made, _secret = endpoint_create(
        actor=actor_for(demo_people.olivia()), url=LOCAL_URL, description="ERP sync", event_types=TYPES,
        all_clients=True, clients=[],
    )  # fmt: skip
    logged(made, DeliveryStatus.FAILED, attempts=1)
    if how == "rotated":
        return made, olivia.post(reverse("webhooks:rotate", kwargs={"endpoint_id": made.pk}), {"overlap": "24"})
    return made, olivia.post(reverse("webhooks:replay", kwargs={"endpoint_id": made.pk}), {"since": "x"})


@pytest.mark.parametrize("how", ["added", "rotated", "replay-refused"])
def test_the_settings_form_posts_to_the_endpoints_page_wherever_the_page_is_shown(
    olivia: Client, local_receiver: None, how: str
) -> None:
    endpoint, answer = shown_elsewhere(olivia, how)
    page = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})

    assert answer.status_code in (200, 201, 400)
    tag = opening_tag_of_form_holding(answer.content.decode(), "enabled")
    assert f'action="{page}"' in tag


@pytest.mark.parametrize("how", ["added", "rotated", "replay-refused"])
def test_the_delivery_logs_filters_lead_to_the_endpoints_page_wherever_the_page_is_shown(
    olivia: Client, local_receiver: None, how: str
) -> None:
    endpoint, answer = shown_elsewhere(olivia, how)
    page = reverse("webhooks:detail", kwargs={"endpoint_id": endpoint.pk})

    links = re.findall(r'href="([^"]*status=failed[^"]*)"', answer.content.decode())
    assert links
    assert all(link.startswith(page) for link in links), links


def test_the_delivery_logs_pages_lead_to_the_endpoints_page_after_a_rotation(
    olivia: Client, local_receiver: None
) -> None:
    made, _secret = endpoint_create(
        actor=actor_for(demo_people.olivia()), url=LOCAL_URL, description="ERP sync", event_types=TYPES,
        all_clients=True, clients=[],
    )  # fmt: skip
    for _ in range(LOG_PAGE + 1):
        logged(made, DeliveryStatus.FAILED, attempts=1)
    answer = olivia.post(reverse("webhooks:rotate", kwargs={"endpoint_id": made.pk}), {"overlap": "24"})

    [following] = re.findall(r'href="([^"]*)" rel="next"', answer.content.decode())
    assert following == reverse("webhooks:detail", kwargs={"endpoint_id": made.pk}) + "?page=2"


# --- another portal ---------------------------------------------------------------------------------------------


@pytest.fixture
def other_owner(other: Tenant) -> Client:
    """The other portal's owner (the same e-mail address as the demo's owner), signed in there."""
    with tenant_context(other):
        browser = Client(headers={"host": OTHER_HOST})
        browser.force_login(User.objects.get(email=SHARED_EMAIL))
    return browser


def test_an_endpoint_of_one_portal_is_invisible_and_untouchable_from_another(
    endpoint: WebhookEndpoint, failed: WebhookDelivery, other_owner: Client, demo: Tenant
) -> None:
    listing = other_owner.get(reverse("webhooks:list"))

    assert listing.status_code == 200
    assert list(listing.context["endpoints"]) == []
    assert LOCAL_URL.encode() not in listing.content
    for name, data in [
        ("webhooks:detail", None), ("webhooks:test", {}), ("webhooks:rotate", {"overlap": "0"}),
        ("webhooks:replay_one", {}), ("webhooks:delete", {"confirmed": "1"}),
    ]:  # fmt: skip
        url = url_of(name, endpoint, failed)
        answer = other_owner.get(url) if data is None else other_owner.post(url, data)
        assert answer.status_code == 404, name
    with tenant_context(demo):
        kept = WebhookEndpoint.objects.get(pk=endpoint.pk)
        assert kept.secret == endpoint.secret
        assert list(WebhookDelivery.objects.values_list("pk", "status")) == [(failed.pk, DeliveryStatus.FAILED)]
        assert not ActivityEvent.objects.filter(verb__in=["webhook.deleted", "webhook.secret_rotated"]).exists()
