"""The quarterly cycle's workflow: lock the data, recommend grades, then each role's own step.

draft → data locked → self-assessment → moderation → board → published. Locking freezes the
figures as they stood (revisions after it are kept but do not change the cycle) and records
the recommended grade and generated rationale of every unit and area. Then command leads
grade their units with a rationale, moderators confirm or change those grades (a change
needs a reason), and the board agrees each top-level grade with its rationale. Every step
records who, when, what and why (``GradeEvent``); each role may take only its own step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pmf.core.assessment import assess
from pmf.core.framework import Framework, FrameworkModel
from pmf.core.grading import GradeScale, recommend_grades
from pmf.core.periods import ParseError, PeriodKind, parse_period, read_period
from pmf.core.rationale import rationale
from pmf.core.text import period_name
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units, writable_units
from pmf.web.audit import services as audit
from pmf.web.audit.services import Conflict
from pmf.web.cycles import languages
from pmf.web.cycles.models import AreaGrade, Cycle, GradeEvent, SpotCheck
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, grade_scale
from pmf.web.observations.models import Observation
from pmf.web.observations.services import held_observations

State = Cycle.State
NEXT_STATE = {
    State.DRAFT: State.LOCKED,
    State.LOCKED: State.SELF_ASSESSMENT,
    State.SELF_ASSESSMENT: State.MODERATION,
    State.MODERATION: State.BOARD,
    State.BOARD: State.PUBLISHED,
}


class WorkflowRefused(Exception):
    """Raise with the reasons a step may not be taken; nothing is changed."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def create_cycle(
    organisation: Organisation,
    *,
    number: int,
    name: str,
    cut_off: str,
    board_date: dt.date | None = None,
) -> Cycle:
    """Create a draft cycle; raise ``WorkflowRefused`` for a used number or a bad cut-off."""
    problems = []
    try:
        # A first-of-month date is its month, as before days were periods.
        code = read_period(cut_off, PeriodKind.MONTH).code
    except ParseError as error:
        problems.append(_("cut-off: {error}").format(error=error))
        code = cut_off
    if number < 1:
        problems.append(_("number: must be 1 or more"))
    elif organisation.cycles.filter(number=number).exists():
        problems.append(
            _("number: {organisation} already has a cycle {number}").format(
                organisation=organisation.code, number=number
            )
        )
    if not name.strip():
        problems.append(_("name: must not be empty"))
    if problems:
        raise WorkflowRefused(*problems)
    return Cycle.objects.create(
        organisation=organisation,
        number=number,
        name=name.strip(),
        cut_off=code,
        board_date=board_date,
    )


def cycle_framework(cycle: Cycle) -> Framework:
    """Return the framework the cycle was locked with (the current one while in draft)."""
    if cycle.framework is None:
        return framework_of(cycle.organisation)
    locked = Framework(FrameworkModel.model_validate(cycle.framework))
    return locked.in_language(translation.get_language() or settings.LANGUAGE_CODE)


def cut_off_date(cycle: Cycle) -> dt.date:
    """Return the last day of the cycle's cut-off period."""
    return parse_period(cycle.cut_off).end


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """Return the latest locked cycle numbered before this one, if any."""
    return (
        cycle.organisation.cycles.filter(number__lt=cycle.number, locked_at__isnull=False)
        .order_by("-number")
        .first()
    )


def cycle_assessment(cycle: Cycle, units: list[str] | None = None) -> pl.DataFrame:
    """Assess the cycle as locked: its framework, the figures held at ``locked_at``, its cut-off.

    The direction since the previous cycle compares with the previous cycle's cut-off.
    Before the lock, the figures held now.
    """
    framework = cycle_framework(cycle)
    observations = held_observations(cycle.organisation, as_at=cycle.locked_at)
    previous = previous_cycle(cycle)
    return assess(
        framework,
        observations,
        units=units,
        cut=cut_off_date(cycle),
        previous_cut=cut_off_date(previous) if previous else None,
    )


