"""A contact opens the client dashboard, opens a submitted deliverable and requests changes with a comment; staff
upload a new version and submit it again; the contact approves it; the two decisions count in the approval
turnaround on the staff dashboard, which staff narrow to the client in place (htmx)."""

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from accounts.models import User
from core import periods
from portal.access.policy import actor_for
from portal.clients.models import ClientOrg
from portal.engagements.models import Deliverable, Project
from portal.engagements.services import deliverable_add, deliverable_submit, deliverable_version_add
from portal.engagements.turnaround import overall
from tests.browser.conftest import screenshot
from tests.browser.journeys import owner_in_demo, remove_events, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]
CARLA, MIA, OLIVIA = "carla.admin@contoso.example", "mia.member@northwind.example", "olivia.owner@northwind.example"
TITLE = "Journey: campaign brief"
PROJECT = "Loyalty programme relaunch"
CHANGES = "Please add the store-opening dates to the timeline."


def journey_deliverables() -> list[int]:
    return list(Deliverable.objects.filter(title=TITLE).values_list("pk", flat=True))


def remove_journey(owner_cursor: Any) -> None:
    """Undo what the journey committed: its deliverable with its versions, comments and decisions, the events
    about it, and the project's audit-only changes that added it and its versions. Decisions and young events are
    immutable for everyone; the owner role lifts their triggers for its own transaction only."""
    with owner_in_demo(owner_cursor) as cursor:
        cursor.execute("SELECT id FROM engagements_deliverable WHERE title = %s", [TITLE])
        deliverables = [row[0] for row in cursor.fetchall()]
        remove_events(
            cursor,
            "(target_type = 'engagements.deliverable' AND target_id = ANY(%s)) OR (verb = 'project.changed' "
            "AND %s IN (data->>'deliverable_added', data->>'deliverable'))",  # staff adding it and its versions
            [deliverables, TITLE],
        )
        cursor.execute("ALTER TABLE engagements_decision DISABLE TRIGGER engagements_decision_rows")
        cursor.execute("DELETE FROM engagements_decision WHERE deliverable_id = ANY(%s)", [deliverables])
        cursor.execute("ALTER TABLE engagements_decision ENABLE TRIGGER engagements_decision_rows")
        cursor.execute(
            "DELETE FROM conversations_comment WHERE target_type = 'deliverable' AND target_id = ANY(%s)",
            [deliverables],
        )
        cursor.execute("DELETE FROM engagements_deliverableversion WHERE deliverable_id = ANY(%s)", [deliverables])
        cursor.execute("DELETE FROM engagements_deliverable WHERE id = ANY(%s)", [deliverables])


@pytest.fixture
def journey_cleanup(owner_cursor: Any) -> Iterator[None]:
    remove_journey(owner_cursor)  # what an interrupted earlier run may have left
    yield
    remove_journey(owner_cursor)


def submitted_deliverable() -> int:
    """Mia delivers the brief's first version and submits it to Contoso."""
    mia = actor_for(User.objects.get(email=MIA))
    project = Project.objects.get(name=PROJECT)
    deliverable = deliverable_add(actor=mia, project=project, title=TITLE, description="", due_date=None)
    brief = SimpleUploadedFile("brief-v1.txt", b"Campaign brief, first version.\n", content_type="text/plain")
    deliverable_version_add(actor=mia, deliverable=deliverable, upload=brief)
    deliverable_submit(actor=mia, deliverable=Deliverable.objects.get(pk=deliverable.pk))
    return deliverable.pk


def decisions_counted() -> int:
    """The decisions the staff dashboard's turnaround counts for Olivia (the last 90 days, every client)."""
    since, until = periods.default()
    return overall(actor_for(User.objects.get(email=OLIVIA)), since, until).decisions


