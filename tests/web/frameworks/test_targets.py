"""Targets in storage: set, replaced and withdrawn with history; from the file; in scorecards."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.cli import main
from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation, Target
from pmf.web.frameworks.services import (
    TargetRefused,
    current_targets,
    framework_of,
    set_target,
    store_framework,
    withdraw_target,
)
from tests.factories import GOOD

pytestmark = pytest.mark.django_db


def er_row(client: Client) -> dict[str, object]:
    data = client.get("/TST/units/S.json").json()
    return next(m for a in data["areas"] for m in a["measures"] if m["measure"] == "ER")


def test_a_set_target_becomes_the_standard_in_the_scorecard(
    organisation: Organisation, analyst: User
) -> None:
    client = Client()
    client.force_login(analyst)
    assert er_row(client)["standard"] == "≥ 80.0%"  # South: 85, met
    set_target(organisation, {"measure": "ER", "starts": "2019/20", "value": 90}, analyst)
    row = er_row(client)
    assert row["standard"] == "≥ 90.0%"
    assert row["rag"] == "red"


def test_setting_again_supersedes_and_keeps_history(
    organisation: Organisation, analyst: User
) -> None:
    first = set_target(organisation, {"measure": "ER", "starts": "2019/20", "value": 90}, analyst)
    second = set_target(
        organisation, {"measure": "ER", "starts": "2019/20", "value": 85, "note": "revised"}
    )
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert first.superseded_by is None
    assert [row.pk for row in current_targets(organisation)] == [second.pk]
    assert Target.objects.count() == 2
    withdraw_target(organisation, second.pk, analyst)
    assert current_targets(organisation) == []
    assert framework_of(organisation).model.targets == ()
    with pytest.raises(LookupError, match="TST has no running target"):
        withdraw_target(organisation, second.pk)


def test_a_bad_target_is_refused_with_every_problem_and_nothing_stored(
    organisation: Organisation,
) -> None:
    with pytest.raises(TargetRefused) as refused:
        set_target(
            organisation,
            {"measure": "ZZ", "unit": "Q", "starts": "2019/20", "ends": "2018-01", "value": 1},
        )
    assert refused.value.problems == [
        "measure: 'ZZ' is not a measure in this file",
        "unit: 'Q' is not a unit in this file",
        "ends: '2018-01' is before '2019/20'",
    ]
    assert not Target.objects.exists()


def test_targets_in_the_framework_file_are_stored_and_reloading_keeps_them(
    organisation: Organisation,
) -> None:
    text = GOOD + "targets:\n  - {measure: ER, unit: N, starts: 2019/20, value: 95}\n"
    store_framework(load_framework(text))
    (stored,) = current_targets(organisation)
    assert (stored.origin, stored.unit.code, stored.value) == ("framework", "N", 95.0)
    store_framework(load_framework(text))
    assert [row.pk for row in current_targets(organisation)] == [stored.pk]
    store_framework(load_framework(GOOD))  # the file no longer has it
    assert current_targets(organisation) == []
    stored.refresh_from_db()
    assert stored.superseded_at is not None


def test_a_target_set_by_a_person_wins_over_the_files(organisation: Organisation) -> None:
    store_framework(
        load_framework(GOOD + "targets:\n  - {measure: ER, starts: 2019/20, value: 95}\n")
    )
    set_target(organisation, {"measure": "ER", "starts": "2019-07", "value": 70})
    framework = framework_of(organisation)
    assert [target.value for target in framework.model.targets] == [95.0, 70.0]
    # The same measure, unit and start replaces the file's target until the file changes.
    set_target(organisation, {"measure": "ER", "starts": "2019/20", "value": 60})
    assert [target.value for target in framework_of(organisation).model.targets] == [70.0, 60.0]


def test_the_measure_page_lists_the_targets(organisation: Organisation, analyst: User) -> None:
    set_target(organisation, {"measure": "ER", "unit": "N", "starts": "2019/20", "value": 90})
    client = Client()
    client.force_login(analyst)
    data = client.get("/TST/units/N/measures/ER.json").json()
    assert [(t["starts"], t["value"], t["running"]) for t in data["targets"]] == [
        ("2019/20", 90.0, True)
    ]
    assert client.get("/TST/units/S/measures/ER.json").json()["targets"] == []
    page = client.get("/TST/units/N/measures/ER/").content.decode()
    assert "Targets" in page


def test_pmf_target_commands(framework_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["framework", "load", str(framework_file)]) == 0
    capsys.readouterr()
    args = ["target", "set", "-o", "TST", "--measure", "ER", "--starts", "2019/20"]
    assert main([*args, "--value", "90", "--amber-within", "5", "--note", "Plan"]) == 0
    assert (
        "ER for all units, from 2019/20, by polarity 90, amber within 5" in capsys.readouterr().out
    )
    assert main([*args, "--value", "ninety"]) == 1
    assert "target not set: value: 'ninety' is not a number" in capsys.readouterr().err
    assert main(["target", "list", "-o", "TST"]) == 0
    number = capsys.readouterr().out.split("\t")[0]
    assert main(["target", "withdraw", "-o", "TST", number]) == 0
    assert main(["target", "withdraw", "-o", "TST", number]) == 1
    assert main(["target", "list", "-o", "TST", "--all"]) == 0
    assert "(until " in capsys.readouterr().out