@transaction.atomic
def lock_cycle(
    cycle: Cycle,
    membership: Membership | None,
    at: dt.datetime | None = None,
    before: pl.DataFrame | None = None,
    *,
    spot_checks: bool = True,
) -> pl.DataFrame:
    """Freeze the cycle's figures and framework; record each recommended grade and rationale.

    ``membership`` None is the system itself (the example history); otherwise an analyst.
    ``before``, if given, is the previous locked cycle's assessment (as ``lock_cycle``
    returned it), so a run of locks need not assess each cycle twice. The lock draws the
    cycle's spot checks unless ``spot_checks`` is false (the example's history, whose
    figures are the published files themselves). Return the assessment.
    """
    if membership is not None:
        _require(membership, cycle, Membership.Role.ANALYST, "lock the data", whole=True)
    if cycle.state != State.DRAFT:
        raise WorkflowRefused(
            _("cycle {number} is {state}, not draft").format(
                number=cycle.number, state=cycle.get_state_display()
            )
        )
    # pmf's texts are written in English (the fields' own) and in every other language of the
    # site (``languages``), whoever locks and in whatever language they read.
    with translation.override(settings.LANGUAGE_CODE):
        framework = framework_of(cycle.organisation)
        # As written, in English: the names shown to a Welsh reader are chosen when shown.
        cycle.framework = framework.english.model.model_dump(mode="json")
        cycle.locked_at = at or timezone.now()
        assessment = cycle_assessment(cycle)
        previous = previous_cycle(cycle)
        if previous is None:
            before = None
        elif before is None:
            before = cycle_assessment(previous)
        recommendations = recommend_grades(framework, assessment)
        texts = [
            rationale(
                framework, assessment, recommendation.unit, recommendation.area, previous=before
            ).text
            for recommendation in recommendations
        ]
        summaries = [recommendation.summary for recommendation in recommendations]
    others = {
        language: languages.texts_by_grade(framework, assessment, before, language)
        for language in languages.other_languages()
    }
    units = {unit.code: unit for unit in cycle.organisation.units.all()}
    areas = {area.code: area for area in cycle.organisation.areas.all()}
    user = membership.user if membership is not None else None
    for position, recommendation in enumerate(recommendations):
        text = texts[position]
        key = (recommendation.unit, recommendation.area)
        grade = AreaGrade.objects.create(
            cycle=cycle,
            unit=units[recommendation.unit],
            area=areas[recommendation.area],
            recommended=recommendation.grade,
            reasons=[reason.as_dict() for reason in recommendation.reasons],
            rationale_generated=text,
            rationale=text,
            position=position,
            translations={
                language: {
                    "rationale_generated": found[key]["rationale_generated"],
                    "reasons": found[key]["reasons"],
                }
                for language, found in others.items()
                if key in found
            },
        )
        _grade_step(
            grade,
            GradeEvent.Step.RECOMMENDED,
            recommendation.grade,
            summaries[position],
            None,
            user,
            cycle.locked_at,
            translations={
                language: {"text": found[key]["summary"]}
                for language, found in others.items()
                if key in found
            },
        )
    cycle.state = State.LOCKED
    cycle.save()
    if spot_checks:
        draw_spot_checks(cycle)
    return assessment


@transaction.atomic
def advance(cycle: Cycle, membership: Membership | None) -> Cycle.State:
    """Move the cycle to its next state (from draft: lock it). Analysts covering the whole
    organisation only."""
    if membership is not None:
        _require(membership, cycle, Membership.Role.ANALYST, "move the cycle on", whole=True)
    if cycle.state == State.DRAFT:
        lock_cycle(cycle, membership)
        return State(cycle.state)
    if cycle.state == State.PUBLISHED:
        raise WorkflowRefused(_("cycle {number} is published already").format(number=cycle.number))
    if cycle.state == State.BOARD:
        missing = [grade.area.code for grade in top_grades(cycle) if not grade.agreed_grade]
        if missing:
            raise WorkflowRefused(
                _("the board has not agreed a grade for {areas}").format(areas=", ".join(missing))
            )
    cycle.state = NEXT_STATE[State(cycle.state)]
    if cycle.state == State.PUBLISHED:
        cycle.published_at = timezone.now()
    cycle.save(update_fields=["state", "published_at"])
    return State(cycle.state)


