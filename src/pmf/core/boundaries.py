"""Check the units' boundaries (GeoJSON or TopoJSON) and keep only what a map draws.

An organisation names a boundary file in its framework (``maps``, see ``docs/framework.md``);
``pmf.sources.boundaries`` reads it beside the framework file and hands its bytes here.
``read_boundaries`` checks them, all or nothing, and every problem names the file and the
feature: not JSON, not a GeoJSON FeatureCollection or a TopoJSON Topology, a geometry that is
not a Polygon or MultiPolygon, coordinates outside longitude and latitude (or in metres, as
British National Grid eastings and northings are), a feature without the code property, a
code twice, and a unit whose ONS code has no boundary. What is kept is each unit's geometry
as GeoJSON in longitude and latitude, rounded to about a metre and simplified
(Douglas-Peucker) until it has at most ``MAX_POINTS`` points, so that pages and papers draw
it quickly and never read the file.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pmf.core.i18n import gettext as _

# An ONS (GSS) area code: a letter for the country (E, W, S, N, or K, L, M for areas across
# them) and eight digits, the first three naming the kind of area (E09: a London borough).
ONS_CODE_PATTERN = r"^[EWSNKLM][0-9]{8}$"

MAX_BOUNDARY_BYTES = 20 * 1024 * 1024
"""The largest boundary file read: generalised boundaries of every English district are 5 MB."""

MAX_POINTS = 40_000
"""The most points kept for the units drawn; more are simplified away (a map is a sketch)."""

DECIMALS = 5
"""Decimal places of longitude and latitude kept: about a metre."""

GEOMETRIES = ("Polygon", "MultiPolygon")
FILE_LEVEL = ("features", "objects", "arcs")

Geometry = dict[str, Any]


class BoundaryError(ValueError):
    """Raise when a boundary file cannot be used; each line names the file and the feature."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class Boundaries:
    """The checked boundaries of a framework's units: ONS code to GeoJSON geometry."""

    file: str
    sha256: str
    code_property: str
    shapes: Mapping[str, Geometry] = field(default_factory=dict)
    points: int = 0
    # The points in the file's features for these units, before simplifying.
    points_read: int = 0

    @property
    def simplified(self) -> bool:
        """Return whether points were dropped to stay within ``MAX_POINTS``."""
        return self.points < self.points_read


def read_boundaries(
    raw: bytes,
    name: str,
    code_property: str,
    codes: Mapping[str, str],
    *,
    topology_object: str | None = None,
    max_points: int = MAX_POINTS,
) -> Boundaries:
    """Return the boundaries of ``codes`` (ONS code to the unit it is) from a file's bytes.

    Raise ``BoundaryError`` listing every problem, each naming ``name`` and the feature.

    >>> square = {"type": "Polygon", "coordinates": [[[0, 51], [0.1, 51], [0.1, 51.1], [0, 51]]]}
    >>> text = json.dumps({"type": "FeatureCollection", "features": [
    ...     {"type": "Feature", "properties": {"CD": "E09000007"}, "geometry": square}]})
    >>> read_boundaries(text.encode(), "b.geojson", "CD", {"E09000007": "Camden"}).points
    4
    >>> try:
    ...     read_boundaries(text.encode(), "b.geojson", "CD", {"E09000001": "City"})
    ... except BoundaryError as error:
    ...     print(error.problems[0][:58])
    b.geojson: unit City (ONS code E09000001) has no boundary:
    """
    if len(raw) > MAX_BOUNDARY_BYTES:
        raise BoundaryError([too_large(name, len(raw))])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise BoundaryError([_("{name}: is not UTF-8 text").format(name=name)]) from None
    except json.JSONDecodeError as error:
        raise BoundaryError(
            [
                _("{name}: is not JSON: {error} (line {line}, column {column})").format(
                    name=name, error=error.msg, line=error.lineno, column=error.colno
                )
            ]
        ) from None
    kind = data.get("type") if isinstance(data, dict) else None
    if kind == "FeatureCollection":
        features = list(_geojson_features(data, name))
    elif kind == "Topology":
        features = list(_topojson_features(data, name, topology_object))
    else:
        raise BoundaryError(
            [
                _(
                    "{name}: is not a GeoJSON FeatureCollection or a TopoJSON Topology "
                    "(its type is {kind})"
                ).format(name=name, kind=json.dumps(kind) if kind is not None else _("missing"))
            ]
        )
    # A file whose features cannot be found at all says only that.
    whole = [p for where, p in features if isinstance(p, str) and where in FILE_LEVEL]
    if whole:
        raise BoundaryError(whole)
    problems = [problem for _where, problem in features if isinstance(problem, str)]
    shapes: dict[str, Geometry] = {}
    first: dict[str, str] = {}
    for where, found in features:
        if isinstance(found, str):
            continue
        properties, geometry = found
        code = properties.get(code_property) if isinstance(properties, dict) else None
        if code is None or code == "":
            problems.append(
                _("{name}: {where} has no property {property} (the ONS code)").format(
                    name=name, where=where, property=code_property
                )
            )
            continue
        code = str(code).strip()
        if code in first:
            problems.append(
                _("{name}: {where} has {property} {code}, as {other} has").format(
                    name=name, where=where, property=code_property, code=code, other=first[code]
                )
            )
            continue
        first[code] = where
        checked = _check_geometry(geometry, f"{name}: {where} ({code_property} {code})")
        if isinstance(checked, list):
            problems.extend(checked)
            continue
        shapes[code] = checked
    for code, unit in codes.items():
        if code not in shapes and code not in first:
            problems.append(
                _(
                    "{name}: unit {unit} (ONS code {code}) has no boundary: no feature's "
                    "{property} is {code}"
                ).format(name=name, unit=unit, code=code, property=code_property)
            )
    if problems:
        raise BoundaryError(problems)
    kept = {code: shapes[code] for code in codes}
    points_read = sum(_points(geometry) for geometry in kept.values())
    kept = _simplified(kept, max_points)
    return Boundaries(
        file=name.replace("\\", "/").rsplit("/", 1)[-1],
        sha256=hashlib.sha256(raw).hexdigest(),
        code_property=code_property,
        shapes=kept,
        points=sum(_points(geometry) for geometry in kept.values()),
        points_read=points_read,
    )


