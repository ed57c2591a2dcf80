"""Issue 13's acceptance in the browser: every page the journeys visit, for staff, contacts and the public site,
at 1366x900 and 360x800, has no serious or critical axe-core violation and no horizontal overflow, and the journeys
log no console error, page error or CSP violation (`tests.browser.audit`); a keyboard-only journey signs in, opens
a document, comments and signs out with a visible focus indicator at every stop, on a dark and a light brand
colour (`tests.browser.keyboard`). Screenshots: .var/screenshots/<role>-<url_name>-<width>.png.

Pages are reached by their reverse()d URLs, not through the navigation markup (being redesigned); the keyboard
journey follows links by their destination (href), never by CSS classes."""

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import tenant_context
from playwright.sync_api import Page

from accounts.models import User
from operators.demo import DEMO_COLOUR, DEMO_PASSWORD, DEMO_SLUG, DEMO_STAFF
from portal.access.models import StaffMembership
from portal.clients.models import ClientOrg, Contact
from portal.conversations.models import Comment
from portal.documents.models import Document
from portal.engagements.models import Deliverable, Project
from portal.requests.models import ClientRequest, RequestType
from portal.webhooks.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portal.webhooks.signing import new_secret
from tenants.models import Tenant
from tenants.routing import VERSION_COOKIE, current_version, routing_changed
from tests.browser.audit import PUBLIC_URLCONF, TENANT_URLCONF, PageAuditor
from tests.browser.conftest import screenshot
from tests.browser.journeys import in_demo_committed
from tests.browser.keyboard import Keyboard
from tests.tenants.committed import commit_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

OWNER = DEMO_STAFF[0].email
CONTACT = "carla.admin@contoso.example"  # Contoso's client admin: every contact page is open to her
CLIENT = "Contoso Retail"
STAFF_DOCUMENT = "Loyalty data model"  # two versions
CONTACT_DOCUMENT = "Discovery workshop summary"  # comments from both sides
CHANGE_TYPE = "Change request"  # the demo's request types (operators.demo_requests)
WAITING_REQUEST = "Newsletter sign-up form rejects valid addresses"
RATED_REQUEST = "Checkout page times out"
PROJECT = "Loyalty programme relaunch"  # the demo's projects (operators.demo_engagements)
WAITING_DELIVERABLE = "App journey mock-ups"  # submitted again after changes were requested
OTHER_STAFF = DEMO_STAFF[1].email
LOGOUT = "/accounts/logout/"

# JS predicates on the focused element for the keyboard journey (destinations, never classes).
IS_LOGOUT = f"""(el) => {{
  const control = el.closest("a, button, input[type=submit]");
  if (!control) return false;
  if (control.tagName === "A") return new URL(control.href, location.href).pathname === "{LOGOUT}";
  return !!control.form && new URL(control.form.action, location.href).pathname === "{LOGOUT}";
}}"""
OPENS_LOGOUT = f"""(el) => {{
  const isLogout = {IS_LOGOUT};
  const holds = (root) => !!root && [...root.querySelectorAll("a, button, input[type=submit]")].some(isLogout);
  if (el.matches("summary")) return holds(el.parentElement);
  const controls = el.getAttribute("aria-controls");
  if (controls) return holds(document.getElementById(controls));
  return el.getAttribute("aria-expanded") === "false" && holds(el.parentElement);
}}"""
IS_LOGIN_FIELD = "(el) => el.matches('input[name=login]')"
IS_PASSWORD_FIELD = "(el) => el.matches('input[name=password]')"
IS_COMMENT_BODY = "(el) => el.matches('textarea[name=body]')"
IS_COMMENT_SUBMIT = """(el) => el.matches("button:not([type=button]):not([type=reset]), input[type=submit]")
  && !!el.form && !!el.form.elements.namedItem("body")"""
IS_DOCUMENT_LINK = (
    r"(el) => el.tagName === 'A' && /^\/documents\/\d+\/$/.test(new URL(el.href, location.href).pathname)"
)


def link_to(path: str) -> str:
    return f"(el) => el.tagName === 'A' && new URL(el.href, location.href).pathname === '{path}'"


def tenant_url(name: str, **kwargs: int) -> str:
    return reverse(name, kwargs=kwargs or None, urlconf=TENANT_URLCONF)


@dataclass(frozen=True)
class Demo:
    """The demo portal's pages the journeys visit, as paths (read from the seeded data before the browser starts:
    the test process makes no ORM call while Playwright runs)."""

    staff_pages: tuple[str, ...]
    contact_pages: tuple[str, ...]
    contact_documents: str


