"""The framework's parts as written: units, areas, measures, standards, peer groups and rules.

The Pydantic models here check each field on its own (type, allowed values, bounds);
``pmf.core.framework.references`` checks what one part says about another. The types are
immutable; the web application stores them in its own tables and rebuilds a ``Framework``
from them when it assesses.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from pmf.core import intervention_menus
from pmf.core.boundaries import ONS_CODE_PATTERN, Boundaries
from pmf.core.formula import Formula, FormulaError, parse_formula
from pmf.core.framework.scoring import Scoring
from pmf.core.i18n import gettext as _
from pmf.core.i18n import gettext_noop
from pmf.core.periods import ParseError, PeriodKind, parse_period

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"


class Kind(StrEnum):
    """What a measure is for: a minimum standard, a tracked indicator, or context."""

    REDLINE = "redline"
    KPI = "kpi"
    CONTEXT = "context"


class Polarity(StrEnum):
    """Which direction is better."""

    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"


class UnitOfMeasure(StrEnum):
    """How a value is expressed."""

    COUNT = "count"
    PERCENT = "percent"
    RATE = "rate"
    RATIO = "ratio"
    DAYS = "days"
    HOURS = "hours"
    MINUTES = "minutes"
    GBP = "gbp"
    SCORE = "score"
    YEARS = "years"
    GRADE = "grade"


class Rollup(StrEnum):
    """How a parent unit's value is made from its children's when it has none of its own."""

    SUM = "sum"
    POOLED_RATIO = "pooled_ratio"
    MEAN = "mean"
    NONE = "none"
    # A calculated measure's parent value from its formula over the parent's own figures.
    FORMULA = "formula"


class PeriodRollup(StrEnum):
    """How a weekly or daily measure's figures make a month's or a quarter's (docs/methods.md)."""

    SUM = "sum"
    MEAN = "mean"
    LAST = "last"
    POOLED_RATIO = "pooled_ratio"
    NONE = "none"


class Status(StrEnum):
    """How far a figure has been checked."""

    PROVISIONAL = "provisional"
    VALIDATED = "validated"
    SIGNED_OFF = "signed_off"


class InspectionGrade(StrEnum):
    """Inspection grades (HMICFRS, Ofsted, CQC), best first."""

    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def rank(self) -> int:
        """Return 1 for Outstanding down to 4 for Inadequate, the number stored as a value."""
        return list(InspectionGrade).index(self) + 1


class Strict(BaseModel):
    """A part of a framework file: unknown keys are refused and nothing changes once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=64)]


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("a Welsh name must have words: leave it out to show the English name")
    return value


# A name in Welsh, shown instead of ``name`` to readers who chose Cymraeg (docs/framework.md,
# "Welsh names"); left out, they read the English name.
WelshName = Annotated[str, Field(max_length=300), AfterValidator(_not_blank)] | None


class Bilingual(Strict):
    """A part with a name (and description) that may also be written in Welsh.

    ``name_cy`` and ``description_cy`` are shown instead of ``name`` and ``description`` when
    the reader's language is Welsh (:meth:`Framework.in_language`); the English name stays
    what files and codes are matched by (``english_name``).
    """

    name: str
    name_cy: WelshName = None
    description: str = ""
    description_cy: str = ""
    _english_name: str | None = PrivateAttr(default=None)

    @property
    def english_name(self) -> str:
        """Return the name as written in English, whichever language the part is shown in."""
        return self._english_name or self.name

    def in_welsh(self) -> Any:
        """Return the part with its Welsh name and description, where the file gives them."""
        if not self.name_cy and not self.description_cy:
            return self
        copy = self.model_copy(
            update={
                "name": self.name_cy or self.name,
                "description": self.description_cy or self.description,
            }
        )
        copy._english_name = self.english_name
        return copy


Comparison = Literal[">=", ">", "<=", "<", "=="]


class TargetStandard(Strict):
    """A fixed target: the value compared with a number, such as >= 80 %."""

    type: Literal["target"]
    comparison: Comparison
    value: float
    amber_within: float | None = Field(default=None, ge=0)
    unit_types: tuple[str, ...] | None = None


class PeerAverageStandard(Strict):
    """At least as good as the unit's peer-group (MSG) average."""

    type: Literal["peer_average"]
    amber_within: float | None = Field(default=None, ge=0)
    unit_types: tuple[str, ...] | None = None


class ZeroStandard(Strict):
    """No items at all, such as risks scoring above 75."""

    type: Literal["zero"]
    unit_types: tuple[str, ...] | None = None


class BudgetStandard(Strict):
    """Forecast outturn within budget: the value is the forecast, the budget a number."""

    type: Literal["within_budget"]
    budget: float = Field(gt=0)
    amber_within: float | None = Field(default=None, ge=0)
    unit_types: tuple[str, ...] | None = None


class InspectionStandard(Strict):
    """An inspection grade at least as good as ``minimum``."""

    type: Literal["inspection_grade"]
    minimum: InspectionGrade
    unit_types: tuple[str, ...] | None = None


class ImprovementStandard(Strict):
    """Better than (or equal to) the same period last year or the previous period."""

    type: Literal["improvement"]
    against: Literal["same_period_last_year", "previous_period"]
    unit_types: tuple[str, ...] | None = None


Standard = Annotated[
    TargetStandard
    | PeerAverageStandard
    | ZeroStandard
    | BudgetStandard
    | InspectionStandard
    | ImprovementStandard,
    Field(discriminator="type"),
]


class FormerName(Strict):
    """A name an area had before, and the last period or cycle it was used (free text)."""

    name: str = Field(min_length=1, max_length=200)
    until: str | None = Field(default=None, max_length=64)