def grade_history(
    cycles: list[Cycle],
) -> tuple[list[tuple[int, str]], dict[tuple[int, str], str]]:
    """Return the tube map's stations: each cycle's (number, label) and, by (number, area),
    the grade of the organisation as a whole (its top-level unit)."""
    grades = {
        (grade.cycle.number, grade.area.code): grade.grade
        for grade in AreaGrade.objects.filter(
            cycle__in=cycles, unit__parent__isnull=True, unit__external=False
        ).select_related("cycle", "area")
    }
    labels = [(cycle.number, f"{cycle.number}: {period_name(cycle.cut_off)}") for cycle in cycles]
    return labels, grades


def top_grades(cycle: Cycle) -> list[AreaGrade]:
    """Return the grades of the organisation's top-level units (the force), in area order."""
    return list(
        cycle.grades.filter(unit__parent__isnull=True, unit__external=False).select_related(
            "unit", "area"
        )
    )


def self_assess(
    grade: AreaGrade, membership: Membership, value: str, text: str, version: int | None = None
) -> None:
    """A command lead grades a unit in their scope, with a rationale."""
    _step(
        grade,
        membership,
        role=Membership.Role.COMMAND_LEAD,
        state=State.SELF_ASSESSMENT,
        action="self-assess",
    )
    value, text = _checked(
        value, text, _("rationale: give a rationale"), grade_scale(grade.cycle.organisation)
    )
    if not any(unit.pk == grade.unit_id for unit in visible_units(membership)):
        raise WorkflowRefused(
            _("{unit} is not in your part of the organisation").format(unit=grade.unit.name)
        )
    _record(
        grade,
        GradeEvent.Step.SELF_ASSESSED,
        value,
        text,
        membership,
        "self_grade",
        "self_rationale",
        version,
    )


def moderate(
    grade: AreaGrade, membership: Membership, value: str, reason: str, version: int | None = None
) -> None:
    """A moderator confirms or changes a grade; a change needs a reason."""
    _step(
        grade, membership, role=Membership.Role.MODERATOR, state=State.MODERATION, action="moderate"
    )
    before = grade.self_grade or grade.recommended
    value = value.strip()
    scale = grade_scale(grade.cycle.organisation)
    problem = scale.problem(value)
    if problem is not None:
        raise WorkflowRefused(_("grade: {problem}").format(problem=problem))
    if value != before and not reason.strip():
        raise WorkflowRefused(
            _("reason: changing {before} to {after} needs a reason").format(
                before=scale.label(before), after=scale.label(value)
            )
        )
    _record(
        grade,
        GradeEvent.Step.MODERATED,
        value,
        reason.strip(),
        membership,
        "moderated_grade",
        "moderation_reason",
        version,
    )


def agree(
    grade: AreaGrade, membership: Membership, value: str, text: str, version: int | None = None
) -> None:
    """The board agrees a top-level grade with its rationale (it may differ from the commands')."""
    _step(
        grade,
        membership,
        role=Membership.Role.BOARD_MEMBER,
        state=State.BOARD,
        action="agree grades",
    )
    if grade.unit.parent_id is not None:
        raise WorkflowRefused(
            _("the board agrees the grades of the whole organisation, not of its units")
        )
    value, text = _checked(
        value,
        text,
        _("rationale: give the board's rationale"),
        grade_scale(grade.cycle.organisation),
    )
    _record(
        grade,
        GradeEvent.Step.AGREED,
        value,
        text,
        membership,
        "agreed_grade",
        "agreed_rationale",
        version,
    )


