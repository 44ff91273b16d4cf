"""What more than one paper reads of a locked cycle."""

from __future__ import annotations

from typing import Any

import polars as pl

from pmf.core.framework import Framework
from pmf.core.periods import parse_period
from pmf.web.cycles.models import Cycle
from pmf.web.cycles.services import cycle_assessment, cycle_framework


def cycle_parts(cycle: Cycle) -> tuple[Framework, pl.DataFrame, list[Any], str]:
    """Return the cycle's framework, its assessment of every internal unit, those units and
    the cut-off's label; raise ``ValueError`` for a draft."""
    if cycle.locked_at is None:
        raise ValueError(f"cycle {cycle.number} is a draft: lock its data first")
    framework = cycle_framework(cycle)
    internal = [unit for unit in framework.units if not unit.external]
    assessment = cycle_assessment(cycle, units=[unit.code for unit in internal])
    return framework, assessment, internal, parse_period(cycle.cut_off).label
