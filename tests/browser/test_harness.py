"""The browser harness itself, on static pages served by http.server: no app code needed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import _note_csp_violation, check_accessibility, screenshot

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


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a tiny server on loopback serving good.html and bad.html."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "good.html").write_text(GOOD, encoding="utf-8")
    (folder / "bad.html").write_text(BAD, encoding="utf-8")
    (folder / "inline.html").write_text(INLINE, encoding="utf-8")
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
    check_accessibility(page)


def test_an_image_without_alt_text_fails_with_its_rule_and_element(page: Page, site: str) -> None:
    page.goto(f"{site}/bad.html")
    with pytest.raises(pytest.fail.Exception) as failure:
        check_accessibility(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "at img" in message
    assert f"{site}/bad.html" in message


def test_a_second_check_on_the_same_page_reuses_axe(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    check_accessibility(page)
    page.evaluate("window.axe.pmfMarker = 1")
    check_accessibility(page)
    assert page.evaluate("window.axe.pmfMarker") == 1


def test_a_screenshot_is_a_non_empty_png(page: Page, site: str) -> None:
    page.goto(f"{site}/good.html")
    path = screenshot(page, "harness good page")
    assert path.name == "harness-good-page.png"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000


def test_a_refused_inline_script_is_noted_as_a_csp_violation(browser: Browser, site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: _note_csp_violation(message, refused))
    page.goto(f"{site}/inline.html")
    page.get_by_role("heading", name="An inline script").wait_for()
    title = page.title()
    context.close()
    assert title == "Inline script"  # the script did not run
    assert refused and "inline script" in refused[0]