def webhook_endpoint_with_a_log() -> int:
    """An endpoint whose log holds a delivered and a failed delivery (none waiting: the log does not poll). Made
    directly, so no event records it; subscribed to an event no journey causes, so nothing is sent to it."""
    endpoint = WebhookEndpoint.objects.create(
        url="https://hooks.example/portico",
        description="Accessibility journey ERP",
        event_types=["client.archived"],
        secret=new_secret(),
    )
    now = timezone.now()
    for n, status in enumerate([DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED], start=1):
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event_type="webhook.test", message_id=f"msg_{uuid.uuid4().hex}",
            payload={"type": "webhook.test", "data": {"n": n}}, status=status, attempts=n, retrying_since=now,
            last_attempt_at=now, response_status=200 if status == DeliveryStatus.SUCCEEDED else 503,
        )  # fmt: skip
        for number in range(1, n + 1):
            succeeded = status == DeliveryStatus.SUCCEEDED
            WebhookAttempt.objects.create(
                delivery=delivery, number=number, at=now, url=endpoint.url, response_status=200 if succeeded else 503,
                response_excerpt="ok" if succeeded else "busy", duration_ms=40, succeeded=succeeded,
            )  # fmt: skip
    return endpoint.pk


@pytest.fixture
def webhook_endpoint(django_db_blocker: pytest.FixtureRequest) -> Iterator[int]:
    """The endpoint above, committed for the web server, and removed with its log afterwards."""
    in_demo = in_demo_committed(django_db_blocker)
    endpoint_id = in_demo(webhook_endpoint_with_a_log)
    yield endpoint_id
    in_demo(lambda: WebhookEndpoint.objects.filter(pk=endpoint_id).delete())


@pytest.fixture
def demo_pages(db: None, webhook_endpoint: int) -> Demo:
    with tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
        org = ClientOrg.objects.get(name=CLIENT)
        contact = Contact.objects.get(user__email="paula.lead@contoso.example")
        member = StaffMembership.objects.get(user=User.objects.get(email=OTHER_STAFF))
        staff_document = Document.objects.get(folder__client_org=org, title=STAFF_DOCUMENT)
        contact_document = Document.objects.get(folder__client_org=org, title=CONTACT_DOCUMENT)
        change = RequestType.objects.get(name=CHANGE_TYPE)
        waiting = ClientRequest.objects.get(subject=WAITING_REQUEST)  # Paula's, waiting on the client
        rated = ClientRequest.objects.get(subject=RATED_REQUEST)  # Carla's, resolved and rated
        project = Project.objects.get(client_org=org, name=PROJECT)
        waiting_deliverable = Deliverable.objects.get(project=project, title=WAITING_DELIVERABLE)
    staff = (
        tenant_url("dashboard:home"),
        tenant_url("clients:list"),
        tenant_url("clients:detail", org_id=org.pk),
        tenant_url("clients:contacts", org_id=org.pk),
        tenant_url("clients:contact", org_id=org.pk, contact_id=contact.pk),
        tenant_url("clients:invite", org_id=org.pk),
        tenant_url("clients:edit", org_id=org.pk),
        tenant_url("documents:list", org_id=org.pk),
        tenant_url("documents:detail", document_id=staff_document.pk),
        tenant_url("activity:notifications"),
        tenant_url("activity:preferences"),
        tenant_url("activity:audit_log"),
        tenant_url("access:team"),
        tenant_url("access:staff_member", membership_id=member.pk),
        tenant_url("access:roles"),
        tenant_url("access:role_create"),
        tenant_url("access:profile"),
        tenant_url("access:security"),
        tenant_url("branding:settings"),
        tenant_url("requests:queue"),
        tenant_url("requests:figures"),
        tenant_url("requests:detail", request_id=waiting.pk),
        tenant_url("requests:types"),
        tenant_url("requests:type_new"),
        tenant_url("requests:type_edit", type_id=change.pk),
        tenant_url("requests:routing"),
        tenant_url("requests:settings"),
        tenant_url("engagements:projects", org_id=org.pk),
        tenant_url("engagements:project", project_id=project.pk),
        tenant_url("engagements:project_edit", project_id=project.pk),
        tenant_url("engagements:project_new", org_id=org.pk),
        tenant_url("engagements:time", org_id=org.pk),
        tenant_url("engagements:deliverable", deliverable_id=waiting_deliverable.pk),
        tenant_url("engagements:turnaround"),
        tenant_url("engagements:settings"),
        tenant_url("api_keys:list"),
        tenant_url("webhooks:list"),
        tenant_url("webhooks:detail", endpoint_id=webhook_endpoint),
    )
    contact_pages = (
        tenant_url("dashboard:home"),
        tenant_url("clients:detail", org_id=org.pk),
        tenant_url("clients:contacts", org_id=org.pk),
        tenant_url("documents:list", org_id=org.pk),
        tenant_url("documents:detail", document_id=contact_document.pk),
        tenant_url("activity:notifications"),
        tenant_url("access:profile"),
        tenant_url("requests:list", org_id=org.pk),
        tenant_url("requests:new", org_id=org.pk),
        tenant_url("requests:submit", org_id=org.pk, type_id=change.pk),
        tenant_url("requests:detail", request_id=waiting.pk),
        tenant_url("requests:detail", request_id=rated.pk),
        tenant_url("engagements:projects", org_id=org.pk),
        tenant_url("engagements:project", project_id=project.pk),
        tenant_url("engagements:time", org_id=org.pk),
        tenant_url("engagements:approvals", org_id=org.pk),
        tenant_url("engagements:deliverable", deliverable_id=waiting_deliverable.pk),
    )
    return Demo(staff, contact_pages, tenant_url("documents:list", org_id=org.pk))


