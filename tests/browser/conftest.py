"""Browser journeys: Debian's Chromium driven by Playwright against a real web server (`live_url`, gunicorn on
the test database). Screenshots go to .var/screenshots/."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from tests.support.processes import ROOT

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