@transaction.atomic
def edit_rationale(
    grade: AreaGrade,
    membership: Membership,
    text: str,
    version: int | None = None,
    *,
    versions: Mapping[str, str] | None = None,
) -> None:
    """An analyst edits the rationale before the board; the generated text is kept beside it.

    ``versions`` are the person's versions of the rationale in the site's other languages, by
    language ("cy"): each is shown to that language's readers; one left empty, or as pmf
    wrote it, is none, and the readers of that language read ``text`` as written (or pmf's
    own text in their language, when ``text`` is pmf's). None leaves them as they are.
    """
    _require(membership, grade.cycle, Membership.Role.ANALYST, "edit the rationale")
    _in_scope(grade, membership, "edit the rationale")
    if grade.cycle.state in (State.DRAFT, State.BOARD, State.PUBLISHED):
        raise WorkflowRefused(
            _(
                "the rationale can be edited between the lock and the board, not while {state}"
            ).format(state=grade.cycle.get_state_display().lower())
        )
    if not text.strip():
        raise WorkflowRefused(_("rationale: must not be empty"))
    before = _locked(grade, version)
    # pmf's text sent back unchanged (a browser sends its lines ended CR LF) stays pmf's.
    same = languages.same_text
    grade.rationale = (
        grade.rationale_generated if same(text, grade.rationale_generated) else text.strip()
    )
    if versions is not None:
        translations = dict(grade.translations or {})
        for language in languages.other_languages():
            if language not in versions:
                continue
            own = dict(translations.get(language) or {})
            written = (versions.get(language) or "").strip()
            if written and not same(written, own.get("rationale_generated", "")):
                own["rationale"] = written
            else:
                own.pop("rationale", None)
            if own:
                translations[language] = own
        grade.translations = translations
    grade.save(update_fields=["rationale", "translations"])
    _grade_step(
        grade,
        GradeEvent.Step.RATIONALE,
        "",
        grade.rationale,
        before,
        membership.user,
        translations={
            language: {"text": written}
            for language in languages.other_languages()
            if (written := languages.person_version(grade, language))
        },
    )


def may_run_cycles(membership: Membership) -> bool:
    """Say whether the member may start, lock and move on the organisation's cycles.

    Analysts covering the whole organisation: a cycle's lock and its moves are the whole
    organisation's, not one unit's.
    """
    return membership.role == Membership.Role.ANALYST and membership.unit_id is None


def _refusal(action: str, why: str) -> str:
    """Return the whole sentence refusing ``action`` for ``why``, in the reader's language.

    ``why`` is ``role`` (another role's step), ``whole`` (an analyst of one part only),
    ``scope`` (a unit outside the member's part) or ``time`` (the cycle is at another step).
    """
    sentences = {
        ("lock the data", "role"): _("only analysts of {organisation} may lock the data"),
        ("lock the data", "whole"): _(
            "only analysts covering the whole of {organisation} may lock the data"
        ),
        ("move the cycle on", "role"): _("only analysts of {organisation} may move the cycle on"),
        ("move the cycle on", "whole"): _(
            "only analysts covering the whole of {organisation} may move the cycle on"
        ),
        ("edit the rationale", "role"): _("only analysts of {organisation} may edit the rationale"),
        ("edit the rationale", "scope"): _(
            "{unit} is not in your part of the organisation: you may not edit the rationale of it"
        ),
        ("record spot checks", "role"): _("only analysts of {organisation} may record spot checks"),
        ("self-assess", "role"): _("only command leads of {organisation} may self-assess"),
        ("self-assess", "scope"): _(
            "{unit} is not in your part of the organisation: you may not self-assess it"
        ),
        ("self-assess", "time"): _(
            "cycle {number} is at {state}: it is not the time to self-assess"
        ),
        ("moderate", "role"): _("only moderators of {organisation} may moderate"),
        ("moderate", "scope"): _(
            "{unit} is not in your part of the organisation: you may not moderate it"
        ),
        ("moderate", "time"): _("cycle {number} is at {state}: it is not the time to moderate"),
        ("agree grades", "role"): _("only board members of {organisation} may agree grades"),
        ("agree grades", "scope"): _(
            "{unit} is not in your part of the organisation: you may not agree its grades"
        ),
        ("agree grades", "time"): _(
            "cycle {number} is at {state}: it is not the time to agree grades"
        ),
    }
    return sentences[(action, why)]


