"""Browser tests: Playwright (sync API) driving Debian's chromium, axe-core for accessibility.

Mark each test module with ``pytestmark = pytest.mark.browser``. Pages of the app come from
pytest-django's ``live_server``; ``make pytest`` installs chromium first (scripts/chromium.sh)
and ``scripts/assets.sh`` copies axe-core into the static folder.

Every page refuses requests to hosts other than the test's own (loopback) and the test fails
when one was tried, when the page threw an uncaught JavaScript error, when anything wrote an
error to the console (GOV.UK Frontend's own JavaScript included), or when a page of the app
finished loading without ``govuk-frontend-supported`` on its ``<body>`` (the Design System's
JavaScript never started).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Route,
    sync_playwright,
)

from tests.browser.axe_record import AxeRecord

# Playwright's sync API keeps an asyncio event loop running in the test thread from the start of
# the session-scoped browser, and Django refuses ORM calls (the live server's database set-up,
# the test's own fixtures) from a thread with a running loop. Django's documented switch:
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# How long a step may wait for the page (an element, a navigation) before the test fails: a
# guard against a page that never comes, not a measure of speed. make test runs the SQLite and
# PostgreSQL tests side by side on two cores, where a page that takes a second alone has taken
# over ten.
WAIT_MS = 30_000

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "src/pmf/web/static/vendor/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RECORD = AxeRecord(AXE_TAGS)
PASSED = pytest.StashKey[bool]()
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Run in every page before its own scripts (through the DevTools protocol, outside the CSP):
# once the page has loaded (module scripts have run by then), a page of GOV.UK's template with
# components that need the Design System's JavaScript (data-module="govuk-...") whose <body>
# lacks govuk-frontend-supported reports a console error, which fails the test. (The
# published static site has no JavaScript and no such components.)
FRONTEND_STARTED = """
window.addEventListener("load", () => {
  const body = document.body;
  if (body && body.classList.contains("govuk-template__body")
      && document.querySelector('[data-module^="govuk-"]')
      && !body.classList.contains("govuk-frontend-supported")) {
    console.error("GOV.UK Frontend did not start: no govuk-frontend-supported on <body> of "
                  + location.href);
  }
});
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Note whether the test itself passed, for its axe-core record."""
    report = yield
    if report.when == "call":
        item.stash[PASSED] = report.passed
    return report


@pytest.fixture(autouse=True)
def _axe_recorded(request: pytest.FixtureRequest) -> Iterator[None]:
    """Compare the test's axe-core runs with the committed summary (axe_record)."""
    AXE_RECORD.start(request.node.nodeid)
    yield
    problem = AXE_RECORD.finish(passed=request.node.stash.get(PASSED, False))
    if problem:
        pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/chromium.sh (make pytest does)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


ANSWERED_4XX = re.compile(r"Failed to load resource: the server responded with a status of 4\d\d ")


class Watch:
    """Watch a browser context's pages and list what went wrong on them.

    Requests to other hosts are refused and noted; uncaught exceptions and every console
    message of type "error" are noted (a CSP refusal, a failed load, a GOV.UK Frontend
    component that did not start); an app page whose ``<body>`` lacks
    ``govuk-frontend-supported`` once loaded reports itself as a console error.
    """

    def __init__(self, context: BrowserContext) -> None:
        self.external: list[str] = []
        self.errors: list[str] = []
        self.console_errors: list[str] = []
        context.route("**/*", self._only_loopback)
        context.add_init_script(FRONTEND_STARTED)
        context.on("page", self.attach)

    def attach(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._note_console_error)

    def problems(self) -> list[str]:
        problems = [f"request to another host: {url}" for url in self.external]
        problems += [f"uncaught JavaScript error: {error}" for error in self.errors]
        problems += [f"console error: {text}" for text in self.console_errors]
        return problems

    def _only_loopback(self, route: Route, request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOOPBACK:
            self.external.append(request.url)
            route.abort()
        else:
            route.continue_()

    def _note_console_error(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        # Chromium reports a page that answered 400 (a refused form, shown again with its
        # errors) as a resource that failed to load. The page itself is not an error; any
        # other resource that fails to load (a script, a style sheet, a fetch) is.
        document = message.page.url if message.page else None
        if ANSWERED_4XX.match(message.text) and where and where == document:
            return
        self.console_errors.append(f"{message.text} ({where})" if where else message.text)


# Contexts a test opened with watched_context(): checked when the test ends.
_OPENED: list[tuple[BrowserContext, Watch]] = []


def watched_context(browser: Browser) -> BrowserContext:
    """Open a further context (another person signed in) held to the same rules as ``page``."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    _OPENED.append((context, Watch(context)))
    return context


@pytest.fixture(autouse=True)
def _check_opened_contexts() -> Iterator[None]:
    yield
    problems = []
    while _OPENED:
        context, watch = _OPENED.pop()
        context.close()
        problems += watch.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context (no shared cookies), British English, 1280 px wide.

    The test fails afterwards on anything ``Watch`` noted.
    """
    # The app's Content Security Policy stays on: the test fails when the page breaks it.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    watch = Watch(context)
    page = context.new_page()
    yield page
    context.close()
    problems = watch.problems()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@contextmanager
def served(folder: Path, page: Page) -> Iterator[str]:
    """Serve FOLDER as plain files on loopback for PAGE; yield the base URL.

    On the way out the page is left to finish what it was loading (a favicon asked for after
    the last click) before the server closes, so that a request cut off by the test's own end
    is not reported as the page's console error.
    """
    from tests.factories import QuietHandler

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
        page.wait_for_load_state("networkidle")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def check_accessibility(page: Page, site: str = "app") -> None:
    """Run axe-core's WCAG 2.0/2.1/2.2 A and AA rules on the page; fail listing any violations.

    ``site`` is "app" for the application's pages, "public" for the published static site's.
    Each run is recorded for the accessibility statement (``AxeRecord``).
    """
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run scripts/assets.sh")
    # Judge the page as a person sees it: after a click on a link the new document can be
    # read before its stylesheets apply, and unstyled links are all too small a target.
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern
        # (an injected <script> element would be refused, as it should be).
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    results: dict[str, Any] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {
                version: axe.version,
                rules: axe.getRules(tags).map((rule) => rule.ruleId),
                violations: results.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
                    targets: v.nodes.map((n) => n.target.join(' ')),
                })),
                incomplete: results.incomplete.map((v) => v.id),
            };
        }""",
        AXE_TAGS,
    )
    AXE_RECORD.add(page.url, site, results)
    violations = results["violations"]
    if violations:
        pytest.fail(format_violations(page.url, violations), pytrace=False)


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        lines.extend(f"    at {target}" for target in v["targets"])
    return "\n".join(lines)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG as tests/browser/screenshots/NAME.png and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