def too_large(name: str, size: int) -> str:
    """Return why a boundary file of ``size`` bytes is refused."""
    return _(
        "{name}: is {size} bytes; a boundary file is at most {limit} MB: use generalised "
        "boundaries (the ONS 'BGC' or 'BUC' files) or simplify it first"
    ).format(name=name, size=f"{size:,}", limit=MAX_BOUNDARY_BYTES // (1024 * 1024))


Found = tuple[str, tuple[Any, Any] | str]
"""A feature's place in the file and its (properties, geometry), or what is wrong with it."""


def _geojson_features(data: dict[str, Any], name: str) -> Iterator[Found]:
    features = data.get("features")
    if not isinstance(features, list):
        yield (
            "features",
            _("{name}: a FeatureCollection needs a list of features").format(name=name),
        )
        return
    for index, feature in enumerate(features):
        where = f"features[{index}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            yield (
                where,
                _("{name}: {where} is not a GeoJSON Feature").format(name=name, where=where),
            )
            continue
        yield where, (feature.get("properties") or {}, feature.get("geometry"))


def _topojson_features(data: dict[str, Any], name: str, wanted: str | None) -> Iterator[Found]:
    objects = data.get("objects")
    if not isinstance(objects, dict) or not objects:
        yield "objects", _("{name}: a Topology needs its objects").format(name=name)
        return
    if wanted is None and len(objects) > 1:
        yield (
            "objects",
            _("{name}: has {count} objects ({names}); name the one to draw in maps.object").format(
                name=name, count=len(objects), names=", ".join(sorted(objects))
            ),
        )
        return
    key = wanted if wanted is not None else next(iter(objects))
    collection = objects.get(key)
    if not isinstance(collection, dict):
        yield (
            "objects",
            _("{name}: has no object {key} (it has {names})").format(
                name=name, key=key, names=", ".join(sorted(objects))
            ),
        )
        return
    try:
        arcs = _decoded_arcs(data)
    except (TypeError, ValueError, IndexError, KeyError):
        yield "arcs", _("{name}: its arcs are not lists of positions").format(name=name)
        return
    geometries = (
        collection.get("geometries", [])
        if collection.get("type") == "GeometryCollection"
        else [collection]
    )
    for index, item in enumerate(geometries):
        where = f"objects.{key}.geometries[{index}]"
        if not isinstance(item, dict):
            yield where, _("{name}: {where} is not a geometry").format(name=name, where=where)
            continue
        properties = dict(item.get("properties") or {})
        if "id" in item:
            properties.setdefault("id", item["id"])
        try:
            geometry = _topology_geometry(item, arcs)
        except (TypeError, ValueError, IndexError):
            yield (
                where,
                _("{name}: {where} refers to arcs the file does not have").format(
                    name=name, where=where
                ),
            )
            continue
        yield where, (properties, geometry)