def _require(
    membership: Membership, cycle: Cycle, role: str, action: str, *, whole: bool = False
) -> None:
    if membership.organisation_id != cycle.organisation_id or membership.role != role:
        raise WorkflowRefused(_refusal(action, "role").format(organisation=cycle.organisation.name))
    if whole and membership.unit_id is not None:
        raise WorkflowRefused(
            _refusal(action, "whole").format(organisation=cycle.organisation.name)
        )


def _in_scope(grade: AreaGrade, membership: Membership, action: str) -> None:
    """Refuse a step on a grade of a unit outside the member's part of the organisation."""
    if membership.unit_id is None:
        return
    units = {unit.pk for unit in visible_units(membership) if not unit.external}
    if grade.unit_id not in units:
        raise WorkflowRefused(_refusal(action, "scope").format(unit=grade.unit.name))


def _step(grade: AreaGrade, membership: Membership, *, role: str, state: str, action: str) -> None:
    _require(membership, grade.cycle, role, action)
    _in_scope(grade, membership, action)
    if grade.cycle.state != state:
        raise WorkflowRefused(
            _refusal(action, "time").format(
                number=grade.cycle.number, state=grade.cycle.get_state_display().lower()
            )
        )


def _checked(value: str, text: str, missing: str, scale: GradeScale) -> tuple[str, str]:
    problems = []
    value = value.strip()
    problem = scale.problem(value)
    if problem is not None:
        problems.append(_("grade: {problem}").format(problem=problem))
    if not text.strip():
        problems.append(missing)
    if problems:
        raise WorkflowRefused(*problems)
    return value, text.strip()


@transaction.atomic
def _record(
    grade: AreaGrade,
    step: GradeEvent.Step,
    value: str,
    text: str,
    membership: Membership,
    grade_field: str,
    text_field: str,
    version: int | None = None,
) -> None:
    before = _locked(grade, version)
    setattr(grade, grade_field, value)
    setattr(grade, text_field, text)
    # The text is the person's now: pmf's translations of what it held no longer apply.
    forgotten = languages.forget_generated(grade, text_field)
    grade.save(update_fields=[grade_field, text_field, *forgotten])
    _grade_step(grade, step, value, text, before, membership.user)


# The audit trail's word for each step on a grade.
ACTIONS: dict[str, str] = {
    GradeEvent.Step.RECOMMENDED: "recommend",
    GradeEvent.Step.SELF_ASSESSED: "self-assess",
    GradeEvent.Step.MODERATED: "moderate",
    GradeEvent.Step.AGREED: "agree",
    GradeEvent.Step.RATIONALE: "edit rationale",
}
AUDITED = (
    "recommended",
    "self_grade",
    "self_rationale",
    "moderated_grade",
    "moderation_reason",
    "agreed_grade",
    "agreed_rationale",
    "rationale",
)


def grade_version(grade: AreaGrade) -> int:
    """Return the grade's version: the id of its latest step (0 before any)."""
    return grade.events.order_by("-pk").values_list("pk", flat=True).first() or 0


def _locked(grade: AreaGrade, version: int | None) -> dict[str, Any]:
    """Lock the grade's row, check nobody took a step since ``version``; return it as it was.

    The row is read again under the lock, so a step another person saved meanwhile is what
    ``Conflict`` reports, and the values it saved are the ``before`` of this change.
    """
    current = AreaGrade.objects.select_for_update().get(pk=grade.pk)
    if version is not None:
        latest = current.events.select_related("actor").order_by("-pk").first()
        if latest is not None and latest.pk != version:
            by = latest.actor.get_username() if latest.actor is not None else "pmf"
            held = grade_scale(grade.cycle.organisation).label(current.grade)
            raise Conflict(
                _("The grade for {area} in {unit}").format(
                    area=grade.area.code, unit=grade.unit.name
                ),
                by,
                latest.at,
                f"{held} ({latest.get_step_display().lower()})",
            )
    for name in AUDITED:
        setattr(grade, name, getattr(current, name))
    grade.translations = current.translations
    return _audited(current)


