"""`pmf risks record-measure`: the register's redline figures from the command line."""

from __future__ import annotations

import pytest

from pmf.cli import main
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from pmf.web.risks import services
from tests.factories import rated

pytestmark = pytest.mark.django_db


def test_record_measure_writes_each_month_and_again_changes_nothing(
    risk_register: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    services.create_risk(risk_register, None, rated(5, 5))
    Observation.objects.filter(measure__code="RR75").delete()
    capsys.readouterr()
    assert main(["risks", "record-measure", "-o", "TST"]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["risks", "record-measure", "-o", "TST"]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_record_measure_without_a_measure_or_with_a_bad_month_says_why(
    organisation: Organisation, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["risks", "record-measure", "-o", "TST"]) == 1
    assert "add risks.measure" in capsys.readouterr().err
    assert main(["risks", "record-measure", "--organisation", "TST", "--as-of", "July"]) == 1
    assert "give it as YYYY-MM" in capsys.readouterr().err
