"""The framework: an organisation's units, areas, measures, standards and peer groups.

A framework is written as a YAML file (see ``docs/framework.md``), validated
here, and then used by every other part of pmf. Every problem is reported with
the file, line and field it is on, the bad value and what is allowed::

    framework.yaml:42 measures[7].polarity: 'higer' is not one of
    higher_is_better, lower_is_better, neither

The types are immutable; the web application stores them in its own tables and
rebuilds a ``Framework`` from them when it assesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from pmf.core import intervention_menus
from pmf.core.periods import ParseError, PeriodKind, parse_period
from pmf.core.yamlsource import LocatedData, Path, YamlError, load_located

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


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)


Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=64)]
Comparison = Literal[">=", ">", "<=", "<", "=="]


class TargetStandard(_Strict):
    """A fixed target: the value compared with a number, such as >= 80 %."""

    type: Literal["target"]
    comparison: Comparison
    value: float
    amber_within: float | None = Field(default=None, ge=0)
    unit_types: tuple[str, ...] | None = None


class PeerAverageStandard(_Strict):
    """At least as good as the unit's peer-group (MSG) average."""

    type: Literal["peer_average"]
    amber_within: float | None = Field(default=None, ge=0)
    unit_types: tuple[str, ...] | None = None


class ZeroStandard(_Strict):
    """No items at all, such as risks scoring above 75."""

    type: Literal["zero"]
    unit_types: tuple[str, ...] | None = None


class BudgetStandard(_Strict):
    """Forecast outturn within budget: the value is the forecast, the budget a number."""

    type: Literal["within_budget"]
    budget: float = Field(gt=0)
    amber_within: float | None = Field(default=None, ge=0)
    unit_types: tuple[str, ...] | None = None


class InspectionStandard(_Strict):
    """An inspection grade at least as good as ``minimum``."""

    type: Literal["inspection_grade"]
    minimum: InspectionGrade
    unit_types: tuple[str, ...] | None = None


class ImprovementStandard(_Strict):
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


class FormerName(_Strict):
    """A name an area had before, and the last period or cycle it was used (free text)."""

    name: str = Field(min_length=1, max_length=200)
    until: str | None = Field(default=None, max_length=64)


class Area(_Strict):
    """A scorecard area (quadrant) with its rename history."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    formerly: tuple[FormerName, ...] = ()

    @property
    def title(self) -> str:
        """Return the name with the latest former name: ``FOCUS (formerly KEEPING PEOPLE SAFE)``."""
        if not self.formerly:
            return self.name
        return f"{self.name} (formerly {self.formerly[-1].name})"


class Unit(_Strict):
    """An organisational unit; ``external`` units are comparators that carry data, not grades."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    type: str = Field(min_length=1, max_length=64, pattern=CODE_PATTERN)
    parent: Code | None = None
    external: bool = False


class SpcBaseline(_Strict):
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


class SpcRebase(_Strict):
    """A period where a new SPC baseline starts, with why: a known, sustained change."""

    period: str = Field(min_length=1, max_length=40)
    reason: str = Field(min_length=1, max_length=500)
    unit: Code | None = None


class SpcEvent(_Strict):
    """Something that happened in a period, drawn on the SPC chart and listed in its table."""

    period: str = Field(min_length=1, max_length=40)
    text: str = Field(min_length=1, max_length=200)
    unit: Code | None = None


class SpcUnitSettings(_Strict):
    """One unit's own display window or baseline for a measure's SPC chart."""

    unit: Code
    window: int | None = Field(default=None, ge=2, le=1000)
    baseline: SpcBaseline | None = None


class MeasureSpc(_Strict):
    """A measure's SPC settings: window, baseline, rebases and events (all optional)."""

    window: int | None = Field(default=None, ge=2, le=1000)
    baseline: SpcBaseline | None = None
    rebases: tuple[SpcRebase, ...] = ()
    events: tuple[SpcEvent, ...] = ()
    units: tuple[SpcUnitSettings, ...] = ()


