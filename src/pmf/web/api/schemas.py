"""What the API takes and gives, as pydantic schemas: they make the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, get_type_hints

from ninja import Field, Schema
from pydantic import StrictFloat, StrictInt, StrictStr, create_model

from pmf.core.framework import Kind, Polarity, Standard, Status, UnitOfMeasure
from pmf.core.periods import PeriodKind
from pmf.core.scorecard import ROW_FIELDS, ScorecardRow
from pmf.web.observations.models import Observation


class Error(Schema):
    """Why a request was refused."""

    detail: str = Field(examples=["Not Found"])


class RowProblem(Schema):
    """One bad field of one row, in the words of a file import's report."""

    row: int | None = Field(
        description="The row's position in the list sent, counting from 1; empty when the "
        "problem is with the request as a whole."
    )
    field: str = Field(examples=["value"])
    value: str | None = Field(description="What was sent, as text; empty when nothing was.")
    reason: str = Field(examples=["is not a number"])


class ProblemReport(Schema):
    """Every problem found; nothing was stored."""

    detail: str = Field(examples=["2 problems found; nothing was stored."])
    problems: list[RowProblem]


class UnitOut(Schema):
    """A unit of the organisation: part of its tree, or an external comparator."""

    code: str = Field(examples=["N"])
    name: str = Field(examples=["North"])
    type: str = Field(examples=["command"])
    parent: str | None = Field(description="The code of the unit above; empty for the top.")
    external: bool = Field(description="An external comparator: it has figures, not grades.")
    member_from: str | None = Field(
        None,
        description="The first period the unit is in the framework (its figures before it are "
        "not judged); empty: always.",
        examples=["2025-09"],
    )
    member_until: str | None = Field(
        None, description="The last period the unit is in the framework; empty: still in it."
    )
    ons_code: str | None = Field(
        None,
        description="The unit's ONS (GSS) area code, which ties it to its boundary on a map; "
        "empty: none given.",
        examples=["E09000033"],
    )


class MeasureOut(Schema):
    """A measure of the framework, with what 'met' means for it."""

    code: str = Field(examples=["ER"])
    name: str
    area: str = Field(description="The code of the scorecard area it belongs to.")
    area_name: str
    kind: Kind
    polarity: Polarity
    unit_of_measure: UnitOfMeasure
    frequency: PeriodKind
    window_months: int | None = Field(description="For rolling windows: the months covered.")
    multiplier: float = Field(description="value = numerator / denominator × multiplier")
    numerator: str | None
    denominator: str | None
    decimals: int
    owner: str
    source: str
    description: str
    standards: list[Standard]
    formula: str | None = Field(
        None,
        description="A calculated measure's formula: pmf computes its figures from these "
        "measures' figures; they cannot be sent.",
        examples=["STOPS + SEARCHES"],
    )


class ObservationOut(Schema):
    """The figure held now for one measure, unit and period, with who recorded it and when."""

    unit: str
    measure: str
    period: str = Field(examples=["2019-07"])
    value: float
    numerator: float | None
    denominator: float | None
    status: Status
    note: str
    source: str
    revision: int = Field(description="1 for the first figure; each correction adds one.")
    recorded_at: dt.datetime
    recorded_by: str | None = Field(description="The username; empty for a file import.")

    @staticmethod
    def resolve_unit(obj: Observation) -> str:
        return obj.unit.code

    @staticmethod
    def resolve_measure(obj: Observation) -> str:
        return obj.measure.code

    @staticmethod
    def resolve_recorded_by(obj: Observation) -> str | None:
        return obj.recorded_by.get_username() if obj.recorded_by is not None else None


# A number as JSON, or as text the way a file has it ("1,234.5"): the import's checks read both.
Number = Annotated[
    StrictInt | StrictFloat | StrictStr | None,
    Field(description="A number, or text that a file import would accept as one."),
]


class ObservationIn(Schema):
    """One figure to add or correct: the columns of a file in the long layout."""

    unit: str = Field(description="Unit code or name.", examples=["N"])
    measure: str = Field(description="Measure code or name.", examples=["ER"])
    period: str = Field(description="Period, as a file may give it.", examples=["2019-07"])
    value: Number = None
    numerator: Number = None
    denominator: Number = None
    status: str | None = Field(
        default=None,
        description="provisional (the default), validated or signed_off (analysts only).",
    )
    note: str | None = Field(
        default=None,
        description="Free text kept with the figure: at most 2,000 characters, with no control "
        "characters other than tab and line feed and no text-direction characters "
        "(U+202A to U+202E, U+2066 to U+2069).",
    )
    revision: int | None = Field(
        default=None,
        description="The revision of the figure you read (0: you read none). If the figure "
        "has been revised since, the request is refused with 409 and nothing is stored; "
        "leave it out to store the figure whatever is held.",
        examples=[1],
    )


