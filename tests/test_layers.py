"""Calculation, drawing and pages stay apart: core computes, reports.charts draws, pages shape.

As NHSRplotthedots keeps ``ptd_spc`` (the calculation) apart from ``ptd_create_ggplot`` (the
plot): a view, a presenter or a paper's builder that computes a statistic or builds a chart
fails here, as does core code that draws. The import-linter contracts in ``pyproject.toml``
keep the packages' imports apart; these tests read the source for what imports cannot show.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "pmf"
WEB = SRC / "web"
SHAPERS = sorted(
    [*WEB.glob("*/views.py"), *WEB.glob("*/presenters.py"), *WEB.glob("papers/builders/*.py")]
)
"""Every module that shapes data for a page or a paper."""

NUMERIC_LIBRARIES = {"math", "numpy", "scipy", "statistics", "vl_convert"}
"""Libraries for computing or drawing: pmf.core and pmf.reports.charts use them, pages do not."""
INTERVAL_MODULE = "pmf.core.intervals"
STATISTIC_METHODS = {"mean", "median", "quantile", "rank", "sqrt", "std", "stdev", "var"}
DRAWING = ("vega.github.io/schema", "<svg", "<polyline", "<circle", "<line ", "<path")
"""Text that only a chart's specification or an SVG drawing holds."""


def _name(path: Path) -> str:
    return str(path.relative_to(SRC.parents[1]))


def _problems(path: Path) -> list[str]:
    """Return each statistic computed or chart built in ``path``, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            found += [
                f"{line}: imports {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] in NUMERIC_LIBRARIES
            ]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in NUMERIC_LIBRARIES or node.module == INTERVAL_MODULE:
                found.append(f"{line}: imports from {node.module}")
            if not node.module.startswith("pmf.reports.charts"):
                found += [
                    f"{line}: imports the chart {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name.endswith(("_chart", "_svg"))
                ]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in STATISTIC_METHODS
        ):
            found.append(f"{line}: computes .{node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found += [f"{line}: draws ({text!r})" for text in DRAWING if text in node.value]
        elif isinstance(node, ast.Dict):
            keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
            if "$schema" in keys or {"mark", "encoding"} <= keys:
                found.append(f"{line}: builds a Vega-Lite specification")
    return found


def test_the_modules_checked_include_every_app_and_paper() -> None:
    names = {_name(path) for path in SHAPERS}
    assert "src/pmf/web/scorecards/presenters.py" in names
    assert "src/pmf/web/papers/builders/board.py" in names
    assert len(names) >= 20


@pytest.mark.parametrize("path", SHAPERS, ids=_name)
def test_views_presenters_and_papers_compute_no_statistic_and_build_no_chart(path: Path) -> None:
    assert _problems(path) == [], (
        f"{_name(path)} computes or draws: compute in pmf.core, build charts in "
        "pmf.reports.charts, and have the page or paper shape what they return"
    )


def test_the_core_draws_nothing() -> None:
    drawing = {
        _name(path): problems
        for path in sorted((SRC / "core").rglob("*.py"))
        if (problems := [p for p in _problems(path) if "draws" in p or "Vega-Lite" in p])
    }
    assert drawing == {}


def test_a_presenter_that_computes_an_interval_or_builds_a_chart_is_caught(
    tmp_path: Path,
) -> None:
    # The peer comparison as it was before issue 16: both the interval and the chart inline.
    presenter = tmp_path / "presenters.py"
    presenter.write_text(
        "import numpy as np\n"
        "from pmf.core.intervals import wilson\n"
        "from pmf.web.scorecards.presenters import peer_chart\n"
        "def peers(found):\n"
        "    average = found['value'].mean()\n"
        "    lower, upper = wilson(found['numerator'], found['denominator'])\n"
        "    return {'$schema': 'https://vega.github.io/schema/vega-lite/v6.json',\n"
        "            'layer': [{'mark': 'point', 'encoding': {}}]}\n"
        "def spark(points):\n"
        "    return f'<svg><polyline points=\"{points}\"/></svg>'\n",
        encoding="utf-8",
    )
    problems = "\n".join(_problems(presenter))
    for expected in (
        "1: imports numpy",
        "2: imports from pmf.core.intervals",
        "3: imports the chart peer_chart",
        "5: computes .mean()",
        "7: builds a Vega-Lite specification",
        "8: builds a Vega-Lite specification",
        "10: draws ('<svg')",
    ):
        assert expected in problems, expected
