"""Webhook deliveries end to end, in the demo portal: events reach the endpoints that want them (and no other),
signed so the Standard Webhooks reference verifier accepts them, retried from the database by the beat task with
growing waits on a frozen clock, replayed with their ids, signed twice during a secret's rotation, refused at send
time when the address turned unsafe, cut off when the receiver never answers, and switched off when failing."""

import datetime
import ipaddress
import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from portal.access.policy import SYSTEM, Actor, actor_for
from portal.activity.events import audit_only_types
from portal.activity.models import ActivityEvent
from portal.activity.services import record
from portal.clients.models import ClientOrg
from portal.webhooks import delivery, services, transport
from portal.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from portal.webhooks.tasks import dispatch_due_task, purge_logs_task
from tenants.models import Tenant
from tests.portal import demo_people
from tests.portal.factories import ClientOrgFactory
from tests.support.receiver import Receiver, receiving

pytestmark = pytest.mark.django_db
T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


class Clock:
    def __init__(self, start: datetime.datetime) -> None:
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(T0)
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_CONNECT_TIMEOUT = 1
    settings.WEBHOOK_READ_TIMEOUT = 2
    settings.WEBHOOK_TOTAL_TIMEOUT = 4


@pytest.fixture
def owner(in_demo: Tenant) -> Actor:
    return actor_for(demo_people.olivia())


@pytest.fixture
def receiver(loopback: None) -> Iterator[Receiver]:
    with receiving() as listening:
        yield listening


@pytest.fixture
def worker(told: Callable[[], Any]) -> Callable[[Callable[[], Any]], Any]:
    """Run a block as the app would: commit, then the tasks it queued, here and at once (Celery eager)."""

    def run(block: Callable[[], Any]) -> Any:
        with told(), transaction.atomic():
            return block()

    return run


def add_endpoint(owner: Actor, url: str, **changes: Any) -> tuple[WebhookEndpoint, str]:
    options: dict[str, Any] = {
        "description": "ERP", "event_types": ["client.created", "client.archived"], "all_clients": True,
        "clients": [],
    }  # fmt: skip
    options.update(changes)
    return services.endpoint_create(actor=owner, url=url, **options)


def happen(verb: str, org: ClientOrg) -> ActivityEvent:
    """An event of `verb` about `org`, recorded as the app records it (its fan-out queued after commit)."""
    return record(actor=SYSTEM, verb=verb, target=org)


def test_an_event_reaches_its_endpoint_signed_so_the_reference_verifier_accepts_it(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    endpoint, secret = add_endpoint(owner, receiver.url)
    org = demo_people.contoso()
    event = worker(lambda: happen("client.created", org))

    [received] = receiver.received
    payload = received.verified_with(secret)
    assert payload["type"] == "client.created"
    assert payload["data"]["id"] == event.pk
    assert payload["data"]["client"] == org.pk
    assert payload["data"]["target"] == {"type": "clients.clientorg", "id": org.pk, "label": str(org)}
    assert received.headers["content-type"] == "application/json"
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (sent.status, sent.attempts, sent.message_id) == (DeliveryStatus.SUCCEEDED, 1, received.message_id)
    [attempt] = sent.attempt_log.all()
    assert (attempt.response_status, attempt.succeeded, attempt.number) == (200, True, 1)
    assert attempt.request_headers["webhook-id"] == sent.message_id


def test_a_receiver_failing_twice_gets_the_same_id_three_times_with_growing_waits_from_the_beat_task(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], clock: Clock
) -> None:
    endpoint, secret = add_endpoint(owner, receiver.url)
    receiver.statuses = [500, 503]
    worker(lambda: happen("client.created", demo_people.contoso()))  # the first attempt, at once: 500
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    assert sent.next_attempt_at == T0 + datetime.timedelta(seconds=30)

    clock.advance(29)
    worker(dispatch_due_task)  # not due yet
    assert len(receiver.received) == 1
    clock.advance(1)
    worker(dispatch_due_task)  # 30 s later: 503; it has been retrying 30 s, so it waits 60 s more
    assert len(receiver.received) == 2
    clock.advance(59)
    worker(dispatch_due_task)
    assert len(receiver.received) == 2
    clock.advance(1)
    worker(dispatch_due_task)  # delivered
    worker(dispatch_due_task)  # and never again
    clock.advance(3600)
    worker(dispatch_due_task)

    assert len(receiver.received) == 3
    assert len({received.message_id for received in receiver.received}) == 1
    for received in receiver.received:
        received.verified_with(secret)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.next_attempt_at) == (DeliveryStatus.SUCCEEDED, 3, None)
    moments = [attempt.at for attempt in sent.attempt_log.order_by("number")]
    waits = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(moments)]
    assert waits == [30, 60]
    assert [attempt.response_status for attempt in sent.attempt_log.order_by("number")] == [500, 503, 200]


