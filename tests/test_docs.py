"""Fail when a command, option, framework field, setting or standard type is undocumented."""

from __future__ import annotations

import argparse
import enum
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from pmf.cli.app import parser as _parser
from pmf.core import framework

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide.md"
FRAMEWORK_REFERENCE = ROOT / "docs" / "framework.md"
METHODS = ROOT / "docs" / "methods.md"
ENV_EXAMPLE = ROOT / ".env.example"

HELP = {"-h", "--help"}


def _text(path: Path) -> str:
    assert path.exists(), f"{path.relative_to(ROOT)} is missing"
    return path.read_text(encoding="utf-8")


def _mentions(text: str, term: str) -> bool:
    """Tell whether ``term`` appears as a whole word or option, not inside a longer one."""
    return re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text) is not None


def _in_backticks(text: str, term: str) -> bool:
    return f"`{term}`" in text


# --------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("pmf",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Yield the path and parser of ``pmf`` and of every command and action below it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, subparser in action.choices.items():
                # A command's old name (an alias) follows it: the guide shows the new one.
                if id(subparser) not in seen:
                    seen.add(id(subparser))
                    yield from _commands(subparser, (*path, name))


COMMANDS = list(_commands(_parser()))

COMMAND_LINES = [" ".join(path) for path, _ in COMMANDS[1:]] + [
    # Positional choices such as ``pmf example list`` are commands to the reader.
    " ".join((*path, str(choice)))
    for path, parser in COMMANDS
    for action in parser._actions
    if not action.option_strings
    and action.choices
    and not isinstance(action, argparse._SubParsersAction)
    for choice in action.choices
]

OPTIONS = sorted(
    {
        (" ".join(path), option)
        for path, parser in COMMANDS
        for action in parser._actions
        for option in action.option_strings
        if option not in HELP
    }
)

OPTION_CHOICES = sorted(
    {
        (" ".join(path), action.option_strings[-1], str(choice))
        for path, parser in COMMANDS
        for action in parser._actions
        if action.option_strings and action.choices
        for choice in action.choices
    }
)


def test_the_parser_walk_finds_commands_and_options() -> None:
    # Guards the walk itself: an empty list would make the tests below pass vacuously.
    assert "pmf import" in COMMAND_LINES and "pmf framework check" in COMMAND_LINES
    assert ("pmf import", "--dry-run") in OPTIONS


@pytest.mark.parametrize("command", COMMAND_LINES)
def test_every_command_is_in_the_guide(command: str) -> None:
    # A command may be wrapped across two lines of the Markdown source.
    guide = " ".join(_text(GUIDE).split())
    assert command in guide, f"docs/guide.md does not show `{command}`"


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_every_option_is_in_the_guide(command: str, option: str) -> None:
    assert _mentions(_text(GUIDE), option), f"docs/guide.md does not explain {command} {option}"


@pytest.mark.parametrize(
    ("command", "option", "choice"),
    OPTION_CHOICES,
    ids=[f"{c} {o} {v}" for c, o, v in OPTION_CHOICES],
)
def test_every_choice_of_an_option_is_in_the_guide(command: str, option: str, choice: str) -> None:
    assert _mentions(_text(GUIDE), choice), (
        f"docs/guide.md does not mention {choice!r}, a choice of {command} {option}"
    )


# --------------------------------------------------------------------------------------------
# The framework file
# --------------------------------------------------------------------------------------------

STANDARD_MODELS: tuple[type[BaseModel], ...] = typing.get_args(
    typing.get_args(framework.Standard)[0]
)
MODELS: tuple[type[BaseModel], ...] = (
    framework.FrameworkModel,
    framework.Organisation,
    framework.Area,
    framework.FormerName,
    framework.Unit,
    framework.Measure,
    *STANDARD_MODELS,
    framework.PeerGroup,
    framework.Grading,
    framework.RequiresImprovementRule,
    framework.InadequateRule,
    framework.OutstandingRule,
    framework.KpiConcernRule,
    framework.AreaGrading,
)

