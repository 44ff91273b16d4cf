from __future__ import annotations

from pmf.core.assessment import assess
from pmf.core.framework import Framework
from pmf.core.scorecard import build_scorecard
from pmf.reports.console import render_scorecard
from tests.factories import observations


def test_console_table_has_a_header_per_area_and_aligned_values(framework: Framework) -> None:
    frame = assess(
        framework,
        observations(
            [("N", "ER", "2019-06", 85.0, None, None), ("N", "ER", "2019-07", 75.0, None, None)]
        ),
    )
    text = render_scorecard(build_scorecard(framework, frame, "N"))
    lines = text.splitlines()
    assert lines[0] == "Test Force: scorecard of North (N), as at July 2019"
    assert "FOCUS (formerly KEEPING PEOPLE SAFE)" in lines
    header = next(line for line in lines if line.strip().startswith("Measure"))
    row = next(line for line in lines if "Emergency response" in line)
    assert header.index("Value") + len("Value") == row.index("75.0%") + len("75.0%")
    assert "Not met" in row and "RED" in row and "↓ worse" in row
    assert "INNOVATION" in lines