def test_the_waits_keep_growing_up_to_the_ceiling_and_the_delivery_fails_after_the_retry_window(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], clock: Clock, settings: Any
) -> None:
    settings.WEBHOOK_RETRY_FOR_SECONDS = 600
    settings.WEBHOOK_RETRY_MAX_DELAY_SECONDS = 240
    endpoint, _secret = add_endpoint(owner, receiver.url)
    receiver.statuses = [500] * 20
    worker(lambda: happen("client.created", demo_people.contoso()))
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    while sent.status == DeliveryStatus.PENDING:
        assert sent.next_attempt_at is not None
        clock.now = sent.next_attempt_at
        worker(dispatch_due_task)
        sent.refresh_from_db()
    moments = [attempt.at for attempt in sent.attempt_log.order_by("number")]
    waits = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(moments)]
    assert waits == [30, 60, 180, 240]  # threefold, then the ceiling; the next would end after the 10 minutes
    assert sent.status == DeliveryStatus.FAILED
    assert sent.next_attempt_at is None


def test_a_replay_sends_the_same_delivery_again_with_its_id_and_a_fresh_verifiable_signature(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], clock: Clock
) -> None:
    endpoint, secret = add_endpoint(owner, receiver.url)
    worker(lambda: happen("client.created", demo_people.contoso()))
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    clock.advance(3600)  # an hour later: the first signature's timestamp is too old for the verifier by now

    worker(lambda: services.delivery_replay(actor=owner, endpoint=endpoint, delivery_id=sent.pk))

    first, again = receiver.received
    assert again.message_id == first.message_id == sent.message_id
    assert again.body == first.body
    assert again.verified_with(secret) == first.verified_with(secret)
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    assert ActivityEvent.objects.filter(verb="webhook.replayed", target_id=endpoint.pk).exists()


def test_a_time_range_replay_resends_what_was_sent_and_sends_what_was_missed_while_switched_off(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    endpoint, _secret = add_endpoint(owner, receiver.url)
    org = demo_people.contoso()
    since = timezone.now() - datetime.timedelta(minutes=1)
    worker(lambda: happen("client.created", org))
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    worker(lambda: happen("client.archived", org))  # missed: switched off
    assert len(receiver.received) == 1
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=True)
    endpoint.refresh_from_db()

    until = timezone.now() + datetime.timedelta(minutes=1)
    count = worker(lambda: services.deliveries_replay_range(actor=owner, endpoint=endpoint, since=since, until=until))

    assert count == 2
    types = [received.verified_with(endpoint.secret)["type"] for received in receiver.received]
    assert types == ["client.created", "client.created", "client.archived"]
    assert receiver.received[1].message_id == receiver.received[0].message_id


def test_during_a_rotation_both_secrets_sign_and_after_the_overlap_only_the_new_one(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], clock: Clock
) -> None:
    endpoint, old = add_endpoint(owner, receiver.url)
    endpoint, new = services.endpoint_rotate_secret(
        actor=owner, endpoint=endpoint, overlap=datetime.timedelta(hours=24)
    )
    worker(lambda: happen("client.created", demo_people.contoso()))
    clock.advance(24 * 3600 + 1)
    worker(lambda: happen("client.archived", demo_people.contoso()))

    during, after = receiver.received
    assert len(during.headers["webhook-signature"].split()) == 2
    assert during.verified_with(old) == during.verified_with(new)
    assert len(after.headers["webhook-signature"].split()) == 1
    after.verified_with(new)
    with pytest.raises(Exception, match="No matching signature"):
        after.verified_with(old)


def test_an_endpoint_of_another_portal_never_receives_this_portals_events(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], other: Tenant
) -> None:
    endpoint, _secret = add_endpoint(owner, receiver.url)
    with tenant_context(other):
        other_owner = actor_for(demo_people.user("olivia.owner@northwind.example"))
        elsewhere, _ = add_endpoint(other_owner, receiver.url)
        org = cast(ClientOrg, ClientOrgFactory(name="Fabrikam's own client", account_manager=other_owner.user))
        worker(lambda: happen("client.created", org))
        assert WebhookDelivery.objects.filter(endpoint=elsewhere).count() == 1
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()
    [received] = receiver.received
    assert received.verified_with(elsewhere.secret)["data"]["target"]["label"] == "Fabrikam's own client"


