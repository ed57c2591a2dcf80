"""A contact fills and submits a request form with a file, staff picks it up and resolves it, the contact is
e-mailed, sees the new status and rates it; the rating shows in the staff figures."""

import datetime
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from portal.access.policy import actor_for
from portal.activity.fanout import fan_out
from portal.activity.models import ActivityEvent
from portal.activity.tasks import send_event_email_task
from portal.conversations.models import Comment
from portal.requests import figures
from portal.requests.models import ClientRequest
from tenants.models import Tenant
from tests.browser.conftest import screenshot
from tests.browser.journeys import owner_in_demo, remove_events, sign_in
from tests.tenants.committed import commit_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
PAULA, MIA, OLIVIA = "paula.lead@contoso.example", "mia.member@northwind.example", "olivia.owner@northwind.example"
SUBJECT = "Journey: extend the pilot"
CHANGE = "Change request"
SCOPE = b"Scope: extend the pilot to the three northern stores for six more weeks.\n"


def journey_requests() -> list[int]:
    return list(ClientRequest.objects.filter(subject=SUBJECT).values_list("pk", flat=True))


def remove_journey_history(owner_cursor: Any) -> None:
    """Undo the history the web server (and the fan-out run here) committed: the events about the journey's
    requests, with their notifications and deliveries. Events are append-only for everyone while they are young,
    so the owner role lifts the table's trigger for its own transaction only (the runtime role may not)."""
    with owner_in_demo(owner_cursor) as cursor:
        cursor.execute("SELECT id FROM requests_clientrequest WHERE subject = %s", [SUBJECT])
        requests = [row[0] for row in cursor.fetchall()]
        remove_events(cursor, "target_type = 'requests.clientrequest' AND target_id = ANY(%s)", [requests])


def remove_journey_requests() -> None:
    """Undo what the web server committed besides the history (status changes, files and the rating go with
    their request; the stored files may stay under MEDIA_ROOT)."""
    with tenant_context(Tenant.objects.get(slug="demo")), transaction.atomic():
        ids = journey_requests()
        Comment.objects.filter(target_type="request", target_id__in=ids).delete()
        ClientRequest.objects.filter(pk__in=ids).delete()


@pytest.fixture
def journey_cleanup(django_db_blocker: Any, owner_cursor: Any) -> Iterator[None]:
    remove_journey_history(owner_cursor)  # what an interrupted earlier run may have left
    commit_now(django_db_blocker, remove_journey_requests)
    yield
    remove_journey_history(owner_cursor)
    commit_now(django_db_blocker, remove_journey_requests)


def requests_link(page: Page) -> Locator:
    """The navigation's "Requests" (its name ends with the count of unread news, if any)."""
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile(r"^Requests\b"))


def open_requests(page: Page) -> None:
    requests_link(page).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests")


def status_pill(page: Page) -> Locator:
    return page.locator(".page-meta .pill").first


def change_request_satisfaction() -> figures.SatisfactionRow | None:
    """The figures' satisfaction row of "Change request" for Olivia, over the page's default period (90 days)."""
    today = timezone.localdate()
    rows = figures.satisfaction(
        actor_for(User.objects.get(email=OLIVIA)), today - datetime.timedelta(days=90), today, "type"
    )
    return next((row for row in rows if row.label == CHANGE), None)


def fan_out_resolution() -> list[str]:
    """What Celery would do after Mia's resolution committed: tell everyone, e-mailing the instant readers."""
    mail.outbox.clear()
    request_id = journey_requests()[0]
    event = ActivityEvent.objects.get(
        verb="request.status_changed",
        target_type="requests.clientrequest",
        target_id=request_id,
        data__to="resolved",
    )
    for delivery_id in fan_out(event.pk):
        send_event_email_task.apply(args=[delivery_id]).get()
    return [message.to[0] for message in mail.outbox]


