"""Charts fit their data and no renderer clips a title, a label or a legend.

The funnel plot once drew its limits from a denominator of about 4, where the upper limit of
a rate per 1,000 is hundreds: the y axis ran to 600 and every borough lay flat on the x axis.
Papers render the charts with vl_convert (SVG for HTML and PDF, PNG for Word), where a long
axis title was cut to "...populati"; these tests read the SVG text vl_convert writes.
"""

from __future__ import annotations

import html
import re
import textwrap

import polars as pl
import pytest

from pmf.core.framework import load_framework
from pmf.reports.charts.peer import peer_chart
from pmf.web.scorecards.presenters import _funnel, peer_comparison

LONG_MEASURE = "Violence with injury offences recorded per 1,000 resident population"
LONG_DENOMINATOR = "Resident population (census nearest in time, mid-year estimates)"
BOROUGHS = {
    "CN": ("Central North (Camden and Islington Basic Command Unit)", 426_725, 350),
    "CW": ("Central West (Kensington, Chelsea and Westminster)", 530_768, 482),
    "CE": ("Central East", 569_452, 364),
    "NA": ("North", 594_222, 331),
    "CS": ("Central South", 625_291, 394),
    "NE": ("North East", 629_461, 327),
    "EA": ("East", 791_181, 451),
    "SE": ("South East", 836_093, 502),
    "SW": ("South West", 906_034, 399),
    "SN": ("South", 930_349, 409),
    "WA": ("West", 961_205, 567),
    "NW": ("North West", 990_363, 386),
}
UNITS = "".join(
    f'  - {{code: {code}, name: "{name}", type: command, parent: F}}\n'
    for code, (name, _, _) in BOROUGHS.items()
)
FRAMEWORK = (
    textwrap.dedent(
        """\
    organisation: {code: TST, name: Test Force}
    areas:
      - {code: FOCUS, name: FOCUS}
    units:
      - {code: F, name: Force, type: force}
    """
    )
    + UNITS
    + textwrap.dedent(
        f"""\
    measures:
      - code: VWI
        name: {LONG_MEASURE}
        area: FOCUS
        kind: redline
        polarity: lower_is_better
        unit_of_measure: rate
        frequency: month
        multiplier: 1000
        decimals: 2
        denominator: "{LONG_DENOMINATOR}"
        rollup: pooled_ratio
        standard: {{type: peer_average, unit_types: [command]}}
    peer_groups:
      - {{name: Boroughs of the force, units: [{", ".join(BOROUGHS)}]}}
    """
    )
)


def svg_text(spec: dict) -> str:
    """Return every word vl_convert draws for ``spec``, one space between the pieces."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    pieces = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", piece)) for piece in pieces)


@pytest.fixture
def figures() -> tuple:
    framework = load_framework(FRAMEWORK)
    frame = pl.DataFrame(
        {
            "unit": list(BOROUGHS),
            "measure": ["VWI"] * len(BOROUGHS),
            "period": ["2025-11"] * len(BOROUGHS),
            "numerator": [float(events) for _, _, events in BOROUGHS.values()],
            "denominator": [float(people) for _, people, _ in BOROUGHS.values()],
        }
    ).with_columns(value=pl.col("numerator") / pl.col("denominator") * 1000)
    return framework, frame, framework.measure("VWI")


def test_funnel_limits_span_only_the_plotted_units(figures: tuple) -> None:
    framework, frame, measure = figures
    funnel = _funnel(framework, frame, "CW", measure, "2025-11")
    assert funnel is not None
    lines = funnel["chart"]["layer"][0]["data"]["values"]
    xs = [line["x"] for line in lines]
    ys = [line["y"] for line in lines]
    denominators = [people for _, people, _ in BOROUGHS.values()]
    values = [point["value"] for point in funnel["points"]]
    # The lines run over the boroughs' populations with a margin, not from a population of 1.
    assert min(denominators) / 2 <= min(xs) <= min(denominators)
    assert max(denominators) <= max(xs) <= 1.2 * max(denominators)
    # Each of the four lines reaches across the boroughs.
    for name in ("lower_95", "upper_95", "lower_998", "upper_998"):
        own = [line["x"] for line in lines if line["line"] == name]
        assert min(own) <= min(denominators) and max(own) >= max(denominators), name
    # So the y axis fits the boroughs: the limits stay within the values' own scale.
    assert max(ys) < 1.5 * max(values)
    assert min(ys) > 0.5 * min(values)
    assert funnel["chart"]["layer"][0]["encoding"]["y"]["scale"] == {"zero": False}


def test_funnel_denominators_print_with_thousands_separators(figures: tuple) -> None:
    framework, frame, measure = figures
    funnel = _funnel(framework, frame, "CW", measure, "2025-11")
    assert funnel is not None
    texts = [point["denominator_text"] for point in funnel["points"]]
    assert texts[0] == "426,725"
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})+", text) for text in texts)


def test_funnel_chart_draws_every_title_and_legend_in_full(figures: tuple) -> None:
    framework, frame, measure = figures
    funnel = _funnel(framework, frame, "CW", measure, "2025-11")
    assert funnel is not None
    for width in (320, 480, 640):
        drawn = svg_text({**funnel["chart"], "width": width})
        assert "…" not in drawn, width
        words = " ".join(drawn.split())
        assert LONG_MEASURE in words, (width, words)
        assert LONG_DENOMINATOR in words, (width, words)
        assert "95% limits" in words and "99.8% limits" in words


def test_peer_chart_draws_every_unit_name_and_the_measure_in_full(figures: tuple) -> None:
    framework, frame, measure = figures
    peers = peer_comparison(framework, frame, "CW", measure, "2025-11")
    assert len(peers["rows"]) == len(BOROUGHS)
    for width in (320, 480):
        drawn = svg_text({**peer_chart(measure.name, peers), "width": width})
        assert "…" not in drawn, width
        words = " ".join(drawn.split())
        assert LONG_MEASURE in words, (width, words)
        for name, _, _ in BOROUGHS.values():
            assert name in words, (width, name)
