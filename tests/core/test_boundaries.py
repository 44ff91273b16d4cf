"""Boundary files: GeoJSON and TopoJSON read alike, and each problem named with its feature."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pmf.core.boundaries import (
    MAX_BOUNDARY_BYTES,
    Boundaries,
    BoundaryError,
    read_boundaries,
)
from pmf.core.framework import FrameworkError, load_framework
from tests.maps_world import LONDON, NAMES, borough_features

CAMDEN = {"E09000007": "Camden (N)"}


def _geojson(*features: dict[str, Any]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(code: str | None, geometry: dict[str, Any] | None) -> dict[str, Any]:
    properties = {"LAD22CD": code} if code is not None else {"LAD22NM": "Nowhere"}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[-0.2, 51.5], [-0.1, 51.5], [-0.1, 51.6], [-0.2, 51.5]]],
}


def _problems(raw: bytes, codes: dict[str, str] = CAMDEN, **more: Any) -> list[str]:
    with pytest.raises(BoundaryError) as caught:
        read_boundaries(raw, "b.geojson", "LAD22CD", codes, **more)
    return caught.value.problems


def test_geojson_and_topojson_of_the_same_boroughs_read_the_same() -> None:
    topo = read_boundaries(LONDON.read_bytes(), "london.topojson", "LAD16CD", NAMES)
    collection = {"type": "FeatureCollection", "features": borough_features()}
    geo = read_boundaries(json.dumps(collection).encode(), "b.geojson", "LAD16CD", NAMES)
    assert isinstance(topo, Boundaries) and set(topo.shapes) == set(NAMES)
    assert topo.shapes == geo.shapes
    assert topo.shapes["E09000007"]["type"] == "Polygon"
    # Every position is longitude and latitude in London, rounded to about a metre.
    ring = topo.shapes["E09000007"]["coordinates"][0]
    assert all(-0.3 < x < 0.0 and 51.5 < y < 51.6 for x, y in ring)
    assert all(round(x, 5) == x for x, _ in ring)


def test_only_the_units_boundaries_are_kept() -> None:
    found = read_boundaries(LONDON.read_bytes(), "london.topojson", "LAD16CD", CAMDEN)
    assert list(found.shapes) == ["E09000007"]
    assert found.file == "london.topojson" and len(found.sha256) == 64


def test_a_file_that_is_not_json_is_named_with_the_line() -> None:
    (problem,) = _problems(b'{"type": "FeatureCollection",\n "features": [}')
    assert problem.startswith("b.geojson: is not JSON: ") and "(line 2, column" in problem


def test_json_that_is_neither_a_feature_collection_nor_a_topology_is_refused() -> None:
    assert _problems(b'{"type": "Feature"}') == [
        "b.geojson: is not a GeoJSON FeatureCollection or a TopoJSON Topology "
        '(its type is "Feature")'
    ]
    assert _problems(b"[1, 2]") == [
        "b.geojson: is not a GeoJSON FeatureCollection or a TopoJSON Topology (its type is missing)"
    ]


def test_a_geometry_that_is_not_a_polygon_is_named_with_its_feature() -> None:
    point = {"type": "Point", "coordinates": [-0.1, 51.5]}
    assert _problems(_geojson(_feature("E09000007", point))) == [
        "b.geojson: features[0] (LAD22CD E09000007): its geometry is Point; a boundary is a "
        "Polygon or MultiPolygon"
    ]
    assert "its geometry is missing" in _problems(_geojson(_feature("E09000007", None)))[0]


def test_british_national_grid_coordinates_are_recognised_as_projected() -> None:
    projected = {
        "type": "Polygon",
        "coordinates": [[[529000, 184000], [530000, 184000], [530000, 185000], [529000, 184000]]],
    }
    (problem,) = _problems(_geojson(_feature("E09000007", projected)))
    assert problem.startswith(
        "b.geojson: features[0] (LAD22CD E09000007): position (529000, 184000)"
    )
    assert "British National Grid" in problem and "EPSG:4326" in problem


def test_coordinates_outside_longitude_and_latitude_are_refused() -> None:
    bad = {"type": "Polygon", "coordinates": [[[-200, 51], [-0.1, 51], [-0.1, 52], [-200, 51]]]}
    (problem,) = _problems(_geojson(_feature("E09000007", bad)))
    assert "position (-200, 51) is outside longitude -180 to 180 and latitude -90 to 90" in problem


def test_a_feature_without_the_code_property_is_named() -> None:
    problems = _problems(_geojson(_feature(None, SQUARE), _feature("E09000007", SQUARE)))
    assert problems == ["b.geojson: features[0] has no property LAD22CD (the ONS code)"]


def test_a_code_twice_names_both_features() -> None:
    problems = _problems(_geojson(_feature("E09000007", SQUARE), _feature("E09000007", SQUARE)))
    assert problems == ["b.geojson: features[1] has LAD22CD E09000007, as features[0] has"]


def test_a_unit_whose_code_has_no_boundary_is_named() -> None:
    problems = _problems(_geojson(_feature("E09000007", SQUARE)), {"E09000001": "City (C)"})
    assert problems == [
        "b.geojson: unit City (C) (ONS code E09000001) has no boundary: no feature's LAD22CD "
        "is E09000001"
    ]


def test_every_problem_is_listed_at_once() -> None:
    point = {"type": "Point", "coordinates": [0, 0]}
    problems = _problems(
        _geojson(_feature(None, SQUARE), _feature("E09000002", point)),
        {"E09000007": "Camden (N)"},
    )
    assert len(problems) == 3


def test_a_topology_with_several_objects_needs_one_named() -> None:
    topology = json.loads(LONDON.read_text(encoding="utf-8"))
    topology["objects"]["outline"] = topology["objects"]["boroughs"]
    raw = json.dumps(topology).encode()
    assert _problems(raw) == [
        "b.geojson: has 2 objects (boroughs, outline); name the one to draw in maps.object"
    ]
    assert "has no object rivers" in _problems(raw, topology_object="rivers")[0]
    found = read_boundaries(raw, "b.topojson", "LAD16CD", CAMDEN, topology_object="boroughs")
    assert list(found.shapes) == ["E09000007"]


def test_a_file_over_the_limit_is_refused_unread() -> None:
    (problem,) = _problems(b" " * (MAX_BOUNDARY_BYTES + 1))
    assert "a boundary file is at most 20 MB" in problem


def test_many_points_are_simplified_to_the_limit_and_say_so() -> None:
    found = read_boundaries(
        LONDON.read_bytes(), "london.topojson", "LAD16CD", NAMES, max_points=120
    )
    assert found.points <= 120 < found.points_read
    assert found.simplified
    for geometry in found.shapes.values():
        rings = (
            geometry["coordinates"]
            if geometry["type"] == "Polygon"
            else [ring for polygon in geometry["coordinates"] for ring in polygon]
        )
        assert all(len(ring) >= 4 and ring[0] == ring[-1] for ring in rings)


FRAMEWORK = """\
organisation: {code: T, name: T}
areas: [{code: A, name: A}]
units:
  - {code: U, name: U, type: borough, ons_code: E09000007}
  - {code: V, name: V, type: borough, ons_code: %s}
