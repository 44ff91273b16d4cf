"""A small mapped framework for the maps' tests: three boroughs' boundaries, real ones.

``BOROUGHS`` is GeoJSON written from the police example's boundaries
(``examples/police/data/london_boroughs.topojson``: vega-datasets 3.2.1, Open Government
Licence v3.0; contains National Statistics and OS data © Crown copyright and database right
2015), decoded by ``pmf.core.boundaries`` itself: Camden, Islington, Hackney and Westminster.
The test force's commands stand on the first two, its comparator on the third.
"""

from __future__ import annotations

import json
from pathlib import Path

from pmf.core.boundaries import read_boundaries
from pmf.sources.frameworks import read_framework_file
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from tests.factories import FIGURES, GOOD

ROOT = Path(__file__).resolve().parents[1]
LONDON = ROOT / "examples" / "police" / "data" / "london_boroughs.topojson"
NAMES = {
    "E09000007": "Camden",
    "E09000019": "Islington",
    "E09000012": "Hackney",
    "E09000033": "Westminster",
}

MAPPED = (
    GOOD.replace(
        "{code: N, name: North, type: command, parent: F}",
        "{code: N, name: North, type: command, parent: F, ons_code: E09000007}",
    )
    .replace(
        "{code: S, name: South, type: command, parent: F}",
        "{code: S, name: South, type: command, parent: F, ons_code: E09000019}",
    )
    .replace(
        "{code: X, name: Other Force, type: force, external: true}",
        "{code: X, name: Other Force, type: force, external: true, ons_code: E09000012}",
    )
    + "maps:\n  boundaries: boroughs.geojson\n  code_property: LAD16CD\n"
    + "  attribution: Contains OS data © Crown copyright and database right 2015.\n"
)


def borough_features() -> list[dict[str, object]]:
    """Return the four boroughs as GeoJSON features with their ONS code and name."""
    found = read_boundaries(LONDON.read_bytes(), str(LONDON), "LAD16CD", NAMES)
    return [
        {
            "type": "Feature",
            "properties": {"LAD16CD": code, "LAD16NM": NAMES[code]},
            "geometry": found.shapes[code],
        }
        for code in NAMES
    ]


def write_mapped(folder: Path, framework: str = MAPPED) -> Path:
    """Write the mapped framework and its GeoJSON boundaries into ``folder``; return its path."""
    collection = {"type": "FeatureCollection", "features": borough_features()}
    (folder / "boroughs.geojson").write_text(json.dumps(collection), encoding="utf-8")
    path = folder / "framework.yaml"
    path.write_text(framework, encoding="utf-8")
    return path


def mapped_organisation(folder: Path) -> Organisation:
    """Store the mapped test force with the test figures; return it."""
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import store_observations

    organisation = store_framework(read_framework_file(write_mapped(folder)), "framework.yaml")
    figures = folder / "figures.csv"
    figures.write_text(FIGURES + "X,ER,2019-07,90,,\n", encoding="utf-8")
    result = check_table(read_table(figures), framework_of(organisation))
    assert result.ok, result.problems
    store_observations(
        organisation, result.observations, file_name="figures.csv", sha256="x", layout=result.layout
    )
    return organisation
