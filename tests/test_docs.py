"""Fail when the docs leave something out, a link breaks or a name leaves the glossary."""

from __future__ import annotations

import argparse
import ast
import enum
import functools
import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel

from pmf.cli.app import parser as _parser
from pmf.core import framework
from pmf.core.framework.scoring import MeasureScoring, Scoring

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide"
COMMAND_HELP = GUIDE / "commands.md"
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


@functools.cache
def _guide() -> str:
    """Return the guide's explaining pages as one text, without the generated help page.

    The help page lists every option by construction; the tests below ask that the pages a
    reader follows explain them.
    """
    pages = sorted(page for page in GUIDE.glob("*.md") if page != COMMAND_HELP)
    assert len(pages) > 5, "docs/guide/ has lost its pages"
    return "\n\n".join(_text(page) for page in pages)


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
    guide = " ".join(_guide().split())
    assert command in guide, f"docs/guide/ does not show `{command}`"


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_every_option_is_in_the_guide(command: str, option: str) -> None:
    assert _mentions(_guide(), option), f"docs/guide/ does not explain {command} {option}"


@pytest.mark.parametrize(
    ("command", "option", "choice"),
    OPTION_CHOICES,
    ids=[f"{c} {o} {v}" for c, o, v in OPTION_CHOICES],
)
def test_every_choice_of_an_option_is_in_the_guide(command: str, option: str, choice: str) -> None:
    assert _mentions(_guide(), choice), (
        f"docs/guide/ does not mention {choice!r}, a choice of {command} {option}"
    )


@pytest.mark.parametrize("command", [" ".join(path) for path, _ in COMMANDS])
def test_every_command_has_its_help_in_the_reference(command: str) -> None:
    # scripts/docs_outputs.py (make docs) writes the help under each line; make check compares.
    assert f"$ {command} --help\n" in _text(COMMAND_HELP), (
        f"docs/guide/commands.md has no `$ {command} --help` block: add the line to a "
        "<!-- generated --> block and run make docs"
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
    Scoring,
    MeasureScoring,
    framework.Return,
    framework.ReturnCell,
    framework.ReturnColumn,
    framework.ReturnRow,
    framework.ReturnRules,
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


# --------------------------------------------------------------------------------------------
# Links between the pages
# --------------------------------------------------------------------------------------------

MARKDOWN = sorted(
    {
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "examples").rglob("README.md"),
        ROOT / "benchmarks" / "README.md",
    }
)
FENCED = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def _prose(text: str) -> str:
    """Return Markdown without its fenced blocks and code spans, where links are only text."""
    return re.sub(r"`[^`\n]*`", "", FENCED.sub("", text))