def _decoded_arcs(data: dict[str, Any]) -> list[list[list[float]]]:
    """Return the topology's arcs as absolute positions (undoing its quantisation)."""
    transform = data.get("transform")
    arcs = data.get("arcs") or []
    if not isinstance(arcs, list):
        raise TypeError("arcs")
    if transform is None:
        return [[[float(p[0]), float(p[1])] for p in arc] for arc in arcs]
    (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
    decoded = []
    for arc in arcs:
        x = y = 0.0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append([x * kx + dx, y * ky + dy])
        decoded.append(points)
    return decoded


def _topology_geometry(item: dict[str, Any], arcs: list[list[list[float]]]) -> Geometry | None:
    kind = item.get("type")

    def ring(indexes: list[int]) -> list[list[float]]:
        points: list[list[float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    if kind == "Polygon":
        return {"type": kind, "coordinates": [ring(r) for r in item["arcs"]]}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [[ring(r) for r in p] for p in item["arcs"]]}
    return {"type": kind} if kind is not None else None


def _check_geometry(geometry: Any, where: str) -> Geometry | list[str]:
    """Return the geometry as a MultiPolygon-or-Polygon rounded, or its problems."""
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        return [
            _("{where}: its geometry is {kind}; a boundary is a Polygon or MultiPolygon").format(
                where=where, kind=kind or _("missing")
            )
        ]
    polygons = (
        [geometry.get("coordinates")]
        if geometry["type"] == "Polygon"
        else geometry.get("coordinates")
    )
    if not isinstance(polygons, list) or not polygons:
        return [_("{where}: has no coordinates").format(where=where)]
    rounded: list[list[list[list[float]]]] = []
    for polygon in polygons:
        rings = []
        for ring in polygon if isinstance(polygon, list) else [None]:
            if not isinstance(ring, list):
                return [_("{where}: a ring is not a list of positions").format(where=where)]
            if len(ring) < 4:
                # A sliver that simplifying left with no area (an islet): nothing to draw.
                continue
            points = []
            for position in ring:
                if (
                    not isinstance(position, list | tuple)
                    or len(position) < 2
                    or not all(isinstance(v, int | float) for v in position[:2])
                ):
                    return [
                        _("{where}: a position is not [longitude, latitude]").format(where=where)
                    ]
                x, y = float(position[0]), float(position[1])
                if not (-180 <= x <= 180 and -90 <= y <= 90):
                    return [_outside(where, x, y)]
                points.append([round(x, DECIMALS), round(y, DECIMALS)])
            rings.append(points)
        if rings and len(polygon[0]) >= 4:
            rounded.append(rings)
    if not rounded:
        return [_("{where}: has no ring of four positions or more").format(where=where)]
    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": rounded[0]}
    return {"type": "MultiPolygon", "coordinates": rounded}


def _outside(where: str, x: float, y: float) -> str:
    if 0 <= x <= 800_000 and 0 <= y <= 1_300_000:
        return _(
            "{where}: position ({x:g}, {y:g}) looks projected, as British National Grid "
            "eastings and northings in metres are; reproject the file to longitude and "
            "latitude (WGS 84, EPSG:4326)"
        ).format(where=where, x=x, y=y)
    return _(
        "{where}: position ({x:g}, {y:g}) is outside longitude -180 to 180 and latitude -90 to 90"
    ).format(where=where, x=x, y=y)


def _rings(geometry: Geometry) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    return [ring for polygon in geometry["coordinates"] for ring in polygon]


def _points(geometry: Geometry) -> int:
    return sum(len(ring) for ring in _rings(geometry))


def _simplified(shapes: dict[str, Geometry], max_points: int) -> dict[str, Geometry]:
    """Return the shapes with points dropped (Douglas-Peucker) until at most ``max_points``."""
    tolerance = 10 ** -(DECIMALS - 1)
    while sum(_points(g) for g in shapes.values()) > max_points and tolerance < 1:
        shapes = {code: _simplify_geometry(g, tolerance) for code, g in shapes.items()}
        tolerance *= 2
    return shapes


def _simplify_geometry(geometry: Geometry, tolerance: float) -> Geometry:
    if geometry["type"] == "Polygon":
        return {
            "type": "Polygon",
            "coordinates": [_ring(r, tolerance) for r in geometry["coordinates"]],
        }
    return {
        "type": "MultiPolygon",
        "coordinates": [[_ring(r, tolerance) for r in p] for p in geometry["coordinates"]],
    }


def _ring(ring: list[list[float]], tolerance: float) -> list[list[float]]:
    """Return a closed ring simplified, keeping at least four positions (a triangle, closed)."""
    if len(ring) <= 4:
        return ring
    kept = _douglas_peucker(ring, tolerance)
    return (
        kept
        if len(kept) >= 4
        else [ring[0], ring[len(ring) // 3], ring[2 * len(ring) // 3], ring[-1]]
    )


def _douglas_peucker(points: list[list[float]], tolerance: float) -> list[list[float]]:
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        (ax, ay), (bx, by) = points[start], points[end]
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        farthest, index = -1.0, -1
        for i in range(start + 1, end):
            px, py = points[i]
            if length == 0:
                distance = (px - ax) ** 2 + (py - ay) ** 2
            else:
                t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length))
                distance = (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2
            if distance > farthest:
                farthest, index = distance, i
        if index > 0 and farthest > tolerance * tolerance:
            keep[index] = True
            stack.extend(((start, index), (index, end)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def is_ons_code(text: str) -> bool:
    """Return whether ``text`` is an ONS (GSS) area code.

    >>> is_ons_code("E09000007"), is_ons_code("E0900007")
    (True, False)
    """
    return re.fullmatch(ONS_CODE_PATTERN, text) is not None