def _audited(grade: AreaGrade) -> dict[str, Any]:
    """Return the grade's fields as the audit trail records them: ``AUDITED``, and a person's
    version of the rationale in another language where they gave one ("rationale_cy")."""
    found = {name: getattr(grade, name) for name in AUDITED}
    for language in languages.other_languages():
        version = languages.person_version(grade, language)
        if version:
            found[f"rationale_{language}"] = version
    return found


def _grade_step(
    grade: AreaGrade,
    step: str,
    value: Any,
    text: str,
    before: dict[str, Any] | None,
    user: Any,
    at: dt.datetime | None = None,
    *,
    translations: dict[str, Any] | None = None,
) -> None:
    """Record a step on a grade and its audit event (the grade's fields before and after).

    The recommendation's summary is the note of its event; other steps' texts are in the
    fields the event shows. ``translations`` is the step's text in the site's other
    languages (``languages``), where pmf wrote it or a person gave a version.
    """
    audit.record_step(
        GradeEvent(
            grade=grade, step=step, value=str(value), text=text, translations=translations or {}
        ),
        grade.cycle.organisation,
        kind=audit.Kind.GRADE,
        action=ACTIONS[step],
        label=f"Cycle {grade.cycle.number}: {grade.unit.name}, {grade.area.name}",
        object_id=grade.pk,
        unit_code=grade.unit.code,
        before=before,
        after=_audited(grade),
        note=text if step == GradeEvent.Step.RECOMMENDED else "",
        user=user,
        at=at,
    )


HISTORY_NOTE = gettext_noop(
    "Example history: the recommended grade, agreed as it stood (no one moderated it)."
)
# The example history's calendar: figures locked this many days after the cut-off period ends
# (when the month's figures are out), grades agreed at the board meeting at this hour.
HISTORY_LOCK_DAYS = 8
HISTORY_LOCK_TIME = dt.time(9, 0)
HISTORY_BOARD_TIME = dt.time(15, 0)


