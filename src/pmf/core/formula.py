"""Read and compute a calculated measure's formula: measure codes, numbers, + - * / and ( ).

A framework measure may say ``formula: VWI + ROBBERY + SEXUAL`` or
``formula: DETECTED / RECORDED * 100``; its value for a unit and period is then computed
from the values of the measures it names for the same unit and period. This module only
reads and evaluates formulas and orders them; storing the results, with lineage to every
input figure, is the web layer's job.

The grammar, in order of binding (``*`` and ``/`` bind tighter than ``+`` and ``-``, both
left to right; a leading ``+`` or ``-`` negates what follows)::

    sum     = product (("+" | "-") product)*
    product = unary (("*" | "/") unary)*
    unary   = ("+" | "-") unary | atom
    atom    = NUMBER | CODE | "(" sum ")"

A word is read the way the framework reads a code (letters, digits, ``_``, ``.`` and ``-``,
not starting with ``_``, ``.`` or ``-``), so ``A-B`` is one code: a minus sign between two
codes needs a space before it (``A - B``). A word that is all digits with at most one
decimal point (``100``, ``0.5``) is a number.

A formula's value is missing when any input's value is missing, when it divides by zero and
when the result is not a finite number: a calculated figure is never made up from part of
its inputs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "Binary",
    "Code",
    "Formula",
    "FormulaCycleError",
    "FormulaError",
    "Negate",
    "Node",
    "Number",
    "Ratio",
    "Term",
    "calculation_order",
    "dependents",
    "find_cycle",
    "parse_formula",
]

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_OPERATORS = frozenset("+-*/()")
MAX_LENGTH = 2000
"""The longest formula read: a framework file's formula is a line, not a program."""
MAX_DEPTH = 50
"""The deepest nesting of parentheses and signs read (recursion stays well in bounds)."""


class FormulaError(ValueError):
    """A formula that cannot be read; ``position`` is the 0-based character it failed at."""

    def __init__(self, message: str, *, text: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.text = text
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position + 1} of {self.text!r})"


class FormulaCycleError(ValueError):
    """Formulas that use each other in a circle; ``cycle`` names them, the first repeated last."""

    def __init__(self, cycle: tuple[str, ...]) -> None:
        super().__init__("the formulas of " + " → ".join(cycle) + " use each other in a circle")
        self.cycle = cycle


@dataclass(frozen=True, slots=True)
class Number:
    """A constant, such as the 100 of a percentage."""

    value: float


@dataclass(frozen=True, slots=True)
class Code:
    """A measure named in a formula: its value for the same unit and period."""

    code: str


