"""The accessibility statement: its file checked, its status derived, served and published."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from pmf.cli import main
from pmf.web.accessibility.config import ConfigProblem, load_config
from pmf.web.accessibility.notice import (
    RESULTS,
    compliance,
    notice_context,
    read_results,
    results_for,
)
from pmf.web.frameworks.models import Organisation
from pmf.web.publishing import publish_cycle
from tests.factories import published

ROOT = Path(__file__).resolve().parents[2]
POLICE = ROOT / "examples" / "police" / "accessibility.yaml"
TRAFFORD = ROOT / "examples" / "trafford" / "accessibility.yaml"
# The model statement's headings, in the order GDS gives them.
HEADINGS = [
    "Accessibility statement for Metropolitan Police Service performance framework",
    "How accessible this website is",
    "Feedback and contact information",
    "Reporting accessibility problems with this website",
    "Enforcement procedure",
    "Technical information about this website’s accessibility",
    "Compliance status",
    "Non-accessible content",
    "Non-compliance with the accessibility regulations",
    "Disproportionate burden",
    "Content that’s not within the scope of the accessibility regulations",
    "What we’re doing to improve accessibility",
    "Preparation of this accessibility statement",
]


def headings(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html)
    ]


def test_the_examples_files_are_valid() -> None:
    police = load_config(POLICE)
    assert police.non_compliance[0].criterion == "2.4.4"
    assert load_config(TRAFFORD).public_name == (
        "Trafford Council performance framework: published scorecards"
    )


def test_every_problem_of_the_file_is_named_by_line_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "accessibility.yaml"
    bad.write_text(
        "organisation: X\nsite_name: Y\ncontact:\n  email: nope\n  response_days: 0\n"
        "non_compliance:\n  - description: d\n    criterion: 1.4.99\n    plan: p\n"
        "    fix_by: 2027-06-30\nprepared: 2026-12-07\nreviewed: 2026-01-01\ncolour: red\n"
    )
    with pytest.raises(ConfigProblem) as raised:
        load_config(bad)
    assert raised.value.problems == [
        f"{bad}:4 contact.email: 'nope' is not an email address",
        f"{bad}:5 contact.response_days: 0 must be more than 0",
        f"{bad}:8 non_compliance[0].criterion: '1.4.99' is not a WCAG 2.2 A or AA success "
        "criterion (1.1.1 to 4.1.3)",
        f"{bad}:12 reviewed: 2026-01-01 is before prepared (2026-12-07)",
        f"{bad}:13 colour: unknown field (value 'red'); check the spelling",
    ]
    bad.write_text("organisation: X\n")
    with pytest.raises(ConfigProblem) as raised:
        load_config(bad)
    assert {p.split(" ")[1] for p in raised.value.problems} == {
        "site_name:", "contact:", "prepared:",
    }  # fmt: skip
    bad.write_text("- a list\n")
    with pytest.raises(ConfigProblem, match="should be a mapping of keys"):
        load_config(bad)


def _results(*pages: tuple[str, list[str]]) -> dict[str, Any]:
    """A summary of one test that checked each page, failing the rules given."""
    return {
        "axe_core": "4.14.1",
        "rules": ["image-alt", "link-name"],
        "tests": {
            "t": [
                {
                    "site": "app",
                    "page": page,
                    "violations": [
                        {"rule": rule, "help": "Help", "impact": "serious", "criteria": ["1.1.1"]}
                        for rule in rules
                    ],
                    "incomplete": [],
                }
                for page, rules in pages
            ]
        },
    }


def test_the_compliance_status_is_derived_from_the_results_and_the_known_problems() -> None:
    police, trafford = load_config(POLICE), load_config(TRAFFORD)
    clean = _results(("/a/", []), ("/b/", []), ("/c/", []))
    assert compliance(trafford, results_for("app", clean)) == "fully"
    assert compliance(police, results_for("app", clean)) == "partially"  # it lists a problem
    one = _results(("/a/", ["image-alt"]), ("/b/", []), ("/c/", []))
    assert compliance(trafford, results_for("app", one)) == "partially"
    most = _results(("/a/", ["image-alt"]), ("/b/", ["link-name"]), ("/c/", []))
    assert compliance(trafford, results_for("app", most)) == "not"
    # The public site's status reads the public pages only.
    assert results_for("public", most).pages == ()


@pytest.mark.django_db
def test_anyone_reads_the_statement_in_the_model_structure(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMF_ACCESSIBILITY", str(POLICE))
    response = client.get("/accessibility/")
    assert response.status_code == 200
    html = response.content.decode()
    assert headings(html) == HEADINGS
    assert "partially compliant with the" in html
    assert "accessibility@example.org" in html and "5 working days" in html
    assert "This fails WCAG 2.2 success criterion 2.4.4 Link Purpose (In Context) (A)." in html
    assert "We plan to fix this by 30 June 2027." in html
    assert "This statement was prepared on 7 December 2026." in html
    assert "Equality Commission for Northern Ireland" not in html
    found = results_for("app")
    assert f"axe-core {found.axe_core} in Chromium ran its {found.rules} rules" in html
    assert f"on {len(found.pages)} pages, listed below" in html
    assert client.post("/accessibility/").status_code == 405


@pytest.mark.django_db
def test_northern_ireland_names_its_commission(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "ni.yaml"
    path.write_text(TRAFFORD.read_text() + "northern_ireland: true\n")
    monkeypatch.setenv("PMF_ACCESSIBILITY", str(path))
    html = client.get("/accessibility/").content.decode()
    assert "Equality Commission for Northern Ireland" in html
    assert "fully compliant with the" in html


@pytest.mark.django_db
def test_a_bad_file_stops_the_page_naming_the_setting(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("organisation: X\n")
    monkeypatch.setenv("PMF_ACCESSIBILITY", str(path))
    client.raise_request_exception = True
    with pytest.raises(
        ImproperlyConfigured, match=r"(?s)PMF_ACCESSIBILITY: .*site_name: is required"
    ):
        client.get("/accessibility/")


@pytest.mark.django_db
def test_every_page_links_to_the_statement_in_its_footer(client: Client, analyst: User) -> None:
    assert (
        'href="/accessibility/">Accessibility statement</a>'
        in client.get("/accounts/login/").content.decode()
    )
    client.force_login(analyst)
    assert (
        'href="/accessibility/">Accessibility statement</a>'
        in client.get("/accounts/password_change/").content.decode()
    )


@pytest.mark.django_db
def test_the_published_site_carries_its_own_statement(
    organisation: Organisation, analyst: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMF_ACCESSIBILITY", raising=False)
    cycle = published(organisation, analyst)
    publish_cycle(cycle, tmp_path / "none")
    assert not (tmp_path / "none" / "accessibility.html").exists()
    assert "accessibility.html" not in (tmp_path / "none" / "index.html").read_text()
    publish_cycle(cycle, tmp_path / "site", accessibility=load_config(TRAFFORD))
    page = (tmp_path / "site" / "accessibility.html").read_text()
    assert headings(page)[0] == (
        "Accessibility statement for Trafford Council performance framework: published scorecards"
    )
    assert f"on {len(results_for('public').pages)} pages, listed below" in page
    for name in ("index.html", "units/N.html", "open-data.html", "accessibility.html"):
        assert 'href="accessibility.html"' in (tmp_path / "site" / name).read_text() or (
            'href="../accessibility.html"' in (tmp_path / "site" / name).read_text()
        )
    # The statement is a file of the site like any other: in the manifest.
    manifest = json.loads((tmp_path / "site" / "manifest.json").read_text())
    assert "accessibility.html" in manifest["files"]


def test_pmf_accessibility_checks_the_file_and_writes_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMF_ACCESSIBILITY", raising=False)
    assert main(["accessibility"]) == 1
    assert "give --config FILE, or name the file in PMF_ACCESSIBILITY" in capsys.readouterr().err
    out = tmp_path / "statement.html"
    assert main(["accessibility", "--config", str(POLICE), "--output", str(out)]) == 0
    said = capsys.readouterr().out
    assert "partially compliant with WCAG 2.2 AA" in said
    assert headings(out.read_text()) == HEADINGS
    bad = tmp_path / "bad.yaml"
    bad.write_text("organisation: X\nsite_name: Y\n")
    assert main(["accessibility", "--config", str(bad)]) == 1
    assert f"{bad}:1 contact: is required" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# The committed summary of the browser tests' axe-core runs.
# --------------------------------------------------------------------------------------------


def test_the_summary_names_only_browser_tests_that_exist() -> None:
    results = read_results()
    gone = []
    for test in results["tests"]:
        file, _, name = test.partition("::")
        path = ROOT / file
        function = name.split("[")[0]
        names = (
            {
                node.name
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.FunctionDef)
            }
            if path.exists()
            else set()
        )
        if function not in names:
            gone.append(test)
    assert not gone, (
        f"{RESULTS.relative_to(ROOT)} names tests that are gone: {gone}; write it again with "
        "make accessibility"
    )


def test_the_summary_was_written_with_the_axe_core_pmf_ships() -> None:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    shipped = lock["packages"]["node_modules/axe-core"]["version"]
    assert read_results()["axe_core"] == shipped, "axe-core changed: run make accessibility"


def test_the_summary_has_no_failures_and_covers_both_sites() -> None:
    app, public = results_for("app"), results_for("public")
    assert app.failures == () and public.failures == ()
    assert "/accessibility/" in app.pages
    assert {"/index.html", "/accessibility.html", "/open-data.html"} <= set(public.pages)
    assert notice_context(None, "app")["status"] == "fully"
