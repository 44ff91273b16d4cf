"""Example organisations built from real public data shipped in ``examples/``.

Each example is a framework file and a function that turns the shipped source
files into long-format observations (unit, measure, period, value, numerator,
denominator, source). The observations then go through the same import path as
any user's file, so the examples exercise the real code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

EXAMPLES_DIR = Path(__file__).resolve().parents[4] / "examples"

OBSERVATION_COLUMNS = ("unit", "measure", "period", "value", "numerator", "denominator", "source")


@dataclass(frozen=True)
class Example:
    """An example organisation: where its framework is and how to build its observations."""

    name: str
    title: str
    framework_path: Path
    build: Callable[[Path], pl.DataFrame]
    # Past quarterly cycles to grade from the example's own figures: (number, name, cut-off,
    # board date); the last one is left as a draft for a person to take through the steps.
    cycles: tuple[tuple[int, str, str, str], ...] = ()

    @property
    def data_dir(self) -> Path:
        """Return the folder holding the example's source files."""
        return self.framework_path.parent / "data"

    def observations(self) -> pl.DataFrame:
        """Return the example's observations in long format, one row per unit, measure, period."""
        frame = self.build(self.data_dir)
        return frame.select(OBSERVATION_COLUMNS)


def registry() -> dict[str, Example]:
    """Return the example organisations by name; ``police`` is the default demo."""
    from pmf.sources.examples import nhs_ae, police, trafford

    return {
        "police": Example(
            "police",
            "Metropolitan Police Service (London recorded crime)",
            EXAMPLES_DIR / "police" / "framework.yaml",
            police.build,
            police.CYCLES,
        ),
        "nhs_ae": Example(
            "nhs_ae",
            "NHS England A&E four-hour performance by provider",
            EXAMPLES_DIR / "nhs_ae" / "framework.yaml",
            nhs_ae.build,
        ),
        "trafford": Example(
            "trafford",
            "Trafford Council with its CIPFA nearest neighbours",
            EXAMPLES_DIR / "trafford" / "framework.yaml",
            trafford.build,
        ),
    }