@pytest.fixture
def auditor(page: Page) -> PageAuditor:
    return PageAuditor(page)


def portal_of(live_url: str) -> str:
    return live_url.replace("://localhost", f"://{DEMO_SLUG}.localhost")


def sign_in(auditor: PageAuditor, portal: str, email: str) -> None:
    """Sign in through the form (fields by their names: the labels are the redesign's, and axe checks them)."""
    page = auditor.page
    auditor.goto(f"{portal}{reverse('account_login', urlconf=TENANT_URLCONF)}")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    auditor.settle()


def run_journey(auditor: PageAuditor, journey: Callable[[], None], name: str) -> None:
    """Run the journey; one that cannot go on still reports everything collected up to where it stopped."""
    try:
        journey()
    except Exception as error:
        screenshot(auditor.page, f"{name}-stopped")
        raise AssertionError(f"the journey stopped at {auditor.page.url}: {error}\n\n{auditor.report()}") from error
    auditor.assert_clean()


# The page journeys ------------------------------------------------------------------------------------------------


def test_staff_pages_are_accessible_at_both_widths(
    demo_pages: Demo, auditor: PageAuditor, page: Page, live_url: str
) -> None:
    portal = portal_of(live_url)

    def journey() -> None:
        auditor.visit("staff", f"{portal}{reverse('account_login', urlconf=TENANT_URLCONF)}")
        sign_in(auditor, portal, OWNER)
        for path in demo_pages.staff_pages:
            auditor.visit("staff", f"{portal}{path}")

    run_journey(auditor, journey, "staff")


def test_contact_pages_are_accessible_at_both_widths(
    demo_pages: Demo, auditor: PageAuditor, page: Page, live_url: str
) -> None:
    portal = portal_of(live_url)

    def journey() -> None:
        sign_in(auditor, portal, CONTACT)
        for path in demo_pages.contact_pages:
            auditor.visit("contact", f"{portal}{path}")

    run_journey(auditor, journey, "contact")


def test_public_pages_are_accessible_at_both_widths(auditor: PageAuditor, page: Page, live_url: str) -> None:
    def journey() -> None:
        for name in ("website:landing", "signup:signup", "signup:find_portal", "account_login"):
            auditor.visit("public", f"{live_url}{reverse(name, urlconf=PUBLIC_URLCONF)}")

    run_journey(auditor, journey, "public")


# The keyboard journey ---------------------------------------------------------------------------------------------

BRANDS = {"dark": "#0b1f3a", "light": "#f5d90a"}
# Whether the page wears the brand colour: in one of its stylesheets (as written, or as rgb()) or its markup.
BRAND_IN_PAGE = """
(hex) => {
  const n = parseInt(hex.slice(1), 16);
  const forms = [hex.toLowerCase(), `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`];
  const has = (text) => forms.some((form) => text.toLowerCase().includes(form));
  for (const sheet of document.styleSheets) {
    let rules = [];
    try { rules = [...sheet.cssRules]; } catch (error) { continue; }
    if (rules.some((rule) => has(rule.cssText))) return true;
  }
  return has(document.documentElement.outerHTML);
}
"""


def set_brand(colour: str) -> None:
    Tenant.objects.filter(slug=DEMO_SLUG).update(brand_color=colour)
    routing_changed()  # every web process drops its cached tenant (and the colour it carries)


@pytest.fixture(params=list(BRANDS), ids=[f"{name}-brand" for name in BRANDS])
def brand(request: pytest.FixtureRequest, django_db_blocker: pytest.FixtureRequest) -> Iterator[str]:
    """The demo portal wears a dark or a light brand colour for the journey (committed for the web server),
    then its own again (requested before `page`, so this runs once Playwright has stopped)."""
    colour = BRANDS[request.param]
    commit_now(django_db_blocker, lambda: set_brand(colour))
    yield colour
    commit_now(django_db_blocker, lambda: set_brand(DEMO_COLOUR))


