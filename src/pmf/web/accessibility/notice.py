"""What the accessibility statement says: the organisation's parts and the axe-core results.

``axe-results.json`` beside this module is written by pmf's browser tests (tests/browser,
``PMF_AXE_UPDATE=1``; ``make accessibility``) and committed: for each test, every page it ran
axe-core on (its address with ids as ``<n>``, on the application or the published site), the
rules that failed there and those axe could not decide. A test fails when what it found
differs from the file, so the file always says what the tests found (ADR 0054).

The compliance status is derived, never typed: fully compliant when the tests found no
failure and the organisation lists no non-compliance; not compliant when failures were found
on more than half the pages tested; otherwise partially compliant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pmf.web.accessibility.config import AccessibilityConfig
from pmf.web.accessibility.wcag import describe

RESULTS = Path(__file__).with_name("axe-results.json")
Site = Literal["app", "public"]
FULLY, PARTIALLY, NOT = "fully", "partially", "not"


@dataclass(frozen=True)
class Failure:
    """One axe-core rule that failed, the success criteria it tests and the pages it failed on."""

    rule: str
    help: str
    criteria: tuple[str, ...]
    pages: tuple[str, ...]

    @property
    def criteria_text(self) -> str:
        """Return the criteria in words: '1.4.3 Contrast (Minimum) (AA)'."""
        return "; ".join(describe(criterion) for criterion in self.criteria)


@dataclass(frozen=True)
class Tested:
    """What pmf's browser tests found on one site's pages."""

    axe_core: str
    rules: int
    pages: tuple[str, ...]
    failures: tuple[Failure, ...] = ()
    undecided: tuple[tuple[str, int], ...] = ()  # (rule, pages) axe left for people to review
    failing_pages: frozenset[str] = field(default_factory=frozenset)


def read_results(path: Path = RESULTS) -> dict[str, Any]:
    """Return the committed summary of the browser tests' axe-core runs (empty if none)."""
    if not path.exists():
        return {"tests": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def results_for(site: Site, results: dict[str, Any] | None = None) -> Tested:
    """Return what the tests found on the pages of ``site`` (the application or the public one)."""
    results = results if results is not None else read_results()
    pages: set[str] = set()
    failing: dict[str, dict[str, Any]] = {}
    undecided: dict[str, set[str]] = {}
    for checks in results.get("tests", {}).values():
        for check in checks:
            if check["site"] != site:
                continue
            pages.add(check["page"])
            for failure in check["violations"]:
                found = failing.setdefault(failure["rule"], {**failure, "pages": set()})
                found["pages"].add(check["page"])
            for rule in check["incomplete"]:
                undecided.setdefault(rule, set()).add(check["page"])
    failures = tuple(
        Failure(rule, found["help"], tuple(found["criteria"]), tuple(sorted(found["pages"])))
        for rule, found in sorted(failing.items())
    )
    return Tested(
        axe_core=str(results.get("axe_core", "")),
        rules=len(results.get("rules", [])),
        pages=tuple(sorted(pages)),
        failures=failures,
        undecided=tuple((rule, len(found)) for rule, found in sorted(undecided.items())),
        failing_pages=frozenset(page for f in failures for page in f.pages),
    )


def compliance(config: AccessibilityConfig | None, found: Tested) -> str:
    """Return 'fully', 'partially' or 'not': compliant with WCAG 2.2 AA, from the results."""
    if found.failures and len(found.failing_pages) * 2 > len(found.pages):
        return NOT
    if found.failures or (config is not None and config.non_compliance):
        return PARTIALLY
    return FULLY


def notice_context(
    config: AccessibilityConfig | None, site: Site, results: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return what the statement's template shows for ``site``."""
    found = results_for(site, results)
    return {
        "config": config,
        "site": site,
        "site_name": (config.public_name if site == "public" else config.site_name)
        if config is not None
        else None,
        "status": compliance(config, found),
        "tested": found,
        "non_compliance": [
            {
                "description": item.description,
                "criterion": describe(item.criterion),
                "plan": item.plan,
                "fix_by": item.fix_by,
            }
            for item in (config.non_compliance if config is not None else ())
        ],
        "tested_on": (config.tested or config.prepared) if config is not None else None,
    }