def test_an_endpoint_scoped_to_one_client_never_receives_another_clients_events(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    contoso, fabrikam = demo_people.contoso(), demo_people.fabrikam()
    endpoint, secret = add_endpoint(owner, receiver.url, all_clients=False, clients=[contoso])
    worker(lambda: happen("client.created", fabrikam))
    worker(lambda: happen("client.created", contoso))
    [received] = receiver.received
    assert received.verified_with(secret)["data"]["client"] == contoso.pk
    assert list(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("payload__data__client", flat=True)) == [
        contoso.pk
    ]


def test_an_endpoint_receives_only_the_types_it_chose(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    add_endpoint(owner, receiver.url, event_types=["client.archived"])
    worker(lambda: happen("client.created", demo_people.contoso()))
    assert receiver.received == []


def test_audit_only_types_cannot_be_subscribed_nor_delivered(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    audit_only = audit_only_types()
    assert "client.updated" in audit_only
    with pytest.raises(services.WebhookError):
        add_endpoint(owner, receiver.url, event_types=["client.updated"])
    assert not set(audit_only) & set(services.subscribable_types())
    endpoint, _secret = add_endpoint(owner, receiver.url)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(event_types=["client.updated"])  # forced past the service
    worker(lambda: record(actor=SYSTEM, verb="client.updated", target=demo_people.contoso()))
    event = ActivityEvent.objects.filter(verb="client.updated").latest("pk")
    assert delivery.queue_for_event(event) == []
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://[fd12:3456::1]/hook",
        "https://[::1]/hook",
        "https://user:secret@hooks.example/hook",
        "http://hooks.example/hook",
    ],
)
def test_unsafe_urls_are_refused_at_creation_and_again_at_send_time(
    owner: Actor, worker: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.setattr(transport, "resolve", lambda host, port: [ipaddress.ip_address("93.184.216.34")])
    connected: list[Any] = []
    monkeypatch.setattr(transport, "create_connection", lambda *args, **kwargs: connected.append(args))
    with pytest.raises(transport.UnsafeUrl):
        add_endpoint(owner, url)
    # An endpoint saved while it was safe (or by hand) is checked again when it is sent to.
    endpoint, _secret = add_endpoint(owner, "https://hooks.example/hook")
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=url)
    worker(lambda: happen("client.created", demo_people.contoso()))
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    [attempt] = sent.attempt_log.all()
    assert (attempt.succeeded, attempt.response_status) == (False, None)
    assert attempt.error
    assert connected == []
    assert sent.status == DeliveryStatus.PENDING  # and retried later, in case it was a mistake since fixed


def test_a_host_whose_dns_answer_turns_private_after_creation_is_refused_at_send_time(
    owner: Actor, worker: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"hooks.example": "93.184.216.34"}
    monkeypatch.setattr(transport, "resolve", lambda host, port: [ipaddress.ip_address(answers[host])])
    connected: list[Any] = []
    monkeypatch.setattr(transport, "create_connection", lambda *args, **kwargs: connected.append(args))
    endpoint, _secret = add_endpoint(owner, "https://hooks.example/hook")
    answers["hooks.example"] = "10.0.0.7"  # rebinding: the attacker's DNS now points inside

    worker(lambda: happen("client.created", demo_people.contoso()))

    [attempt] = WebhookDelivery.objects.get(endpoint=endpoint).attempt_log.all()
    assert "10.0.0.7" in attempt.error
    assert connected == []
    with pytest.raises(transport.UnsafeUrl):
        add_endpoint(owner, "https://hooks.example/other")


def test_a_receiver_that_never_answers_is_cut_off_at_the_read_timeout_in_the_worker_not_the_web_request(
    owner: Actor, loopback: None, settings: Any, as_user: Callable[[Any], Any], worker: Callable[..., Any]
) -> None:
    settings.WEBHOOK_READ_TIMEOUT = 0.5
    settings.WEBHOOK_TOTAL_TIMEOUT = 2
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(silent.accept()[0]), daemon=True).start()
    try:
        endpoint, _secret = add_endpoint(owner, f"http://127.0.0.1:{silent.getsockname()[1]}/hook")
        from django.urls import reverse

        # The button only queues the test event (after commit): the web request never waits for the receiver.
        page = as_user(demo_people.olivia()).post(reverse("webhooks:test", kwargs={"endpoint_id": endpoint.pk}))
        assert page.status_code == 302
        test = WebhookDelivery.objects.get(endpoint=endpoint)
        assert test.attempts == 0
        started = timezone.now()
        assert worker(lambda: delivery.attempt(test.pk)) is False
        took = (timezone.now() - started).total_seconds()
    finally:
        silent.close()
        for connection in accepted:
            connection.close()
    [attempt] = test.attempt_log.all()
    assert attempt.response_status is None
    assert "time" in attempt.error.lower()
    assert 0.4 <= took < 2.5
    test.refresh_from_db()
    assert test.status == DeliveryStatus.PENDING


