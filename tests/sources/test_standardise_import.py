"""A standardised measure's figures imported by age band become one computed figure each."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.core.framework import Framework, FrameworkError, load_framework
from pmf.core.standardised import ESP2013_BANDS
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from tests.factories import GOOD

DATA = Path(__file__).parents[1] / "core" / "data" / "phe_standardised"

STANDARDISED = """\
  - code: MORT
    name: Deaths per 100,000, age-standardised
    area: FOCUS
    kind: kpi
    polarity: lower_is_better
    unit_of_measure: rate
    frequency: year
    standardised: {method: dsr, standard: esp2013, multiplier: 100000}
  - code: SMR
    name: Standardised mortality ratio
    area: FOCUS
    kind: kpi
    polarity: lower_is_better
    unit_of_measure: ratio
    frequency: year
    standardised:
      method: isr
      multiplier: 100
      reference:
        0-39: {count: 10, population: 10000}
        40-69: {count: 50, population: 5000}
        70+: {count: 200, population: 2000}
"""


@pytest.fixture
def framework() -> Framework:
    return load_framework(GOOD.replace("\npeer_groups:", "\n" + STANDARDISED + "peer_groups:"))


def check(tmp_path: Path, framework: Framework, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "figures.csv"
    path.write_text(text, encoding="utf-8")
    return check_table(read_table(path), framework)


def banded(area: str, unit: str) -> str:
    """PHEindicatormethods' test area as rows of MORT for 2023, its 55-59 band labelled so."""
    lines = (DATA / "testdata_multiarea.csv").read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.split(",") for line in lines if line.startswith(area + ",")]
    return "".join(
        f"{unit},MORT,2023,{band},{count or 0},{pop}\n"
        for (_, _, count, pop), band in zip(rows, ESP2013_BANDS, strict=True)
    )


HEADER = "unit,measure,period,age_band,numerator,denominator\n"


def test_age_band_rows_become_one_directly_standardised_figure(
    tmp_path: Path, framework: Framework
) -> None:
    text = HEADER + banded("testdata_big", "N") + banded("testdata_small", "S")
    result = check(tmp_path, framework, text + "N,ER,2023-07,,,\n")
    # The plain ER row has no value: refused as usual, the age bands are not to blame.
    assert [p.column for p in result.problems] == ["value"]
    result = check(tmp_path, framework, text)
    assert result.ok, result.problems
    rows = result.observations.sort("unit").to_dicts()
    assert [r["unit"] for r in rows] == ["N", "S"]
    # testresults_DSR: testdata_big and testdata_small per 100,000.
    assert rows[0]["value"] == pytest.approx(10430.247991469423, rel=1e-12)
    assert rows[1]["value"] == pytest.approx(1103.212025300104, rel=1e-12)
    assert rows[0]["numerator"] is None and rows[0]["denominator"] is None
    assert rows[0]["row"] == 2 and rows[1]["row"] == 21
    assert rows[0]["note"] == (
        "Directly standardised rate per 100,000 (2013 European Standard Population), computed "
        "by pmf from 19 age bands (rows 2–20): 895 events in 8,970 people; 95% confidence "
        "interval 9,717.7 to 11,178.9 (Dobson)."
    )


def test_plain_rows_pass_through_beside_age_band_rows(tmp_path: Path, framework: Framework) -> None:
    text = HEADER + banded("testdata_big", "N") + "N,ER,2023-07,,75,100\n"
    result = check(tmp_path, framework, text)
    assert result.ok, result.problems
    assert sorted(result.observations["measure"].to_list()) == ["ER", "MORT"]


def test_indirectly_standardised_ratio_from_age_bands(tmp_path: Path, framework: Framework) -> None:
    # Expected: 20,000 × 0.001 + 4,000 × 0.01 + 1,000 × 0.1 = 20 + 40 + 100 = 160; observed 200.
    text = (
        "unit,measure,period,age_band,numerator,denominator\n"
        "N,SMR,2023,0-39,30,20000\nN,SMR,2023,40-69,50,4000\nN,SMR,2023,70+,120,1000\n"
    )
    result = check(tmp_path, framework, text)
    assert result.ok, result.problems
    figure = result.observations.to_dicts()[0]
    assert figure["value"] == pytest.approx(125.0, rel=1e-14)
    assert figure["note"].startswith(
        "Indirectly standardised ratio × 100, computed by pmf from 3 age bands (rows 2–4): "
        "200 events observed, 160 expected at the reference rates; 95% confidence interval"
    )


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("N,MORT,2023,5-9,25,558", "N,MORT,2023,5-9,25,0", "row 3, column 'denominator'"),
        ("N,MORT,2023,5-9,25,558", "N,MORT,2023,5-9,-25,558", "row 3, column 'numerator'"),
        ("N,MORT,2023,5-9,25,558", "N,MORT,2023,1-4,25,558", "row 3, column 'age_band'"),
        ("N,MORT,2023,5-9,25,558", "N,MORT,2023,0-4,25,558", "row 3, column 'age_band'"),
        ("N,MORT,2023,5-9,25,558\n", "", "no row for the age band 5-9"),
        ("N,MORT,2023,5-9,25,558", "N,ER,2023-07,5-9,25,558", "the measure is not standardised"),
    ],
)
def test_bad_age_band_rows_are_refused_with_row_and_column(
    tmp_path: Path, framework: Framework, old: str, new: str, where: str
) -> None:
    text = (HEADER + banded("testdata_big", "N")).replace(old, new)
    result = check(tmp_path, framework, text)
    assert not result.ok
    assert not result.observations.height
    assert any(where in str(problem) for problem in result.problems), result.problems


def test_too_few_events_for_a_rate_is_refused(tmp_path: Path, framework: Framework) -> None:
    result = check(tmp_path, framework, HEADER + banded("testdata_tiny", "N"))
    assert [str(p) for p in result.problems] == [
        "row 2, column 'numerator', value (empty): N 2023: 9 events in all its age bands; a "
        "directly standardised rate is not given below 10 events (as PHEindicatormethods): "
        "leave these rows out"
    ]


def test_an_isr_needs_its_reference_in_the_framework() -> None:
    without = STANDARDISED.split("    standardised:\n      method: isr")[0]
    text = GOOD.replace(
        "\npeer_groups:", "\n" + without + "    standardised: {method: isr}\npeer_groups:"
    )
    with pytest.raises(FrameworkError, match="an isr needs reference"):
        load_framework(text)


def test_a_standardised_measure_cannot_pool_a_ratio() -> None:
    text = GOOD.replace(
        "\npeer_groups:",
        "\n"
        + STANDARDISED.replace(
            "    standardised: {method: dsr",
            "    rollup: pooled_ratio\n    denominator: People\n    standardised: {method: dsr",
        )
        + "peer_groups:",
    )
    with pytest.raises(FrameworkError, match="a standardised measure cannot pool a ratio"):
        load_framework(text)
