"""The framework file's ``scoring:`` section: how measures are scored and weighted into areas.

Two scales (``docs/framework.md``, "Scoring"; the methods in ``docs/methods.md``):

- ``spider``: Spider Impact's 0 to 10. Each measure names a ``goal`` and a ``red_flag`` (and
  may name a ``stretch``); its score is linear between them.
- ``nof``: the NHS Oversight Framework's 1 (best) to 4. Each measure is scored by ``cuts``
  (three values, best first: at least as good as the first scores 1, ..., worse than the third
  4) or ``ranked`` (continuous, from the unit's rank in its peer group); the weighted average
  of a unit's metric scores puts it in a segment by the ``segments`` thresholds.

Scores are computed by ``pmf.core.scoring``; ``pmf.core.framework.references`` checks what the
section says about measures and areas (``scoring_references``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The framework schema's code pattern, repeated here so that the schema can import this module.
_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
Code = Annotated[str, Field(pattern=_CODE, max_length=64)]
Scale = Literal["spider", "nof"]
Weight = Annotated[float, Field(gt=0, le=1000)]

# NHS Oversight Framework segments from the average metric score, when the file gives none:
# the 1-to-4 range cut into equal quarters (docs/methods.md says why and how to change it).
DEFAULT_SEGMENTS = (1.75, 2.5, 3.25)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeasureScoring(_Part):
    """How one measure is scored and how much it weighs in its area's score.

    Spider Impact: ``goal`` and ``red_flag`` (both needed), ``stretch`` optional.
    NHS Oversight Framework: ``cuts`` (three values, best first) or ``ranked: true``.
    ``unit_types``: the types of unit it applies to (default: every unit); a measure may be
    listed once per set of unit types, and a unit takes the first entry that applies to it.
    """

    measure: Code
    weight: Weight = 1.0
    goal: float | None = None
    red_flag: float | None = None
    stretch: float | None = None
    cuts: tuple[float, float, float] | None = None
    ranked: bool = False
    unit_types: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _one_method(self) -> MeasureScoring:
        spider = any(value is not None for value in (self.goal, self.red_flag, self.stretch))
        nof = self.cuts is not None or self.ranked
        if spider and nof:
            raise ValueError(
                "a measure is scored by goal and red_flag (spider) or by cuts or ranked (nof), "
                "not both"
            )
        if spider and (self.goal is None or self.red_flag is None):
            raise ValueError("spider scoring needs both goal and red_flag")
        if self.goal is not None and self.goal == self.red_flag:
            raise ValueError("goal and red_flag must differ")
        if self.cuts is not None and self.ranked:
            raise ValueError("a measure is scored by cuts or ranked, not both")
        if not spider and not nof:
            raise ValueError("say how the measure is scored: goal and red_flag, cuts, or ranked")
        if self.goal is not None and self.red_flag is not None and self.stretch is not None:
            higher = self.goal > self.red_flag
            if (self.stretch <= self.goal) if higher else (self.stretch >= self.goal):
                side = "above" if higher else "below"
                raise ValueError(f"stretch must be beyond the goal ({side} {self.goal:g})")
        return self

    @property
    def method(self) -> str:
        """Return how the measure is scored: ``thresholds`` (spider), ``cuts`` or ``ranked``."""
        if self.goal is not None:
            return "thresholds"
        return "cuts" if self.cuts is not None else "ranked"


class Scoring(_Part):
    """The ``scoring:`` section: the scale, the measures scored with their weights, area weights.

    ``areas`` gives each area's weight in the unit's overall score (1 when left out);
    ``segments`` (NHS Oversight Framework only) the three average scores at which segments 1,
    2 and 3 end.
    """

    scale: Scale
    measures: tuple[MeasureScoring, ...] = Field(min_length=1)
    areas: dict[str, Weight] = Field(default_factory=dict)
    segments: tuple[float, float, float] | None = None

    @model_validator(mode="after")
    def _fits_the_scale(self) -> Scoring:
        for measure in self.measures:
            spider = measure.method == "thresholds"
            if spider != (self.scale == "spider"):
                wanted = "goal and red_flag" if self.scale == "spider" else "cuts or ranked"
                raise ValueError(
                    f"{measure.measure}: the {self.scale} scale scores a measure by {wanted}"
                )
        if self.areas and self.scale != "spider":
            raise ValueError(
                "area weights are for the spider scale: the nof scale averages every metric "
                "score, weighted by the measures' weights"
            )
        if self.segments is not None:
            if self.scale != "nof":
                raise ValueError("segments are for the nof scale only")
            low, middle, high = self.segments
            if not 1 < low < middle < high < 4:
                raise ValueError("segments must rise between 1 and 4, such as [1.75, 2.5, 3.25]")
        return self

    @property
    def segment_thresholds(self) -> tuple[float, float, float]:
        """Return the average scores at which segments 1, 2 and 3 end."""
        return self.segments or DEFAULT_SEGMENTS

    def for_unit_type(self, unit_type: str) -> tuple[MeasureScoring, ...]:
        """Return the entries that score a unit of ``unit_type``: the first for each measure."""
        found: dict[str, MeasureScoring] = {}
        for item in self.measures:
            applies = item.unit_types is None or unit_type in item.unit_types
            if applies and item.measure not in found:
                found[item.measure] = item
        return tuple(found.values())


def scoring_references(
    scoring: Scoring | None,
    measures: dict[str, tuple[str, str]],
    areas: set[str],
    unit_types: Collection[str],
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Yield the path and message of each thing ``scoring`` says that the framework denies.

    ``measures`` maps each measure's code to its (area, polarity); ``areas`` holds the area
    codes. A measure scored must exist, once; cuts run best first by its polarity; a goal is
    on the better side of the red flag; a measure where neither direction is better cannot be
    cut or ranked.
    """
    if scoring is None:
        return
    seen: set[tuple[str, str | None]] = set()
    for index, item in enumerate(scoring.measures):
        where: tuple[str | int, ...] = ("scoring", "measures", index)
        if item.measure not in measures:
            yield (*where, "measure"), f"{item.measure!r} is not a measure in this file"
            continue
        for position, named in enumerate(item.unit_types or ()):
            if named not in unit_types:
                allowed = ", ".join(sorted(unit_types))
                yield (
                    (*where, "unit_types", position),
                    f"no unit has the type {named!r}; choose from {allowed}",
                )
        applies: tuple[str | None, ...] = item.unit_types or (None,)
        if any((item.measure, kind) in seen for kind in (*applies, None)):
            yield (*where, "measure"), f"{item.measure!r} is scored more than once for a unit"
        seen.update((item.measure, kind) for kind in applies)
        polarity = measures[item.measure][1]
        higher = polarity == "higher_is_better"
        wrong_way = (
            item.goal is not None
            and item.red_flag is not None
            and polarity != "neither"
            and (item.goal > item.red_flag) != higher
        )
        if wrong_way:
            better = "above" if higher else "below"
            yield (
                (*where, "goal"),
                f"{item.measure} is {polarity.replace('_', ' ')}: its goal must be {better} "
                f"its red flag ({item.red_flag:g})",
            )
        if (item.cuts is not None or item.ranked) and polarity == "neither":
            yield (
                (*where, "cuts" if item.cuts is not None else "ranked"),
                f"{item.measure} has no better direction (polarity neither): it cannot be "
                "cut or ranked",
            )
        elif item.cuts is not None:
            ordered = sorted(item.cuts, reverse=higher)
            if list(item.cuts) != ordered or len(set(item.cuts)) < 3:
                order = "highest" if higher else "lowest"
                yield (
                    (*where, "cuts"),
                    f"{item.measure} is {polarity.replace('_', ' ')}: give three different cuts, "
                    f"best ({order}) first",
                )
    for code in scoring.areas:
        if code not in areas:
            allowed = ", ".join(sorted(areas))
            yield ("scoring", "areas", code), f"{code!r} is not an area; choose from {allowed}"
