"""What every command shares: one organisation lookup, with one behaviour for every command."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmf.cli import main
from pmf.cli.base import EXIT_PROBLEMS, EXIT_USAGE, CommandError, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def one(framework_file: Path) -> None:
    assert main(["framework", "load", str(framework_file)]) == 0


@pytest.fixture
def two(one: None, framework_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(framework_file.read_text().replace("code: TST", "code: OTHER"))
    assert main(["framework", "load", str(other)]) == 0


def refusal(code: str | None) -> CommandError:
    with pytest.raises(CommandError) as refused:
        organisation(code)
    return refused.value


def test_a_code_finds_its_organisation(two: None) -> None:
    assert organisation("OTHER").code == "OTHER"


def test_no_code_picks_the_only_organisation_loaded(one: None) -> None:
    assert organisation(None).code == "TST"


def test_an_unknown_code_is_a_problem_naming_the_codes_loaded(two: None) -> None:
    error = refusal("NOPE")
    assert error.code == EXIT_PROBLEMS
    assert str(error).startswith("no organisation 'NOPE' (known: OTHER, TST)")


def test_an_unknown_code_with_nothing_loaded_says_how_to_load_one() -> None:
    error = refusal("NOPE")
    assert error.code == EXIT_PROBLEMS
    assert "(known: none loaded); load its framework first" in str(error)


def test_no_code_with_several_loaded_asks_for_one(two: None) -> None:
    error = refusal(None)
    assert error.code == EXIT_USAGE
    assert str(error) == (
        "several organisations are loaded (OTHER, TST); choose one with --organisation CODE"
    )


def test_no_code_with_nothing_loaded_says_what_to_load() -> None:
    error = refusal(None)
    assert error.code == EXIT_USAGE
    assert str(error).startswith("no organisation is loaded yet")


@pytest.mark.parametrize(
    "command",
    [
        ["assess", "-o", "NOPE"],
        ["target", "list", "-o", "NOPE"],
        ["cycle", "list", "-o", "NOPE"],
        ["user", "list", "-o", "NOPE"],
        ["peer-group", "show", "-o", "NOPE"],
        ["risk", "record-measure", "-o", "NOPE"],
        ["publish", "-o", "NOPE", "--out", "public"],
    ],
    ids=lambda command: command[0],
)
def test_every_command_refuses_an_unknown_organisation_alike(
    command: list[str], two: None, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(command) == EXIT_PROBLEMS
    assert capsys.readouterr().err.startswith("no organisation 'NOPE' (known: OTHER, TST)")
