"""The guide's command outputs that need a database are what pmf prints for them today.

``make check`` compares the blocks that need no database (scripts/docs_outputs.py --check);
those that import figures and print scorecards run here, on the test database, in the guide's
order, as ``make docs`` writes them on a new one.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]


@functools.cache
def _docs_outputs() -> ModuleType:
    """Import scripts/docs_outputs.py, which is a script, not part of the package."""
    spec = importlib.util.spec_from_file_location(
        "docs_outputs", ROOT / "scripts" / "docs_outputs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_the_guide_marks_outputs_that_need_a_database() -> None:
    # Guards the test below: without marked blocks it would compare nothing.
    marks = [
        line
        for page in _docs_outputs().pages()
        for line in page.read_text(encoding="utf-8").splitlines()
        if line.startswith("<!-- generated with a database")
    ]
    assert len(marks) >= 10


@pytest.mark.slow
@pytest.mark.django_db
def test_the_guides_outputs_with_a_database_are_what_pmf_prints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    docs_outputs = _docs_outputs()
    monkeypatch.setenv("COLUMNS", docs_outputs.COLUMNS)
    stale = list(docs_outputs.stale(docs_outputs.pages(), database=True))
    assert not stale, (
        "".join(diff for _, diff in stale)
        + "\nThe guide shows outputs that pmf no longer prints: run make docs and commit them."
    )


def test_decimals_are_compared_to_twelve_significant_digits() -> None:
    # The last digits of a float's repr differ between processors (numpy's vector maths).
    comparable = _docs_outputs().comparable
    assert comparable("323.12577724653113,0.5") == comparable("323.1257772465311,0.5")
    assert comparable("323.125777246,1") != comparable("323.125777247,1")
    assert comparable("2.5 and 12.34") == "2.5 and 12.34"