@dataclass(frozen=True, slots=True)
class Negate:
    """A leading minus sign."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Binary:
    """Two parts joined by ``+``, ``-``, ``*`` or ``/``."""

    operator: Literal["+", "-", "*", "/"]
    left: Node
    right: Node


Node = Number | Code | Negate | Binary


@dataclass(frozen=True, slots=True)
class Term:
    """One measure of a formula that is a signed sum: ``sign`` is +1 (added) or -1 (taken away)."""

    code: str
    sign: Literal[1, -1]


@dataclass(frozen=True, slots=True)
class Ratio:
    """A formula of the form ``numerator / denominator`` times a constant ``multiplier``."""

    numerator: str
    denominator: str
    multiplier: float


@dataclass(frozen=True)
class Formula:
    """A formula as read: ``text`` as written, ``tree`` its parts, ``inputs`` the codes it names.

    >>> f = parse_formula("VWI + ROBBERY + SEXUAL")
    >>> f.inputs
    ('VWI', 'ROBBERY', 'SEXUAL')
    >>> f.evaluate({"VWI": 10, "ROBBERY": 2, "SEXUAL": 3})
    15.0
    >>> [(t.code, t.sign) for t in f.terms() or ()]
    [('VWI', 1), ('ROBBERY', 1), ('SEXUAL', 1)]
    """

    text: str
    tree: Node = field(repr=False)
    inputs: tuple[str, ...] = field(default=())

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """Return the formula's value from its inputs' values, or None when it has none.

        None when an input is missing (absent or None), when a division is by zero or
        when the result is not finite.

        >>> parse_formula("A / B * 100").evaluate({"A": 3, "B": 4})
        75.0
        >>> parse_formula("A / B").evaluate({"A": 3, "B": 0}) is None
        True
        >>> parse_formula("A + B").evaluate({"A": 3}) is None
        True
        """
        try:
            result = _evaluate(self.tree, values)
        except (_Missing, ZeroDivisionError, OverflowError):
            return None
        return result if math.isfinite(result) else None

    def terms(self) -> tuple[Term, ...] | None:
        """Return the measures added and taken away when the formula is a signed sum of them.

        None when the formula multiplies, divides or has a constant, or names a measure
        twice: its value is then not the sum of one contribution per measure.

        >>> [(t.code, t.sign) for t in parse_formula("A - (B - C)").terms() or ()]
        [('A', 1), ('B', -1), ('C', 1)]
        >>> parse_formula("A / B").terms() is None
        True
        """
        collected: list[Term] = []
        if not _collect_terms(self.tree, 1, collected):
            return None
        codes = [term.code for term in collected]
        if len(set(codes)) != len(codes):
            return None
        return tuple(collected)

    def ratio(self) -> Ratio | None:
        """Return the parts of a ratio of two measures: ``A / B``, ``A / B * k`` or ``k * A / B``.

        >>> parse_formula("DETECTED / RECORDED * 100").ratio()
        Ratio(numerator='DETECTED', denominator='RECORDED', multiplier=100.0)
        >>> parse_formula("A + B").ratio() is None
        True
        """
        return _ratio(self.tree)

    def render(self, names: Mapping[str, str] | None = None) -> str:
        """Return the formula written out evenly, each code replaced by its name in ``names``.

        Parentheses are kept only where they are needed.

        >>> parse_formula("(A+B)*  2").render({"A": "Violence", "B": "Robbery"})
        '(Violence + Robbery) × 2'
        """
        return _render(self.tree, names or {}, 0)

    def __str__(self) -> str:
        return self.text


def parse_formula(text: str) -> Formula:
    """Read a formula; raise :class:`FormulaError` saying where and why it cannot be read.

    >>> parse_formula("(VWI + ROBBERY) / POP * 1000").inputs
    ('VWI', 'ROBBERY', 'POP')
    >>> try:
    ...     parse_formula("A + * B")
    ... except FormulaError as error:
    ...     print(error.position, error.message)
    4 '*' cannot come here: a measure code, a number or '(' was expected
    """
    if not isinstance(text, str):
        raise FormulaError("a formula is text", text=str(text), position=0)
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"the formula is longer than {MAX_LENGTH} characters", text=text[:40], position=0
        )
    tokens = _tokenise(text)
    parser = _Parser(text, tokens)
    tree = parser.parse()
    inputs: list[str] = []
    for code in _codes(tree):
        if code not in inputs:
            inputs.append(code)
    if not inputs:
        raise FormulaError("the formula names no measure", text=text, position=0)
    return Formula(text=text.strip(), tree=tree, inputs=tuple(inputs))


def calculation_order(formulas: Mapping[str, Formula]) -> tuple[str, ...]:
    """Return the calculated measures in an order where each comes after those it uses.

    ``formulas`` maps a measure's code to its formula; inputs that are not calculated are
    ignored. Among measures free to go in any order, the order is alphabetical, so the
    result is the same every time. Raise :class:`FormulaCycleError` naming the measures of
    a circle.

    >>> calculation_order({"C": parse_formula("B * 2"), "B": parse_formula("A + 1")})
    ('B', 'C')
    """
    cycle = find_cycle(formulas)
    if cycle is not None:
        raise FormulaCycleError(cycle)
    uses = {code: {i for i in f.inputs if i in formulas} for code, f in formulas.items()}
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(uses):
        ready = sorted(code for code, needs in uses.items() if code not in done and needs <= done)
        order.extend(ready)
        done.update(ready)
    return tuple(order)


def find_cycle(formulas: Mapping[str, Formula]) -> tuple[str, ...] | None:
    """Return one circle of formulas (``A, B, A``: A uses B, B uses A), or None when none.

    >>> find_cycle({"A": parse_formula("B + 1"), "B": parse_formula("A * 2")})
    ('A', 'B', 'A')
    """
    state: dict[str, int] = {}  # 1 while on the path being followed, 2 once finished
    for start in sorted(formulas):
        if state.get(start):
            continue
        path: list[str] = [start]
        stack: list[Iterator[str]] = [iter(sorted(_calculated(formulas, start)))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
                continue
            if state.get(nxt) == 1:
                return (*path[path.index(nxt) :], nxt)
            if state.get(nxt) == 2:
                continue
            state[nxt] = 1
            path.append(nxt)
            stack.append(iter(sorted(_calculated(formulas, nxt))))
    return None


def dependents(formulas: Mapping[str, Formula], changed: Iterable[str]) -> tuple[str, ...]:
    """Return the calculated measures whose value depends on ``changed``, in calculation order.

    Those using a changed measure directly and those using them in turn: what must be
    recalculated when a figure of a ``changed`` measure is stored or revised.

    >>> fs = {"B": parse_formula("A + 1"), "C": parse_formula("B * 2"), "D": parse_formula("X")}
    >>> dependents(fs, ["A"])
    ('B', 'C')
    """
    reached: set[str] = set()
    frontier = set(changed)
    while frontier:
        found = {
            code
            for code, formula in formulas.items()
            if code not in reached and frontier.intersection(formula.inputs)
        }
        reached.update(found)
        frontier = found
    return tuple(code for code in calculation_order(formulas) if code in reached)


def _calculated(formulas: Mapping[str, Formula], code: str) -> list[str]:
    return [i for i in formulas[code].inputs if i in formulas]


class _Missing(Exception):
    """An input has no value."""


def _evaluate(node: Node, values: Mapping[str, float | None]) -> float:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Code):
        value = values.get(node.code)
        if value is None:
            raise _Missing(node.code)
        number = float(value)
        if math.isnan(number):
            raise _Missing(node.code)
        return number
    if isinstance(node, Negate):
        return -_evaluate(node.operand, values)
    left = _evaluate(node.left, values)
    right = _evaluate(node.right, values)
    if node.operator == "+":
        return left + right
    if node.operator == "-":
        return left - right
    if node.operator == "*":
        return left * right
    return left / right


def _codes(node: Node) -> Iterable[str]:
    if isinstance(node, Code):
        yield node.code
    elif isinstance(node, Negate):
        yield from _codes(node.operand)
    elif isinstance(node, Binary):
        yield from _codes(node.left)
        yield from _codes(node.right)


def _collect_terms(node: Node, sign: Literal[1, -1], into: list[Term]) -> bool:
    if isinstance(node, Code):
        into.append(Term(node.code, sign))
        return True
    if isinstance(node, Negate):
        return _collect_terms(node.operand, _flip(sign), into)
    if isinstance(node, Binary) and node.operator in "+-":
        right_sign = sign if node.operator == "+" else _flip(sign)
        return _collect_terms(node.left, sign, into) and _collect_terms(
            node.right, right_sign, into
        )
    return False


def _flip(sign: Literal[1, -1]) -> Literal[1, -1]:
    return -1 if sign == 1 else 1


def _ratio(node: Node) -> Ratio | None:
    if not isinstance(node, Binary):
        return None
    if node.operator == "/" and isinstance(node.left, Code) and isinstance(node.right, Code):
        return Ratio(node.left.code, node.right.code, 1.0)
    if node.operator == "*":
        for inner, constant in ((node.left, node.right), (node.right, node.left)):
            if isinstance(constant, Number):
                found = _ratio(inner)
                if found is not None:
                    return Ratio(
                        found.numerator, found.denominator, found.multiplier * constant.value
                    )
        # k * A / B reads as (k * A) / B
    if (
        node.operator == "/"
        and isinstance(node.right, Code)
        and isinstance(node.left, Binary)
        and node.left.operator == "*"
    ):
        a, b = node.left.left, node.left.right
        if isinstance(a, Number) and isinstance(b, Code):
            return Ratio(b.code, node.right.code, a.value)
        if isinstance(a, Code) and isinstance(b, Number):
            return Ratio(a.code, node.right.code, b.value)
    return None


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}
_SYMBOL = {"+": "+", "-": "−", "*": "×", "/": "÷"}


def _render(node: Node, names: Mapping[str, str], outer: int, *, right: bool = False) -> str:
    if isinstance(node, Number):
        return str(int(node.value)) if node.value.is_integer() else repr(node.value)
    if isinstance(node, Code):
        return names.get(node.code, node.code)
    if isinstance(node, Negate):
        return "−" + _render(node.operand, names, 3)
    level = _PRECEDENCE[node.operator]
    text = (
        _render(node.left, names, level)
        + f" {_SYMBOL[node.operator]} "
        + _render(node.right, names, level, right=True)
    )
    # The right side of - and / needs its brackets even at the same level: A - (B - C).
    if level < outer or (right and level == outer and level > 0):
        return f"({text})"
    return text


@dataclass(frozen=True, slots=True)
class _Token:
    kind: Literal["number", "code", "op", "end"]
    text: str
    position: int


def _tokenise(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in _OPERATORS:
            tokens.append(_Token("op", char, i))
            i += 1
            continue
        number = _NUMBER.match(text, i)
        word = _WORD.match(text, i)
        if word and (not number or len(word.group()) > len(number.group())):
            if _NUMBER.fullmatch(word.group()):
                tokens.append(_Token("number", word.group(), i))
            else:
                tokens.append(_Token("code", word.group(), i))
            i = word.end()
            continue
        if number:
            tokens.append(_Token("number", number.group(), i))
            i = number.end()
            continue
        raise FormulaError(
            f"{char!r} is not allowed: a formula has measure codes, numbers, + - * / and ( )",
            text=text,
            position=i,
        )
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str, tokens: list[_Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.at = 0
        self.depth = 0

    def parse(self) -> Node:
        if self.tokens[0].kind == "end":
            raise FormulaError("the formula is empty", text=self.text, position=0)
        tree = self._sum()
        token = self.tokens[self.at]
        if token.kind != "end":
            message = (
                "')' closes no '('"
                if token.text == ")"
                else f"{token.text!r} cannot come here: an operator (+ - * /) was expected"
            )
            raise FormulaError(message, text=self.text, position=token.position)
        return tree

    def _peek(self) -> _Token:
        return self.tokens[self.at]

    def _take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _sum(self) -> Node:
        node = self._product()
        while self._peek().kind == "op" and self._peek().text in "+-":
            operator = self._take().text
            node = Binary("+" if operator == "+" else "-", node, self._product())
        return node

    def _product(self) -> Node:
        node = self._unary()
        while self._peek().kind == "op" and self._peek().text in "*/":
            operator = self._take().text
            node = Binary("*" if operator == "*" else "/", node, self._unary())
        return node

    def _unary(self) -> Node:
        token = self._peek()
        if token.kind == "op" and token.text in "+-":
            self._take()
            self._enter(token)
            operand = self._unary()
            self.depth -= 1
            return operand if token.text == "+" else Negate(operand)
        return self._atom()

    def _atom(self) -> Node:
        token = self._take()
        if token.kind == "number":
            return Number(float(token.text))
        if token.kind == "code":
            return Code(token.text)
        if token.kind == "op" and token.text == "(":
            self._enter(token)
            inner = self._sum()
            self.depth -= 1
            closing = self._take()
            if closing.kind != "op" or closing.text != ")":
                raise FormulaError("a '(' is not closed", text=self.text, position=closing.position)
            return inner
        if token.kind == "end":
            raise FormulaError(
                "the formula ends where a measure code, a number or '(' was expected",
                text=self.text,
                position=token.position,
            )
        raise FormulaError(
            f"{token.text!r} cannot come here: a measure code, a number or '(' was expected",
            text=self.text,
            position=token.position,
        )

    def _enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(
                f"the formula nests deeper than {MAX_DEPTH} levels",
                text=self.text,
                position=token.position,
            )
