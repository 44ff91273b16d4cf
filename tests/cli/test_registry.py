"""The command registry: every command in ``pmf --help`` on one line, old names as aliases."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from pmf.cli import main
from pmf.cli.app import commands, parser, resolve
from pmf.cli.base import CommandError, register

# The names commands had before they took the glossary's singular nouns.
OLD_NAMES = {"risks": "risk", "peers": "peer-group", "records": "record"}


def help_text(*args: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        main([*args, "--help"])
    assert stopped.value.code == 0
    return capsys.readouterr().out


def test_pmf_help_lists_every_command_on_one_line_with_its_summary(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    lines = help_text(capsys=capsys).splitlines()
    registered = commands()
    assert len(registered) == 35
    for name, command in registered.items():
        listed = [line for line in lines if line.split()[:1] == [name]]
        assert len(listed) == 1, f"pmf --help lists {name} on {len(listed)} lines"
        assert listed[0].endswith(command.summary), listed[0]


def test_pmf_help_names_each_old_name_beside_the_new(capsys: pytest.CaptureFixture[str]) -> None:
    out = help_text(capsys=capsys)
    for old, new in OLD_NAMES.items():
        assert f"    {new} ({old}) " in out


def test_every_command_and_action_has_an_example_in_its_help(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = [path]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found += walk(sub, (*path, name))
        return found

    paths = walk(parser(), ())[1:]
    assert ("stats", "spc") in paths and ("peers", "compute") in paths
    for path in paths:
        out = help_text(*path, capsys=capsys)
        example = out.partition("Example")[2]
        # The example names the command by its new name, even under the old.
        assert f"pmf {OLD_NAMES.get(path[0], path[0])}" in example, path


@pytest.mark.parametrize(("old", "new"), OLD_NAMES.items())
def test_an_old_name_parses_as_the_new_command(old: str, new: str) -> None:
    assert resolve(old) is resolve(new)
    assert resolve(old).name == new
    assert resolve(old).aliases == (old,)


@pytest.mark.parametrize("name", ["records", "record"])
def test_an_old_name_runs_the_command_as_the_new_one_does(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "records.yaml"
    assert main([name, "compute", str(missing)]) == 1
    assert str(missing) in capsys.readouterr().err


@pytest.mark.django_db
def test_pmf_peers_and_pmf_peer_group_show_the_same_groups(
    framework_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["framework", "load", str(framework_file)]) == 0
    context = tmp_path / "context.csv"
    context.write_text("code,x\nF,100\nN,10\nS,30\nX,11\n", encoding="utf-8")
    compute = ["compute", "-o", "TST", str(context), "--unit-column", "code", "--variable", "x"]
    assert main(["peers", *compute, "-n", "1"]) == 0
    capsys.readouterr()
    assert main(["peers", "show", "-o", "TST"]) == 0
    old = capsys.readouterr().out
    assert main(["peer-group", "show", "-o", "TST"]) == 0
    assert capsys.readouterr().out == old
    assert "N\t1\tX\t" in old


def test_a_name_taken_by_a_command_or_an_old_name_cannot_be_registered_again() -> None:
    before = dict(commands())
    for name in ("cycle", "risks"):
        with pytest.raises(ValueError, match="registered twice"):
            register(name, "Clash.", "pmf clash")(lambda args: 0)
    assert commands() == before


def test_a_command_error_carries_its_exit_status() -> None:
    assert CommandError("bad").code == 1
    assert CommandError("usage", 2).code == 2


def test_pmf_help_imports_neither_django_nor_polars_nor_pydantic() -> None:
    # Start-up stays quick: each group imports its heavy libraries inside its commands.
    script = (
        "import sys\n"
        "from pmf.cli.app import parser\n"
        "parser().format_help()\n"
        "heavy = [m for m in ('django', 'polars', 'pydantic', 'numpy') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""


def test_the_base_module_imports_no_command_group() -> None:
    script = (
        "import sys\n"
        "import pmf.cli.base\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith('pmf.cli.'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "pmf.cli.base"
