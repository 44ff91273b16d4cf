"""Problems with a framework file: where each is (file, line, field) and what is wrong, in words.

Pydantic's validation errors are turned into messages a person writing the YAML can act on::

    framework.yaml:42 measures[7].polarity: 'higer' is not one of
    higher_is_better, lower_is_better, neither
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from pmf.core.boundaries import ONS_CODE_PATTERN
from pmf.core.yamlsource import LocatedData, Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a framework file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.field}: {self.message}" if self.field else f"{where} {self.message}"


class FrameworkError(ValueError):
    """Raise with every problem found in a framework file."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def validation_problems(
    error: ValidationError, located: LocatedData, filename: str
) -> list[Problem]:
    """Return a problem for each of Pydantic's errors, with its line, in line order."""
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    details = error.errors(include_url=False)
    failed_items = {data_path(detail["loc"])[:-1] for detail in details}
    for detail in details:
        path = data_path(detail["loc"])
        # A list whose only items failed is also "too short"; the items' problems say why.
        if detail["type"] == "too_short" and path in failed_items:
            continue
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, "type")
        field = dotted(path)
        key = (located.line_of(path), field)
        # A union of standards reports one failure per alternative; the first is enough.
        if key in seen:
            continue
        seen.add(key)
        message = describe(detail)
        if len(path) > 2 and path[0] == "measures" and path[2] == "valid":
            message += f" for measure {_measure_code(located.data, path[1])}"
        problems.append(Problem(filename, key[0], field, message))
    return sorted(problems, key=lambda problem: problem.line)


def _measure_code(data: Any, index: int | str) -> str:
    try:
        return str(data["measures"][index]["code"])
    except (KeyError, IndexError, TypeError):
        return f"number {index}"


def data_path(loc: tuple[int | str, ...]) -> Path:
    """Return the path into the file's data of a Pydantic error location.

    >>> data_path(("measures", 2, "standard", 0, "target", "value"))
    ('measures', 2, 'standard', 0, 'value')
    """
    # Pydantic adds the tag of a tagged union ("target", ...) to the location; data has no such key.
    standard_tags = {
        "target",
        "peer_average",
        "zero",
        "within_budget",
        "inspection_grade",
        "improvement",
    }
    path: list[str | int] = []
    for index, part in enumerate(loc):
        previous = loc[index - 1] if index else None
        if previous == "scale" and part in ("built_in", "custom"):
            continue  # the grade scale's tags (schema.ScaleSetting)
        if (
            isinstance(part, str)
            and part in standard_tags
            and (previous == "standard" or isinstance(previous, int))
            and "standard" in loc[:index]
        ):
            continue
        path.append(part)
    return tuple(path)


def dotted(path: Path) -> str:
    """Return a data path as a person writes it.

    >>> dotted(("measures", 7, "polarity"))
    'measures[7].polarity'
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def describe(detail: Any) -> str:
    """Return what is wrong in one Pydantic error, in words, naming the bad value."""
    kind = detail["type"]
    value = detail.get("input")
    context = detail.get("ctx") or {}
    shown = _show(value)
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return f"unknown field (value {shown}); check the spelling"
    if kind in ("enum", "literal_error"):
        expected = re.sub(r"'|\"", "", str(context.get("expected", "")))
        expected = expected.replace(" or ", ", ")
        return f"{shown} is not one of {expected}"
    if kind == "union_tag_invalid":
        expected = re.sub(r"'|\"", "", str(context.get("expected_tags", "")))
        return f"type {_show(context.get('tag'))} is not one of {expected}"
    if kind == "union_tag_not_found":
        return (
            "a standard needs a type (target, peer_average, zero, within_budget, "
            "inspection_grade, improvement)"
        )
    if kind == "string_pattern_mismatch" and context.get("pattern") == ONS_CODE_PATTERN:
        return (
            f"{shown} is not an ONS area (GSS) code: a letter E, W, S, N, K, L or M and eight "
            "digits, such as E09000007"
        )
    if kind == "string_pattern_mismatch":
        return f"{shown} is not a valid code: use letters, digits, '_', '-' or '.', no spaces"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        return f"{shown} is not a number"
    if kind in ("greater_than", "greater_than_equal", "less_than_equal", "less_than"):
        bound = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than_equal": "at most",
            "less_than": "less than",
        }[kind]
        limit = next(iter(context.values()), "")
        return f"{shown} must be {bound} {limit}"
    if kind in ("string_type", "bool_parsing", "bool_type"):
        wanted = "text" if kind == "string_type" else "true or false"
        return f"{shown} should be {wanted}"
    if kind in ("too_short",) and isinstance(value, list | tuple) and not value:
        return "must not be empty"
    if kind == "string_too_long":
        return f"is longer than the {context.get('max_length')} characters allowed"
    if kind == "string_too_short":
        return "must not be empty"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{shown} should be a mapping of fields"
    if kind in ("tuple_type", "list_type"):
        return f"{shown} should be a list"
    return f"{shown}: {detail['msg'][0].lower()}{detail['msg'][1:]}"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "{...}"
    if isinstance(value, list | tuple):
        return "[...]"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
