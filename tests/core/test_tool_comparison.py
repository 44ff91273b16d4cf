"""The table comparing the SPC tools in docs/methods.md is what each tool's method gives.

The section "Choosing between the SPC tools" shows one real series (Guy's and St Thomas'
type 1 A&E departments, per cent seen within 4 hours, April 2016 to March 2019: the rows
of RJ1 in tests/core/data/qicharts2/real_ae_type1.csv) as the Making Data Count Excel
tool, NHSRplotthedots, PowerBI-SPC and qicharts2 chart it. This test computes every cell of that
table again (pmf.core.spc for the Making Data Count tools, whose method it reproduces; the
oracles in tests/core/oracles/ for PowerBI-SPC and qicharts2) and compares it with the
document, so the document cannot drift from the methods.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from pmf.core.spc import SpcOptions, SpcTrialLimitsWarning, spc_points
from tests.core.oracles import powerbi_spc
from tests.core.oracles.qic import qic

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "qicharts2" / "real_ae_type1.csv"
SECTION = "## Choosing between the SPC tools"
HEADER = [
    "tool and chart",
    "centre",
    "lower limit",
    "upper limit",
    "outside the limits",
    "other signals",
]


def _series() -> tuple[list[dt.date], list[float], list[float]]:
    """Return months, patients seen within 4 hours and attendances."""
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["org_code"] == "RJ1"]
    months = [dt.date.fromisoformat(r["period"]) for r in rows]
    attendances = [float(r["attendances"]) for r in rows]
    seen = [float(r["attendances"]) - float(r["breaches"]) for r in rows]
    return months, seen, attendances


def _month(day: dt.date) -> str:
    return day.strftime("%b %Y")


def _spans(months: Sequence[dt.date], flags: Sequence[bool]) -> str:
    """Name the flagged months as spans: "Jul 2017", "Sep 2018 to Mar 2019"."""
    spans = []
    index = 0
    for flagged, group in itertools.groupby(flags):
        length = len(list(group))
        if flagged:
            first, last = months[index], months[index + length - 1]
            spans.append(_month(first) if length == 1 else f"{_month(first)} to {_month(last)}")
        index += length
    return ", ".join(spans)


def _outside(months: Sequence[dt.date], flags: Sequence[bool]) -> str:
    count = sum(flags)
    if count == 0:
        return "none"
    if count > 4:
        return f"{count} of {len(flags)} months"
    return _spans(months, flags)


def _range(values: Sequence[float | None], scale: float) -> str:
    kept = [round(v * scale, 2) for v in values if v is not None]
    low, high = min(kept), max(kept)
    return f"{low:.2f}" if low == high else f"{low:.2f} to {high:.2f}"


def _others(months: Sequence[dt.date], rules: dict[str, Sequence[bool]]) -> str:
    parts = []
    for name, flags in rules.items():
        spans = _spans(months, flags)
        if spans.count(",") >= 3:  # four spans or more: say how many months
            spans = f"{sum(flags)} months"
        if spans:
            parts.append(f"{name}: {spans}")
    return "; ".join(parts) if parts else "none"


def _making_data_count(screen: bool) -> list[str]:
    months, seen, attendances = _series()
    frame = pl.DataFrame(
        {"date": months, "value": [100 * s / a for s, a in zip(seen, attendances, strict=True)]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SpcTrialLimitsWarning)
        points = spc_points(
            frame, options=SpcOptions(improvement="increase", screen_outliers=screen)
        )
    rules = {
        "run of 7": points["run"].to_list(),
        "trend of 7": points["trend"].to_list(),
        "two in three": [bool(v) for v in points["two_in_three"].to_list()],
    }
    name = (
        "NHSRplotthedots (pmf `--rules mdc`), XmR"
        if screen
        else "Making Data Count Excel tool (pmf `--no-screen-outliers`), XmR"
    )
    return [
        name,
        _range(points["mean"].to_list(), 1),
        _range(points["lpl"].to_list(), 1),
        _range(points["upl"].to_list(), 1),
        _outside(months, [bool(v) for v in points["outside_limits"].to_list()]),
        _others(months, rules),
    ]


def _powerbi(chart: str) -> list[str]:
    months, seen, attendances = _series()
    if chart == "i":
        values = [100 * s / a for s, a in zip(seen, attendances, strict=True)]
        lines, scale = powerbi_spc.i_limits(values), 1.0
        name = "PowerBI-SPC, i chart"
    else:
        values = [s / a for s, a in zip(seen, attendances, strict=True)]
        lines = powerbi_spc.p_limits(seen, attendances, prime=chart == "pp")
        scale, name = 100.0, "PowerBI-SPC, p′ chart" if chart == "pp" else "PowerBI-SPC, p chart"
    flags = powerbi_spc.flags(lines, values)
    rules = {
        "shift of 7": [f != "none" for f in flags["shift"]],
        "trend of 5": [f != "none" for f in flags["trend"]],
        "two in three": [f != "none" for f in flags["two_in_three"]],
    }
    return [
        name,
        _range(lines["centre"], scale),
        _range(lines["ll99"], scale),
        _range(lines["ul99"], scale),
        _outside(months, [f != "none" for f in flags["astronomical"]]),
        _others(months, rules),
    ]


def _qicharts2(chart: str) -> list[str]:
    months, seen, attendances = _series()
    if chart == "i":
        result = qic([100 * s / a for s, a in zip(seen, attendances, strict=True)], "i")
        scale = 1.0
    else:
        result, scale = qic(seen, chart, attendances), 100.0
    names = {"i": "i chart", "p": "p chart", "pp": "p′ chart"}
    crossings, minimum = result["crossings"][0], result["crossings_min"][0]
    longest, maximum = result["longest_run"][0], result["longest_run_max"][0]
    runs = (
        f"runs: {crossings:.0f} crossings (fewer than {minimum:.0f} is a signal), "
        f"longest run {longest:.0f} (more than {maximum:.0f} is)"
    )
    verdict = "signal" if result["runs_signal"][0] else "no signal"
    return [
        f"qicharts2 (pmf `--rules anhoej`), {names[chart]}",
        _range(result["centre"], scale),
        _range(result["lcl"], scale),
        _range(result["ucl"], scale),
        _outside(months, [bool(v) for v in result["sigma_signal"]]),
        f"{runs}: {verdict}",
    ]


def comparison_rows() -> list[list[str]]:
    """Return the rows of the table, each tool's method on the same series."""
    return [
        _making_data_count(screen=False),
        _making_data_count(screen=True),
        _powerbi("i"),
        _powerbi("p"),
        _powerbi("pp"),
        _qicharts2("i"),
        _qicharts2("p"),
        _qicharts2("pp"),
    ]