class SpcDefaults(_Strict):
    """The framework's SPC defaults: display window per frequency, points in a baseline."""

    windows: dict[PeriodKind, int] = Field(default_factory=dict)
    baseline_points: int = Field(default=20, ge=2, le=1000)

    @field_validator("windows")
    @classmethod
    def _at_least_two(cls, value: dict[PeriodKind, int]) -> dict[PeriodKind, int]:
        for kind, number in value.items():
            if number < 2:
                raise ValueError(f"the window for {kind.value} must be at least 2 periods")
        return value


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


class Validity(_Strict):
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


class Measure(_Strict):
    """An indicator and how to read, combine and judge it."""

    code: Code
    name: str = Field(min_length=1, max_length=300)
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
    rollup: Rollup = Rollup.NONE
    rollup_partial: bool = False
    standard: tuple[Standard, ...] = ()
    spc: MeasureSpc = Field(default_factory=MeasureSpc)
    valid: Validity = Field(default_factory=Validity)

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


class PeerGroup(_Strict):
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


class Target(_Strict):
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


class Organisation(_Strict):
    """Who the framework belongs to, and where its data come from."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(default="", max_length=64)
    description: str = ""
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


class RequiresImprovementRule(_Strict):
    """Requires Improvement when at least ``redlines_not_met`` redlines are not met."""

    redlines_not_met: int = Field(default=1, ge=1)


class InadequateRule(_Strict):
    """Inadequate when enough redlines are not met, by count or by share; both off by default."""

    redlines_not_met: int | None = Field(default=None, ge=1)
    share_not_met: float | None = Field(default=None, gt=0, le=1)


class OutstandingRule(_Strict):
    """Outstanding when every redline is met and enough KPIs improve, with few or no concerns."""

    kpis_improving: int | None = Field(default=2, ge=1)
    signals: tuple[ImprovementSignal, ...] = Field(
        default=("special_cause_improvement", "significantly_better"), min_length=1
    )
    max_kpis_of_concern: int = Field(default=0, ge=0)


class KpiConcernRule(_Strict):
    """Lower a Good to Requires Improvement when at least ``kpis`` KPIs are of concern."""

    kpis: int | None = Field(default=None, ge=1)
    signals: tuple[ConcernSignal, ...] = Field(
        default=("special_cause_concern", "significantly_worse"), min_length=1
    )


class GradingRules(_Strict):
    """The rules that recommend a grade for one area of one unit."""

    requires_improvement: RequiresImprovementRule = Field(default_factory=RequiresImprovementRule)
    inadequate: InadequateRule = Field(default_factory=InadequateRule)
    outstanding: OutstandingRule = Field(default_factory=OutstandingRule)
    kpi_concern: KpiConcernRule = Field(default_factory=KpiConcernRule)


class AreaGrading(_Strict):
    """Rules for one area that differ from the framework's; fields left out are inherited."""

    area: Code
    requires_improvement: RequiresImprovementRule | None = None
    inadequate: InadequateRule | None = None
    outstanding: OutstandingRule | None = None
    kpi_concern: KpiConcernRule | None = None


class Grading(GradingRules):
    """The grading rules of the framework file, with any per-area overrides."""

    areas: tuple[AreaGrading, ...] = ()

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


class InterventionCategory(_Strict):
    """How soon an intervention reports back: its due date is the agreed date plus the months."""

    code: Code
    name: str = Field(min_length=1, max_length=200)
    report_within_months: int = Field(ge=1, le=60)


class InterventionAction(_Strict):
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


class Interventions(_Strict):
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


class RiskBand(_Strict):
    """A band of risk scores, such as "high": scores of at least ``min_score``."""

    name: str = Field(min_length=1, max_length=64)
    min_score: float = Field(ge=0)


class RiskRegister(_Strict):
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


class FrameworkModel(_Strict):
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


@dataclass(frozen=True)
class Framework:
    """A validated framework with lookups by code."""

    model: FrameworkModel

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

    def unit(self, code: str) -> Unit:
        """Return the unit with ``code``; raise ``KeyError`` if there is none."""
        return _index(self.model.units)[code]

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
    # How the group was chosen: "given", or "computed: version N; ..." (pmf peers compute).
    method: str = "given"

    @property
    def averaged(self) -> tuple[str, ...]:
        """Return the units whose values make the group average."""
        return (self.unit, *self.members) if self.include_self else self.members


_Coded = TypeVar("_Coded", Unit, Measure, Area)