@pytest.fixture
def comment_marker(django_db_blocker: pytest.FixtureRequest, owner_cursor: Any) -> Iterator[str]:
    """A unique comment text; the comment, its event and what the event fanned out to are removed afterwards
    (the history is append-only for the web's role: the owner lifts the guard for its own transaction only, as
    the documents journey does)."""
    marker = f"Keyboard journey {uuid.uuid4().hex[:12]}"
    yield marker
    with owner_cursor.connection.transaction():
        owner_cursor.execute(f"SET LOCAL search_path = {DEMO_SLUG}")
        owner_cursor.execute("SET LOCAL lock_timeout = '10s'")
        owner_cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        owner_cursor.execute("SELECT id FROM activity_activityevent WHERE data->>'excerpt' LIKE %s", [f"%{marker}%"])
        events = [row[0] for row in owner_cursor.fetchall()]
        owner_cursor.execute("ALTER TABLE activity_activityevent DISABLE TRIGGER activity_history_rows")
        owner_cursor.execute("DELETE FROM activity_delivery WHERE event_id = ANY(%s)", [events])
        owner_cursor.execute("DELETE FROM activity_notification WHERE event_id = ANY(%s)", [events])
        owner_cursor.execute("DELETE FROM activity_activityevent WHERE id = ANY(%s)", [events])
        owner_cursor.execute("ALTER TABLE activity_activityevent ENABLE TRIGGER activity_history_rows")

    def remove_comments() -> None:
        with tenant_context(Tenant.objects.get(slug=DEMO_SLUG)):
            Comment.objects.filter(body__contains=marker).delete()

    commit_now(django_db_blocker, remove_comments)


def test_keyboard_only_sign_in_comment_and_sign_out_show_focus_on_every_stop(
    brand: str, comment_marker: str, demo_pages: Demo, auditor: PageAuditor, page: Page, live_url: str
) -> None:
    portal = portal_of(live_url)
    login_path = reverse("account_login", urlconf=TENANT_URLCONF)
    keys = Keyboard(page, f"brand {brand}")
    page.set_viewport_size({"width": 1366, "height": 900})
    # The colour was committed a moment ago: carrying the new routing version makes every web process read the
    # tenant afresh at once (tenants.routing), instead of within its check interval.
    page.context.add_cookies([{"name": VERSION_COOKIE, "value": str(current_version()), "url": portal}])

    def journey() -> None:
        auditor.goto(f"{portal}{login_path}")
        assert page.evaluate(BRAND_IN_PAGE, brand), f"the brand colour {brand} did not reach the sign-in page"
        keys.tab_to("sign in: e-mail", IS_LOGIN_FIELD)
        page.keyboard.type(CONTACT)
        keys.tab_to("sign in: password", IS_PASSWORD_FIELD)
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: login_path not in url)
        auditor.settle()

        keys.tab_to("open the documents", link_to(demo_pages.contact_documents))
        page.keyboard.press("Enter")
        page.wait_for_url(f"**{demo_pages.contact_documents}*")
        auditor.settle()
        keys.tab_to("open a document", IS_DOCUMENT_LINK)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: re.search(r"/documents/\d+/$", urlsplit(url).path) is not None)
        auditor.settle()

        keys.tab_to("comment: text", IS_COMMENT_BODY)
        page.keyboard.type(comment_marker)
        keys.tab_to("comment: send", IS_COMMENT_SUBMIT)
        page.keyboard.press("Enter")
        page.get_by_text(comment_marker).first.wait_for()  # the thread shows it (htmx swap or page load)
        auditor.settle()

        keys.tab_to("sign out", IS_LOGOUT, opener=OPENS_LOGOUT)
        here = page.url
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: url != here)  # signed out (or asked to confirm): a new page either way
        auditor.settle()
        if LOGOUT in page.url:  # allauth asks to confirm
            keys.tab_to("sign out: confirm", IS_LOGOUT)
            page.keyboard.press("Enter")
            page.wait_for_url(lambda url: LOGOUT not in url)
            auditor.settle()
        # Signed out: the portal's home sends to the sign-in page.
        auditor.goto(f"{portal}/")
        assert login_path in page.url, f"still signed in after signing out: {page.url}"

    problems = []
    try:
        run_journey(auditor, journey, f"keyboard-{brand}")
        print("\n".join(keys.log))  # shown with -rP, and with the failure
    except AssertionError as error:
        problems.append(str(error))
    if keys.failures:
        problems.append(
            f"{len(keys.failures)} focus stop(s) of {keys.stops} without a visible focus indicator:\n"
            + "\n".join(f"  {failure}" for failure in keys.failures)
        )
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)
    assert keys.stops > 0
