"""Derive the police example's borough boundaries from the vega-datasets package (npm).

vega-datasets 3.2.1 carries ``data/londonBoroughs.json``: London's borough boundaries as
TopoJSON, simplified from the London Datastore's Statistical GIS Boundary Files, under the
Open Government Licence v3.0 (contains National Statistics and Ordnance Survey data © Crown
copyright and database right 2015). Its geometries are named by borough only; this adds each
borough's ONS code (``LAD16CD``) and name (``LAD16NM``) from the ONS lookup beside the
example's figures, and writes the topology otherwise unchanged::

    npm pack vega-datasets@3.2.1 && tar xzf vega-datasets-3.2.1.tgz
    python scripts/london_boroughs.py package/data/londonBoroughs.json \\
        examples/police/data/Local_Authority_District_to_*_Lookup_in_England_and_Wales.csv \\
        examples/police/data/london_boroughs.topojson
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def main(source: Path, lookup: Path, target: Path) -> None:
    """Write ``source``'s topology with each borough's ONS code and name to ``target``."""
    with lookup.open(encoding="utf-8-sig", newline="") as handle:
        codes = {row["LAD16NM"]: row["LAD16CD"] for row in csv.DictReader(handle)}
    topology = json.loads(source.read_text(encoding="utf-8"))
    for geometry in topology["objects"]["boroughs"]["geometries"]:
        name = geometry["id"]
        geometry["properties"] = {"LAD16CD": codes[name], "LAD16NM": name}
    target.write_text(json.dumps(topology, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(*(Path(argument) for argument in sys.argv[1:4]))