def _index(items: Iterable[_Coded]) -> dict[str, _Coded]:
    return {item.code: item for item in items}


def load_framework(text: str, filename: str = "framework.yaml") -> Framework:
    """Parse and validate a framework file's text; raise ``FrameworkError`` listing every problem.

    >>> load_framework('organisation: {code: X}', 'x.yaml')
    Traceback (most recent call last):
    ...
    pmf.core.framework.FrameworkError: x.yaml:1 organisation.name: is required
    x.yaml:1 areas: is required
    x.yaml:1 units: is required
    """
    try:
        located = load_located(text)
    except YamlError as error:
        raise FrameworkError([Problem(filename, error.line, "", error.message)]) from None
    if not isinstance(located.data, dict):
        raise FrameworkError(
            [
                Problem(
                    filename, 1, "", "expected a mapping with organisation, areas, units, measures"
                )
            ]
        )
    try:
        model = FrameworkModel.model_validate(located.data)
    except ValidationError as error:
        raise FrameworkError(_problems(error, located, filename)) from None
    problems = [
        Problem(filename, located.line_of(path), _dotted(path), message)
        for path, message in _cross_references(model)
    ]
    if problems:
        raise FrameworkError(problems)
    return Framework(model)


def check_target(framework: Framework, data: dict[str, Any]) -> tuple[Target | None, list[str]]:
    """Validate one target against a framework; return it, or None and each problem as 'field: ...'.

    >>> framework = load_framework(
    ...     "organisation: {code: T, name: T}\\nareas: [{code: A, name: A}]\\n"
    ...     "units: [{code: U, name: U, type: force}]"
    ... )
    >>> check_target(framework, {"measure": "M", "starts": "2025/26", "value": "high"})
    (None, ["value: 'high' is not a number"])
    >>> check_target(framework, {"measure": "M", "starts": "2025/26", "value": 3})[1]
    ["measure: 'M' is not a measure in this file"]
    """
    try:
        target = Target.model_validate(data)
    except ValidationError as error:
        return None, [
            f"{_dotted(_data_path(detail['loc']))}: {_message(detail)}" for detail in error.errors()
        ]
    model = framework.model.model_copy(update={"targets": (target,)})
    units = {unit.code: unit for unit in model.units}
    problems = [
        f"{_dotted(path[2:])}: {message}" for path, message in _target_references(model, units)
    ]
    return (None, problems) if problems else (target, [])


def _problems(error: ValidationError, located: LocatedData, filename: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[int, str]] = set()
    details = error.errors(include_url=False)
    failed_items = {_data_path(detail["loc"])[:-1] for detail in details}
    for detail in details:
        path = _data_path(detail["loc"])
        # A list whose only items failed is also "too short"; the items' problems say why.
        if detail["type"] == "too_short" and path in failed_items:
            continue
        if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
            path = (*path, "type")
        field = _dotted(path)
        key = (located.line_of(path), field)
        # A union of standards reports one failure per alternative; the first is enough.
        if key in seen:
            continue
        seen.add(key)
        message = _message(detail)
        if len(path) > 2 and path[0] == "measures" and path[2] == "valid":
            message += f" for measure {_measure_code(located.data, path[1])}"
        problems.append(Problem(filename, key[0], field, message))
    return sorted(problems, key=lambda problem: problem.line)


def _measure_code(data: Any, index: int | str) -> str:
    try:
        return str(data["measures"][index]["code"])
    except (KeyError, IndexError, TypeError):
        return f"number {index}"


def _data_path(loc: tuple[int | str, ...]) -> Path:
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
        if (
            isinstance(part, str)
            and part in standard_tags
            and (previous == "standard" or isinstance(previous, int))
            and "standard" in loc[:index]
        ):
            continue
        path.append(part)
    return tuple(path)


