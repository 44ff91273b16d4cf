"""Computed most similar groups in storage: versions kept, used in assessments, on the CLI."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User

from pmf.cli import main
from pmf.core.framework import Framework
from pmf.sources.importer import check_table
from pmf.sources.readers import read_table
from pmf.web.frameworks.models import ComputedPeerGroups, Organisation
from pmf.web.frameworks.services import (
    PeerGroupsRefused,
    compute_peer_groups,
    current_peer_groups,
    framework_of,
    store_framework,
)
from pmf.web.observations.services import scorecard_for, store_observations

pytestmark = pytest.mark.django_db

# On x alone N's nearest is X; on y alone it is S (and F is far on both).
CONTEXT = pl.DataFrame(
    {
        "unit": ["F", "N", "S", "X"],
        "x": [100.0, 10.0, 30.0, 11.0],
        "y": [100.0, 10.0, 11.0, 40.0],
    }
)


def peers_of(framework: Framework, unit: str) -> tuple[str, ...]:
    found = framework.peers(unit)
    assert found is not None
    return found.members


def test_a_version_is_stored_and_used_as_the_msg(organisation: Organisation, analyst: User) -> None:
    assert peers_of(framework_of(organisation), "F") == ("X",)
    version = compute_peer_groups(
        organisation, CONTEXT, ["x"], None, 2, "test figures", user=analyst
    )
    assert version.number == 1 and version.superseded_at is None
    assert version.variables == ["x"] and version.weights == {"x": 1.0} and version.n == 2
    assert version.inputs["N"] == {"x": 10.0}
    assert version.created_by == analyst and version.source == "test figures"
    rows = [(p.unit.code, p.rank, p.peer.code) for p in version.peers.all()]
    assert ("N", 1, "X") in rows and ("N", 2, "S") in rows
    framework = framework_of(organisation)
    assert peers_of(framework, "N") == ("X", "S")
    assert peers_of(framework, "F") == ("S", "X")
    found = framework.peers("N")
    assert found is not None and found.include_self
    group = next(g for g in framework.model.peer_groups if g.unit == "N")
    assert group.method.startswith("computed: version 1;")


def test_a_new_version_supersedes_the_last_which_is_kept(organisation: Organisation) -> None:
    first = compute_peer_groups(organisation, CONTEXT, ["x"], None, 1, "")
    second = compute_peer_groups(organisation, CONTEXT, ["x", "y"], {"x": 0.01}, 1, "")
    first.refresh_from_db()
    assert first.superseded_at == second.created_at
    assert second.number == 2 and second.superseded_at is None
    assert current_peer_groups(organisation) == second
    assert ComputedPeerGroups.objects.count() == 2
    assert first.peers.get(unit__code="N").peer.code == "X"
    assert peers_of(framework_of(organisation), "N") == ("S",)


def test_the_assessment_peer_average_uses_the_computed_group(
    organisation: Organisation, tmp_path: Path
) -> None:
    path = tmp_path / "other.csv"
    path.write_text(
        "unit,measure,period,value,numerator,denominator\nX,CR,2019-07,,20,1000\n",
        encoding="utf-8",
    )
    result = check_table(read_table(path), framework_of(organisation))
    store_observations(
        organisation, result.observations, file_name="other.csv", sha256="y", layout=result.layout
    )

    def peer_average() -> float | None:
        card = scorecard_for(organisation, unit="N")
        row = next(r for s in card.sections for r in s.rows if r.measure == "CR")
        return row.reference

    # The file's group: N with S, (6 + 4) / 2.
    assert peer_average() == pytest.approx(5.0)
    compute_peer_groups(organisation, CONTEXT, ["x"], None, 1, "")
    # The computed group: N with X, (6 + 20) / 2.
    assert peer_average() == pytest.approx(13.0)


def test_bad_input_is_refused_and_nothing_stored(organisation: Organisation) -> None:
    bad = CONTEXT.with_columns(unit=pl.Series(["F", "N", "S", "Q"]))
    with pytest.raises(PeerGroupsRefused, match="'Q' is not a unit of TST"):
        compute_peer_groups(organisation, bad, ["x"], None, 1, "")
    with pytest.raises(PeerGroupsRefused, match="n must be"):
        compute_peer_groups(organisation, CONTEXT, ["x"], None, 4, "")
    assert not ComputedPeerGroups.objects.exists()


def test_pmf_peers_commands(
    framework_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["framework", "load", str(framework_file)]) == 0
    path = tmp_path / "context.csv"
    path.write_text("code,x,y\nF,100,100\nN,10,10\nS,30,11\nX,11,40\n", encoding="utf-8")
    args = ["peers", "compute", "-o", "TST", str(path), "--unit-column", "code"]
    assert main([*args, "--variable", "x", "--variable", "y", "--weight", "y=0.01", "-n", "2"]) == 0
    assert "version 1" in capsys.readouterr().out
    assert main(["peers", "show", "-o", "TST", "N"]) == 0
    out = capsys.readouterr().out
    assert "Version 1" in out and "x x1, y x0.01" in out
    assert [line.split("\t")[:3] for line in out.splitlines()[1:]] == [
        ["N", "1", "X"],
        ["N", "2", "S"],
    ]
    assert main([*args, "--variable", "y", "-n", "1", "--source", "ONS"]) == 0
    organisation = Organisation.objects.get(code="TST")
    assert current_peer_groups(organisation).source == "ONS"  # type: ignore[union-attr]
    assert organisation.computed_peer_groups.count() == 2


def test_pmf_peers_compute_refuses_bad_rows_naming_file_row_and_field(
    framework_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["framework", "load", str(framework_file)]) == 0
    path = tmp_path / "context.csv"
    path.write_text("code,x\nF,100\nQ,10\nS,many\nX,11\nF,12\n", encoding="utf-8")
    args = ["peers", "compute", "-o", "TST", str(path), "--unit-column", "code", "-n", "1"]
    assert main([*args, "--variable", "x"]) == 1
    err = capsys.readouterr().err
    assert f"{path}, row 3, code: 'Q' is not a unit of TST" in err
    assert f"{path}, row 4, x: 'many' is not a number" in err
    assert f"{path}, row 6, code: 'F' is also in row 2" in err
    assert main([*args, "--variable", "nope"]) == 1
    assert f"{path}: no column 'nope'" in capsys.readouterr().err
    assert main([*args, "--variable", "x", "--weight", "x"]) == 1
    assert "VARIABLE=WEIGHT" in capsys.readouterr().err
    assert main(["peers", "show", "-o", "TST"]) == 1
    assert not ComputedPeerGroups.objects.exists()


EXAMPLE = Path(__file__).parents[3] / "examples/police/framework.yaml"
# The census shares by police force area, as shipped with the police example.
DEMOGRAPHICS = Path(__file__).parents[3] / "examples/police/data/force-demographics.csv"


def test_the_police_example_gets_computed_msgs_from_census_shares() -> None:
    from pmf.sources.frameworks import read_framework_file

    organisation = store_framework(read_framework_file(EXAMPLE))
    framework = framework_of(organisation)
    codes = {unit.name: unit.code for unit in framework.units if unit.type == "force"}
    codes["Metropolitan"] = "MPS"
    table = pl.read_csv(DEMOGRAPHICS)
    total = pl.col(table.columns[1])
    frame = table.filter(pl.col("PFA16NM").is_in(list(codes))).select(
        unit=pl.col("PFA16NM").replace_strict(codes),
        log_population=total.log(),
        white_british=pl.col(table.columns[3]) / total,
        asian=pl.col(table.columns[12]) / total,
        black=pl.col(table.columns[18]) / total,
    )
    variables = ["log_population", "white_british", "asian", "black"]
    version = compute_peer_groups(organisation, frame, variables, None, 7, "ONS 2011 census")
    # The 43 forces of England and Wales but the City of London, which is not a unit.
    assert version.peers.count() == 7 * frame.height == 7 * 42
    group = peers_of(framework_of(organisation), "MPS")
    assert len(group) == 7 and "MPS" not in group
    # The file's illustrative MSG of MPS is replaced by the computed one.
    assert not any(
        g.unit == "MPS" and not g.method.startswith("computed")
        for g in framework_of(organisation).model.peer_groups
    )
