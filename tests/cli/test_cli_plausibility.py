"""pmf import refuses what cannot be true and holds what is unlikely until it is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.cli import main
from pmf.web.audit.models import AuditEvent
from pmf.web.observations.models import Observation
from tests.factories import COUNT_MEASURE, GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """Load the test framework with a monthly count, ARRESTS, and 683 arrests in North."""
    framework = tmp_path / "framework.yaml"
    framework.write_text(GOOD.replace("peer_groups:", COUNT_MEASURE + "peer_groups:", 1))
    assert main(["framework", "load", str(framework)]) == 0
    first = write(tmp_path, "unit,measure,period,value\nN,ARRESTS,2025-11,683\nN,ER,2025-11,81\n")
    assert main(["import", str(first)]) == 0
    capsys.readouterr()
    return tmp_path


def write(folder: Path, text: str, name: str = "figures.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "N,ER,2099-01,80",
            "row 2, column 'period', value '2099-01': starts after today",
        ),
        (
            "N,ARRESTS,2025-10,-4",
            "row 2, column 'value', value '-4': is less than 0, the least ARRESTS can be "
            "(valid: min)",
        ),
        (
            "N,ER,2025-10,250",
            "row 2, column 'value', value '250': is more than 100, the most ER can be (valid: max)",
        ),
    ],
)
def test_import_refuses_a_figure_that_cannot_be_true(
    loaded: Path, capsys: pytest.CaptureFixture[str], row: str, expected: str
) -> None:
    before = Observation.objects.count()
    figures = write(loaded, f"unit,measure,period,value\n{row}\n")
    for dry_run in (["--dry-run"], []):
        assert main(["import", str(figures), *dry_run, "--accept-warnings", "checked"]) == 1
        err = capsys.readouterr().err
        assert f"{figures}: 1 problem; nothing was stored." in err
        assert expected in err
    assert Observation.objects.count() == before


def test_import_refuses_a_numerator_above_its_denominator(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = write(loaded, "unit,measure,period,numerator,denominator\nN,ER,2025-10,12,10\n")
    assert main(["import", str(figures)]) == 1
    err = capsys.readouterr().err
    assert "row 2, column 'numerator', value '12': is more than the denominator (10)" in err


def test_a_correction_from_683_to_301_is_held_until_accepted(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = write(loaded, "unit,measure,period,value\nN,ARRESTS,2025-11,301\n")
    before = Observation.objects.count()
    assert main(["import", str(figures), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert f"{figures}: 1 figure with plausibility warnings; nothing was stored." in err
    assert (
        "row 2, N ARRESTS 2025-11: 301 is a change of -56 % from 683, the figure held for this "
        "period" in err
    )
    assert main(["import", str(figures)]) == 1
    assert "--accept-warnings REASON" in capsys.readouterr().err
    assert Observation.objects.count() == before

    assert main(["import", str(figures), "--accept-warnings", "recount after audit"]) == 0
    assert "1 figure stored with warnings accepted." in capsys.readouterr().out
    held = Observation.objects.get(
        unit__code="N", measure__code="ARRESTS", period="2025-11", superseded_at__isnull=True
    )
    assert (held.value, held.revision) == (301, 2)
    assert held.warnings.startswith("301 is a change of -56 % from 683")
    assert held.warnings_reason == "recount after audit"
    event = AuditEvent.objects.get(action="accept warnings")
    assert event.note == "recount after audit"
    assert "1 figure" in event.label and "recount after audit" in event.label
    assert event.after["figures"] == 1
    assert event.actor_label.endswith("via pmf import")


def test_a_dry_run_with_accepted_warnings_says_so_and_stores_nothing(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = write(loaded, "unit,measure,period,value\nN,ARRESTS,2025-11,301\n")
    assert main(["import", str(figures), "--dry-run", "--accept-warnings", "recount"]) == 0
    assert "1 figure with plausibility warnings would be accepted." in capsys.readouterr().out
    assert not Observation.objects.filter(value=301).exists()


def test_accepting_warnings_needs_a_reason(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = write(loaded, "unit,measure,period,value\nN,ARRESTS,2025-11,301\n")
    assert main(["import", str(figures), "--accept-warnings", "  "]) == 2
    assert "--accept-warnings: give the reason the figures are right" in capsys.readouterr().err


def test_figures_without_warnings_are_stored_without_any(
    loaded: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    figures = write(loaded, "unit,measure,period,value\nN,ARRESTS,2025-12,650\n")
    assert main(["import", str(figures), "--accept-warnings", "not needed"]) == 0
    held = Observation.objects.get(unit__code="N", measure__code="ARRESTS", period="2025-12")
    assert (held.warnings, held.warnings_reason) == ("", "")
    assert not AuditEvent.objects.filter(action="accept warnings").exists()