FIELDS = sorted({(model.__name__, name) for model in MODELS for name in model.model_fields})


def _allowed_values(annotation: object) -> Iterator[str]:
    """Yield every enum member and literal value an annotation allows, however nested."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        yield from (str(member.value) for member in annotation)
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        yield from (str(value) for value in typing.get_args(annotation))
        return
    if origin is not None or isinstance(annotation, types.UnionType):
        for argument in typing.get_args(annotation):
            yield from _allowed_values(argument)


ALLOWED = sorted(
    {
        (model.__name__, name, value)
        for model in MODELS
        for name, info in model.model_fields.items()
        for value in _allowed_values(info.annotation)
    }
)

STANDARD_TYPES = sorted(
    value
    for model in STANDARD_MODELS
    for value in typing.get_args(model.model_fields["type"].annotation)
)


def test_the_model_walk_finds_fields_values_and_standard_types() -> None:
    assert ("Measure", "polarity") in FIELDS and ("PeerGroup", "include_self") in FIELDS
    assert ("Measure", "rollup", "pooled_ratio") in ALLOWED
    assert {"target", "peer_average", "improvement"} <= set(STANDARD_TYPES)


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m}.{f}" for m, f in FIELDS])
def test_every_framework_field_is_in_the_reference(model: str, field: str) -> None:
    assert _in_backticks(_text(FRAMEWORK_REFERENCE), field), (
        f"docs/framework.md does not describe `{field}` ({model})"
    )


@pytest.mark.parametrize(
    ("model", "field", "value"), ALLOWED, ids=[f"{m}.{f}={v}" for m, f, v in ALLOWED]
)
def test_every_allowed_value_is_in_the_reference(model: str, field: str, value: str) -> None:
    assert _in_backticks(_text(FRAMEWORK_REFERENCE), value), (
        f"docs/framework.md does not list `{value}`, allowed for {model}.{field}"
    )


@pytest.mark.parametrize("standard_type", STANDARD_TYPES)
def test_every_standard_type_is_in_the_methods(standard_type: str) -> None:
    assert _in_backticks(_text(METHODS), standard_type), (
        f"docs/methods.md does not say how `{standard_type}` is met"
    )


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------

# Every variable read through pmf.web.env: the settings, and those a command reads itself.
SETTING_NAMES = sorted(
    {
        name
        for path in sorted((ROOT / "src" / "pmf").rglob("*.py"))
        for name in re.findall(
            r"""env_(?:str|bool|list|int)\(\s*["']([A-Za-z0-9_]+)["']""",
            path.read_text(encoding="utf-8"),
        )
    }
)


def test_the_settings_walk_finds_variables() -> None:
    assert "DATABASE_URL" in SETTING_NAMES
    assert "PMF_LGINFORM_SECRET" in SETTING_NAMES  # read by pmf national fetch, not settings


@pytest.mark.parametrize("name", SETTING_NAMES)
def test_every_setting_is_in_the_env_example(name: str) -> None:
    text = _text(ENV_EXAMPLE)
    assert re.search(rf"^[ \t]*#?[ \t]*{name}=", text, re.MULTILINE), (
        f".env.example does not show {name}= (commented out is fine)"
    )


# --------------------------------------------------------------------------------------------
# The threat model
# --------------------------------------------------------------------------------------------

SECURITY = ROOT / "docs" / "security.md"


def _cited_paths() -> list[str]:
    return sorted(set(re.findall(r"`((?:tests|benchmarks|src)/[\w/.-]+)`", _text(SECURITY))))


def test_the_threat_model_cites_its_proofs() -> None:
    assert len(_cited_paths()) >= 10


@pytest.mark.parametrize("path", _cited_paths())
def test_every_proof_the_threat_model_cites_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"docs/security.md cites {path}, which does not exist"