def test_contact_requests_changes_staff_resubmits_contact_approves_and_the_turnaround_counts_it(
    journey_cleanup: None, in_demo: Callable[[Callable[[], Any]], Any], page: Page, live_url: str
) -> None:
    portal = live_url.replace("://localhost", "://demo.localhost")
    counted_before = in_demo(decisions_counted)
    deliverable_id = in_demo(submitted_deliverable)
    detail = f"{portal}/deliverables/{deliverable_id}/"

    # 1. Carla's dashboard: what needs her (decisions waiting), then her projects; she opens the deliverable.
    sign_in(page, portal, CARLA)
    need = page.locator(".need").filter(has_text="waiting for your decision")
    expect(need).to_be_visible()
    summary = page.locator(".project-summary").filter(has_text=PROJECT)
    expect(summary).to_contain_text(re.compile(r"Phase \d+ of \d+"))
    expect(summary).to_contain_text("waiting for a decision")
    screenshot(page, "engagements-1-client-dashboard")
    need.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Approvals")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    # 2. She requests changes, saying what should change; the comment is required for that.
    decision = page.locator("#decide")
    decision.get_by_label("Request changes").check()
    decision.get_by_role("button", name="Record my decision").click()
    expect(page.locator(".error-summary")).to_be_visible()
    decision = page.locator("#decide")
    decision.get_by_label("Request changes").check()
    decision.get_by_label("Comment").fill(CHANGES)
    decision.get_by_role("button", name="Record my decision").click()
    expect(page.locator(".page-meta .pill")).to_have_text("Changes requested")
    expect(page.get_by_text(CHANGES)).to_be_visible()
    screenshot(page, "engagements-2-changes-requested")

    # 3. Mia uploads the second version and submits it again.
    sign_in(page, portal, MIA)
    page.goto(detail)
    page.get_by_role("button", name="File", exact=True).set_input_files(
        {"name": "brief-v2.txt", "mimeType": "text/plain", "buffer": b"Campaign brief, with the store dates.\n"}
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("link", name="brief-v2.txt")).to_be_visible()
    page.get_by_role("button", name="Submit again").click()
    expect(page.locator(".page-meta .pill")).to_have_text("Waiting for a decision")

    # 4. Carla approves version 2 from her dashboard's deadlines or approvals; the decision names it.
    sign_in(page, portal, CARLA)
    page.locator(".need").filter(has_text="waiting for your decision").click()
    page.get_by_role("link", name=TITLE).click()
    decision = page.locator("#decide")
    expect(decision).to_contain_text("version 2 (brief-v2.txt)")
    decision.get_by_label("Approve this version").check()
    decision.get_by_role("button", name="Record my decision").click()
    expect(page.locator(".page-meta .pill")).to_have_text("Approved")
    expect(page.locator(".history li")).to_have_count(2)
    expect(page.locator(".history li").last).to_contain_text("Approved · v2")
    screenshot(page, "engagements-3-approved")

    # 5. Olivia's staff dashboard counts both decisions in the turnaround; choosing Contoso narrows it in place.
    assert in_demo(decisions_counted) == counted_before + 2
    sign_in(page, portal, OLIVIA)
    approvals = page.locator(".dashboard-panel").filter(has_text="Waiting for a client decision")
    expect(approvals).to_contain_text(f"({counted_before + 2} decisions)")
    page.evaluate("window.__not_reloaded = true")
    contoso = in_demo(lambda: ClientOrg.objects.get(name="Contoso Retail").pk)
    page.get_by_label("Client", exact=True).select_option(str(contoso))
    expect(page).to_have_url(re.compile(rf"\?client={contoso}$"))
    budget = page.locator(".dashboard-panel").filter(has_text="Budget burn")
    expect(budget).not_to_contain_text("Fabrikam Health")
    assert page.evaluate("window.__not_reloaded === true"), "the dashboard was swapped in place, not reloaded"
    screenshot(page, "engagements-4-staff-dashboard")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{portal}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    screenshot(page, "engagements-5-staff-dashboard-phone")