class Area(Bilingual):
    """A scorecard area (quadrant) with its rename history."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_cy: WelshName = None
    description: str = ""
    description_cy: str = ""
    formerly: tuple[FormerName, ...] = ()

    @property
    def title(self) -> str:
        """Return the name with the latest former name: ``FOCUS (formerly KEEPING PEOPLE SAFE)``."""
        if not self.formerly:
            return self.name
        return _("{name} (formerly {former})").format(name=self.name, former=self.formerly[-1].name)


class UnitMember(Strict):
    """When a unit is in the framework: from its first period, until its last (both optional).

    Figures for periods ending before ``from`` starts or after ``until`` ends are kept but not
    judged (``pmf.core.membership``). Each is a period code, such as ``2025-09`` or ``2025/26``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    starts: str | None = Field(default=None, alias="from", min_length=1, max_length=40)
    ends: str | None = Field(default=None, alias="until", min_length=1, max_length=40)

    @field_validator("starts", "ends")
    @classmethod
    def _a_period(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_period(value).code
        except ParseError as error:
            raise ValueError(str(error)) from None

    @model_validator(mode="after")
    def _in_order(self) -> UnitMember:
        if (
            self.starts is not None
            and self.ends is not None
            and parse_period(self.ends).end < parse_period(self.starts).start
        ):
            raise ValueError(f"until ({self.ends}) is before from ({self.starts})")
        return self


class Unit(Bilingual):
    """An organisational unit; ``external`` units are comparators that carry data, not grades.

    ``member``: when the unit joined and left the framework (always, when left out).
    """

    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_cy: WelshName = None
    type: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    parent: Code | None = None
    external: bool = False
    member: UnitMember | None = None
    # The unit's ONS (GSS) area code, which ties it to a boundary on a map (E09000007).
    ons_code: str | None = Field(default=None, pattern=ONS_CODE_PATTERN)


class SpcBaseline(Strict):
    """The periods an SPC chart's limits come from (``docs/framework.md``, "SPC").

    ``points``: how many points at the start of each segment set its mean and limits
    (20 by default); a segment with fewer has trial limits. ``from``: the first period
    charted and in the first baseline (the display window then starts there). ``to``: the
    last period of the first baseline.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    points: int | None = Field(default=None, ge=2, le=1000)
    starts: str | None = Field(default=None, alias="from", min_length=1, max_length=40)
    ends: str | None = Field(default=None, alias="to", min_length=1, max_length=40)


class SpcRebase(Strict):
    """A period where a new SPC baseline starts, with why: a known, sustained change."""

    period: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=500)
    unit: Code | None = None


class SpcEvent(Strict):
    """Something that happened in a period, drawn on the SPC chart and listed in its table."""

    period: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=200)
    unit: Code | None = None


class SpcUnitSettings(Strict):
    """One unit's own display window or baseline for a measure's SPC chart."""

    unit: Code
    window: int | None = Field(default=None, ge=2, le=1000)
    baseline: SpcBaseline | None = None


# The control charts a measure's figures may be drawn as (``docs/framework.md``, "SPC charts"):
# pmf.core.spc computes each; ``pmf.core.framework.references`` checks that the measure's
# figures fit the chart (a p chart needs numerators and denominators, a c chart a count).
SpcChart = Literal["run", "i", "mr", "p", "pp", "u", "up", "c", "g", "t"]
# The rules that find special causes: Making Data Count's, or Anhøj's runs analysis.
SpcRules = Literal["mdc", "anhoej"]


class MeasureSpc(Strict):
    """A measure's SPC settings: chart type, rules, window, baseline, rebases and events.

    ``chart`` is ``i`` (XmR) by default; ``rules`` left out take the framework's
    (``spc.rules``, Making Data Count by default). All optional.
    """

    chart: SpcChart = "i"
    rules: SpcRules | None = None
    window: int | None = Field(default=None, ge=2, le=1000)
    baseline: SpcBaseline | None = None
    rebases: tuple[SpcRebase, ...] = ()
    events: tuple[SpcEvent, ...] = ()
    units: tuple[SpcUnitSettings, ...] = ()


class SpcDefaults(Strict):
    """The framework's SPC defaults: window per frequency, points in a baseline, rules."""

    windows: dict[PeriodKind, int] = Field(default_factory=dict)
    baseline_points: int = Field(default=20, ge=2, le=1000)
    rules: SpcRules = "mdc"

    @field_validator("windows")
    @classmethod
    def _at_least_two(cls, value: dict[PeriodKind, int]) -> dict[PeriodKind, int]:
        for kind, number in value.items():
            if number < 2:
                raise ValueError(f"the window for {kind.value} must be at least 2 periods")
        return value


FunnelOverdispersion = Literal["none", "shmi", "cqc"]


class FunnelSettings(Strict):
    """How a funnel plot's limits are drawn (``docs/framework.md``, "Funnel plots").

    ``overdispersion``: ``none`` (exact limits), ``shmi`` or ``cqc`` (limits widened as
    FunnelPlotR widens them; ``pmf.core.overdispersion``). Left out, a measure takes the
    framework's choice and the framework ``none``.
    """

    overdispersion: FunnelOverdispersion | None = None


def _percentage(value: Any) -> Any:
    # "50%", "50 %" and 50 are fifty per cent; "off" and false turn the check off (0).
    if value is False or (isinstance(value, str) and value.strip().lower() == "off"):
        return 0.0
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            return float(text)
        except ValueError:
            return value
    return value


Percentage = Annotated[float, Field(ge=0, le=100_000)]


class Validity(Strict):
    """A measure's plausibility rules (``docs/framework.md``, "Plausibility").

    ``min``, ``max``, ``whole`` and ``proportion`` are rules a figure must keep (a breach is
    refused); ``forecast`` allows periods after the current one. ``max_change``,
    ``limits_margin`` and ``target_scale`` raise warnings a person must accept. A field left
    out takes the default for the measure's unit of measure (``pmf.core.plausibility``);
    ``off`` (or 0) turns a warning off.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    minimum: float | None = Field(default=None, alias="min")
    maximum: float | None = Field(default=None, alias="max")
    whole: bool | None = None
    proportion: bool | None = None
    forecast: bool = False
    max_change: Percentage | None = None
    limits_margin: Percentage | None = None
    target_scale: float | None = Field(default=None, ge=0)

    @field_validator("max_change", "limits_margin", "target_scale", mode="before")
    @classmethod
    def _read_percentage(cls, value: Any) -> Any:
        return _percentage(value)


class ReferenceBand(Strict):
    """The reference population's events and people in one age band, for an ISR."""

    count: float = Field(ge=0)
    population: float = Field(gt=0)


class Standardisation(Strict):
    """How a measure's value is computed from figures by age band (``docs/framework.md``).

    ``dsr``: a directly standardised rate per ``multiplier`` (default 100,000) against the
    ``standard`` population; ``isr``: an indirectly standardised ratio times ``multiplier``
    (default 1) or, with ``statistic: rate``, rate per ``multiplier`` (default 100,000),
    against the ``reference`` population's events and people by age band. Computed as
    ``pmf.core.standardised`` computes them.
    """

    method: Literal["dsr", "isr"]
    standard: Literal["esp2013"] = "esp2013"
    statistic: Literal["ratio", "rate"] = "ratio"
    multiplier: float | None = Field(default=None, gt=0)
    confidence: float = Field(default=0.95, ge=0.9, lt=1)
    reference: dict[str, ReferenceBand] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _reference_for_isr(self) -> Standardisation:
        if self.method == "isr" and not self.reference:
            raise ValueError(
                "an isr needs reference: the reference population's count and population "
                "for each age band"
            )
        if self.method == "dsr" and self.reference:
            raise ValueError("a dsr takes no reference; it uses the standard population")
        if self.method == "dsr" and self.statistic != "ratio":
            raise ValueError("statistic is for an isr only (ratio or rate)")
        return self

    @property
    def scale(self) -> float:
        """Return the multiplier, or its default for the method and statistic."""
        if self.multiplier is not None:
            return self.multiplier
        return 1.0 if self.method == "isr" and self.statistic == "ratio" else 100_000.0


class Measure(Bilingual):
    """An indicator and how to read, combine and judge it."""

    code: Code
    name: str = Field(min_length=1, max_length=300)
    name_cy: WelshName = None
    area: Code
    kind: Kind
    polarity: Polarity
    unit_of_measure: UnitOfMeasure
    frequency: PeriodKind
    window_months: int | None = Field(default=None, ge=1, le=120)
    multiplier: float = Field(default=1.0, gt=0)
    numerator: str | None = Field(default=None, max_length=300)
    denominator: str | None = Field(default=None, max_length=300)
    decimals: int = Field(default=1, ge=0, le=6)
    owner: str = Field(default="", max_length=200)
    source: str = ""
    description: str = ""
    description_cy: str = ""
    rollup: Rollup = Rollup.NONE
    rollup_partial: bool = False
    period_rollup: PeriodRollup | None = None  # weekly and daily measures; pmf.core.period_rollup
    standard: tuple[Standard, ...] = ()
    spc: MeasureSpc = Field(default_factory=MeasureSpc)
    funnel: FunnelSettings = Field(default_factory=FunnelSettings)
    valid: Validity = Field(default_factory=Validity)
    standardised: Standardisation | None = None
    formula: str | None = Field(default=None, min_length=1, max_length=2000)

    @field_validator("formula")
    @classmethod
    def _readable_formula(cls, value: str | None) -> str | None:
        # Whether the codes it names are measures is the references' check.
        if value is None:
            return None
        try:
            return parse_formula(value).text
        except FormulaError as error:
            raise ValueError(str(error)) from None

    @property
    def calculation(self) -> Formula | None:
        """Return the measure's formula as read, or None when its figures are given."""
        return None if self.formula is None else _formula(self.formula)

    @field_validator("standard", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        # One standard is written as a mapping, several (by unit type) as a list.
        return [value] if isinstance(value, dict) else value

    def standard_for(self, unit: Unit) -> Standard | None:
        """Return the first standard that applies to ``unit``'s type, if any."""
        for standard in self.standard:
            if standard.unit_types is None or unit.type in standard.unit_types:
                return standard
        return None


@functools.lru_cache(maxsize=1024)
def _formula(text: str) -> Formula:
    # A formula read once per text: the schema checked that it reads.
    return parse_formula(text)


class PeerGroup(Strict):
    """A unit's Most Similar Group, or a set of units that are each other's peers.

    With ``unit`` and ``members`` the group belongs to one unit; with ``units``
    each listed unit's peers are the others in the list.
    """

    name: str = Field(min_length=1, max_length=200)
    unit: Code | None = None
    members: tuple[Code, ...] = ()
    units: tuple[Code, ...] = ()
    include_self: bool = True
    method: str = Field(default="given", max_length=200)


class Target(Strict):
    """A target for a measure over a span of periods, for one unit or for every unit.

    While it runs it is the measure's standard for those units: "met" means the figure
    compares with ``value`` as ``comparison`` says (by default, at least the value for a
    measure where higher is better, at most where lower is better).
    """

    measure: Code
    unit: Code | None = None
    starts: str = Field(min_length=1, max_length=40)
    ends: str | None = Field(default=None, max_length=40)
    comparison: Comparison | None = None
    value: float
    amber_within: float | None = Field(default=None, ge=0)
    note: str = ""

    def standard(self, measure: Measure) -> TargetStandard:
        """Return the target as the standard it stands for while it runs."""
        comparison = self.comparison or (
            ">=" if measure.polarity is Polarity.HIGHER_IS_BETTER else "<="
        )
        return TargetStandard(
            type="target", comparison=comparison, value=self.value, amber_within=self.amber_within
        )


class Organisation(Bilingual):
    """Who the framework belongs to, and where its data come from."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    name_cy: WelshName = None
    kind: str = Field(default="", max_length=64)
    description: str = ""
    description_cy: str = ""
    source: str = ""
    licence: str = Field(default="", max_length=200)
    national: Code | None = None


# What may mark a KPI out as a concern or as improving, read from its assessment (see
# docs/methods.md, "Recommended grades").
ConcernSignal = Literal[
    "special_cause_concern",
    "significantly_worse",
    "continually_deteriorating",
    "forecast_overspend",
]
ImprovementSignal = Literal[
    "special_cause_improvement", "significantly_better", "improving_on_last_year"
]


class RequiresImprovementRule(Strict):
    """Requires Improvement when at least ``redlines_not_met`` redlines are not met."""

    redlines_not_met: int = Field(default=1, ge=1)


class InadequateRule(Strict):
    """Inadequate when enough redlines are not met, by count or by share; both off by default."""

    redlines_not_met: int | None = Field(default=None, ge=1)
    share_not_met: float | None = Field(default=None, gt=0, le=1)


class OutstandingRule(Strict):
    """Outstanding when every redline is met and enough KPIs improve, with few or no concerns."""

    kpis_improving: int | None = Field(default=2, ge=1)
    signals: tuple[ImprovementSignal, ...] = Field(
        default=("special_cause_improvement", "significantly_better"), min_length=1
    )
    max_kpis_of_concern: int = Field(default=0, ge=0)


class KpiConcernRule(Strict):
    """Lower a Good to Requires Improvement when at least ``kpis`` KPIs are of concern."""

    kpis: int | None = Field(default=None, ge=1)
    signals: tuple[ConcernSignal, ...] = Field(
        default=("special_cause_concern", "significantly_worse"), min_length=1
    )


class AdequateRule(Strict):
    """Adequate (on a scale that has it) when a few redlines are missed or KPIs are of concern.

    Both off by default: on a scale with an Adequate grade, Adequate is then chosen by
    people, never recommended.
    """

    redlines_not_met: int | None = Field(default=None, ge=1)
    kpis_of_concern: int | None = Field(default=None, ge=1)
    signals: tuple[ConcernSignal, ...] = Field(
        default=("special_cause_concern", "significantly_worse"), min_length=1
    )


class GradingRules(Strict):
    """The rules that recommend a grade for one area of one unit."""

    requires_improvement: RequiresImprovementRule = Field(default_factory=RequiresImprovementRule)
    inadequate: InadequateRule = Field(default_factory=InadequateRule)
    outstanding: OutstandingRule = Field(default_factory=OutstandingRule)
    kpi_concern: KpiConcernRule = Field(default_factory=KpiConcernRule)
    adequate: AdequateRule = Field(default_factory=AdequateRule)


class AreaGrading(Strict):
    """Rules for one area that differ from the framework's; fields left out are inherited."""

    area: Code
    requires_improvement: RequiresImprovementRule | None = None
    inadequate: InadequateRule | None = None
    outstanding: OutstandingRule | None = None
    kpi_concern: KpiConcernRule | None = None
    adequate: AdequateRule | None = None


# The part each grade of a scale plays in the rules, best first (docs/framework.md, "Grade
# scales"): the rules recommend a grade by its role, and the scale names it.
GradeRole = Literal["outstanding", "good", "adequate", "requires_improvement", "inadequate"]
GRADE_ROLES: tuple[GradeRole, ...] = (
    "outstanding",
    "good",
    "adequate",
    "requires_improvement",
    "inadequate",
)
# The value stored for an area with nothing to grade it on; on every scale, never a grade on it.
NO_GRADE = "no_grade"


class ScaleGrade(Strict):
    """One grade of a scale: the code stored, its name, its short form and letter, its role.

    ``role`` defaults to the code when the code is a role's name (``good``, ``inadequate``...).
    ``short`` (running text, "RI to Good") defaults to the name if it is one word, else its
    initials; ``letter`` (the tube map's station) to the initials.
    """

    code: Code
    name: str = Field(min_length=1, max_length=60)
    short: str | None = Field(default=None, min_length=1, max_length=30)
    letter: str | None = Field(default=None, min_length=1, max_length=3)
    role: GradeRole | None = None

    @property
    def rule(self) -> GradeRole | None:
        """Return the grade's role in the rules: its own, else its code if that is a role.

        >>> ScaleGrade(code="good", name="Strong").rule, ScaleGrade(code="ok", name="OK").rule
        ('good', None)
        """
        if self.role is not None:
            return self.role
        return next((role for role in GRADE_ROLES if role == self.code), None)

    @property
    def short_name(self) -> str:
        """Return the short form: "RI" for Requires Improvement, "Good" for Good.

        >>> ScaleGrade(code="requires_improvement", name="Requires improvement").short_name
        'RI'
        """
        if self.short is not None:
            return self.short
        return self.name if " " not in self.name.strip() else self.initials

    @property
    def initials(self) -> str:
        """Return the letter for the tube map: given, else the initials of the name's words."""
        if self.letter is not None:
            return self.letter
        return "".join(word[0].upper() for word in self.name.split() if word[0].isalnum())[:3]


class CustomScale(Strict):
    """A scale of the framework's own: its name and its grades, best first."""

    name: str = Field(min_length=1, max_length=100)
    grades: tuple[ScaleGrade, ...] = Field(min_length=2, max_length=5)


def _scale(*names: tuple[str, str]) -> tuple[ScaleGrade, ...]:
    return tuple(ScaleGrade(code=code, name=name) for code, name in names)


# The built-in scales: name, grades best first. "default" is the scale pmf has always used
# (HMICFRS's four grades as the Hampshire framework writes them).
BUILTIN_SCALES: dict[str, tuple[str, tuple[ScaleGrade, ...]]] = {
    "default": (
        gettext_noop("Outstanding, Good, Requires Improvement, Inadequate"),
        _scale(
            ("outstanding", gettext_noop("Outstanding")),
            ("good", gettext_noop("Good")),
            ("requires_improvement", gettext_noop("Requires Improvement")),
            ("inadequate", gettext_noop("Inadequate")),
        ),
    ),
    # HMICFRS PEEL inspections from 2021/22 onwards: five grades with Adequate.
    "peel": (
        # Translators: the name of HMICFRS's PEEL inspections' scale of grades.
        gettext_noop("HMICFRS PEEL"),
        _scale(
            ("outstanding", gettext_noop("Outstanding")),
            ("good", gettext_noop("Good")),
            ("adequate", gettext_noop("Adequate")),
            ("requires_improvement", gettext_noop("Requires improvement")),
            ("inadequate", gettext_noop("Inadequate")),
        ),
    ),
    # Ofsted's four overall-effectiveness judgements (before the report cards of November 2025).
    "ofsted": (
        "Ofsted",
        _scale(
            ("outstanding", gettext_noop("Outstanding")),
            ("good", gettext_noop("Good")),
            ("requires_improvement", gettext_noop("Requires improvement")),
            ("inadequate", gettext_noop("Inadequate")),
        ),
    ),
    # The Care Quality Commission's four ratings.
    "cqc": (
        "CQC",
        _scale(
            ("outstanding", gettext_noop("Outstanding")),
            ("good", gettext_noop("Good")),
            ("requires_improvement", gettext_noop("Requires improvement")),
            ("inadequate", gettext_noop("Inadequate")),
        ),
    ),
}
ScaleName = Literal["default", "peel", "ofsted", "cqc"]
# A built-in scale by name, or a scale of the framework's own (the tag is dropped from the
# place a problem names: pmf.core.framework.problems.data_path).
ScaleSetting = Annotated[
    Annotated[ScaleName, Tag("built_in")] | Annotated[CustomScale, Tag("custom")],
    Discriminator(lambda value: "built_in" if isinstance(value, str) else "custom"),
]


class Grading(GradingRules):
    """The grading rules of the framework file, with any per-area overrides, and its scale."""

    scale: ScaleSetting = "default"
    areas: tuple[AreaGrading, ...] = ()

    def scale_grades(self) -> tuple[str, tuple[ScaleGrade, ...]]:
        """Return the scale's name and its grades, best first.

        >>> Grading.model_validate({"scale": "peel"}).scale_grades()[1][2].name
        'Adequate'
        """
        if isinstance(self.scale, CustomScale):
            return self.scale.name, self.scale.grades
        return BUILTIN_SCALES[self.scale]

    def for_area(self, code: str) -> GradingRules:
        """Return the rules for area ``code``: the framework's, with that area's fields over them.

        >>> grading = Grading.model_validate(
        ...     {"inadequate": {"redlines_not_met": 4},
        ...      "areas": [{"area": "PROCESS", "inadequate": {"share_not_met": 0.5}}]})
        >>> grading.for_area("PROCESS").inadequate
        InadequateRule(redlines_not_met=4, share_not_met=0.5)
        >>> grading.for_area("FOCUS").inadequate
        InadequateRule(redlines_not_met=4, share_not_met=None)
        """
        rules = GradingRules(
            requires_improvement=self.requires_improvement,
            inadequate=self.inadequate,
            outstanding=self.outstanding,
            kpi_concern=self.kpi_concern,
            adequate=self.adequate,
        )
        for override in self.areas:
            if override.area != code:
                continue
            update: dict[str, BaseModel] = {}
            for name in GradingRules.model_fields:
                section: BaseModel | None = getattr(override, name)
                if section is not None:
                    # Only the fields written for the area replace the framework's.
                    written = {field: getattr(section, field) for field in section.model_fields_set}
                    update[name] = getattr(rules, name).model_copy(update=written)
            rules = rules.model_copy(update=update)
        return rules


class InterventionCategory(Strict):
    """How soon an intervention reports back: its due date is the agreed date plus the months."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    report_within_months: int = Field(ge=1, le=60)


class InterventionAction(Strict):
    """One supportive intervention on the menu, such as a strategic review or peer review."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    description: str = ""


# Hampshire County Council's Appendix Two, "Indicative Menu of Supportive Interventions".
DEFAULT_INTERVENTION_CATEGORIES = (
    InterventionCategory(code="1", name="Category one", report_within_months=6),
    InterventionCategory(code="2", name="Category two", report_within_months=3),
    InterventionCategory(code="3", name="Category three", report_within_months=2),
    InterventionCategory(code="4", name="Category four", report_within_months=1),
)
DEFAULT_INTERVENTION_ACTIONS = tuple(
    InterventionAction(code=code, name=name, description=description)
    for code, name, description in (
        (
            "action_plan",
            "Strategic action plan",
            "The service manager produces a strategic action plan.",
        ),
        (
            "peer_visits",
            "Council visits",
            "The service manager visits better performing peers and reports back.",
        ),
        ("strategic_review", "Strategic review", "A department-led strategic review."),
        (
            "mystery_shopping",
            "Mystery shopping",
            "Mystery shopping to assess the issue or check on progress.",
        ),
        (
            "corporate_support_1",
            "Corporate support one",
            "The corporate performance team supports and follows up.",
        ),
        (
            "corporate_support_2",
            "Corporate support two",
            "The head of improvement supports and follows up.",
        ),
        (
            "corporate_support_3",
            "Corporate support three",
            "A sub-group board of the performance group oversees.",
        ),
        (
            "corporate_support_4",
            "Corporate support four",
            "An internal consultancy or development programme is commissioned.",
        ),
        (
            "management_team",
            "Management team support",
            "Escalation to the corporate management team.",
        ),
        (
            "executive_member",
            "Executive member support",
            "Referral to the executive member for performance.",
        ),
        ("cabinet", "Cabinet support", "Escalation to cabinet."),
        (
            "member_review",
            "Member support",
            "A member and senior officer review (Best Value style).",
        ),
        (
            "scrutiny",
            "Overview and scrutiny",
            "Referral to the overview and scrutiny select committees.",
        ),
        (
            "external_support",
            "External support",
            "External consultants, auditors or improvement bodies are commissioned.",
        ),
        ("peer_review", "Peer review", "An external peer review is commissioned."),
        ("resources", "Resources", "Departmental or corporate resources are diverted."),
    )
)


def _actions(rows: tuple[tuple[str, str, str], ...]) -> tuple[InterventionAction, ...]:
    return tuple(InterventionAction(code=c, name=n, description=d) for c, n, d in rows)


POLICE_INTERVENTION_ACTIONS = _actions(intervention_menus.POLICE)
HEALTH_INTERVENTION_ACTIONS = _actions(intervention_menus.HEALTH)
INTERVENTION_MENUS = {
    "council": DEFAULT_INTERVENTION_ACTIONS,
    "police": POLICE_INTERVENTION_ACTIONS,
    "health": HEALTH_INTERVENTION_ACTIONS,
}
Sector = Literal["council", "police", "health"]


def sector_of(kind: str) -> Sector:
    """Return the sector whose default menu an organisation of this ``kind`` gets.

    >>> sector_of("police_force"), sector_of("health_service"), sector_of("local_authority")
    ('police', 'health', 'council')
    """
    text = kind.lower()
    if "police" in text or "constabulary" in text:
        return "police"
    if any(word in text for word in ("health", "nhs", "trust", "hospital")):
        return "health"
    return "council"


class Interventions(Strict):
    """The menu of interventions and when reminders about them and about figures are sent.

    ``menu`` names the sector whose default actions are offered when ``actions`` is not
    given: ``council`` (Hampshire's Appendix Two), ``police`` or ``health``.
    """

    menu: Sector = "council"
    categories: tuple[InterventionCategory, ...] = Field(
        default=DEFAULT_INTERVENTION_CATEGORIES, min_length=1
    )
    actions: tuple[InterventionAction, ...] = Field(
        default=DEFAULT_INTERVENTION_ACTIONS, min_length=1
    )
    remind_within_days: int = Field(default=7, ge=0, le=90)
    data_due_day: int = Field(default=10, ge=1, le=28)

    @model_validator(mode="before")
    @classmethod
    def _sector_actions(cls, data: Any) -> Any:
        # Without actions of its own, the menu is its sector's default.
        if isinstance(data, dict) and "actions" not in data:
            menu = INTERVENTION_MENUS.get(str(data.get("menu", "council")))
            if menu is not None:
                return {**data, "actions": menu}
        return data


class RiskBand(Strict):
    """A band of risk scores, such as "high": scores of at least ``min_score``."""

    name: str = Field(min_length=1, max_length=64)
    min_score: float = Field(ge=0)


class RiskRegister(Strict):
    """How the risk register scores risks, and the measure its count above the threshold feeds.

    A score is the likelihood level's weight times the impact level's weight; the weights
    default to the level numbers (1 to 5 by 1 to 5: scores 1 to 25).
    """

    likelihood: tuple[str, ...] = Field(
        default=("Rare", "Unlikely", "Possible", "Likely", "Almost certain"), min_length=2
    )
    impact: tuple[str, ...] = Field(
        default=("Negligible", "Minor", "Moderate", "Major", "Severe"), min_length=2
    )
    likelihood_weights: tuple[float, ...] | None = None
    impact_weights: tuple[float, ...] | None = None
    threshold: float = Field(default=15, ge=0)
    bands: tuple[RiskBand, ...] = (
        RiskBand(name="low", min_score=0),
        RiskBand(name="medium", min_score=5),
        RiskBand(name="high", min_score=10),
        RiskBand(name="very high", min_score=16),
    )
    measure: Code | None = None
    unit: Code | None = None


# ---------------------------------------------------------------------------------------------
# Statutory returns (``docs/framework.md``, "Statutory returns"): a return's template and which
# measure, unit, period and part of an observation each of its cells holds; pmf.core.returns
# checks and fills it.
# Which part of a held observation a cell takes.
ReturnPart = Literal["value", "numerator", "denominator"]
ReturnPeriod = Literal["current", "previous", "same_period_last_year"]
CELL_PATTERN = r"^[A-Za-z]{1,3}[1-9][0-9]{0,6}$"


class ReturnRules(Strict):
    """What a return accepts in a cell: a minimum, a maximum, whole numbers only."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    minimum: float | None = Field(default=None, alias="min")
    maximum: float | None = Field(default=None, alias="max")
    whole: bool | None = None


class ReturnCell(ReturnRules):
    """One cell of a return (``C7``): the measure, unit, period and figure it holds."""

    cell: str = Field(pattern=CELL_PATTERN)
    measure: Code
    unit: Code | None = None
    part: ReturnPart = "value"
    period: ReturnPeriod = "current"
    decimals: int | None = Field(default=None, ge=0, le=6)


class ReturnColumn(ReturnRules):
    """A column of a return's table (``C``): one measure's figure, a cell in each row."""

    column: str = Field(pattern=r"^[A-Za-z]{1,3}$")
    measure: Code
    part: ReturnPart = "value"
    period: ReturnPeriod = "current"
    decimals: int | None = Field(default=None, ge=0, le=6)


class ReturnRow(Strict):
    """A row of a return's table (``7``): one unit."""

    row: int = Field(ge=1, le=1_048_576)
    unit: Code


class Return(Strict):
    """A statutory return: a CSV or XLSX template and the figures its cells hold.

    ``template`` is a path relative to the framework file; ``cells`` name single cells and
    ``rows`` times ``columns`` a table of units by measures; ``period_cell``, if given, gets
    the return's period. Every cell's figure must be at
    least ``status`` (validated by default) and keep ``rules`` (or its own min, max, whole).
    """

    code: Code
    name: str = Field(min_length=1, max_length=300)
    template: str = Field(min_length=1, max_length=500, pattern=r"(?i)\.(csv|xlsx)$")
    sheet: str | None = Field(default=None, min_length=1, max_length=31)
    frequency: PeriodKind
    period_cell: str | None = Field(default=None, pattern=CELL_PATTERN)
    unit: Code | None = None
    status: Literal["validated", "signed_off"] = "validated"
    description: str = ""
    due: str = Field(default="", max_length=200)
    recipient: str = Field(default="", max_length=200)
    rules: ReturnRules = Field(default_factory=ReturnRules)
    cells: tuple[ReturnCell, ...] = ()
    rows: tuple[ReturnRow, ...] = ()
    columns: tuple[ReturnColumn, ...] = ()

    @property
    def format(self) -> Literal["csv", "xlsx"]:
        """Return ``csv`` or ``xlsx``, from the template's name."""
        return "xlsx" if self.template.lower().endswith(".xlsx") else "csv"

    @model_validator(mode="after")
    def _something_to_fill(self) -> Return:
        if not self.cells and not (self.rows and self.columns):
            raise ValueError("a return needs cells, or rows and columns, to fill")
        if bool(self.rows) != bool(self.columns):
            raise ValueError("rows and columns go together: a table needs both")
        if self.sheet is not None and self.format == "csv":
            raise ValueError("sheet is for an XLSX template only")
        return self


class CommentarySettings(Strict):
    """When an owner's commentary on a period's figures is due, and when they are reminded.

    Commentary is due ``due_days`` days after the period ends (figures are due after
    ``interventions.data_due_day``; commentary is written on them), and never later than the
    cycle covering the period locks. Owners are reminded from ``remind_within_days`` before.
    """

    due_days: int = Field(default=20, ge=1, le=120)
    remind_within_days: int = Field(default=5, ge=0, le=90)


class MapSettings(Strict):
    """Where the units' boundaries are: a GeoJSON or TopoJSON file beside the framework file.

    ``code_property`` names the property of each feature that holds its ONS code (LAD22CD);
    ``object`` the TopoJSON object to read (by default its only one); ``unit_types`` the
    types of unit drawn (by default every unit with an ``ons_code``); ``attribution`` is
    printed under every map (the boundaries' licence asks for it).
    """

    boundaries: str = Field(min_length=1, max_length=500)
    code_property: str = Field(min_length=1, max_length=100)
    object: str | None = Field(default=None, min_length=1, max_length=100)
    unit_types: tuple[str, ...] = ()
    attribution: str = Field(default="", max_length=500)

    @field_validator("boundaries")
    @classmethod
    def _beside(cls, value: str) -> str:
        if value.startswith(("/", "\\")) or ".." in value.replace("\\", "/").split("/"):
            raise ValueError("name a file beside the framework file (no absolute path, no '..')")
        if not value.lower().endswith((".json", ".geojson", ".topojson")):
            raise ValueError("a boundary file is GeoJSON or TopoJSON: .geojson, .topojson or .json")
        return value


class FrameworkModel(Strict):
    """The whole framework file, as written."""

    organisation: Organisation
    areas: tuple[Area, ...] = Field(min_length=1)
    units: tuple[Unit, ...] = Field(min_length=1)
    measures: tuple[Measure, ...] = ()
    peer_groups: tuple[PeerGroup, ...] = ()
    targets: tuple[Target, ...] = ()
    grading: Grading = Field(default_factory=Grading)
    interventions: Interventions = Field(default_factory=Interventions)
    risks: RiskRegister = Field(default_factory=RiskRegister)
    spc: SpcDefaults = Field(default_factory=SpcDefaults)
    funnel: FunnelSettings = Field(default_factory=FunnelSettings)
    scoring: Scoring | None = None
    returns: tuple[Return, ...] = ()
    commentary: CommentarySettings = Field(default_factory=CommentarySettings)
    maps: MapSettings | None = None

    @model_validator(mode="before")
    @classmethod
    def _sector_menu(cls, data: Any) -> Any:
        # A file that names no menu gets its organisation's sector's (police, health, council).
        if not isinstance(data, dict) or not isinstance(data.get("organisation"), dict):
            return data
        menu = data.get("interventions")
        if menu is None:
            menu = {}
        if not isinstance(menu, dict) or "menu" in menu:
            return data
        sector = sector_of(str(data["organisation"].get("kind") or ""))
        if sector == "council":
            return data
        return {**data, "interventions": {**menu, "menu": sector}}


@dataclass(frozen=True)
class Framework:
    """A validated framework with lookups by code."""

    model: FrameworkModel
    # Each return's template as read from beside the framework file: (return code, bytes).
    templates: tuple[tuple[str, bytes], ...] = ()
    # The units' boundaries as read from beside the framework file (``maps``), checked.
    boundaries: Boundaries | None = None
    # The framework as written, when this one shows it in another language (in_language).
    written: FrameworkModel | None = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def english(self) -> Framework:
        """Return the framework as written (English names), whichever language it shows."""
        if self.written is None:
            return self
        return dataclasses.replace(self, model=self.written, written=None)

    @property
    def organisation(self) -> Organisation:
        """Return the organisation."""
        return self.model.organisation

    @property
    def areas(self) -> tuple[Area, ...]:
        """Return the areas in scorecard order."""
        return self.model.areas

    @property
    def units(self) -> tuple[Unit, ...]:
        """Return every unit, internal and external."""
        return self.model.units

    @property
    def measures(self) -> tuple[Measure, ...]:
        """Return the measures in file order."""
        return self.model.measures

    @property
    def grading(self) -> Grading:
        """Return the grading rules (the defaults when the file has none)."""
        return self.model.grading

    def formulas(self) -> dict[str, Formula]:
        """Return the calculated measures' formulas by measure code, in file order."""
        return {
            m.code: formula for m in self.model.measures if (formula := m.calculation) is not None
        }

    def funnel_overdispersion(self, measure: Measure) -> FunnelOverdispersion:
        """Return how ``measure``'s funnel limits are widened: its own choice, else the file's."""
        return measure.funnel.overdispersion or self.model.funnel.overdispersion or "none"

    def return_(self, code: str) -> Return:
        """Return the statutory return with ``code``; raise ``KeyError`` if there is none."""
        for found in self.model.returns:
            if found.code == code:
                return found
        raise KeyError(code)

    def unit(self, code: str) -> Unit:
        """Return the unit with ``code``; raise ``KeyError`` if there is none."""
        return _index(self.model.units)[code]

    def in_language(self, language: str) -> Framework:
        """Return the framework as a reader of ``language`` sees it: Welsh names for "cy".

        Each organisation, area, unit and measure with a ``name_cy`` (or ``description_cy``)
        is shown by it; the others keep their English names. Codes, and the English names
        files are matched by (``english_name``), do not change.
        """
        model = self.model
        if not language.lower().startswith("cy") or not _has_welsh(model):
            return self
        welsh = model.model_copy(
            update={
                "organisation": model.organisation.in_welsh(),
                "areas": tuple(area.in_welsh() for area in model.areas),
                "units": tuple(unit.in_welsh() for unit in model.units),
                "measures": tuple(measure.in_welsh() for measure in model.measures),
            }
        )
        return dataclasses.replace(self, model=welsh, written=model)

    def measure(self, code: str) -> Measure:
        """Return the measure with ``code``; raise ``KeyError`` if there is none."""
        return _index(self.model.measures)[code]

    def area(self, code: str) -> Area:
        """Return the area with ``code``; raise ``KeyError`` if there is none."""
        return _index(self.model.areas)[code]

    def children(self, code: str) -> list[Unit]:
        """Return the units directly under ``code``."""
        return [unit for unit in self.model.units if unit.parent == code]

    def descendants(self, code: str) -> list[Unit]:
        """Return every unit below ``code``, depth first."""
        found: list[Unit] = []
        for child in self.children(code):
            found.append(child)
            found.extend(self.descendants(child.code))
        return found

    def roots(self) -> list[Unit]:
        """Return the internal units with no parent (normally the organisation itself)."""
        return [u for u in self.model.units if u.parent is None and not u.external]

    def peers(self, code: str) -> PeerSet | None:
        """Return the peer group of unit ``code``, or ``None`` when it has none."""
        for group in self.model.peer_groups:
            if group.unit == code:
                return PeerSet(group.name, code, group.members, group.include_self, group.method)
            if code in group.units:
                others = tuple(member for member in group.units if member != code)
                return PeerSet(group.name, code, others, group.include_self, group.method)
        return None


@dataclass(frozen=True)
class PeerSet:
    """The peers one unit is compared with."""

    name: str
    unit: str
    members: tuple[str, ...]
    include_self: bool
    # How the group was chosen: "given", or "computed: version N; ..." (pmf peer-group compute).
    method: str = "given"

    @property
    def averaged(self) -> tuple[str, ...]:
        """Return the units whose values make the group average."""
        return (self.unit, *self.members) if self.include_self else self.members


_Coded = TypeVar("_Coded", Unit, Measure, Area)


def _has_welsh(model: FrameworkModel) -> bool:
    parts: list[Bilingual] = [model.organisation, *model.areas, *model.units, *model.measures]
    return any(part.name_cy or part.description_cy for part in parts)


def _index(items: Iterable[_Coded]) -> dict[str, _Coded]:
    return {item.code: item for item in items}


def parse_frequency_period(measure: Measure, text: str) -> str:
    """Return the canonical code of ``text`` if it fits the measure's frequency.

    Raise ``ValueError`` naming the frequency otherwise.
    """
    try:
        # The measure's own kind first: "2019-07-01" is a day for a daily measure and July
        # 2019 for a monthly one.
        period = parse_period(text, measure.frequency)
    except ParseError:
        try:
            period = parse_period(text)
        except ParseError as error:
            raise ValueError(str(error)) from None
    if period.kind is not measure.frequency:
        raise ValueError(
            f"{text!r} is a {period.kind.value.replace('_', ' ')}, but {measure.code} is "
            f"reported by {measure.frequency.value.replace('_', ' ')}"
        )
    if measure.window_months is not None and period.months != measure.window_months:
        raise ValueError(f"{text!r} covers {period.months} months, not {measure.window_months}")
    return period.code