def test_contact_submits_staff_resolves_contact_rates_and_the_figures_count_it(
    journey_cleanup: None, in_demo: Callable[[Callable[[], Any]], Any], page: Page, live_url: str
) -> None:
    portal = live_url.replace("://localhost", "://demo.localhost")
    before = in_demo(change_request_satisfaction)
    ratings_before = before.ratings if before is not None else 0

    # 1. Paula asks for a change, with a supporting document; a missing answer is named first.
    sign_in(page, portal, PAULA)
    open_requests(page)
    page.get_by_role("link", name="New request").first.click()
    page.get_by_role("link", name=re.compile(f"^{CHANGE}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CHANGE)
    page.get_by_label("Subject").fill(SUBJECT)
    page.get_by_label("Impact").select_option("High")
    page.get_by_label("Budget (hours)").fill("16")
    needed_by = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    page.get_by_label("Needed by").fill(needed_by)
    page.get_by_role("button", name="Send the request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link")).to_contain_text("What should change?")
    assert in_demo(journey_requests) == []  # nothing saved
    expect(page.get_by_label("Subject")).to_have_value(SUBJECT)  # the answers given are kept
    expect(page.get_by_label("Impact")).to_have_value("High")
    expect(page.get_by_label("Needed by")).to_have_value(needed_by)

    page.get_by_label("What should change?").fill("Extend the pilot to the three northern stores.\nSix more weeks.")
    page.get_by_label("Supporting document").set_input_files(
        {"name": "scope.txt", "mimeType": "text/plain", "buffer": SCOPE}
    )
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    expect(status_pill(page)).to_have_text("New")
    expect(page.get_by_role("link", name="scope.txt")).to_be_visible()
    screenshot(page, "requests-1-submitted")
    (request_id,) = in_demo(journey_requests)
    detail = f"{portal}/requests/{request_id}/"

    # 2. Mia, Contoso's account manager, finds it assigned to her in the queue, starts work and resolves it.
    sign_in(page, portal, MIA)
    open_requests(page)
    row = page.get_by_role("row").filter(has_text=SUBJECT)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("New")
    expect(row).to_contain_text("Mia Member")
    expect(row).to_contain_text("Contoso Retail")
    row.get_by_role("link", name=re.compile(re.escape(SUBJECT))).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    attached = page.get_by_role("link", name="scope.txt")
    expect(attached).to_be_visible()
    with page.expect_download() as download:
        attached.click()
    assert download.value.suggested_filename == "scope.txt"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == SCOPE
    page.get_by_role("button", name="Start work").click()
    expect(status_pill(page)).to_have_text("In progress")
    page.get_by_role("button", name="Resolve").click()
    expect(status_pill(page)).to_have_text("Resolved")
    screenshot(page, "requests-2-resolved")

    # 3. The resolution e-mail reaches Paula (Celery's fan-out, run here), with the rating link.
    recipients = in_demo(fan_out_resolution)
    to_paula = [message for message in mail.outbox if message.to == [PAULA]]
    assert len(to_paula) == 1, recipients
    email = to_paula[0]
    assert "Request status changes" in email.subject
    assert SUBJECT in email.subject
    link = re.search(r"How did we do\? Rate this request: (https?://\S+/requests/rate/\S+/)", str(email.body))
    assert link is not None, email.body
    rate_link = f"{portal}{urlsplit(link.group(1)).path}"

    # 4. Paula sees it resolved and rates it; the e-mailed link then has nothing left to ask.
    sign_in(page, portal, PAULA)
    unread = re.compile(r"^Requests \(\s*\d+ unread\)")  # told in the portal too
    expect(requests_link(page)).to_have_accessible_name(unread)
    open_requests(page)
    page.get_by_role("link", name=re.compile(re.escape(SUBJECT))).click()
    expect(status_pill(page)).to_have_text("Resolved")
    rating = page.locator("#rating")
    expect(rating.get_by_role("heading", name="How did we do?")).to_be_visible()
    rating.get_by_label("4 · Satisfied").check()
    rating.get_by_label("Anything to add? (optional)").fill("Quick turnaround on the pilot, thanks.")
    rating.get_by_role("button", name="Send my rating").click()
    expect(page.locator("#rating")).to_contain_text("4 / 5")
    expect(page.locator("#rating")).to_contain_text("Quick turnaround on the pilot, thanks.")
    expect(page.get_by_role("button", name="Send my rating")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")  # the page opens at #rating; a full-page shot keeps sticky bars in place
    screenshot(page, "requests-3-rated")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(detail)
    expect(page.get_by_role("heading", level=1)).to_have_text(SUBJECT)
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    screenshot(page, "requests-5-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    browser = page.context.browser
    assert browser is not None
    stranger = browser.new_context().new_page()  # not signed in: the link acts alone
    stranger.goto(rate_link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This request has already been rated")
    expect(stranger.get_by_text(f"Request #{request_id} was rated 4 out of 5")).to_be_visible()
    expect(stranger.locator("main form")).to_have_count(0)
    stranger.context.close()

    # 5. Olivia's service figures count the new rating for "Change request".
    sign_in(page, portal, OLIVIA)
    open_requests(page)
    page.get_by_role("link", name="Service figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service figures")
    table = page.get_by_role("table", name="Satisfaction by request type")
    cells = table.get_by_role("row", name=re.compile(f"^{CHANGE}")).get_by_role("cell")
    expect(cells).to_have_count(3)
    expect(cells.nth(0)).to_have_text(str(ratings_before + 1))
    after = in_demo(change_request_satisfaction)  # the page agrees with a fresh computation
    assert after is not None
    assert after.ratings == ratings_before + 1
    expect(cells).to_have_text([str(after.ratings), str(after.average), f"{after.csat} %"])
    screenshot(page, "requests-4-figures")
