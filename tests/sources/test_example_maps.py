"""The examples' ONS codes are the real ones, and the police example maps its boroughs."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from pmf.core.boundaries import is_ons_code
from pmf.sources.frameworks import read_framework_file

ROOT = Path(__file__).resolve().parents[2]
POLICE = ROOT / "examples" / "police"
LOOKUP = next((POLICE / "data").glob("Local_Authority_District_to_*_Lookup_*.csv"))


def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    """Return the ONS lookup's district names and police force area names by code."""
    with LOOKUP.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return (
        {row["LAD16CD"]: row["LAD16NM"] for row in rows},
        {row["PFA16CD"]: row["PFA16NM"] for row in rows},
    )


def test_every_police_unit_with_an_ons_code_has_the_real_one() -> None:
    framework = read_framework_file(POLICE / "framework.yaml")
    districts, forces = _lookup()
    boroughs = [unit for unit in framework.units if unit.type == "borough"]
    assert len(boroughs) == 32
    for unit in boroughs:
        assert unit.ons_code == unit.code and districts[unit.code] == unit.name
    for unit in framework.units:
        if unit.type == "force" and unit.ons_code:
            assert unit.ons_code in forces, unit
    assert forces[framework.unit("MPS").ons_code or ""] == "Metropolitan Police"


def test_the_police_example_draws_its_32_boroughs_from_the_shipped_boundaries() -> None:
    framework = read_framework_file(POLICE / "framework.yaml")
    boundaries = framework.boundaries
    assert boundaries is not None
    assert sorted(boundaries.shapes) == sorted(
        unit.ons_code for unit in framework.units if unit.type == "borough"
    )
    assert framework.model.maps is not None
    assert "Contains OS data © Crown copyright" in framework.model.maps.attribution


def test_the_shipped_boundaries_are_vega_datasets_with_codes_added() -> None:
    # The notice names the package, its version and licence, and the attribution.
    notice = (POLICE / "data" / "london_boroughs.NOTICE.md").read_text(encoding="utf-8")
    for words in ("vega-datasets", "3.2.1", "Open Government Licence v3.0", "Contains OS data"):
        assert words in notice
    topology = json.loads((POLICE / "data" / "london_boroughs.topojson").read_text())
    geometries = topology["objects"]["boroughs"]["geometries"]
    districts, _ = _lookup()
    assert len(geometries) == 33
    for geometry in geometries:
        code = geometry["properties"]["LAD16CD"]
        assert districts[code] == geometry["id"] == geometry["properties"]["LAD16NM"]
    # The arcs are the package's own, unchanged (only properties were added).
    arcs = json.dumps(topology["arcs"], separators=(",", ":")).encode()
    assert hashlib.sha256(arcs).hexdigest() == ARCS_SHA256


# The sha256 of the arcs of data/londonBoroughs.json in vega-datasets 3.2.1 (npm), as compact
# JSON: the file the example's boundaries were derived from.
ARCS_SHA256 = "d01d06fae250dd27abb792ff74666cb4621d838f46d4188ba849302da0b768fa"


def test_trafford_and_its_comparators_carry_their_ons_codes_and_no_map() -> None:
    framework = read_framework_file(ROOT / "examples" / "trafford" / "framework.yaml")
    districts, _ = _lookup()
    for unit in framework.units:
        assert unit.ons_code == unit.code and is_ons_code(unit.code)
        if unit.type == "council":
            assert districts[unit.code] == unit.name
    assert framework.unit("E92000001").ons_code == "E92000001"  # England
    # No registry package carries these councils' boundaries: a council supplies its own.
    assert framework.model.maps is None and framework.boundaries is None
