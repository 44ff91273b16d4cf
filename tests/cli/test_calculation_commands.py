"""`pmf calculate` and `pmf lineage`: calculated figures from the command line."""

from __future__ import annotations

import json

import pytest

from pmf.cli import main
from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.models import Observation
from tests.factories import CALCULATED, import_figures

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation() -> Organisation:
    organisation = store_framework(load_framework(CALCULATED), "framework.yaml")
    import_figures(
        organisation,
        [("N", "STOPS", "2019-07", "30"), ("N", "SEARCHES", "2019-07", "10")],
    )
    return organisation


def test_calculate_after_a_formula_changes_stores_new_revisions_once(
    organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calculate", "-o", "TST"]) == 0
    assert "already current" in capsys.readouterr().out
    changed = CALCULATED.replace("formula: STOPS + SEARCHES,", "formula: STOPS - SEARCHES,")
    store_framework(load_framework(changed), "framework.yaml")
    assert main(["calculate", "-o", "TST", "--measure", "ACTIVITY"]) == 0
    assert "ACTIVITY: 0 added, 1 revised" in capsys.readouterr().out
    held = Observation.objects.get(measure__code="ACTIVITY", superseded_at__isnull=True)
    assert (held.value, held.revision) == (20.0, 2)


def test_calculate_names_the_calculated_measures_when_given_another(
    organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["calculate", "-o", "TST", "--measure", "STOPS"]) == 1
    assert "not a calculated measure (they are: ACTIVITY, SHARE)" in capsys.readouterr().err


def test_lineage_prints_the_formula_and_each_input_revision(
    organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "-o", "TST", "SHARE", "--unit", "N", "--period", "2019-07"]) == 0
    out = capsys.readouterr().out
    assert "= SEARCHES / ACTIVITY * 100" in out
    assert "= Searches ÷ Stops and searches × 100" in out
    assert "value 25.0 (revision 1, provisional)" in out
    assert "SEARCHES" in out and "ACTIVITY" in out
    assert main(["lineage", "SHARE", "-u", "N", "-p", "2019-07", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(i["measure"], i["value"], i["revision"]) for i in data["inputs"]] == [
        ("SEARCHES", 10.0, 1),
        ("ACTIVITY", 40.0, 1),
    ]


def test_lineage_of_a_figure_not_stored_or_a_measure_given_says_why(
    organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "-o", "TST", "ACTIVITY", "-u", "F", "-p", "2019-07"]) == 1
    assert "a parent's figure made by roll-up is not stored" in capsys.readouterr().err
    assert main(["lineage", "-o", "TST", "STOPS", "-u", "N", "-p", "2019-07"]) == 1
    assert "STOPS is not a calculated measure" in capsys.readouterr().err


def test_loading_a_framework_with_formulas_says_how_to_calculate_again(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "framework.yaml"
    path.write_text(CALCULATED, encoding="utf-8")
    assert main(["framework", "load", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 calculated measures (ACTIVITY, SHARE)" in out
    assert "run pmf calculate -o TST" in out
