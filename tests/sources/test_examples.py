"""The example organisations: valid frameworks, well-formed observations, real numbers.

The golden figures were read by hand from the raw files in ``examples/<name>/data/``.
"""

from __future__ import annotations

import math
import time
from functools import cache

import polars as pl
import pytest

from pmf.core.calculation import calculate
from pmf.core.framework import Framework, Rollup, load_framework, parse_frequency_period
from pmf.core.observations import OBSERVATION_SCHEMA
from pmf.sources.examples import OBSERVATION_COLUMNS, Example, registry

EXAMPLES = sorted(registry())

DTYPES = {**OBSERVATION_SCHEMA, "source": pl.String}


@cache
def _example(name: str) -> Example:
    return registry()[name]


@cache
def _framework(name: str) -> Framework:
    path = _example(name).framework_path
    return load_framework(path.read_text(encoding="utf-8"), path.name)


@cache
def _observations(name: str) -> pl.DataFrame:
    return _example(name).observations()


def _row(name: str, unit: str, measure: str, period: str) -> dict[str, object]:
    rows = _observations(name).filter(
        (pl.col("unit") == unit) & (pl.col("measure") == measure) & (pl.col("period") == period)
    )
    assert rows.height == 1, f"{unit} {measure} {period}: {rows.height} rows"
    return rows.row(0, named=True)


# ------------------------------------------------------------------------------ every example


