"""Score a unit's measures and weigh them into area scores, an overall score and a segment.

Two published methods, chosen by the framework file's ``scoring: {scale: ...}``
(``docs/methods.md``, "Scores and segments", gives the sources):

- Spider Impact's Goal/Red Flag scoring, 0 to 10 (higher is better): the red flag scores
  3.33, the goal 6.67, and the score is linear between and beyond them, reaching 0 one
  goal-to-red-flag distance on the far side of the red flag and 10 as far beyond the goal (or
  at the ``stretch``, when one is given). An area's score is the weighted average of its
  measures' scores, the unit's the weighted average of its areas'.
- The NHS Oversight Framework's metric scores, 1 (best) to 4: a discrete score from three cuts,
  or a continuous score from the unit's rank in its peer group; the weighted average of all of
  a unit's metric scores (the average metric score) places it in segment 1 to 4.

Every function here is pure: the values come in, numbers and the words of the calculation go
out, for pages, papers and the command line alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from pmf.core.framework import Framework, Measure, Polarity
from pmf.core.framework.scoring import MeasureScoring
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop, ngettext
from pmf.core.text import format_value

# Spider Impact's speedometer: three equal bands of the 0-10 scale.
RED_FLAG_SCORE = 10 / 3
GOAL_SCORE = 20 / 3
SPIDER_BANDS = ((GOAL_SCORE, "green"), (RED_FLAG_SCORE, "yellow"), (0.0, "red"))


def spider_score(value: float, goal: float, red_flag: float, stretch: float | None = None) -> float:
    """Return Spider Impact's Goal/Red Flag score of ``value``, from 0 to 10.

    The red flag scores 3.33 and the goal 6.67; 0 and 10 are one goal-to-red-flag distance
    beyond them (or 10 is at ``stretch``). Lower-is-better measures have a goal below the red
    flag; the arithmetic is the same.

    >>> round(spider_score(700, goal=700, red_flag=500), 2), spider_score(900, 700, 500)
    (6.67, 10.0)
    >>> spider_score(300, 700, 500), round(spider_score(600, 700, 500), 2)
    (0.0, 5.0)
    >>> round(spider_score(8, goal=10, red_flag=14), 2)  # lower is better
    8.33
    >>> round(spider_score(750, goal=700, red_flag=500, stretch=800), 2)
    8.33
    """
    step = goal - red_flag
    if value_beyond(value, goal, step):
        top = stretch if stretch is not None else goal + step
        score = GOAL_SCORE + (value - goal) / (top - goal) * (10 - GOAL_SCORE)
    else:
        score = RED_FLAG_SCORE + (value - red_flag) / step * RED_FLAG_SCORE
    return min(10.0, max(0.0, score))


def value_beyond(value: float, goal: float, step: float) -> bool:
    """Return whether ``value`` is past ``goal`` in the direction of improvement (``step``)."""
    return value > goal if step > 0 else value < goal


def spider_band(score: float) -> str:
    """Return Spider Impact's colour for a 0-10 score: red, yellow or green.

    >>> spider_band(2.0), spider_band(5.0), spider_band(6.67)
    ('red', 'yellow', 'green')
    """
    for floor, band in SPIDER_BANDS:
        if score >= floor - 0.005:  # 6.67 shown is the goal's score
            return band
    return "red"


def cut_score(value: float, cuts: Sequence[float], higher_is_better: bool) -> int:
    """Return the NHS Oversight Framework's discrete metric score: 1 (best) to 4.

    ``cuts`` are three values, best first: a value at least as good as the first scores 1,
    as the second 2, as the third 3, and worse 4.

    >>> cut_score(93, (92, 85, 78), True), cut_score(80, (92, 85, 78), True)
    (1, 3)
    >>> cut_score(2.0, (1, 2, 3), False), cut_score(3.5, (1, 2, 3), False)
    (2, 4)
    """
    for score, cut in enumerate(cuts, start=1):
        if (value >= cut) if higher_is_better else (value <= cut):
            return score
    return 4


def rank_score(rank: int, group_size: int) -> float:
    """Return the NHS Oversight Framework's continuous metric score from a rank: 1.00 to 4.00.

    The best of the group (rank 1) scores 1, the worst 4, and the ranks between are spread
    evenly: 1 + 3 x (rank - 1) / (group size - 1). A group of one scores 1.

    >>> rank_score(1, 16), rank_score(16, 16), rank_score(6, 16)
    (1.0, 4.0, 2.0)
    """
    if group_size <= 1:
        return 1.0
    return 1 + 3 * (min(rank, group_size) - 1) / (group_size - 1)


def segment_of(average: float, thresholds: Sequence[float]) -> int:
    """Return the NHS Oversight Framework segment (1 to 4) of an average metric score.

    ``thresholds`` are the averages at which segments 1, 2 and 3 end (inclusive).

    >>> segment_of(1.6, (1.75, 2.5, 3.25)), segment_of(2.5, (1.75, 2.5, 3.25))
    (1, 2)
    >>> segment_of(3.3, (1.75, 2.5, 3.25))
    4
    """
    for segment, end in enumerate(thresholds, start=1):
        if average <= end:
            return segment
    return len(thresholds) + 1


@dataclass(frozen=True)
class MeasureValue:
    """What a measure's score is computed from: the unit's latest figure and peer rank."""

    measure: str
    period: str | None
    value: float | None
    rank: int | None = None
    group_size: int | None = None


@dataclass(frozen=True)
class MeasureScore:
    """One measure's score, its weight, and how the score was computed (in words)."""

    measure: str
    name: str
    area: str
    period: str | None
    value: float | None
    value_text: str
    weight: float
    method: str
    thresholds: str
    score: float | None
    calculation: str


