"""Read YAML into plain data while remembering the line of every value.

The framework file is edited by hand, so every error must name the line it is
on. PyYAML's composer keeps the position of each node; this module walks the
node tree once, builds plain dicts, lists and scalars, and records the line of
each path such as ``("measures", 7, "polarity")``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]

# A hand-written framework never nests this deep; a deeper file is an attack or an accident.
MAX_DEPTH = 32
MAX_NODES = 200_000


class YamlError(ValueError):
    """Raise when the text is not YAML we accept; ``line`` is 1-based or 0 if unknown."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class LocatedData:
    """Plain data from a YAML document and the line of each path in it."""

    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """Return the line of ``path``, or of its nearest ancestor that has one.

        >>> LocatedData({}, {("a",): 3}).line_of(("a", "b"))
        3
        """
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return 0


def load_located(text: str) -> LocatedData:
    """Parse ``text`` as one YAML document and record where each value sits.

    >>> doc = load_located("a:\\n  - x: 1\\n")
    >>> doc.data, doc.line_of(("a", 0, "x"))
    ({'a': [{'x': 1}]}, 2)
    """
    try:
        node = yaml.compose(text, Loader=_DepthLimitedLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = error.problem or error.context or "invalid YAML"
        raise YamlError(line, f"not valid YAML: {problem}") from None
    except yaml.YAMLError as error:
        raise YamlError(0, f"not valid YAML: {error}") from None
    if node is None:
        return LocatedData(None, {(): 1})
    located = LocatedData(None)
    counter = [0]
    located.data = _convert(node, (), located.lines, counter)
    return located


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting deeper than ``MAX_DEPTH`` while it composes.

    Its parser is iterative but its composer recurses per level: without the limit,
    "[[[[..." thousands deep would end in a RecursionError instead of a message with a line.
    """

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                # Unannotated in PyYAML's stubs.
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                line = mark.line + 1 if mark is not None else 0
                raise YamlError(line, f"nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int], counter: list[int]) -> Any:
    counter[0] += 1
    if len(path) > MAX_DEPTH:
        raise YamlError(node.start_mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
    if counter[0] > MAX_NODES:
        raise YamlError(node.start_mark.line + 1, f"more than {MAX_NODES} values")
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(key_node.start_mark.line + 1, "a key must be plain text")
            key = key_node.value
            if key == "<<":
                raise YamlError(key_node.start_mark.line + 1, "merge keys (<<) are not supported")
            if key in result:
                raise YamlError(key_node.start_mark.line + 1, f"'{key}' is given twice")
            result[key] = _convert(value_node, (*path, key), lines, counter)
            # Point a key's path at the key itself when its value starts on a later line.
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, (*path, index), lines, counter) for index, item in enumerate(node.value)
        ]
    if node.tag == "tag:yaml.org,2002:timestamp":
        # Dates stay text: periods such as 2019-07-01 are parsed by pmf, not by YAML.
        return node.value
    try:
        return _SCALARS.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise YamlError(
            node.start_mark.line + 1, f"{node.value!r} is not a value YAML can read here"
        ) from None


_SCALARS = yaml.SafeLoader("")