def _moment(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def record_history(
    organisation: Organisation, cycles: tuple[tuple[int, str, str, str], ...]
) -> None:
    """Grade past cycles from the figures held, as published; leave the last as a draft.

    For the examples: every past cycle is locked a few days after its cut-off
    (``HISTORY_LOCK_DAYS``), with the figures held then, and published at its board
    meeting with the recommended grades agreed unchanged, each step recorded as the
    example's own (no person) at those moments. Cycles already present are left alone, so
    loading again changes nothing.
    """
    assessed: pl.DataFrame | None = None  # the previous past cycle's, when locked just now
    for position, (number, name, cut_off, board) in enumerate(cycles):
        if organisation.cycles.filter(number=number).exists():
            assessed = None
            continue
        board_date = dt.date.fromisoformat(board)
        cycle = create_cycle(
            organisation,
            number=number,
            name=name,
            cut_off=cut_off,
            board_date=board_date,
        )
        if position == len(cycles) - 1:
            continue
        locked = parse_period(cycle.cut_off).end + dt.timedelta(days=HISTORY_LOCK_DAYS)
        if locked >= board_date:
            raise ValueError(f"cycle {number}: the board ({board}) must follow the lock ({locked})")
        assessed = lock_cycle(
            cycle,
            None,
            at=_moment(locked, HISTORY_LOCK_TIME),
            before=assessed,
            spot_checks=False,
        )
        now = _moment(board_date, HISTORY_BOARD_TIME)
        for grade in cycle.grades.select_related("unit"):
            if grade.unit.parent_id is None:
                before = _audited(grade)
                grade.agreed_grade = grade.recommended
                grade.agreed_rationale = HISTORY_NOTE
                # pmf's note, in every language of the site as the rationale is.
                notes = languages.in_every_language(HISTORY_NOTE, HISTORY_NOTE)
                for language, note in notes.items():
                    grade.translations.setdefault(language, {})["agreed_rationale"] = note["text"]
                grade.save(update_fields=["agreed_grade", "agreed_rationale", "translations"])
                agreed = grade.recommended
                _grade_step(
                    grade,
                    GradeEvent.Step.AGREED,
                    agreed,
                    HISTORY_NOTE,
                    before,
                    None,
                    now,
                    translations=notes,
                )
        cycle.state = State.PUBLISHED
        cycle.published_at = now
        cycle.save(update_fields=["state", "published_at"])


# Figures the analyst checks before the lock, and the spot checks' sample: both are of the
# cycle's own period, the figures for periods ending after the previous cycle's cut-off.


def cycle_span(cycle: Cycle) -> tuple[dt.date, dt.date]:
    """Return the cycle's period: periods ending after the first date, up to the second.

    From the previous locked cycle's cut-off (the year before the cut-off for a first cycle)
    to the cycle's own.
    """
    previous = previous_cycle(cycle)
    until = cut_off_date(cycle)
    if previous is not None:
        return cut_off_date(previous), until
    # A year before: 31 July 2018 for a cut-off of July 2019 (28 February for a 29th).
    return until.replace(
        year=until.year - 1, day=min(until.day, 28 if until.month == 2 else 31)
    ), until


def span_words(cycle: Cycle) -> str:
    """Return the cycle's period in words: "figures for periods ending after July 2018 (...)"."""
    previous = previous_cycle(cycle)
    until = period_name(cycle.cut_off)
    if previous is not None:
        since = period_name(previous.cut_off)
        return _(
            "figures for periods ending after {since} (cycle {number}'s cut-off) and by {until}"
        ).format(since=since, number=previous.number, until=until)
    return _(
        "figures for periods ending in the year to {until} (there is no earlier cycle)"
    ).format(until=until)


def in_span(period: str, span: tuple[dt.date, dt.date]) -> bool:
    """Return whether a period's figures are of the cycle's period (see ``cycle_span``)."""
    try:
        end = parse_period(period).end
    except ParseError:
        return False
    return span[0] < end <= span[1]


def observations_to_check(cycle: Cycle, units: Collection[str]) -> list[dict[str, Any]]:
    """Return the cycle's figures of ``units`` that are provisional or carry accepted warnings.

    As held now for a draft, as held at the lock after it (``flagged_observations``).
    """
    from pmf.web.observations.marks import flagged_observations

    return flagged_observations(
        cycle.organisation, as_at=cycle.locked_at, units=units, periods=periods_of(cycle)
    )


def periods_of(cycle: Cycle) -> list[str]:
    """Return the codes of the periods held that are of the cycle's period (``cycle_span``)."""
    span = cycle_span(cycle)
    held = (
        Observation.objects.filter(measure__organisation=cycle.organisation)
        .values_list("period", flat=True)
        .distinct()
    )
    return sorted(code for code in held if in_span(code, span))


NOTE_LIMIT = 2000


def spot_check_seed(cycle: Cycle) -> str:
    """Return the seed of a cycle's draw: "MPS cycle 9" (see ``pmf.core.sampling``)."""
    return f"{cycle.organisation.code} cycle {cycle.number}"


@transaction.atomic
def draw_spot_checks(cycle: Cycle) -> list[SpotCheck]:
    """Draw the cycle's spot checks from its figures as held at the lock, once.

    The population is every figure reported (not summed) for an internal unit and a measure of
    the cycle's framework, for a period of the cycle (``cycle_span``), as held at the lock. A
    cycle that has its sample keeps it; a cycle locked before spot checks existed gets the
    same sample whenever it is first drawn, as the draw depends only on those figures, until
    it is published: a cycle published without a sample gets none afterwards, as its board
    paper went out without one.
    """
    from pmf.core.sampling import draw_sample

    if cycle.locked_at is None:
        raise WorkflowRefused(
            _("cycle {number} is a draft: its sample is drawn at the lock").format(
                number=cycle.number
            )
        )
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    drawn = list(cycle.spot_checks.all())
    if drawn or cycle.state == State.PUBLISHED:
        return drawn
    measures = {measure.code for measure in cycle_framework(cycle).measures}
    held = (
        Observation.objects.filter(
            measure__organisation=cycle.organisation,
            unit__external=False,
            period__in=periods_of(cycle),
            recorded_at__lte=cycle.locked_at,
        )
        .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=cycle.locked_at))
        .values_list("pk", "unit__code", "measure__code", "period")
    )
    keys = {
        f"{unit}|{measure}|{period}": pk
        for pk, unit, measure, period in held
        if measure in measures
    }
    chosen = draw_sample(keys, spot_check_seed(cycle))
    return SpotCheck.objects.bulk_create(
        SpotCheck(cycle=cycle, observation_id=keys[key], position=position)
        for position, key in enumerate(chosen, start=1)
    )


