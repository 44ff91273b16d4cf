"""`pmf framework check` and `load` read the boundary file and name each problem in it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pmf.cli import main
from pmf.web.frameworks.models import UnitBoundaries
from tests.maps_world import write_mapped


@pytest.mark.django_db
def test_check_names_the_boundary_file_and_feature_and_load_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_mapped(tmp_path)
    boundaries = tmp_path / "boroughs.geojson"
    collection = json.loads(boundaries.read_text(encoding="utf-8"))
    collection["features"][1]["properties"] = {"LAD16NM": "Islington"}
    collection["features"][0]["geometry"]["coordinates"][0][0] = [529000, 184000]
    boundaries.write_text(json.dumps(collection), encoding="utf-8")
    assert main(["framework", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{path} maps.boundaries: {boundaries}: features[0] (LAD16CD E09000007): position " in err
    )
    assert "British National Grid" in err
    assert f"{boundaries}: features[1] has no property LAD16CD (the ONS code)" in err
    assert "unit South (S) (ONS code E09000019) has no boundary" in err
    assert err.rstrip().endswith("3 problems found.")
    assert main(["framework", "load", str(path)]) == 1
    assert not UnitBoundaries.objects.exists()


@pytest.mark.django_db
def test_load_stores_the_boundaries_of_a_sound_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_mapped(tmp_path)
    assert main(["framework", "check", str(path)]) == 0
    assert main(["framework", "load", str(path)]) == 0
    stored = UnitBoundaries.objects.get()
    assert sorted(stored.shapes) == ["E09000007", "E09000012", "E09000019"]
