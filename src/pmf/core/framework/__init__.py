"""The framework: an organisation's units, areas, measures, standards and peer groups.

A framework is written as a YAML file (see ``docs/framework.md``), validated
here, and then used by every other part of pmf. Every problem is reported with
the file, line and field it is on, the bad value and what is allowed::

    framework.yaml:42 measures[7].polarity: 'higer' is not one of
    higher_is_better, lower_is_better, neither

The package has three parts: ``schema`` (the immutable types, each field checked on its
own), ``problems`` (where a problem is and what it says) and ``references`` (what one part
says about another). ``load_framework`` runs the three in turn.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from pmf.core.framework.problems import (
    FrameworkError,
    Problem,
    data_path,
    describe,
    dotted,
    validation_problems,
)
from pmf.core.framework.references import cross_references, map_units, target_references
from pmf.core.framework.schema import (
    BUILTIN_SCALES,
    CODE_PATTERN,
    DEFAULT_INTERVENTION_ACTIONS,
    DEFAULT_INTERVENTION_CATEGORIES,
    GRADE_ROLES,
    HEALTH_INTERVENTION_ACTIONS,
    INTERVENTION_MENUS,
    NO_GRADE,
    POLICE_INTERVENTION_ACTIONS,
    AdequateRule,
    Area,
    AreaGrading,
    BudgetStandard,
    Code,
    Comparison,
    ConcernSignal,
    CustomScale,
    FormerName,
    Framework,
    FrameworkModel,
    GradeRole,
    Grading,
    GradingRules,
    ImprovementSignal,
    ImprovementStandard,
    InadequateRule,
    InspectionGrade,
    InspectionStandard,
    InterventionAction,
    InterventionCategory,
    Interventions,
    Kind,
    KpiConcernRule,
    MapSettings,
    Measure,
    MeasureSpc,
    Organisation,
    OutstandingRule,
    PeerAverageStandard,
    PeerGroup,
    PeerSet,
    Percentage,
    PeriodRollup,
    Polarity,
    RequiresImprovementRule,
    Return,
    ReturnCell,
    ReturnColumn,
    ReturnRow,
    ReturnRules,
    RiskBand,
    RiskRegister,
    Rollup,
    ScaleGrade,
    ScaleName,
    Sector,
    SpcBaseline,
    SpcChart,
    SpcDefaults,
    SpcEvent,
    SpcRebase,
    SpcRules,
    SpcUnitSettings,
    Standard,
    Status,
    Strict,
    Target,
    TargetStandard,
    Unit,
    UnitMember,
    UnitOfMeasure,
    Validity,
    ZeroStandard,
    parse_frequency_period,
    sector_of,
)
from pmf.core.periods import PeriodKind
from pmf.core.yamlsource import YamlError, load_located


def load_framework(text: str, filename: str = "framework.yaml") -> Framework:
    """Parse and validate a framework file's text; raise ``FrameworkError`` listing every problem.

    >>> load_framework('organisation: {code: X}', 'x.yaml')
    Traceback (most recent call last):
    ...
    pmf.core.framework.problems.FrameworkError: x.yaml:1 organisation.name: is required
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
        raise FrameworkError(validation_problems(error, located, filename)) from None
    problems = [
        Problem(filename, located.line_of(path), dotted(path), message)
        for path, message in cross_references(model)
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
            f"{dotted(data_path(detail['loc']))}: {describe(detail)}" for detail in error.errors()
        ]
    model = framework.model.model_copy(update={"targets": (target,)})
    units = {unit.code: unit for unit in model.units}
    problems = [
        f"{dotted(path[2:])}: {message}" for path, message in target_references(model, units)
    ]
    return (None, problems) if problems else (target, [])


__all__ = [
    "BUILTIN_SCALES",
    "CODE_PATTERN",
    "DEFAULT_INTERVENTION_ACTIONS",
    "DEFAULT_INTERVENTION_CATEGORIES",
    "GRADE_ROLES",
    "HEALTH_INTERVENTION_ACTIONS",
    "INTERVENTION_MENUS",
    "NO_GRADE",
    "POLICE_INTERVENTION_ACTIONS",
    "AdequateRule",
    "Area",
    "AreaGrading",
    "BudgetStandard",
    "Code",
    "Comparison",
    "ConcernSignal",
    "CustomScale",
    "FormerName",
    "Framework",
    "FrameworkError",
    "FrameworkModel",
    "GradeRole",
    "Grading",
    "GradingRules",
    "ImprovementSignal",
    "ImprovementStandard",
    "InadequateRule",
    "InspectionGrade",
    "InspectionStandard",
    "InterventionAction",
    "InterventionCategory",
    "Interventions",
    "Kind",
    "KpiConcernRule",
    "MapSettings",
    "Measure",
    "MeasureSpc",
    "Organisation",
    "OutstandingRule",
    "PeerAverageStandard",
    "PeerGroup",
    "PeerSet",
    "Percentage",
    "PeriodKind",
    "PeriodRollup",
    "Polarity",
    "Problem",
    "RequiresImprovementRule",
    "Return",
    "ReturnCell",
    "ReturnColumn",
    "ReturnRow",
    "ReturnRules",
    "RiskBand",
    "RiskRegister",
    "Rollup",
    "ScaleGrade",
    "ScaleName",
    "Sector",
    "SpcBaseline",
    "SpcChart",
    "SpcDefaults",
    "SpcEvent",
    "SpcRebase",
    "SpcRules",
    "SpcUnitSettings",
    "Standard",
    "Status",
    "Strict",
    "Target",
    "TargetStandard",
    "Unit",
    "UnitMember",
    "UnitOfMeasure",
    "Validity",
    "ZeroStandard",
    "check_target",
    "load_framework",
    "map_units",
    "parse_frequency_period",
    "sector_of",
    "validation_problems",
]