def test_two_workers_never_send_one_delivery_twice(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    endpoint, _secret = add_endpoint(owner, receiver.url)
    receiver.statuses = [500]
    worker(lambda: happen("client.created", demo_people.contoso()))
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    WebhookDelivery.objects.filter(pk=sent.pk).update(next_attempt_at=timezone.now())
    assert delivery.attempt(sent.pk) is True
    assert delivery.attempt(sent.pk) is None  # delivered: nothing more to do
    assert len(receiver.received) == 2


def test_an_endpoint_failing_for_too_long_is_switched_off_its_owners_are_told_and_it_resumes_when_switched_on(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], clock: Clock, settings: Any
) -> None:
    settings.WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.WEBHOOK_DISABLE_AFTER_SECONDS = 60
    endpoint, secret = add_endpoint(owner, receiver.url)
    receiver.statuses = [500] * 3
    worker(lambda: happen("client.created", demo_people.contoso()))
    sent = WebhookDelivery.objects.get(endpoint=endpoint)
    for _attempt in range(2):
        clock.now = sent.next_attempt_at or clock.now
        worker(dispatch_due_task)
        sent.refresh_from_db()

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_reason
    assert ActivityEvent.objects.filter(verb="webhook.disabled", target_id=endpoint.pk).count() == 1
    [told] = [message for message in mail.outbox if "switched off" in message.subject]
    assert told.to == ["olivia.owner@northwind.example"]
    assert f"/settings/webhooks/{endpoint.pk}/" in told.body
    # Switched off: the waiting delivery is kept, not sent.
    assert sent.status == DeliveryStatus.PENDING
    clock.now = (sent.next_attempt_at or clock.now) + datetime.timedelta(hours=1)
    worker(dispatch_due_task)
    assert len(receiver.received) == 3

    url, description, types = endpoint.url, endpoint.description, endpoint.event_types
    worker(
        lambda: services.endpoint_update(
            actor=owner,
            endpoint=endpoint,
            url=url,
            description=description,
            event_types=types,
            all_clients=True,
            clients=[],
            enabled=True,
        )
    )
    assert len(receiver.received) == 4
    receiver.received[-1].verified_with(secret)
    sent.refresh_from_db()
    endpoint.refresh_from_db()
    assert sent.status == DeliveryStatus.SUCCEEDED
    assert (endpoint.enabled, endpoint.failures_in_a_row, endpoint.disabled_reason) == (True, 0, "")


def test_every_webhook_change_is_an_audited_event_of_the_portals_own_business(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any]
) -> None:
    endpoint, _secret = worker(lambda: add_endpoint(owner, receiver.url))
    _rotated, secret = worker(
        lambda: services.endpoint_rotate_secret(actor=owner, endpoint=endpoint, overlap=datetime.timedelta(0))
    )
    worker(lambda: services.endpoint_send_test(actor=owner, endpoint=endpoint))
    [test] = receiver.received
    assert test.verified_with(secret)["type"] == "webhook.test"
    endpoint_id = endpoint.pk
    worker(lambda: services.endpoint_delete(actor=owner, endpoint=endpoint))
    assert not WebhookEndpoint.objects.filter(pk=endpoint_id).exists()
    verbs = list(
        ActivityEvent.objects.filter(target_type="webhooks.webhookendpoint", target_id=endpoint_id)
        .order_by("pk")
        .values_list("verb", "client_org_id")
    )
    assert verbs == [
        ("webhook.created", None),
        ("webhook.secret_rotated", None),
        ("webhook.test_sent", None),
        ("webhook.deleted", None),
    ]


def test_the_daily_purge_keeps_a_month_of_finished_deliveries_and_every_pending_one(
    owner: Actor, receiver: Receiver, worker: Callable[..., Any], clock: Clock
) -> None:
    endpoint, _secret = add_endpoint(owner, receiver.url)
    receiver.statuses = [200, 500]
    worker(lambda: happen("client.created", demo_people.contoso()))  # delivered
    worker(lambda: happen("client.archived", demo_people.contoso()))  # pending, retried later
    clock.advance(31 * 24 * 3600)
    worker(lambda: happen("client.created", demo_people.fabrikam()))  # delivered, recent

    assert purge_logs_task() == 2  # the old delivered one and its attempt

    left = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert sorted(left.values_list("event_type", "status")) == [
        ("client.archived", DeliveryStatus.PENDING),
        ("client.created", DeliveryStatus.SUCCEEDED),
    ]
