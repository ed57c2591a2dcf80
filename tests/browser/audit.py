"""The page auditor of the accessibility journeys (issue 13).

Attached to a Playwright page, a `PageAuditor` collects, for the whole journey:

- every console message of type `error` and every uncaught page error;
- every Content-Security-Policy violation, through a `securitypolicyviolation` listener that an init script adds
  to every document; the listener keeps them on `window` and in `sessionStorage` (which survives same-origin
  navigations), and the auditor drains them after every navigation and before leaving a page;
- every main-frame navigation answered with an HTTP error;
- per distinct (role, URL name, width): axe-core's serious and critical violations (run once), horizontal
  overflow, and a full-page screenshot in `.var/screenshots/<role>-<url_name>-<width>.png`.

Findings are collected, not raised at once, so one run reports every page that needs work; `assert_clean()` at
the end of the journey fails with all of them. Navigation failures (a page that does not load) still raise at
once: the journey cannot go on from there.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from django.urls import Resolver404, resolve
from playwright.sync_api import ConsoleMessage, Error, Page, Response, ViewportSize

from tests.browser.conftest import SCREENSHOTS

TENANT_URLCONF = "config.urls_tenant"
PUBLIC_URLCONF = "config.urls_public"
PUBLIC_HOSTS = {"localhost", "127.0.0.1"}
# The two widths of the acceptance criteria: a laptop and a small phone.
WIDTHS: dict[int, ViewportSize] = {1366: {"width": 1366, "height": 900}, 360: {"width": 360, "height": 800}}
FAILING_IMPACTS = ("serious", "critical")

CSP_LISTENER = """
(() => {
  const key = "__porticoCspViolations";
  window.__cspViolations = window.__cspViolations || [];
  document.addEventListener("securitypolicyviolation", (event) => {
    const violation = {
      id: `${Date.now()}-${Math.random()}`,
      page: location.href,
      directive: event.effectiveDirective || event.violatedDirective,
      blocked: event.blockedURI,
      source: event.sourceFile,
      line: event.lineNumber,
      sample: event.sample,
      disposition: event.disposition,
    };
    window.__cspViolations.push(violation);
    try {
      const kept = JSON.parse(sessionStorage.getItem(key) || "[]");
      kept.push(violation);
      sessionStorage.setItem(key, JSON.stringify(kept));
    } catch (error) { /* a sandboxed or opaque-origin document has no sessionStorage: window keeps it */ }
  });
})();
"""

DRAIN_CSP = """
() => {
  let kept = [];
  try {
    kept = JSON.parse(sessionStorage.getItem("__porticoCspViolations") || "[]");
    sessionStorage.removeItem("__porticoCspViolations");
  } catch (error) { /* no sessionStorage */ }
  const here = window.__cspViolations || [];
  window.__cspViolations = [];
  const seen = new Set(kept.map((v) => v.id));
  return kept.concat(here.filter((v) => !seen.has(v.id)));
}
"""

# The page has loaded, htmx has nothing in flight or settling, fonts are in, and no finite animation or
# transition is still running (an infinite one, a spinner, never ends and is ignored).
SETTLED = """
() => document.readyState === "complete"
  && !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added")
  && document.fonts.status === "loaded"
  && document.getAnimations().every((a) => a.playState !== "running"
       || !a.effect || a.effect.getComputedTiming().iterations === Infinity)
