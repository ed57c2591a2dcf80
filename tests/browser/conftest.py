"""Browser journeys: Debian's Chromium driven by Playwright against a real web server (`live_url`, gunicorn on
the test database). Screenshots go to .var/screenshots/."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, sync_playwright

from accounts.models import UserSession
from tenants.models import Tenant
from tests.browser.journeys import in_demo_committed
from tests.support.processes import ROOT
from tests.tenants.committed import commit_now

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / ".var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the test process itself makes no ORM calls
# while it drives the browser.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def page() -> Iterator[Page]:
    """A fresh Chromium per journey. Function-scoped on purpose: Playwright's sync API runs an event loop, and
    Django gives code running under it a connection of its own; keeping Playwright inside each journey keeps
    the suite's database connection the one pytest-django manages."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        page = browser.new_context().new_page()
        yield page
        browser.close()


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(autouse=True)
def forget_journey_sign_ins(request: pytest.FixtureRequest, django_db_blocker: Any) -> Iterator[None]:
    """The web server commits the sessions a journey signs in with; remove them afterwards (from every schema),
    so later tests that count a person's sessions find only their own. Journeys only (they use `live_url`)."""
    started = timezone.now()
    yield
    if "live_url" not in request.fixturenames:
        return

    def remove() -> None:
        for schema in ["public", *Tenant.objects.values_list("schema_name", flat=True)]:
            with schema_context(schema):
                UserSession.objects.filter(created_at__gte=started).delete()

    commit_now(django_db_blocker, remove)


@pytest.fixture
def in_demo(django_db_blocker: Any) -> Callable[[Callable[[], Any]], Any]:
    """`in_demo(work)`: run `work` in the demo schema on a connection of its own, committed (tests.browser.journeys)."""
    return in_demo_committed(django_db_blocker)
