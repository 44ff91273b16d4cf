"""When each unit is in the framework: the figures of a unit before it joined are not judged.

A unit's ``member`` in the framework file (``docs/framework.md``, "Units joining and
leaving") names the first period it is in the framework and the last. A unit is in it for
the periods that END on or after the first day of ``from`` and on or before the last day of
``until``; a unit below another is in it only while the one above is too. A figure of a
period outside is kept (and a parent's roll-up still adds it) but the unit is not judged on
it: the assessment, its SPC baselines, the comparisons with earlier periods and with peers
and the grades start at the period it joined and stop at the period it left.

>>> from pmf.core.framework import FrameworkModel, Framework
>>> framework = Framework(FrameworkModel.model_validate({
...     "organisation": {"code": "F", "name": "Force"},
...     "areas": [{"code": "A", "name": "Area"}],
...     "units": [{"code": "F", "name": "Force", "type": "force"},
...               {"code": "CM", "name": "Contact Management", "type": "command",
...                "parent": "F", "member": {"from": "2025-09"}}]}))
>>> span = member_span(framework, "CM")
>>> span.starts, span.ends
(datetime.date(2025, 9, 1), None)
>>> span.holds(dt.date(2025, 8, 31)), span.holds(dt.date(2025, 9, 30))
(False, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from pmf.core.framework import Framework, Unit
from pmf.core.i18n import gettext as _
from pmf.core.periods import parse_period
from pmf.core.text import period_name

__all__ = [
    "MemberSpan",
    "joined_or_left",
    "keep_members",
    "member_span",
    "members_at",
    "membership_words",
]


@dataclass(frozen=True)
class MemberSpan:
    """The days a unit is in the framework: periods ending from ``starts`` to ``ends``.

    ``starts`` is the first day of the period it joined (None: always in it), ``ends`` the
    last day of the period it left (None: still in it). ``joined`` and ``left`` are those
    periods' codes, as the framework file names them.
    """

    starts: dt.date | None = None
    ends: dt.date | None = None
    joined: str | None = None
    left: str | None = None

    @property
    def always(self) -> bool:
        """Return whether the unit has been in the framework throughout."""
        return self.starts is None and self.ends is None

    def holds(self, period_end: dt.date) -> bool:
        """Return whether a period ending on ``period_end`` is one the unit is judged on."""
        if self.starts is not None and period_end < self.starts:
            return False
        return self.ends is None or period_end <= self.ends


def _own_span(unit: Unit) -> MemberSpan:
    if unit.member is None:
        return MemberSpan()
    starts = parse_period(unit.member.starts) if unit.member.starts else None
    ends = parse_period(unit.member.ends) if unit.member.ends else None
    return MemberSpan(
        starts=starts.start if starts else None,
        ends=ends.end if ends else None,
        joined=starts.code if starts else None,
        left=ends.code if ends else None,
    )


def member_span(framework: Framework, code: str) -> MemberSpan:
    """Return the span unit ``code`` is in the framework: its own within its parents'.

    A unit joins no earlier than the unit above it and leaves no later; the span names the
    periods of whichever set each end.
    """
    unit = framework.unit(code)
    span = _own_span(unit)
    if unit.parent is None:
        return span
    above = member_span(framework, unit.parent)
    starts, joined = span.starts, span.joined
    if above.starts is not None and (starts is None or above.starts > starts):
        starts, joined = above.starts, above.joined
    ends, left = span.ends, span.left
    if above.ends is not None and (ends is None or above.ends < ends):
        ends, left = above.ends, above.left
    return MemberSpan(starts=starts, ends=ends, joined=joined, left=left)


def members_at(framework: Framework, codes: Iterable[str], cut: dt.date) -> list[str]:
    """Return the units of ``codes`` that are in the framework for a period ending on ``cut``.

    Unknown codes are kept: membership only ever leaves a unit out.
    """
    known = {unit.code for unit in framework.units}
    return [code for code in codes if code not in known or member_span(framework, code).holds(cut)]


def keep_members(framework: Framework, frame: pl.DataFrame) -> pl.DataFrame:
    """Drop the rows of ``frame`` (columns unit, and period_end or period) for periods outside
    each unit's span; the frame is returned as it is when every unit is always a member."""
    spans = {
        unit.code: member_span(framework, unit.code)
        for unit in framework.units
        if unit.member is not None or unit.parent is not None
    }
    bounded = {code: span for code, span in spans.items() if not span.always}
    if not bounded or frame.height == 0:
        return frame
    table = pl.DataFrame(
        {
            "unit": list(bounded),
            "_member_starts": [span.starts for span in bounded.values()],
            "_member_ends": [span.ends for span in bounded.values()],
        },
        schema={"unit": pl.String, "_member_starts": pl.Date, "_member_ends": pl.Date},
    )
    if "period_end" not in frame.columns:
        ends = {code: parse_period(code).end for code in frame["period"].unique().to_list()}
        return keep_members(
            framework,
            frame.with_columns(
                pl.col("period").replace_strict(ends, return_dtype=pl.Date).alias("period_end")
            ),
        ).drop("period_end")
    inside = (
        pl.col("_member_starts").is_null() | (pl.col("period_end") >= pl.col("_member_starts"))
    ) & (pl.col("_member_ends").is_null() | (pl.col("period_end") <= pl.col("_member_ends")))
    return (
        frame.join(table, on="unit", how="left")
        .filter(inside)
        .drop("_member_starts", "_member_ends")
    )