def _anchors(page: Path) -> set[str]:
    """Return the anchors GitHub makes of a page's headings (lower case, punctuation gone)."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", FENCED.sub("", _text(page)), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        anchor, repeat = slug, 0
        while anchor in anchors:  # a repeated heading gets -1, -2, ...
            repeat += 1
            anchor = f"{slug}-{repeat}"
        anchors.add(anchor)
    return anchors


LINKS = [
    (page, target)
    for page in MARKDOWN
    for target in LINK.findall(_prose(_text(page)))
    if not re.match(r"[a-z]+:", target)  # http:, https:, mailto:
]


def test_the_link_walk_finds_links_and_anchors() -> None:
    # Guards the walk: links in code are not links, headings make GitHub's anchors.
    assert (GUIDE / "api.md", "figures.md#all-or-nothing-with-every-problem-listed") in LINKS
    assert (ROOT / "docs" / "framework.md", "guide/setup.md#define-a-framework") in LINKS
    assert {"a-units-scorecard-pmf-assess", "the-command-line"} <= _anchors(
        GUIDE / "scorecards.md"
    ) | _anchors(GUIDE / "README.md")
    assert _prose("`[a](b)`\n```\n[c](d)\n```\n[e](f)").strip() == "[e](f)"


@pytest.mark.parametrize(
    ("page", "target"),
    LINKS,
    ids=[f"{page.relative_to(ROOT)}->{target}" for page, target in LINKS],
)
def test_every_relative_link_and_anchor_resolves(page: Path, target: str) -> None:
    where, _, anchor = target.partition("#")
    linked = (page.parent / where).resolve() if where else page
    name = page.relative_to(ROOT)
    assert linked.exists(), f"{name} links to {target}, which does not exist"
    if anchor:
        assert linked.suffix == ".md", f"{name} links to an anchor of {target}, not a page"
        assert anchor in _anchors(linked), (
            f"{name} links to {target}, but {linked.relative_to(ROOT)} has no heading "
            f"#{anchor}; its anchors are {', '.join(sorted(_anchors(linked)))}"
        )


def test_every_guide_page_is_in_the_guides_contents() -> None:
    contents = _text(GUIDE / "README.md")
    for page in sorted(GUIDE.glob("*.md")):
        if page.name != "README.md":
            assert f"]({page.name})" in contents, f"docs/guide/README.md does not list {page.name}"


# --------------------------------------------------------------------------------------------
# The glossary's words in the code (shared/DESIGN.md, "Glossary"; STYLE.md, "Names")
# --------------------------------------------------------------------------------------------

SOURCE = ROOT / "src" / "pmf"


def _identifiers(path: Path) -> Iterator[str]:
    """Yield the names a module gives: its own, and its functions, classes, arguments and
    variables (attributes assigned included). Names used but defined elsewhere are not its."""
    yield from path.relative_to(SOURCE.parent).with_suffix("").parts
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name
        elif isinstance(node, ast.arg):
            yield node.arg
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            yield node.attr


IDENTIFIERS = sorted(
    {
        (".".join(path.relative_to(SOURCE.parent).with_suffix("").parts), name)
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts  # generated by Django, named after the models
        for name in _identifiers(path)
    }
)

# Each banned word: the glossary's words to use instead, and the names that still use it.
# The allowlists hold today's offenders by name (wherever the module now lives); they may only
# shrink: a name renamed away must leave its list too (see the test after the next).
SYNONYMS: dict[str, tuple[str, frozenset[str]]] = {
    # "One meaning per word in code: 'figure' is used today for an observation, a tally and a
    # chart; in code say observation, count and chart. On pages 'figures' stays the users'
    # word for observations": templates and user-facing strings may say figures; names may not.
    "figure": (
        "observation (or value) for a measure's value, count for a tally, chart for a chart",
        frozenset(),
    ),
    # "measure: an indicator": the glossary's word is measure. National sources keep the
    # publishers' word for their own series (Fingertips' IndicatorID, LG Inform's metric types,
    # the Trafford Data Lab's files): those names stay, and are listed below the offenders.
    "indicator": (
        "measure",
        frozenset(
            {
                "Indicator",  # sources.examples.trafford: where one measure's series is
                "INDICATORS",  # sources.examples.trafford
                "_indicator",  # sources.examples.trafford
                # A boolean series, as in "indicator function", not a measure (say mask):
                "indicator",  # core.spc._ends_streak; also the publishers' word below
                # The publishers' word, kept (sources.national, national commands):
                "indicators",
                "indicator_ids",
                "indicator_map",
            }
        ),
    ),
    # "area: a scorecard area / quadrant": the glossary's word is area.
    "quadrant": ("area", frozenset()),
    # "self-assessment: a lead's periodic short statement": the glossary's word is
    # self-assessment (self_assessment, SelfAssessment).
    "statement": ("self_assessment (SelfAssessment for a class)", frozenset()),
    # The glossary's word for what "figure" also meant: in code say count.
    "tally": ("count", frozenset()),
}


def test_the_identifier_walk_finds_functions_classes_arguments_and_variables() -> None:
    names = {name for _, name in IDENTIFIERS}
    assert {"assess", "Measure", "framework", "observations"} <= names
    assert ("pmf.core.spc", "spc") in IDENTIFIERS  # the module's own name


@pytest.mark.parametrize("word", sorted(SYNONYMS))
def test_code_names_use_the_glossarys_words(word: str) -> None:
    instead, allowed = SYNONYMS[word]
    offenders = sorted(
        f"{module}: {name}"
        for module, name in IDENTIFIERS
        if word in name.lower() and name not in allowed
    )
    assert not offenders, (
        f"names with {word!r}, which the glossary (shared/DESIGN.md) replaces with {instead}: "
        + "; ".join(offenders)
    )


@pytest.mark.parametrize("word", sorted(SYNONYMS))
def test_the_glossary_allowlists_only_shrink(word: str) -> None:
    # A name renamed away leaves its allowlist, so the list cannot hide a new one of that name.
    _, allowed = SYNONYMS[word]
    names = {name for _, name in IDENTIFIERS}
    gone = sorted(allowed - names)
    assert not gone, f"no longer in src/pmf, take them out of SYNONYMS[{word!r}]: {gone}"


def _top_level_names(module: Path) -> set[str]:
    """Return the names a module defines or imports at its top level."""
    names: set[str] = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(target.id for target in targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _resolves(dotted: str) -> bool:
    """Tell whether ``pmf.a.b.name`` is a package, module or top-level name under src/pmf."""
    path = SOURCE
    parts = dotted.split(".")[1:]
    for index, part in enumerate(parts):
        if (path / part).is_dir():
            path = path / part
        elif (path / f"{part}.py").is_file():
            rest = parts[index + 1 :]
            return not rest or rest[0] in _top_level_names(path / f"{part}.py")
        else:
            return part in _top_level_names(path / "__init__.py")
    return True


# Code the docs name in backticks (`pmf.web.plans.services.plan_counts`): renaming a function,
# as the glossary asks, must take its mentions along. File names such as `pmf.sqlite3` and
# `pmf.css` are not code: their first part is no package or module of src/pmf. Decision
# records are left out: they say what was true when they were accepted, and are not edited.
CODE_MENTIONS = sorted(
    {
        (page, dotted)
        for page in MARKDOWN
        if "adr" not in page.relative_to(ROOT).parts
        for dotted in re.findall(r"`(pmf(?:\.[A-Za-z_]\w*)+)", _text(page))
        if (SOURCE / dotted.split(".")[1]).is_dir()
        or (SOURCE / f"{dotted.split('.')[1]}.py").is_file()
    }
)


def test_the_code_mention_walk_finds_modules_and_functions() -> None:
    mentions = {dotted for _, dotted in CODE_MENTIONS}
    assert "pmf.sources.national.sign_url" in mentions and "pmf.sqlite3" not in mentions
    assert not _resolves("pmf.sources.national.sign_uri")
    assert not _resolves("pmf.web.nowhere")


@pytest.mark.parametrize(
    ("page", "dotted"),
    CODE_MENTIONS,
    ids=[f"{page.relative_to(ROOT)}:{dotted}" for page, dotted in CODE_MENTIONS],
)
def test_every_module_and_function_the_docs_name_exists(page: Path, dotted: str) -> None:
    assert _resolves(dotted), (
        f"{page.relative_to(ROOT)} names `{dotted}`, which is not in src/pmf: "
        "follow the rename in the docs"
    )