@dataclass(frozen=True)
class AreaScore:
    """One area's score: the weighted average of its measures' scores."""

    area: str
    name: str
    weight: float
    score: float | None
    calculation: str
    measures: tuple[MeasureScore, ...]


@dataclass(frozen=True)
class UnitScores:
    """A unit's scores: by measure within area, overall, and the band or segment."""

    unit: str
    scale: str
    areas: tuple[AreaScore, ...]
    score: float | None
    calculation: str
    band: str | None
    segment: int | None

    @property
    def scale_text(self) -> str:
        """Return the scale in words, for headings and captions."""
        return SCALE_WORDS[self.scale]

    @property
    def measures(self) -> tuple[MeasureScore, ...]:
        """Return every measure's score, area by area."""
        return tuple(item for area in self.areas for item in area.measures)


SCALE_WORDS = {
    "spider": gettext_noop("Spider Impact scores, 0 to 10 (higher is better)"),
    "nof": gettext_noop("NHS Oversight Framework metric scores, 1 (best) to 4"),
}


def score_unit(
    framework: Framework, unit: str, values: Mapping[str, MeasureValue]
) -> UnitScores | None:
    """Return ``unit``'s scores from its ``values`` by measure, or None when nothing scores it.

    Nothing scores a unit when the framework has no ``scoring:``, or when no scored measure
    applies to the unit's type (``unit_types``).

    A measure with no figure (or, ranked, no rank) has no score and does not count in the
    averages; the calculation says so.

    >>> from pmf.core.framework import Framework, FrameworkModel
    >>> framework = Framework(FrameworkModel.model_validate({
    ...     "organisation": {"code": "O", "name": "O"},
    ...     "areas": [{"code": "A", "name": "Area"}],
    ...     "units": [{"code": "U", "name": "U", "type": "t"}],
    ...     "measures": [{"code": "M", "name": "M", "area": "A", "kind": "kpi",
    ...                   "polarity": "higher_is_better", "unit_of_measure": "count",
    ...                   "frequency": "month"}],
    ...     "scoring": {"scale": "spider",
    ...                 "measures": [{"measure": "M", "goal": 700, "red_flag": 500}]}}))
    >>> result = score_unit(framework, "U", {"M": MeasureValue("M", "2024-01", 800)})
    >>> round(result.score, 2), result.band
    (8.33, 'green')
    """
    scoring = framework.model.scoring
    if scoring is None:
        return None
    by_area: dict[str, list[MeasureScore]] = {}
    applying = scoring.for_unit_type(framework.unit(unit).type)
    if not applying:
        return None
    for item in applying:
        measure = framework.measure(item.measure)
        latest = values.get(item.measure) or MeasureValue(item.measure, None, None)
        scored = _measure_score(item, latest, measure)
        by_area.setdefault(measure.area, []).append(scored)
    areas = tuple(
        _area_score(area.code, area.name, scoring.areas.get(area.code, 1.0), by_area[area.code])
        for area in framework.areas
        if area.code in by_area
    )
    if scoring.scale == "spider":
        overall, calculation = _weighted(
            [(area.name, area.score, area.weight) for area in areas], "area"
        )
        band = spider_band(overall) if overall is not None else None
        return UnitScores(unit, "spider", areas, overall, calculation, band, None)
    # The Oversight Framework averages every metric score, not the domains' averages.
    every = [(item.name, item.score, item.weight) for area in areas for item in area.measures]
    overall, calculation = _weighted(every, "metric")
    segment = segment_of(overall, scoring.segment_thresholds) if overall is not None else None
    if segment is not None:
        ends = ", ".join(f"{end:g}" for end in scoring.segment_thresholds)
        calculation += _("; segments end at {ends}: segment {segment}").format(
            ends=ends, segment=segment
        )
    return UnitScores(unit, "nof", areas, overall, calculation, None, segment)