"""

OVERFLOW = """
() => {
  const width = window.innerWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += `#${el.id}`;
    const classes = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean).slice(0, 3);
    if (classes.length) name += "." + classes.join(".");
    return name;
  };
  const culprits = [];
  if (scrollWidth > width) {
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.right > width + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1)) {
        culprits.push(`${describe(el)} (right edge ${Math.round(box.right)}px)`);
      }
      if (culprits.length >= 8) break;
    }
  }
  return {width, scrollWidth, culprits};
}
"""

_AXE = Axe()
_AUDITORS: weakref.WeakKeyDictionary[Page, PageAuditor] = weakref.WeakKeyDictionary()


@dataclass
class Finding:
    kind: str  # axe, overflow, console, pageerror, csp, http
    where: str  # role, URL name and width, or the page's address
    detail: str
    rule: str = ""  # what failed, for the summary: axe's rule id and impact, a CSP directive, a message
    page: str = ""  # where, for the summary: role, URL name and width

    def __str__(self) -> str:
        return f"[{self.kind}] {self.where}: {self.detail}"


def url_name_of(url: str) -> str:
    """The Django URL name (with its namespace) of a page address, resolved against the URLconf its host uses."""
    parts = urlsplit(url)
    urlconf = PUBLIC_URLCONF if parts.hostname in PUBLIC_HOSTS else TENANT_URLCONF
    try:
        match = resolve(parts.path, urlconf=urlconf)
    except Resolver404:
        return f"unresolved{parts.path.replace('/', '_')}"
    return match.view_name or match.url_name or parts.path


@dataclass
class PageAuditor:
    page: Page
    findings: list[Finding] = field(default_factory=list)
    audited: set[tuple[str, str, int]] = field(default_factory=set)
    axe_runs: int = 0

    def __post_init__(self) -> None:
        self.page.set_default_timeout(15_000)  # a broken page fails its step in seconds, not half a minute
        self.page.add_init_script(CSP_LISTENER)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", self._on_page_error)
        self.page.on("response", self._on_response)
        _AUDITORS[self.page] = self

    # Collection -------------------------------------------------------------------------------------------------

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location or {}
            source = f" ({location['url']}:{location.get('lineNumber', '')})" if location.get("url") else ""
            self.findings.append(Finding("console", self._here(), f"{message.text}{source}", rule=message.text[:90]))

    def _on_page_error(self, error: Error) -> None:
        text = f"{error.name}: {error.message}"
        self.findings.append(Finding("pageerror", self._here(), text, rule=text[:90]))

    def _on_response(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame == self.page.main_frame and response.status >= 400:
            status = f"{request.method} answered {response.status}"
            self.findings.append(Finding("http", response.url, status, rule=status))

    def _here(self) -> str:
        try:
            return self.page.url
        except Error:
            return "?"

    def drain_csp(self) -> None:
        """Read back the CSP violations the listener recorded since the last drain."""
        try:
            violations: list[dict[str, Any]] = self.page.evaluate(DRAIN_CSP)
        except Error as error:  # the page is navigating: its violations are kept in sessionStorage
            if "navigat" in str(error).lower() or "context was destroyed" in str(error).lower():
                return
            raise
        for violation in violations:
            detail = (
                f"{violation.get('directive')} blocked {violation.get('blocked') or '?'}"
                f" from {violation.get('source') or '?'}:{violation.get('line')}"
                f" sample={json.dumps(violation.get('sample') or '')}"
            )
            rule = f"{violation.get('directive')} blocked {violation.get('blocked') or '?'}"
            self.findings.append(Finding("csp", str(violation.get("page")), detail, rule=rule))

    # Navigation -------------------------------------------------------------------------------------------------

    def settle(self) -> None:
        """Wait until the page is loaded and quiet (htmx, fonts, animations), then collect its CSP violations."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function(SETTLED, polling=50, timeout=15_000)
        self.drain_csp()

    def goto(self, url: str) -> None:
        self.drain_csp()
        response = self.page.goto(url, wait_until="load")
        if response is None:
            raise AssertionError(f"no response for {url}")
        self.settle()

    def visit(self, role: str, url: str) -> None:
        """Visit `url` once per width (viewport set first, so the page lays itself out for it) and audit it."""
        for width, viewport in WIDTHS.items():
            self.page.set_viewport_size(viewport)
            self.goto(url)
            self.audit(role, width)

    # Checks -----------------------------------------------------------------------------------------------------

    def audit(self, role: str, width: int | None = None) -> str:
        """Audit the page as it is now; returns its URL name. axe and the screenshot run once per (role, URL name,
        width); the overflow check runs on every call."""
        size = self.page.viewport_size
        width = width or (size["width"] if size else 0)
        name = url_name_of(self.page.url)
        where = f"{role} {name} @{width}px ({urlsplit(self.page.url).path})"
        short = f"{role} {name}@{width}"
        self._check_overflow(where, short)
        key = (role, name, width)
        if key not in self.audited:
            self.audited.add(key)
            self._run_axe(where, short)
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            path = SCREENSHOTS / f"{role}-{name.replace(':', '-')}-{width}.png"
            self.page.screenshot(path=str(path), full_page=True)
        self.drain_csp()
        return name

    def _check_overflow(self, where: str, short: str) -> None:
        result = self.page.evaluate(OVERFLOW)
        if result["scrollWidth"] > result["width"]:
            culprits = "; ".join(result["culprits"]) or "no single element found"
            self.findings.append(
                Finding(
                    "overflow",
                    where,
                    f"document is {result['scrollWidth']}px wide in a {result['width']}px viewport; past the edge: "
                    f"{culprits}",
                    rule="horizontal overflow",
                    page=short,
                )
            )

    def _run_axe(self, where: str, short: str) -> None:
        self.axe_runs += 1
        violations = _AXE.run(self.page).response["violations"]
        for violation in violations:
            if violation.get("impact") not in FAILING_IMPACTS:
                continue
            targets = [" ".join(str(part) for part in node.get("target", [])) for node in violation["nodes"]]
            detail = (
                f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation.get('helpUrl', '')}>\n"
                + "\n".join(f"      - {target}" for target in targets)
            )
            rule = f"{violation['id']} ({violation['impact']})"
            self.findings.append(Finding("axe", where, detail, rule=rule, page=short))

    # Verdict ----------------------------------------------------------------------------------------------------

    def summary(self) -> str:
        by_kind: dict[str, int] = {}
        for finding in self.findings:
            by_kind[finding.kind] = by_kind.get(finding.kind, 0) + 1
        counts = ", ".join(f"{count} {kind}" for kind, count in sorted(by_kind.items()))
        return f"{len(self.findings)} finding(s) ({counts}) over {len(self.audited)} page/width audits"

    def by_rule(self) -> str:
        """Each failing check once, with the pages and widths it failed on: what a page owner reads first."""
        pages: dict[str, list[str]] = {}
        for finding in self.findings:
            rule = f"{finding.kind}: {finding.rule}" if finding.rule else finding.kind
            pages.setdefault(rule, [])
            place = finding.page or finding.where
            if place not in pages[rule]:
                pages[rule].append(place)
        return "\n".join(f"  {rule} on {len(where)}: {', '.join(where)}" for rule, where in pages.items())

    def report(self) -> str:
        details = "\n".join(f"  {finding}" for finding in self.findings)
        return f"{self.summary()}\nBy check:\n{self.by_rule()}\nEvery finding:\n{details}"

    def assert_clean(self) -> None:
        self.drain_csp()
        if self.findings:
            raise AssertionError(self.report())


def auditor_for(page: Page) -> PageAuditor:
    """The auditor attached to `page` (attaching one if there is none yet)."""
    return _AUDITORS.get(page) or PageAuditor(page)


def audit(page: Page, name: str) -> str:
    """Audit the page as it is now for the role `name` (see `PageAuditor.audit`); returns the page's URL name."""
    return auditor_for(page).audit(name)