class ConflictProblem(Schema):
    """A figure changed by someone else since it was read (RFC 9457); nothing was stored."""

    type: str = Field(examples=["about:blank"])
    title: str = Field(examples=["Conflict: changed by someone else"])
    status: int = Field(examples=[409])
    detail: str
    changed_by: str = Field(examples=["analyst"])
    changed_at: str | None = Field(examples=["2026-12-06T14:05:00+00:00"])
    held: str = Field(description="What is held now.", examples=["74 (revision 2)"])


class UpsertSummary(Schema):
    """What a bulk upsert did. Sending the same rows again changes nothing."""

    rows: int
    added: int
    revised: int = Field(description="Figures that changed: a new revision; the old one is kept.")
    unchanged: int = Field(description="Figures already held exactly so.")
    accepted: int = Field(
        0, description="Figures stored with plausibility warnings, accepted with the reason."
    )
    message: str


class Named(Schema):
    code: str
    name: str


class Filters(Schema):
    areas: list[str]
    kinds: list[str]
    exceptions: bool


# The assessment of one measure for the unit, as the scorecard page shows it: every field of
# the core's ScorecardRow (one definition, so that a new column reaches the API by itself),
# then the words the page adds.
# The fields are spread from a dict, which pydantic's overloads of create_model cannot check.
AssessedMeasure = create_model(  # type: ignore[call-overload]
    "AssessedMeasure",
    __base__=Schema,
    __doc__="The assessment of one measure for the unit, as the scorecard page shows it.",
    **{name: (get_type_hints(ScorecardRow)[name], ...) for name in ROW_FIELDS},
    direction_previous_text=(str, ...),
    direction_last_year_text=(str, ...),
    note=(str, Field(description="The one sentence about the measure beyond its cells.")),
    rank_text=(str, ...),
    standard_text=(str, ...),
    mark=(str, Field(description='"P" provisional, "W" stored with accepted warnings, or both.')),
    mark_words=(str, Field(description="The mark in words, for a reader of the data.")),
    variation_text=(str, ...),
    assurance_text=(str, ...),
    sparkline=(str, Field(description="SVG polyline points of the last figures.")),
)


class AssessedArea(Schema):
    code: str
    title: str
    measures: list[AssessedMeasure]


class ScorecardUnit(Named):
    ons_code: str | None = Field(
        None,
        description="The unit's ONS (GSS) area code; empty: none given.",
        examples=["E09000033"],
    )


class ScorecardOut(Schema):
    """A unit's scorecard for a period: the same data as the scorecard page."""

    organisation: Named
    unit: ScorecardUnit
    membership: str | None = Field(
        None, description="When the unit joined or left the framework; null: it always was in."
    )
    as_at: str | None = Field(description="The period most of the measures are for.")
    heading: str = Field(description='"as at" the period, with how many measures are at others.')
    other_periods: int = Field(description="How many measures are at another period.")
    future_text: str = Field(description="A warning about figures dated in the future, if any.")
    direction_legend: str = Field(description="What the arrows of the directions of travel mean.")
    spc_legend: str = Field(description="Which figures the SPC column judges, and against what.")
    marks_legend: str = Field(description="What the marks on figures (P, W) mean.")
    has_marks: bool = Field(description="Whether any figure of the scorecard carries a mark.")
    filters: Filters
    areas: list[AssessedArea]


class ReportingDelayCycle(Schema):
    """One cycle's days from the end of its data period to each stage (null: not reached)."""

    cycle: int = Field(examples=[8])
    name: str = Field(examples=["Autumn 2025"])
    cut_off: str = Field(description="The cycle's last period of data.", examples=["2025-08"])
    data_to: str = Field(examples=["August 2025"])
    period_end: str = Field(description="The last day of that period.", examples=["2025-08-31"])
    days_to_locked: int | None = Field(description="Days to its figures being locked.")
    days_to_board: int | None = Field(description="Days to its board, once the board has met.")
    days_to_published: int | None = Field(description="Days to its publication.")
    board_planned_days: int | None = Field(description="Days to a board date not yet reached.")


class ReportingDelayStage(Schema):
    """A stage the delay is counted to."""

    code: str = Field(examples=["locked"])
    title: str = Field(examples=["Figures locked"])


class ReportingDelayOut(Schema):
    """Every cycle's reporting delay, the median to each stage and a sentence on the latest."""

    organisation: str
    text: str
    stages: list[ReportingDelayStage]
    cycles: list[ReportingDelayCycle]
    medians: dict[str, float | None] = Field(
        description="The median days to each stage over the cycles that reached it."
    )