def joined_or_left(
    framework: Framework, since: dt.date | None, until: dt.date
) -> list[tuple[Unit, str]]:
    """Return the units that joined or left in the periods ending after ``since`` and by
    ``until`` (a cycle's span), each with ``"joined"`` or ``"left"``, in framework order.

    A unit joins in the span when its first period ends in it; it leaves when its last does.
    """
    changed: list[tuple[Unit, str]] = []
    for unit in framework.units:
        if unit.external or unit.member is None:
            continue
        own = _own_span(unit)
        if own.joined is not None:
            first_end = parse_period(own.joined).end
            if (since is None or first_end > since) and first_end <= until:
                changed.append((unit, "joined"))
        if own.left is not None:
            last_end = parse_period(own.left).end
            if (since is None or last_end > since) and last_end <= until:
                changed.append((unit, "left"))
    return changed


def membership_words(
    framework: Framework, code: str, cut: dt.date, since: dt.date | None = None
) -> str | None:
    """Return a sentence on when unit ``code`` joined or left, or None when it always was in.

    ``cut`` is the last day of the periods shown (a cycle's cut-off) and ``since`` the
    previous cycle's, so a unit whose first period ends between the two "joined this cycle".

    >>> from pmf.core.framework import FrameworkModel, Framework
    >>> framework = Framework(FrameworkModel.model_validate({
    ...     "organisation": {"code": "F", "name": "Force"},
    ...     "areas": [{"code": "A", "name": "Area"}],
    ...     "units": [{"code": "CM", "name": "Contact Management", "type": "command",
    ...                "member": {"from": "2025-09"}}]}))
    >>> words = membership_words(framework, "CM", dt.date(2025, 11, 30), dt.date(2025, 8, 31))
    >>> words.split(":")[0]
    'Contact Management joined the framework this cycle (from September 2025)'
    >>> words = membership_words(framework, "CM", dt.date(2026, 2, 28), dt.date(2025, 11, 30))
    >>> words.startswith("Contact Management joined the framework from September 2025: its")
    True
    """
    span = member_span(framework, code)
    if span.always:
        return None
    name = framework.unit(code).name
    sentence = ""
    if span.joined is not None:
        label = period_name(span.joined)
        joined_end = parse_period(span.joined).end
        if joined_end > cut:
            sentence = _("{unit} joins the framework from {period}")
        elif since is not None and since < joined_end:
            sentence = _("{unit} joined the framework this cycle (from {period})")
        else:
            sentence = _("{unit} joined the framework from {period}")
        sentence = sentence.format(unit=name, period=label)
    if span.left is not None:
        label = period_name(span.left)
        left_end = parse_period(span.left).end
        if left_end > cut:
            left = _("{joined} and leaves it after {period}") if sentence else None
            alone = _("{unit} leaves the framework after {period}")
        elif since is not None and since < left_end:
            left = _("{joined} and left it this cycle after {period}") if sentence else None
            alone = _("{unit} left the framework this cycle after {period}")
        else:
            left = _("{joined} and left it after {period}") if sentence else None
            alone = _("{unit} left the framework after {period}")
        if left is not None:
            sentence = left.format(joined=sentence, period=label)
        else:
            sentence = alone.format(unit=name, period=label)
    tail = []
    if span.joined is not None:
        tail.append(_("its figures before then are not judged"))
    if span.left is not None and span.ends is not None and span.ends <= cut:
        tail.append(_("it is not judged after it left"))
    if tail:
        return _("{sentence}: {notes}.").format(sentence=sentence, notes="; ".join(tail))
    return _("{sentence}.").format(sentence=sentence)