def _dotted(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _message(detail: Any) -> str:
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


def _cross_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    yield from _duplicates("areas", model.areas)
    # Files of figures name units and measures by code or name, whatever the case: each of
    # those spellings must lead to one unit or measure, or a figure lands on the wrong one.
    yield from _duplicates("units", model.units, ignore_case=True)
    yield from _duplicates("measures", model.measures, ignore_case=True)
    yield from _ambiguous_names("units", model.units)
    yield from _ambiguous_names("measures", model.measures)
    units = {unit.code: unit for unit in model.units}
    areas = {area.code for area in model.areas}
    for index, unit in enumerate(model.units):
        if unit.parent is not None and unit.parent not in units:
            yield ("units", index, "parent"), f"{unit.parent!r} is not a unit in this file"
        elif unit.parent is not None and units[unit.parent].external and not unit.external:
            yield ("units", index, "parent"), f"{unit.parent!r} is external; it cannot have units"
        elif _in_cycle(unit.code, units):
            yield ("units", index, "parent"), f"{unit.parent!r} makes the unit its own ancestor"
    national = model.organisation.national
    if national is not None and national not in units:
        yield ("organisation", "national"), f"{national!r} is not a unit in this file"
    unit_types = {unit.type for unit in model.units}
    for index, measure in enumerate(model.measures):
        where: Path = ("measures", index)
        if measure.area not in areas:
            allowed = ", ".join(sorted(areas))
            yield (*where, "area"), f"{measure.area!r} is not one of {allowed}"
        if measure.frequency is PeriodKind.ROLLING and measure.window_months is None:
            yield (*where, "window_months"), "is required for a rolling frequency"
        if measure.rollup is Rollup.POOLED_RATIO and not measure.denominator:
            yield (*where, "denominator"), "is required to pool a ratio (rollup: pooled_ratio)"
        yield from _validity_references(measure, where)
        if measure.kind is Kind.REDLINE and not measure.standard:
            yield (*where, "standard"), "a redline needs a standard (what 'met' means)"
        for position, standard in enumerate(measure.standard):
            for unit_type in standard.unit_types or ():
                if unit_type not in unit_types:
                    allowed = ", ".join(sorted(unit_types))
                    yield (
                        (*where, "standard", position, "unit_types"),
                        (f"{unit_type!r} is not one of {allowed}"),
                    )
            if standard.type == "peer_average" and measure.polarity is Polarity.NEITHER:
                yield (
                    (*where, "standard", position, "type"),
                    ("peer_average needs a polarity of higher_is_better or lower_is_better"),
                )
    for index, group in enumerate(model.peer_groups):
        where = ("peer_groups", index)
        if (group.unit is None) == (not group.units):
            yield where, "give either unit with members, or units (who are each other's peers)"
        if group.unit is not None and not group.members:
            yield (*where, "members"), "must not be empty"
        for field_name in ("unit", "members", "units"):
            value = getattr(group, field_name)
            for position, code in enumerate(value if isinstance(value, tuple) else [value]):
                if code is not None and code not in units:
                    path: Path = (
                        (*where, field_name, position)
                        if isinstance(value, tuple)
                        else (*where, field_name)
                    )
                    yield path, f"{code!r} is not a unit in this file"
    yield from _target_references(model, units)
    yield from _spc_references(model, units)
    yield from _grading_references(model)
    yield from _intervention_references(model)
    yield from _risk_references(model, units)


def _validity_references(measure: Measure, where: Path) -> Iterator[tuple[Path, str]]:
    valid = measure.valid
    place: Path = (*where, "valid")
    if valid.minimum is not None and valid.maximum is not None and valid.maximum < valid.minimum:
        yield (
            (*place, "max"),
            f"{valid.maximum:g} is less than min ({valid.minimum:g}) for measure {measure.code}",
        )
    if valid.target_scale is not None and 0 < valid.target_scale <= 1:
        yield (
            (*place, "target_scale"),
            f"{valid.target_scale:g} must be more than 1 (how many times the target is far "
            f"from it), or off, for measure {measure.code}",
        )
    if valid.proportion and measure.unit_of_measure not in (
        UnitOfMeasure.PERCENT,
        UnitOfMeasure.RATIO,
        UnitOfMeasure.RATE,
    ):
        yield (
            (*place, "proportion"),
            f"measure {measure.code} is a {measure.unit_of_measure.value}; only a percent, "
            "ratio or rate has a numerator and denominator to compare",
        )


def _grading_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    grading = model.grading
    areas = {area.code for area in model.areas}
    yield from _inadequate_before_requires_improvement(grading, ("grading",))
    seen: dict[str, int] = {}
    for index, override in enumerate(grading.areas):
        where: Path = ("grading", "areas", index)
        if override.area not in areas:
            allowed = ", ".join(sorted(areas))
            yield (*where, "area"), f"{override.area!r} is not one of {allowed}"
        elif override.area in seen:
            yield (
                (*where, "area"),
                f"{override.area!r} already has rules at grading.areas[{seen[override.area]}]",
            )
        else:
            yield from _inadequate_before_requires_improvement(
                grading.for_area(override.area), where
            )
        seen.setdefault(override.area, index)


def _intervention_references(model: FrameworkModel) -> Iterator[tuple[Path, str]]:
    menu = model.interventions
    sections: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("categories", tuple(item.code for item in menu.categories)),
        ("actions", tuple(item.code for item in menu.actions)),
    )
    for section, codes in sections:
        seen: dict[str, int] = {}
        for index, code in enumerate(codes):
            if code in seen:
                yield (
                    ("interventions", section, index, "code"),
                    f"{code!r} is already used by interventions.{section}[{seen[code]}]",
                )
            seen.setdefault(code, index)