def _document_table() -> list[list[str]]:
    text = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    assert SECTION in text, f"docs/methods.md has no section {SECTION!r}"
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = (
            [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        )
        if cells and cells[0] == HEADER[0]:
            rows = [cells]
        elif rows and cells and not re.fullmatch(r"[-: ]+", cells[0]):
            rows.append(cells)
        elif rows and not cells:
            break
    return rows


def test_methods_document_shows_what_each_tools_method_gives_on_the_same_series() -> None:
    table = _document_table()
    assert table, "the comparison table was not found"
    assert table[0] == HEADER
    assert table[1:] == comparison_rows()


def test_the_tools_disagree_where_the_document_says_they_do() -> None:
    excel, nhsr, powerbi_i, _, powerbi_pp, qic_i, qic_p, qic_pp = comparison_rows()
    # Screening narrows the XmR limits: July 2017 is outside them only when screened.
    assert excel[4] == "none" and nhsr[4] == "Jul 2017"
    assert float(nhsr[2]) > float(excel[2])
    # PowerBI-SPC's trend of 5 sees the fall of summer and autumn 2016; a trend of 7 does not.
    assert "trend of 5: Jul 2016 to Nov 2016" in powerbi_i[5]
    assert "trend" not in nhsr[5]
    # A p chart with ~12,000 attendances a month flags most months; Laney's p′ does not.
    assert qic_p[4] == "32 of 36 months"
    assert qic_pp[4] == "Jul 2017" == powerbi_pp[4] == qic_i[4]
