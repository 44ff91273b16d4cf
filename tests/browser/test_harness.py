"""The browser harness itself, on static pages served by http.server: no app code needed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import AXE_RECORD, Watch, check_accessibility, screenshot
from tests.factories import QuietHandler

pytestmark = pytest.mark.browser

HEAD = (
    '<!DOCTYPE html>\n<html lang="en-GB">\n<head><meta charset="utf-8"><title>{}</title></head>\n'
)
GOOD = HEAD.format("Accessible page") + (
    "<body><main><h1>An accessible page</h1><p>Plain text in a main landmark.</p></main></body>"
    "</html>\n"
)
PIXEL = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="
BAD = HEAD.format("Inaccessible page") + (
    f'<body><main><h1>An image without alt text</h1><img src="{PIXEL}"></main></body></html>\n'
)


INLINE = HEAD.replace(
    "<head>", '<head><meta http-equiv="Content-Security-Policy" content="script-src \'self\'">'
).format("Inline script") + (
    "<body><main><h1>An inline script</h1><script>document.title = 'ran';</script></main>"
    "</body></html>\n"
)


CONSOLE_ERROR = HEAD.format("Console error") + (
    "<body><main><h1>A console error</h1><script>console.error('went wrong');</script></main>"
    "</body></html>\n"
)
# A page of GOV.UK's template whose JavaScript never started, one whose did, and one with no
# component that needs the JavaScript (as the published static site).
STATIC = HEAD.format("Static") + (
    '<body class="govuk-template__body"><main><h1>Static</h1></main></body></html>\n'
)
NOT_STARTED = HEAD.format("Not started") + (
    '<body class="govuk-template__body"><main><h1>Not started</h1>'
    '<button class="govuk-button" data-module="govuk-button">Go</button></main></body></html>\n'
)
STARTED = HEAD.format("Started") + (
    '<body class="govuk-template__body"><main><h1>Started</h1>'
    '<button class="govuk-button" data-module="govuk-button">Go</button>'
    "<script>document.body.classList.add('govuk-frontend-supported');</script></main>"
    "</body></html>\n"
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a tiny server on loopback serving good.html and bad.html."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "good.html").write_text(GOOD, encoding="utf-8")
    (folder / "bad.html").write_text(BAD, encoding="utf-8")
    (folder / "inline.html").write_text(INLINE, encoding="utf-8")
    (folder / "console-error.html").write_text(CONSOLE_ERROR, encoding="utf-8")
    (folder / "not-started.html").write_text(NOT_STARTED, encoding="utf-8")
    (folder / "started.html").write_text(STARTED, encoding="utf-8")
    (folder / "static.html").write_text(STATIC, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_an_accessible_page_passes(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    assert page.title() == "Accessible page"
    check_accessibility(page, site="harness")


def test_an_image_without_alt_text_fails_with_its_rule_and_element(page: Page, site: str) -> None:
    page.goto(f"{site}/bad.html")
    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(page, site="harness")
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "at img" in message
    # Recorded for the accessibility statement with the success criterion it fails.
    [recorded] = AXE_RECORD.checks
    assert recorded["page"] == "/bad.html" and recorded["site"] == "harness"
    assert [(v["rule"], v["criteria"]) for v in recorded["violations"]] == [
        ("image-alt", ["1.1.1"])
    ]
    assert f"{site}/bad.html" in message


def test_a_second_check_on_the_same_page_reuses_axe(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    check_accessibility(page, site="harness")
    page.evaluate("window.axe.pmfMarker = 1")
    check_accessibility(page, site="harness")
    assert page.evaluate("window.axe.pmfMarker") == 1


def test_a_screenshot_is_a_non_empty_png(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    path = screenshot(page, "harness good page")
    assert path.name == "harness-good-page.png"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000


def watched(browser: Browser, site: str, name: str) -> list[str]:
    """Visit NAME on the site in a watched context; return the problems the watch noted."""
    context = browser.new_context()
    watch = Watch(context)
    page = context.new_page()
    page.goto(f"{site}/{name}")
    page.get_by_role("heading").first.wait_for()
    page.wait_for_load_state("load")
    context.close()
    return watch.problems()


def test_a_refused_inline_script_is_noted_as_a_console_error(browser: Browser, site: str) -> None:
    problems = watched(browser, site, "inline.html")
    assert len(problems) == 1
    assert "Content Security Policy" in problems[0]
    assert "inline script" in problems[0]


def test_any_console_error_is_noted(browser: Browser, site: str) -> None:
    assert watched(browser, site, "console-error.html") == [
        f"console error: went wrong ({site}/console-error.html)"
    ]


def test_a_page_whose_govuk_frontend_did_not_start_is_noted(browser: Browser, site: str) -> None:
    problems = watched(browser, site, "not-started.html")
    assert len(problems) == 1
    assert "GOV.UK Frontend did not start" in problems[0]
    assert f"{site}/not-started.html" in problems[0]


def test_pages_that_started_or_are_not_govuk_pages_pass(browser: Browser, site: str) -> None:
    assert watched(browser, site, "started.html") == []
    assert watched(browser, site, "good.html") == []
    assert watched(browser, site, "static.html") == []


def test_a_request_to_another_host_is_refused_and_noted(browser: Browser, site: str) -> None:
    context = browser.new_context()
    watch = Watch(context)
    page = context.new_page()
    page.goto(f"{site}/good.html")
    page.evaluate("fetch('http://example.org/x').catch(() => null)")
    context.close()
    assert "request to another host: http://example.org/x" in watch.problems()