def test_registry_names_the_three_examples() -> None:
    assert EXAMPLES == ["nhs_ae", "police", "trafford"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_framework_loads(name: str) -> None:
    framework = _framework(name)
    assert framework.measures
    assert len(framework.roots()) == 1


@pytest.mark.parametrize("name", EXAMPLES)
def test_source_files_are_shipped_with_the_example(name: str) -> None:
    data_dir = _example(name).data_dir
    assert data_dir.is_dir()
    assert any(data_dir.iterdir())
    assert (data_dir.parent / "README.md").is_file()


@pytest.mark.parametrize("name", EXAMPLES)
def test_build_returns_the_observation_columns(name: str) -> None:
    frame = _example(name).build(_example(name).data_dir)
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert dict(frame.schema) == DTYPES
    assert frame.height > 0


@pytest.mark.parametrize("name", EXAMPLES)
def test_units_and_measures_are_in_the_framework(name: str) -> None:
    framework = _framework(name)
    frame = _observations(name)
    units = {unit.code for unit in framework.units}
    measures = {measure.code for measure in framework.measures}
    assert set(frame["unit"].unique()) <= units
    assert set(frame["measure"].unique()) <= measures


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_measure_has_data(name: str) -> None:
    # A calculated measure's figures come from its inputs' figures, not from the example.
    framework = _framework(name)
    given = set(_observations(name)["measure"].unique())
    assert given == {m.code for m in framework.measures if m.formula is None}
    assert set(calculate(framework, _observations(name))["measure"]) == set(framework.formulas())


@pytest.mark.parametrize("name", EXAMPLES)
def test_periods_are_canonical_and_fit_the_frequency(name: str) -> None:
    framework = _framework(name)
    pairs = _observations(name).select("measure", "period").unique()
    for measure_code, period in pairs.iter_rows():
        measure = framework.measure(measure_code)
        assert parse_frequency_period(measure, period) == period


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_duplicate_unit_measure_period(name: str) -> None:
    frame = _observations(name)
    assert frame.select("unit", "measure", "period").is_duplicated().sum() == 0


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_missing_or_non_finite_values(name: str) -> None:
    frame = _observations(name)
    required = frame.select("unit", "measure", "period", "value", "source")
    assert required.null_count().row(0) == (0, 0, 0, 0, 0)
    assert frame["value"].is_finite().all()
    assert (frame["source"].str.len_chars() > 0).all()
    # A numerator comes with its denominator.
    assert (frame["numerator"].is_null() == frame["denominator"].is_null()).all()


@pytest.mark.parametrize("name", EXAMPLES)
def test_pooled_ratios_carry_numerator_and_denominator(name: str) -> None:
    framework = _framework(name)
    frame = _observations(name)
    for measure in framework.measures:
        rows = frame.filter(pl.col("measure") == measure.code)
        if measure.rollup is not Rollup.POOLED_RATIO:
            continue
        assert rows["numerator"].null_count() == 0, measure.code
        assert (rows["denominator"] > 0).all(), measure.code
        recomputed = rows["numerator"] / rows["denominator"] * measure.multiplier
        assert ((recomputed - rows["value"]).abs() < 1e-9).all(), measure.code


@pytest.mark.parametrize("name", EXAMPLES)
def test_only_internal_units_feed_rollups(name: str) -> None:
    # Parents are computed from their children, so only leaf units (or external ones) and
    # measures without a rollup carry figures.
    framework = _framework(name)
    frame = _observations(name)
    parents = {unit.parent for unit in framework.units if unit.parent}
    for measure in framework.measures:
        if measure.rollup is Rollup.NONE:
            continue
        units = set(frame.filter(pl.col("measure") == measure.code)["unit"].unique())
        assert not units & parents, measure.code


def test_police_build_is_fast() -> None:
    example = _example("police")
    started = time.perf_counter()
    example.build(example.data_dir)
    assert time.perf_counter() - started < 3


# ------------------------------------------------------------------------------ police

WESTMINSTER = "E09000033"
HAMMERSMITH = "E09000013"
CROYDON = "E09000008"


def test_police_covers_the_32_boroughs_monthly_from_april_2010() -> None:
    frame = _observations("police").filter(pl.col("measure") == "VWI_RATE")
    assert frame["unit"].n_unique() == 32
    assert frame["unit"].str.starts_with("E09").all()
    assert frame["period"].min() == "2010-04"
    assert frame["period"].max() == "2025-11"
    # 188 months, each once per borough: the two crime files do not double count.
    assert frame["period"].n_unique() == 188
    assert frame.height == 32 * 188


def test_police_violence_with_injury_westminster_july_2019() -> None:
    row = _row("police", WESTMINSTER, "VWI_RATE", "2019-07")
    assert row["numerator"] == 354
    assert row["denominator"] == 204236  # 2021 census
    assert row["value"] == pytest.approx(354 / 204236 * 1000)
    assert row["value"] == pytest.approx(1.7333, abs=1e-4)


def test_police_all_crime_excludes_fraud() -> None:
    row = _row("police", WESTMINSTER, "ALL_CRIME_RATE", "2019-07")
    assert row["numerator"] == 6674


def test_police_high_harm_and_residential_burglary_after_the_2023_reclassification() -> None:
    # Hammersmith and Fulham, January 2024: burglary of a home 72, of an unconnected
    # building 15, violence with injury 179, rape 14, other sexual 25, robbery of personal 64.
    burglary = _row("police", HAMMERSMITH, "RES_BURGLARY_RATE", "2024-01")
    assert burglary["numerator"] == 72 + 15
    # High harm is calculated by its formula from the four components' figures.
    assert not _observations("police").filter(pl.col("measure") == "HIGH_HARM_RATE").height
    calculated = calculate(_framework("police"), _observations("police")).filter(
        (pl.col("unit") == HAMMERSMITH) & (pl.col("period") == "2024-01")
    )
    high_harm = calculated.row(0, named=True)
    assert high_harm["numerator"] == 179 + (14 + 25) + 64 + (72 + 15)
    assert high_harm["denominator"] == 183157
    assert high_harm["value"] == pytest.approx(369 / 183157 * 1000, rel=1e-12)


def test_police_high_harm_is_calculated_for_every_borough_month_its_components_have() -> None:
    observations = _observations("police")
    components = observations.filter(
        pl.col("measure").is_in(
            ["VWI_RATE", "SEXUAL_RATE", "ROBBERY_PERSONAL_RATE", "RES_BURGLARY_RATE"]
        )
    )
    pooled = components.group_by("unit", "period").agg(
        (pl.col("numerator").sum() / pl.col("denominator").first() * 1000).alias("pooled"),
        pl.col("numerator").sum().alias("offences"),
    )
    calculated = calculate(_framework("police"), observations).join(pooled, on=["unit", "period"])
    assert calculated.height == pooled.height > 30 * 180
    assert (calculated["numerator"] == calculated["offences"]).all()
    assert ((calculated["value"] - calculated["pooled"]).abs() < 1e-9).all()


def test_police_domestic_burglary_before_the_reclassification_uses_2011_census() -> None:
    row = _row("police", CROYDON, "RES_BURGLARY_RATE", "2015-03")
    assert row["numerator"] == 204
    assert row["denominator"] == 363378  # 2011 census
    assert "mps_borough_crime_2010_2023.csv" in row["source"]


def test_police_census_switches_in_july_2016() -> None:
    june = _row("police", WESTMINSTER, "VWI_RATE", "2016-06")
    july = _row("police", WESTMINSTER, "VWI_RATE", "2016-07")
    assert june["denominator"] == 219396
    assert july["denominator"] == 204236


def test_police_officers_per_1000() -> None:
    met = _row("police", "MPS", "OFFICERS_PER_1000", "2019")
    assert met["numerator"] == pytest.approx(30435.49)
    assert met["denominator"] == 8166566
    assert met["value"] == pytest.approx(3.7268, abs=1e-4)
    # West Midlands appears twice a year; the force is the smaller row, not the region total.
    west_midlands = _row("police", "E23000014", "OFFICERS_PER_1000", "2015")
    assert west_midlands["numerator"] == pytest.approx(7132.75)
    officers = _observations("police").filter(pl.col("measure") == "OFFICERS_PER_1000")
    assert "E23000034" not in set(officers["unit"])  # City of London left out
    assert officers["unit"].n_unique() == 42
    assert sorted(officers["period"].unique()) == ["2015", "2016", "2017", "2018", "2019"]


def test_police_peer_groups() -> None:
    framework = _framework("police")
    bcu = framework.peers("CW")
    assert bcu is not None and len(bcu.members) == 11
    msg = framework.peers("MPS")
    assert msg is not None and len(msg.members) == 6
    assert all(framework.unit(code).external for code in msg.members)


# ------------------------------------------------------------------------------ nhs_ae


def test_nhs_four_hours_all_types_rf4_march_2017() -> None:
    # RF4, 2017-03: type 1 21289 attendances / 2879 breaches, type 2 813 / 22, other 2850 / 6.
    row = _row("nhs_ae", "RF4", "AE_4HR_ALL", "2017-03")
    assert row["denominator"] == 21289 + 813 + 2850
    assert row["numerator"] == 24952 - (2879 + 22 + 6)
    assert row["value"] == pytest.approx(22045 / 24952 * 100)


def test_nhs_four_hours_type_1_and_counts_rf4_march_2017() -> None:
    type_1 = _row("nhs_ae", "RF4", "AE_4HR_TYPE1", "2017-03")
    assert (type_1["numerator"], type_1["denominator"]) == (21289 - 2879, 21289)
    assert _row("nhs_ae", "RF4", "AE_ATTENDANCES", "2017-03")["value"] == 24952
    assert _row("nhs_ae", "RF4", "AE_ADMISSIONS", "2017-03")["value"] == 5060


def test_nhs_covers_april_2016_to_march_2019() -> None:
    frame = _observations("nhs_ae")
    assert frame["period"].min() == "2016-04"
    assert frame["period"].max() == "2019-03"
    assert frame.filter(pl.col("measure") == "AE_4HR_ALL")["unit"].n_unique() == 274
    assert "ENG" not in set(frame["unit"])  # England is pooled from the providers


def test_nhs_england_pooled_four_hour_performance_march_2019() -> None:
    rows = _observations("nhs_ae").filter(
        (pl.col("measure") == "AE_4HR_ALL") & (pl.col("period") == "2019-03")
    )
    pooled = rows["numerator"].sum() / rows["denominator"].sum() * 100
    assert pooled == pytest.approx(86.60, abs=0.01)


# ------------------------------------------------------------------------------ trafford

TRAFFORD = "E08000009"
ENGLAND = "E92000001"


@pytest.mark.parametrize(
    ("unit", "measure", "period", "value"),
    [
        (TRAFFORD, "OBESE_Y6", "2019/20", 17.8),
        (TRAFFORD, "ACTIVE_CHILDREN", "2018/19", 47.5),
        (TRAFFORD, "LE_MALE", "2015 - 17", 79.8),
        (TRAFFORD, "LE_FEMALE", "2015 - 17", 83.6),
        (ENGLAND, "LE_MALE", "2021 - 23", 79.1),
        (TRAFFORD, "PREVENTABLE_MORTALITY", "2015", 140.7),
        (TRAFFORD, "SMOKING", "2019", 9.1),
        (TRAFFORD, "EMPLOYMENT_RATE", "12 months to March 2023", 73.5),
        (TRAFFORD, "CLAIMANT_RATE", "2023-04", 3.1),
        (TRAFFORD, "PLANNING_MAJOR", "2024/25 Q2", 86),
        (TRAFFORD, "HOUSING_AFFORDABILITY", "2018", 9.3),
        (TRAFFORD, "RECYCLING_RATE", "2022/23", 58.4),
        (TRAFFORD, "UNALLOCATED_CASES", "2024-04-01", 29),  # SYNTHETIC (example README)
    ],
)
def test_trafford_golden_values(unit: str, measure: str, period: str, value: float) -> None:
    assert _row("trafford", unit, measure, period)["value"] == pytest.approx(value)


def test_trafford_co2_is_in_kilotonnes() -> None:
    row = _row("trafford", TRAFFORD, "CO2_EMISSIONS", "2012")
    assert math.isclose(row["value"], 2050.9255563448387)


def test_trafford_drops_unpublished_figures_and_other_areas() -> None:
    frame = _observations("trafford")
    assert (
        frame.filter((pl.col("unit") == TRAFFORD) & (pl.col("measure") == "OBESE_Y6"))
        .filter(pl.col("period") == "2020/21")
        .is_empty()
    )
    framework = _framework("trafford")
    assert set(frame["unit"].unique()) <= {unit.code for unit in framework.units}
    assert "E08000003" not in set(frame["unit"])  # Manchester is in the files, not the framework


def test_trafford_peer_group_is_the_cipfa_2019_neighbours() -> None:
    framework = _framework("trafford")
    peers = framework.peers(TRAFFORD)
    assert peers is not None
    assert len(peers.members) == 15
    assert all(framework.unit(code).external for code in peers.members)
    neighbours = pl.read_csv(_example("trafford").data_dir / "cipfa2019.csv")
    assert set(peers.members) == set(neighbours["area_code"])


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_area_has_measures_with_figures_for_every_unit(name: str) -> None:
    # No empty area: each internal unit has, in each area, a measure with figures of its own
    # or pooled from the units below it.
    framework = _framework(name)
    frame = _observations(name)
    parents = {unit.code: unit.parent for unit in framework.units}

    def with_ancestors(codes: set[str]) -> set[str]:
        found = set(codes)
        for code in codes:
            parent = parents.get(code)
            while parent is not None:
                found.add(parent)
                parent = parents.get(parent)
        return found

    covered: dict[str, set[str]] = {area.code: set() for area in framework.model.areas}
    for measure in framework.measures:
        units = set(frame.filter(pl.col("measure") == measure.code)["unit"].unique())
        covered[measure.area] |= units if measure.rollup is Rollup.NONE else with_ancestors(units)
    internal = {unit.code for unit in framework.units if not unit.external}
    for area, units in covered.items():
        assert not internal - units, f"{area}: no figures for {sorted(internal - units)[:5]}"


def test_each_example_offers_its_own_sectors_interventions() -> None:
    menus = {name: _framework(name).model.interventions for name in EXAMPLES}
    assert {name: menu.menu for name, menu in menus.items()} == {
        "nhs_ae": "health",
        "police": "police",
        "trafford": "council",
    }
    council_words = ("council", "cabinet", "member")
    for name in ("police", "nhs_ae"):
        for action in menus[name].actions:
            text = f"{action.name} {action.description}".lower()
            assert not any(word in text for word in council_words), (name, action.name)
    assert "Council visits" in [action.name for action in menus["trafford"].actions]


def test_police_commands_context_gives_each_command_a_group_of_similar_commands() -> None:
    from pmf.core.msg import most_similar
    from pmf.sources.examples import police

    context = police.command_context(_example("police").data_dir)
    assert context.height == 12
    assert context.null_count().sum_horizontal().item() == 0
    groups = most_similar(
        context, variables=list(police.COMMAND_CONTEXT), n=police.COMMAND_GROUP_SIZE
    )
    peers = {
        unit: set(rows["peer"]) for (unit,), rows in groups.group_by("unit", maintain_order=True)
    }
    # The central commands are each other's nearest; outer London's are not among them.
    assert {"CN", "AS", "CE"} & peers["CW"]
    assert not {"SW", "SN", "EA"} & peers["CN"]
    assert all(len(group) == police.COMMAND_GROUP_SIZE for group in peers.values())


MINIMAL = (
    "organisation: {{code: T, name: T{kind}}}\n"
    "areas: [{{code: A, name: A}}]\n"
    "units: [{{code: U, name: U, type: force}}]\n"
)


@pytest.mark.parametrize(
    ("kind", "menu"),
    [
        (", kind: police_force", "police"),
        (", kind: health_service", "health"),
        (", kind: local_authority", "council"),
        ("", "council"),
    ],
)
def test_a_file_without_a_menu_gets_its_sectors(kind: str, menu: str) -> None:
    interventions = load_framework(MINIMAL.format(kind=kind)).model.interventions
    assert interventions.menu == menu
    names = {action.name for action in interventions.actions}
    assert ("Council visits" in names) is (menu == "council")
    assert ("Cabinet support" in names) is (menu == "council")


def test_a_files_own_actions_or_menu_are_kept() -> None:
    own = MINIMAL.format(kind=", kind: police_force") + (
        "interventions: {actions: [{code: visit, name: Peer visit}]}\n"
    )
    interventions = load_framework(own).model.interventions
    assert [action.code for action in interventions.actions] == ["visit"]
    chosen = MINIMAL.format(kind=", kind: police_force") + "interventions: {menu: council}\n"
    assert "Council visits" in {a.name for a in load_framework(chosen).model.interventions.actions}
    with pytest.raises(ValueError, match=r"interventions\.menu"):
        load_framework(MINIMAL.format(kind="") + "interventions: {menu: fire}\n")


def test_trafford_life_expectancy_gap_is_calculated_from_the_two_life_expectancies() -> None:
    # life_expectancy.csv, Trafford 2021 - 23: males 79.4 years, females 83.6.
    framework = _framework("trafford")
    assert framework.formulas()["LE_GAP"].terms() is not None
    gap = calculate(framework, _observations("trafford")).filter(
        (pl.col("unit") == "E08000009") & (pl.col("period") == "2021 - 23")
    )
    assert gap["value"].to_list() == [pytest.approx(83.6 - 79.4)]