def _measure_score(item: MeasureScoring, latest: MeasureValue, measure: Measure) -> MeasureScore:
    def shown(value: float) -> str:
        return format_value(value, measure)

    def exact(value: float) -> str:
        return _exact(value, measure)

    higher = measure.polarity is Polarity.HIGHER_IS_BETTER
    score: float | None = None
    if item.method == "thresholds":
        assert item.goal is not None and item.red_flag is not None
        if item.stretch is not None:
            thresholds = _("red flag {red_flag}, goal {goal}, stretch {stretch}").format(
                red_flag=shown(item.red_flag), goal=shown(item.goal), stretch=shown(item.stretch)
            )
        else:
            thresholds = _("red flag {red_flag}, goal {goal}").format(
                red_flag=shown(item.red_flag), goal=shown(item.goal)
            )
        if latest.value is None:
            calculation = _("no figure: not scored")
        else:
            score = spider_score(latest.value, item.goal, item.red_flag, item.stretch)
            calculation = _spider_words(latest.value, item, score, exact)
    elif item.method == "cuts":
        assert item.cuts is not None
        cut_words = _("{score} if at least {cut}") if higher else _("{score} if at most {cut}")
        thresholds = "; ".join(
            cut_words.format(score=number, cut=shown(cut))
            for number, cut in zip((1, 2, 3), item.cuts, strict=True)
        )
        thresholds += _("; else 4")
        if latest.value is None:
            calculation = _("no figure: not scored")
        else:
            score = float(cut_score(latest.value, item.cuts, higher))
            calculation = _("{value} scores {score}").format(
                value=shown(latest.value), score=f"{score:.0f}"
            )
    else:
        thresholds = _("ranked in the peer group: 1 + 3 × (rank − 1) ÷ (group size − 1)")
        if latest.rank is None or latest.group_size is None:
            calculation = _("no rank in a peer group: not scored")
        else:
            score = rank_score(latest.rank, latest.group_size)
            calculation = _("rank {rank} of {size}: {sum}").format(
                rank=latest.rank,
                size=latest.group_size,
                sum=f"1 + 3 × {latest.rank - 1} ÷ {latest.group_size - 1} = {score:.2f}",
            )
    return MeasureScore(
        measure=item.measure,
        name=measure.name,
        area=measure.area,
        period=latest.period,
        value=latest.value,
        value_text=format_value(latest.value, measure),
        weight=item.weight,
        method=item.method,
        thresholds=thresholds,
        score=score,
        calculation=calculation,
    )


def _exact(value: float, measure: Measure) -> str:
    """Return ``value`` with the digits its score's arithmetic needs (two beyond the measure's).

    A calculation written with the figure as the scorecard rounds it would not give the score
    beside it (0.22 against a goal of 0.22 scoring 6.28, not 6.67); trailing zeros are dropped
    down to the measure's own decimals.

    >>> from pmf.core.framework import Measure
    >>> m = Measure(code="X", name="X", area="A", kind="kpi", polarity="lower_is_better",
    ...             unit_of_measure="rate", frequency="month", decimals=2)
    >>> _exact(0.224567, m), _exact(0.26, m), _exact(1.5, m)
    ('0.2246', '0.26', '1.50')
    """
    digits = measure.decimals + 2
    text = f"{value:.{digits}f}".rstrip("0")
    shown = max(len(text.partition(".")[2]), measure.decimals)
    return format_value(value, measure.model_copy(update={"decimals": shown}))


def _spider_words(
    value: float, item: MeasureScoring, score: float, show: Callable[[float], str]
) -> str:
    assert item.goal is not None and item.red_flag is not None
    step = item.goal - item.red_flag
    if value_beyond(value, item.goal, step):
        top = item.stretch if item.stretch is not None else item.goal + step
        words = (
            f"6.67 + ({show(value)} − {show(item.goal)}) ÷ ({show(top)} − {show(item.goal)}) × 3.33"
        )
    else:
        words = (
            f"3.33 + ({show(value)} − {show(item.red_flag)}) ÷ "
            f"({show(item.goal)} − {show(item.red_flag)}) × 3.33"
        )
    clipped = _(" (kept within 0 to 10)") if score in (0.0, 10.0) else ""
    return f"{words} = {score:.2f}{clipped}"


def _area_score(code: str, name: str, weight: float, measures: Iterable[MeasureScore]) -> AreaScore:
    found = tuple(measures)
    score, calculation = _weighted([(m.name, m.score, m.weight) for m in found], "measure")
    return AreaScore(code, name, weight, score, calculation, found)


def _weighted(
    parts: Sequence[tuple[str, float | None, float]], noun: str
) -> tuple[float | None, str]:
    """Return the weighted average of the scored parts and the sum written out."""
    scored = [(name, score, weight) for name, score, weight in parts if score is not None]
    left_out = len(parts) - len(scored)
    if not scored:
        nothing = {
            "area": _("no area has a score"),
            "metric": _("no metric has a score"),
            "measure": _("no measure has a score"),
        }
        return None, nothing.get(noun, f"no {noun} has a score")
    total = sum(weight for _, _, weight in scored)
    average = sum(score * weight for _, score, weight in scored) / total
    terms = " + ".join(f"{score:.2f} × {weight:g}" for _, score, weight in scored)
    words = f"({terms}) ÷ {total:g} = {average:.2f}"
    if left_out:
        if noun == "area":
            without = ngettext(
                "; {count} area without a score left out",
                "; {count} areas without a score left out",
                left_out,
            )
        elif noun == "metric":
            without = ngettext(
                "; {count} metric without a score left out",
                "; {count} metrics without a score left out",
                left_out,
            )
        else:
            without = ngettext(
                "; {count} measure without a score left out",
                "; {count} measures without a score left out",
                left_out,
            )
        words += without.format(count=left_out)
    return average, words