def _risk_references(model: FrameworkModel, units: dict[str, Unit]) -> Iterator[tuple[Path, str]]:
    risks = model.risks
    for scale in ("likelihood", "impact"):
        weights = getattr(risks, f"{scale}_weights")
        levels = len(getattr(risks, scale))
        if weights is None:
            continue
        where: Path = ("risks", f"{scale}_weights")
        if len(weights) != levels:
            yield where, f"gives {len(weights)} weights for the {levels} levels of {scale}"
        elif any(weight <= 0 for weight in weights):
            yield where, "every weight must be more than 0"
        elif any(later <= earlier for earlier, later in pairwise(weights)):
            yield where, "must rise from the first level to the last"
    bands = [band.min_score for band in risks.bands]
    if bands and any(later <= earlier for earlier, later in pairwise(bands)):
        yield ("risks", "bands"), "each band's min_score must be more than the one before"
    if risks.measure is not None:
        measure = next((m for m in model.measures if m.code == risks.measure), None)
        if measure is None:
            yield ("risks", "measure"), f"{risks.measure!r} is not a measure in this file"
        elif measure.frequency is not PeriodKind.MONTH or measure.unit_of_measure not in (
            UnitOfMeasure.COUNT,
        ):
            yield (
                ("risks", "measure"),
                f"{risks.measure!r} must be a monthly count (frequency: month, "
                "unit_of_measure: count): it is the number of risks above the threshold",
            )
    if risks.unit is not None and (risks.unit not in units or units[risks.unit].external):
        yield ("risks", "unit"), f"{risks.unit!r} is not an internal unit in this file"


def _inadequate_before_requires_improvement(
    rules: GradingRules, where: Path
) -> Iterator[tuple[Path, str]]:
    inadequate = rules.inadequate.redlines_not_met
    requires_improvement = rules.requires_improvement.redlines_not_met
    if inadequate is not None and inadequate <= requires_improvement:
        yield (
            (*where, "inadequate", "redlines_not_met"),
            f"{inadequate} must be more than requires_improvement.redlines_not_met "
            f"({requires_improvement})",
        )


def _target_references(model: FrameworkModel, units: dict[str, Unit]) -> Iterator[tuple[Path, str]]:
    measures = {measure.code: measure for measure in model.measures}
    for index, target in enumerate(model.targets):
        where: Path = ("targets", index)
        measure = measures.get(target.measure)
        if measure is None:
            yield (*where, "measure"), f"{target.measure!r} is not a measure in this file"
        elif target.comparison is None and measure.polarity is Polarity.NEITHER:
            yield (*where, "comparison"), "is required where neither direction is better"
        if target.unit is not None and target.unit not in units:
            yield (*where, "unit"), f"{target.unit!r} is not a unit in this file"
        spans = {}
        for field_name in ("starts", "ends"):
            text = getattr(target, field_name)
            if text is not None:
                try:
                    spans[field_name] = parse_period(text)
                except ParseError as error:
                    yield (*where, field_name), str(error)
        if "starts" in spans and "ends" in spans and spans["ends"].end < spans["starts"].start:
            yield (*where, "ends"), f"{target.ends!r} is before {target.starts!r}"


