"""The security headers on every response and pages without inline script or style."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/accounts/login/", "/TST/", "/TST/units/N/measures/CR/"])
def test_every_response_carries_a_strict_content_security_policy(path: str, analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    for path in ["/accounts/login/", "/TST/", "/TST/units/N/", "/TST/units/N/measures/CR/"]:
        page = client.get(path).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert "<style" not in page, path
        assert not re.search(r"\sstyle=", page), path
        assert not re.search(r"\son[a-z]+=", page), path


@pytest.mark.parametrize(
    "path",
    ["/TST/units/N/?period=2019-07%00", "/TST/units/N/?area=%00", "/TST/audit/?unit=N%00"],
)
def test_a_page_asked_with_the_nul_character_is_a_plain_400(path: str, analyst: User) -> None:
    # PostgreSQL refuses NUL in any query: no page may pass it on.
    client = Client()
    client.force_login(analyst)
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
