"""The axe-core results of the browser tests, kept for the accessibility statement (ADR 0054).

Every ``check_accessibility`` call is recorded: the page (its address with ids as ``<n>``),
whether it is a page of the application or of the published site, the rules that failed and
those axe-core could not decide. When a test passes, what it recorded is compared with its
entry in the committed summary, ``src/pmf/web/accessibility/axe-results.json``, which the
accessibility statement is written from: a difference fails the test, naming the command that
writes the summary again (``make accessibility``: the browser tests with ``PMF_AXE_UPDATE=1``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pmf.web.accessibility.wcag import criterion_of_tag

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "src/pmf/web/accessibility/axe-results.json"
ABOUT = (
    "Written by pmf's browser tests (make accessibility: PMF_AXE_UPDATE=1 pytest -m browser "
    "tests/browser); read by the accessibility statement. A test fails when what it finds "
    "differs from its entry here."
)
UPDATE_COMMAND = "make accessibility (PMF_AXE_UPDATE=1 .venv/bin/pytest -m browser tests/browser)"
_NUMBER = re.compile(r"\d+")
# A token or key in an address (a password reset's, a UUID): long, with digits and letters.
_TOKEN = re.compile(r"(?=.*\d)(?=.*[A-Za-z])[\w-]{16,}")


def page_pattern(url: str) -> str:
    """Return a page's address without host and with ids as ``<n>``.

    >>> page_pattern("http://127.0.0.1:8081/cycles/12/papers/?period=2019-07&id=4")
    '/cycles/<n>/papers/?period=2019-07&id=<n>'
    >>> page_pattern("http://127.0.0.1:8081/accounts/reset/MTA4/set-password/")
    '/accounts/reset/<uid>/set-password/'
    """
    parts = urlsplit(url)
    segments = parts.path.split("/")
    # A password reset's address holds the user's id in base 64 (Django's uidb64).
    path = "/".join(
        "<uid>" if index and segments[index - 1] == "reset" and part != "done" else _stable(part)
        for index, part in enumerate(segments)
    )
    query = "&".join(
        f"{key}={_stable(value)}" for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return f"{path}?{query}" if query else path


def _stable(part: str) -> str:
    """Return a part of an address as it reads on every run: ids and tokens by their kind.

    >>> _stable("12"), _stable("2019-07"), _stable("c1b2x3-0123456789abcdef01"), _stable("ER")
    ('<n>', '2019-07', '<token>', 'ER')
    """
    if _NUMBER.fullmatch(part):
        return "<n>"
    if _TOKEN.fullmatch(part):
        return "<token>"
    return part


def read() -> dict[str, Any]:
    """Return the committed summary, or an empty one."""
    if not RESULTS.exists():
        return {"about": ABOUT, "axe_core": "", "tags": [], "rules": [], "tests": {}}
    data: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
    return data


def write(data: dict[str, Any]) -> None:
    """Write the summary: sorted and indented, so that a change reads well in a diff."""
    RESULTS.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


class AxeRecord:
    """The axe-core runs of the test under way, and the comparison with the summary."""

    def __init__(self, tags: list[str]) -> None:
        self.tags = tags
        self.update = os.environ.get("PMF_AXE_UPDATE", "").lower() in {"1", "true", "yes"}
        self.test: str | None = None
        self.checks: list[dict[str, Any]] = []
        self.header: dict[str, Any] = {}

    def start(self, test: str) -> None:
        """Begin recording the runs of ``test`` (its pytest node id)."""
        self.test = test
        self.checks = []

    def add(self, url: str, site: str, results: dict[str, Any]) -> None:
        """Record one run of axe-core on a page."""
        self.header = {"axe_core": results["version"], "tags": self.tags}
        self.header["rules"] = sorted(results["rules"])
        self.checks.append(
            {
                "site": site,
                "page": page_pattern(url),
                "violations": [
                    {
                        "rule": v["id"],
                        "help": v["help"],
                        "impact": v["impact"],
                        "criteria": sorted(
                            {c for tag in v["tags"] if (c := criterion_of_tag(tag)) is not None}
                        ),
                    }
                    for v in sorted(results["violations"], key=lambda v: v["id"])
                ],
                "incomplete": sorted(set(results["incomplete"])),
            }
        )

    def finish(self, *, passed: bool) -> str | None:
        """Compare (or, updating, store) the passed test's runs; return what differs, if any."""
        test, checks = self.test, self.checks
        self.test, self.checks = None, []
        if test is None or not passed:
            return None
        data = read()
        expected = data["tests"].get(test)
        if not checks and expected is None:
            return None
        header = {key: data.get(key) for key in self.header}
        if self.update:
            data.update(self.header)
            data["about"] = ABOUT
            if checks:
                data["tests"][test] = checks
            else:
                data["tests"].pop(test, None)
            write(data)
            return None
        problems = []
        if self.header and header != self.header:
            problems.append(
                f"axe-core {self.header['axe_core']} with {len(self.header['rules'])} rules, "
                f"the summary has {header.get('axe_core')} with {len(header.get('rules') or [])}"
            )
        # What axe-core could not decide ("incomplete") depends on timing and rendering and is
        # stored when the summary is written, not compared: a page's failures and the pages a
        # test visits are.
        if _decided(checks) != _decided(expected or []):
            problems.append(
                f"this test found {json.dumps(_decided(checks))}, "
                f"the summary has {json.dumps(_decided(expected or []))}"
            )
        if not problems:
            return None
        return (
            f"{RESULTS.relative_to(ROOT)} no longer says what {test} found: "
            + "; ".join(problems)
            + f". Write it again with {UPDATE_COMMAND} and commit it."
        )


def _decided(checks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: check[key] for key in check if key != "incomplete"} for check in checks]