def _spc_references(model: FrameworkModel, units: dict[str, Unit]) -> Iterator[tuple[Path, str]]:
    """Check each measure's SPC block: its periods fit the measure, its units exist."""
    for index, measure in enumerate(model.measures):
        spc = measure.spc
        where: Path = ("measures", index, "spc")
        baselines: list[tuple[Path, SpcBaseline | None]] = [((*where, "baseline"), spc.baseline)]
        for position, settings in enumerate(spc.units):
            place: Path = (*where, "units", position)
            if settings.unit not in units:
                yield (*place, "unit"), f"{settings.unit!r} is not a unit in this file"
            baselines.append(((*place, "baseline"), settings.baseline))
        for place, baseline in baselines:
            if baseline is None:
                continue
            found = {}
            for field_name, key in (("starts", "from"), ("ends", "to")):
                text = getattr(baseline, field_name)
                if text is None:
                    continue
                try:
                    found[key] = parse_period(parse_frequency_period(measure, text))
                except ValueError as error:
                    yield (*place, key), str(error)
            if "from" in found and "to" in found and found["to"] < found["from"]:
                yield (*place, "to"), f"{baseline.ends!r} is before {baseline.starts!r}"
        seen: dict[tuple[str | None, str], int] = {}
        marks: list[tuple[str, int, SpcRebase | SpcEvent]] = [
            *(("rebases", position, item) for position, item in enumerate(spc.rebases)),
            *(("events", position, item) for position, item in enumerate(spc.events)),
        ]
        for section, position, item in marks:
            place = (*where, section, position)
            try:
                code = parse_frequency_period(measure, item.period)
            except ValueError as error:
                yield (*place, "period"), str(error)
                code = item.period
            if item.unit is not None and item.unit not in units:
                yield (*place, "unit"), f"{item.unit!r} is not a unit in this file"
            if section == "rebases":
                mark = (item.unit, code)
                if mark in seen:
                    earlier = _dotted((*where, section, seen[mark]))
                    yield (*place, "period"), f"{item.period!r} is already a rebase at {earlier}"
                seen.setdefault(mark, position)


def _duplicates(
    section: str, items: Iterable[_Coded], *, ignore_case: bool = False
) -> Iterator[tuple[Path, str]]:
    seen: dict[str, int] = {}
    listed = list(items)
    for index, item in enumerate(listed):
        key = item.code.lower() if ignore_case else item.code
        if key not in seen:
            seen[key] = index
        elif listed[seen[key]].code == item.code:
            yield (
                (section, index, "code"),
                f"{item.code!r} is already used by {section}[{seen[key]}]",
            )
        else:
            yield (
                (section, index, "code"),
                f"{item.code!r} differs from {listed[seen[key]].code!r} of {section}[{seen[key]}] "
                f"only in case; files of figures name {section} without regard to case, so "
                "codes must differ in more than case",
            )


def _ambiguous_names(section: str, items: Iterable[Unit | Measure]) -> Iterator[tuple[Path, str]]:
    """Refuse a name that a file of figures could mean as another unit or measure."""
    listed = list(items)
    codes: dict[str, int] = {}
    for index, item in enumerate(listed):
        codes.setdefault(item.code.lower(), index)  # a code twice is _duplicates' to report
    names: dict[str, int] = {}
    for index, item in enumerate(listed):
        key = item.name.strip().lower()
        other = codes.get(key, index)
        if other != index and key != item.code.lower():
            yield (
                (section, index, "name"),
                f"{item.name!r} is the code of {section}[{other}]; files of figures name "
                f"{section} by code or name, and the code would win: choose another name",
            )
        elif key in names:
            yield (
                (section, index, "name"),
                f"{item.name!r} is also the name of {section}[{names[key]}]; files of figures "
                f"name {section} by code or name, so names must differ",
            )
        names.setdefault(key, index)


def _in_cycle(code: str, units: dict[str, Unit]) -> bool:
    seen = {code}
    parent = units[code].parent
    while parent is not None and parent in units:
        if parent in seen:
            return True
        seen.add(parent)
        parent = units[parent].parent
    return False


def parse_frequency_period(measure: Measure, text: str) -> str:
    """Return the canonical code of ``text`` if it fits the measure's frequency.

    Raise ``ValueError`` naming the frequency otherwise.
    """
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