"""


def _framework_problems(text: str) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(text, "f.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_an_ons_code_must_be_a_gss_code_and_unique() -> None:
    assert _framework_problems(FRAMEWORK % "E0900007") == [
        "f.yaml:5 units[1].ons_code: 'E0900007' is not an ONS area (GSS) code: a letter E, W, "
        "S, N, K, L or M and eight digits, such as E09000007"
    ]
    assert _framework_problems(FRAMEWORK % "E09000007") == [
        "f.yaml:5 units[1].ons_code: 'E09000007' is already the ONS code of unit U"
    ]
    assert load_framework(FRAMEWORK % "W06000015").unit("V").ons_code == "W06000015"


def test_the_maps_section_names_a_file_beside_the_framework_and_real_unit_types() -> None:
    text = FRAMEWORK % "E09000019"
    problems = _framework_problems(text + "maps: {boundaries: ../b.geojson, code_property: CD}\n")
    assert problems[0].startswith("f.yaml:6 maps.boundaries: '../b.geojson'")
    assert "no '..'" in problems[0]
    problems = _framework_problems(text + "maps: {boundaries: b.shp, code_property: CD}\n")
    assert "a boundary file is GeoJSON or TopoJSON" in problems[0]
    problems = _framework_problems(
        text + "maps: {boundaries: b.geojson, code_property: CD, unit_types: [ward]}\n"
    )
    assert problems == ["f.yaml:6 maps.unit_types[0]: 'ward' is not one of borough"]


def test_reading_the_framework_reads_its_boundaries_and_names_the_file(tmp_path: Path) -> None:
    from pmf.sources.frameworks import read_framework_file

    text = FRAMEWORK % "E09000019" + "maps: {boundaries: b.geojson, code_property: LAD16CD}\n"
    path = tmp_path / "framework.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        read_framework_file(path)
    assert "maps.boundaries" in str(caught.value) and "b.geojson: cannot be read" in str(
        caught.value
    )
    (tmp_path / "b.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": borough_features()[:1]}),
        encoding="utf-8",
    )
    with pytest.raises(FrameworkError) as caught:
        read_framework_file(path)
    assert "unit V (V) (ONS code E09000019) has no boundary" in str(caught.value)
    (tmp_path / "b.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": borough_features()}),
        encoding="utf-8",
    )
    framework = read_framework_file(path)
    assert framework.boundaries is not None
    assert sorted(framework.boundaries.shapes) == ["E09000007", "E09000019"]


def test_a_map_with_no_unit_to_draw_is_refused() -> None:
    text = FRAMEWORK.replace(", ons_code: E09000007", "").replace(", ons_code: %s", "")
    problems = _framework_problems(text + "maps: {boundaries: b.geojson, code_property: CD}\n")
    assert problems == [
        "f.yaml:6 maps: no unit has an ons_code (of the unit_types drawn): the map would be empty"
    ]
