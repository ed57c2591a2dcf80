"""An owner adds a webhook endpoint in the browser and sees its signing secret once; she sends a test event, which
reaches a real receiver signed with that secret and shows as delivered in the endpoint's log; she replays it, and
the receiver gets it a second time with the same webhook-id (so it can ignore it), the log showing two attempts.

There is no Celery worker here: the web process queues its `webhooks.deliver` tasks into Redis, unconsumed. The
journey plays the worker's part itself, in-process, where a worker would run (`send_what_is_due`)."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from portal.webhooks import delivery
from tests.browser.conftest import screenshot
from tests.browser.journeys import owner_in_demo, remove_events, sign_in
from tests.support.receiver import receiving

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
OLIVIA = "olivia.owner@northwind.example"
DESCRIPTION = "Journey ERP hooks"
PHONE_WIDTH = 360


def remove_journey(owner_cursor: Any) -> None:
    """Undo what the journey committed: the endpoint, its deliveries and their attempts, and the events about it.
    Young events are immutable for everyone; the owner role lifts the trigger for its own transaction only."""
    with owner_in_demo(owner_cursor) as cursor:
        cursor.execute("SELECT id FROM webhooks_webhookendpoint WHERE description = %s", [DESCRIPTION])
        endpoints = [row[0] for row in cursor.fetchall()]
        remove_events(cursor, "target_type = 'webhooks.webhookendpoint' AND target_id = ANY(%s)", [endpoints])
        cursor.execute(
            "DELETE FROM webhooks_webhookattempt WHERE delivery_id IN "
            "(SELECT id FROM webhooks_webhookdelivery WHERE endpoint_id = ANY(%s))",
            [endpoints],
        )
        cursor.execute("DELETE FROM webhooks_webhookdelivery WHERE endpoint_id = ANY(%s)", [endpoints])
        cursor.execute("DELETE FROM webhooks_webhookendpoint_clients WHERE webhookendpoint_id = ANY(%s)", [endpoints])
        cursor.execute("DELETE FROM webhooks_webhookendpoint WHERE id = ANY(%s)", [endpoints])


@pytest.fixture
def journey_cleanup(owner_cursor: Any) -> Iterator[None]:
    remove_journey(owner_cursor)
    yield
    remove_journey(owner_cursor)


@pytest.fixture
def loopback_receivers(settings: Any) -> None:
    """This process sends the deliveries (as the worker would), to a receiver on http://127.0.0.1."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_LOOPBACK = True


def send_what_is_due(in_demo: Callable[[Callable[[], Any]], Any]) -> list[bool | None]:
    """The worker's part: every delivery due in the demo portal, sent now."""
    return list(in_demo(lambda: [delivery.attempt(pk) for pk in delivery.due()]))


def expect_attempt(attempts: Locator, number: int) -> None:
    """The newest attempt (the first row under the header) is `number`, answered HTTP 200."""
    newest = attempts.get_by_role("row").nth(1).get_by_role("cell")
    expect(newest.nth(0)).to_have_text(str(number))
    expect(newest.nth(2)).to_contain_text("HTTP 200")


def test_an_owner_adds_an_endpoint_its_test_event_arrives_signed_and_a_replay_keeps_its_webhook_id(
    journey_cleanup: None,
    loopback_receivers: None,
    in_demo: Callable[[Callable[[], Any]], Any],
    page: Page,
    live_url: str,
) -> None:
    portal = live_url.replace("://localhost", "://demo.localhost")
    with receiving() as receiver:
        # 1. Olivia adds an endpoint for the ERP: two event types, every client. Its secret is shown once.
        sign_in(page, portal, OLIVIA)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks")
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Description").fill(DESCRIPTION)
        page.get_by_label("New comments (comment.added)").check()
        page.get_by_label("New clients (client.created)").check()
        page.get_by_label("Every client, those added later too").check()
        page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page draws the sticky bars mid-page
        screenshot(page, "webhooks-1-new-endpoint")
        page.get_by_role("button", name="Add the endpoint").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(DESCRIPTION)
        secret_box = page.locator("#new-secret")
        expect(secret_box).to_be_visible()
        secret = secret_box.input_value()
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]{20,}", secret), secret
        screenshot(page, "webhooks-2-secret-shown-once")

        # 2. She sends a test event: queued, not sent from her request.
        page.get_by_role("button", name="Send a test event").click()
        expect(page.locator(".messages")).to_contain_text("Test event sent")
        log = page.locator("#delivery-log")
        test_delivery = log.locator("li.delivery").filter(has_text="webhook.test")
        expect(test_delivery).to_have_count(1)
        expect(test_delivery).to_contain_text("Pending")
        assert secret not in page.content()  # shown once: never again
        screenshot(page, "webhooks-3-test-event-pending")

        # 3. A worker sends it: the receiver has it, signed with the secret; the log says delivered, HTTP 200.
        assert send_what_is_due(in_demo) == [True]
        assert len(receiver.received) == 1
        first = receiver.received[0]
        assert first.verified_with(secret)["type"] == "webhook.test"
        page.reload()
        expect(test_delivery).to_contain_text("Delivered")
        expect(test_delivery).to_contain_text("1 attempt")
        expect(test_delivery).to_contain_text(first.message_id)
        test_delivery.locator("summary").click()
        attempts = test_delivery.get_by_role("table", name="Attempts")
        expect(attempts.get_by_role("row")).to_have_count(2)  # the header and attempt 1
        expect_attempt(attempts, 1)
        screenshot(page, "webhooks-4-delivered")

        # 4. She replays it: sent again with the same webhook-id, verified again; the log shows two attempts.
        test_delivery.get_by_role("button", name=f"Replay {first.message_id}").click()
        expect(page.locator(".messages")).to_contain_text(f"Delivery {first.message_id} is being sent again.")
        expect(test_delivery).to_contain_text("Pending")
        assert send_what_is_due(in_demo) == [True]
        assert len(receiver.received) == 2
        second = receiver.received[1]
        assert second.message_id == first.message_id
        assert second.verified_with(secret)["type"] == "webhook.test"
        assert second.body == first.body  # the same bytes: the payload was frozen when the delivery was made
        page.reload()
        expect(test_delivery).to_contain_text("Delivered")
        expect(test_delivery).to_contain_text("2 attempts")
        test_delivery.locator("summary").click()
        expect(attempts.get_by_role("row")).to_have_count(3)
        expect_attempt(attempts, 2)
        screenshot(page, "webhooks-5-replayed")

    # 5. On a phone, the endpoint's page and its log fit the width: nothing scrolls sideways.
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    page.reload()
    test_delivery.locator("summary").click()
    expect(attempts).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH + 1
    screenshot(page, "webhooks-6-phone")