@transaction.atomic
def record_spot_check(check: SpotCheck, membership: Membership, result: str, note: str) -> None:
    """An analyst records what they found checking a sampled figure against its source.

    A discrepancy needs a note saying what differs. Only for figures of units in the
    analyst's scope, until the cycle is published; every result is in the audit trail.
    """
    cycle = check.cycle
    _require(membership, cycle, Membership.Role.ANALYST, "record spot checks")
    if cycle.state == State.PUBLISHED:
        raise WorkflowRefused(
            _("cycle {number} is published: its spot checks can no longer be changed").format(
                number=cycle.number
            )
        )
    observation = check.observation
    if not any(unit.pk == observation.unit_id for unit in writable_units(membership)):
        raise WorkflowRefused(
            _("{unit} is not in your part of the organisation").format(unit=observation.unit.name)
        )
    result, note = result.strip(), note.strip()
    problems = []
    if result not in SpotCheck.Result.values:
        problems.append(_("result: choose verified against source or discrepancy"))
    elif result == SpotCheck.Result.DISCREPANCY and not note:
        problems.append(_("note: say what differs from the source"))
    if len(note) > NOTE_LIMIT:
        problems.append(
            _("note: keep it to {limit} characters (it has {length})").format(
                limit=f"{NOTE_LIMIT:,}", length=f"{len(note):,}"
            )
        )
    if problems:
        raise WorkflowRefused(*problems)
    current = SpotCheck.objects.select_for_update().get(pk=check.pk)
    before = {"result": current.result, "note": current.note}
    check.result, check.note = result, note
    check.checked_by, check.checked_at = membership.user, timezone.now()
    check.save(update_fields=["result", "note", "checked_by", "checked_at"])
    audit.record(
        cycle.organisation,
        kind=audit.Kind.OBSERVATION,
        action="spot check",
        label=(
            f"Cycle {cycle.number} spot check {check.position}: {observation.measure.name}, "
            f"{observation.unit.name}, {parse_period(observation.period).label}"
        ),
        # Apart from the import batches, whose ids the figures' other events carry.
        object_id=f"spot-check-{check.pk}",
        unit_code=observation.unit.code,
        before=before if before["result"] else None,
        after={"result": result, "note": note},
        user=membership.user,
        at=check.checked_at,
    )


def spot_check_summary(cycle: Cycle) -> str:
    """Return the share of the cycle's sample verified, in words, for the board paper."""
    from pmf.core.sampling import verified_summary

    checks = cycle.spot_checks.select_related("observation__unit", "observation__measure").order_by(
        "observation__unit__code", "observation__measure__code", "observation__period"
    )
    return verified_summary(
        [
            (
                f"{check.observation.measure.shown_name}, {check.observation.unit.shown_name}, "
                f"{period_name(check.observation.period)}",
                check.result,
                check.note,
            )
            for check in checks
        ]
    )
