"""Shape the cycle pages' data; the HTML and the JSON versions both come from here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from pmf.core.grading import DEFAULT_SCALE, GradeScale
from pmf.core.history import changes_summary, grade_changes
from pmf.core.periods import parse_period
from pmf.core.text import format_date, format_moment, period_name
from pmf.reports.charts.tube import tube_map_svg
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import visible_units, writable_units
from pmf.web.cycles import languages
from pmf.web.cycles.models import AreaGrade, Cycle
from pmf.web.cycles.services import (
    NEXT_STATE,
    cycle_framework,
    grade_history,
    grade_version,
    observations_to_check,
    previous_cycle,
    span_words,
)
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import grade_scale


def grade_text(
    value: str | None, cycle: Cycle | None = None, *, scale: GradeScale = DEFAULT_SCALE
) -> dict[str, str]:
    """Return a grade value with its label on ``scale`` and its role (the tag's colour).

    With ``cycle`` the label names it, for wherever the grade sits beside figures of
    another time: "Requires Improvement (cycle 8, agreed 20 October 2025)".
    """
    if not value:
        return {"value": "", "label": "–", "role": ""}
    label = scale.label(value)
    if cycle is not None:
        label = _("{grade} ({cycle})").format(grade=label, cycle=cycle_words(cycle))
    return {"value": value, "label": label, "role": scale.role(value)}


def scale_words(scale: GradeScale) -> dict[str, str]:
    """Return the scale for running text: its grades "Outstanding, Good ... or Inadequate" and
    the tube map's letters "O Outstanding, G Good, ...", for the pages that explain grades."""
    names = [scale.label(code) for code in scale.codes]
    return {
        "name": scale.shown_name,
        "listed": _("{grades} or {last}").format(grades=", ".join(names[:-1]), last=names[-1]),
        "letters": ", ".join(f"{scale.letter(code)} {scale.label(code)}" for code in scale.codes),
    }


def cycle_words(cycle: Cycle) -> str:
    """Return the cycle a grade is from and how settled it is: "cycle 8, agreed 20 October 2025".

    A grade is agreed at the board; before then it is the cycle's state ("cycle 9, moderation").
    """
    agreed = cycle.state in (Cycle.State.BOARD, Cycle.State.PUBLISHED) and cycle.board_date
    if agreed:
        return _("cycle {number}, agreed {date}").format(
            number=cycle.number, date=format_date(cycle.board_date)
        )
    return _("cycle {number}, {state}").format(
        number=cycle.number, state=cycle.get_state_display().lower()
    )


def _cycle(cycle: Cycle) -> dict[str, Any]:
    return {
        "number": cycle.number,
        "name": cycle.name,
        "cut_off": cycle.cut_off,
        "cut_off_label": _("data to {period}").format(period=period_name(cycle.cut_off)),
        "board_date": cycle.board_date.isoformat() if cycle.board_date else None,
        "state": cycle.state,
        "state_label": str(cycle.get_state_display()),
        "locked_at": cycle.locked_at.isoformat(timespec="seconds") if cycle.locked_at else None,
        "locked_at_label": _when(cycle.locked_at) if cycle.locked_at else None,
    }


def _when(moment: dt.datetime) -> str:
    """Return a moment as people read it, in the server's time zone: "14 October 2019, 09:30"."""
    return format_moment(timezone.localtime(moment))


def cycles_page(organisation: Organisation, *, whole: bool = True) -> dict[str, Any]:
    """Return every cycle, newest first, and the tube map of top-level grades since the first.

    ``whole`` is False for a member scoped to a unit: the organisation's own grades are theirs
    to read once published, so the tube map shows published cycles only, and the annual
    reports (the whole organisation's) are not offered.
    """
    cycles = list(organisation.cycles.order_by("number"))
    areas = list(organisation.areas.order_by("position"))
    graded = [
        cycle
        for cycle in cycles
        if cycle.locked_at is not None and (whole or cycle.state == Cycle.State.PUBLISHED)
    ]
    labels, grades = grade_history(graded)
    scale = grade_scale(organisation)
    titles = [(area.code, _area_title(area)) for area in areas]
    from pmf.core.periods import financial_year_of

    years = sorted(
        {financial_year_of(parse_period(cycle.cut_off).end).code for cycle in graded if whole},
        reverse=True,
    )
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "scale": {**scale.as_dict(), **scale_words(scale)},
        "cycles": [_cycle(cycle) for cycle in reversed(cycles)],
        "years": [{"code": code, "address": code.replace("/", "-")} for code in years],
        "tube_map": {
            "svg": tube_map_svg(
                labels,
                titles,
                grades,
                title=_("{organisation}: grades by cycle").format(organisation=organisation.name),
                scale=scale,
            )
            if graded
            else "",
            "areas": [{"code": code, "title": title} for code, title in titles],
            "rows": [
                {
                    "cycle": label,
                    "grades": [
                        grade_text(grades.get((number, code), ""), scale=scale)
                        for code, _title in titles
                    ],
                }
                for number, label in labels
            ],
        },
    }


def _area_title(area: Any) -> str:
    former = list(area.former_names.all())
    if former:
        return _("{area} (formerly {former})").format(area=area.name, former=former[-1].name)
    return str(area.name)


def cycle_page(cycle: Cycle, membership: Membership) -> dict[str, Any]:
    """Return this and the previous cycle's grades by unit and area, and what changed."""
    organisation = cycle.organisation
    units = [unit for unit in visible_units(membership, organisation) if not unit.external]
    areas = list(organisation.areas.order_by("position").prefetch_related("former_names"))
    current = _grades(cycle)
    scale = grade_scale(organisation)
    previous = previous_cycle(cycle)
    before = _grades(previous) if previous is not None else {}
    depth: dict[int, int] = {}
    rows = []
    for unit in units:
        level = depth[unit.parent_id] + 1 if unit.parent_id in depth else 0
        depth[unit.pk] = level
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "level": level,
                "cells": [
                    {
                        "area": area.code,
                        "grade": grade_text(current[(unit.code, area.code)].grade, scale=scale)
                        if (unit.code, area.code) in current
                        else grade_text(""),
                        "previous": grade_text(before[(unit.code, area.code)].grade, scale=scale)
                        if (unit.code, area.code) in before
                        else grade_text(""),
                    }
                    for area in areas
                ],
            }
        )
    shown = {unit.code for unit in units}
    changes = grade_changes(
        {key: grade.grade for key, grade in before.items() if key[0] in shown},
        {key: grade.grade for key, grade in current.items() if key[0] in shown},
        scale,
    )
    tops = [unit for unit in units if unit.parent_id is None]
    summary = (
        changes_summary(
            changes,
            top_unit=tops[0].code if tops else "",
            unit_names={unit.code: unit.name for unit in units},
            area_names={area.code: area.name for area in areas},
        ).as_dict()
        if previous is not None and current
        else None
    )
    next_state = NEXT_STATE.get(Cycle.State(cycle.state))
    return {
        "organisation": {"code": organisation.code, "name": organisation.name},
        "cycle": _cycle(cycle),
        # For the analyst, who locks the data: what is still provisional or was accepted.
        "checks": observations_to_check_page(cycle, membership)
        if membership.role == Membership.Role.ANALYST
        else None,
        "previous": _cycle(previous) if previous is not None else None,
        "next_state": Cycle.State(next_state).label if next_state else None,
        "advance_text": _move_on_text(next_state),
        "areas": [{"code": area.code, "title": _area_title(area)} for area in areas],
        "units": rows,
        "changes": summary,
        **_joining_and_delay(cycle, shown),
    }


def _joining_and_delay(cycle: Cycle, shown: set[str]) -> dict[str, Any]:
    """Return the units in ``shown`` that joined or left in the cycle, and its own delay."""
    from pmf.web.cycles.delay import days_text, delay_rows, organisation_delays
    from pmf.web.cycles.members import membership_changes

    (row,) = delay_rows(organisation_delays(cycle.organisation, [cycle]))
    return {
        "joined_or_left": [
            change for change in membership_changes(cycle) if change["unit"] in shown
        ],
        "delay": {
            **row,
            "locked_text": days_text(row["days_to_locked"]),
            "board_text": days_text(row["days_to_board"], row["board_planned_days"]),
            "published_text": days_text(row["days_to_published"]),
        },
    }


def _title_in(framework: Any, code: str, name: str) -> str:
    try:
        return str(framework.area(code).title)
    except KeyError:  # an area added after the cycle was locked
        return name


def _grades(cycle: Cycle | None) -> dict[tuple[str, str], AreaGrade]:
    if cycle is None:
        return {}
    return {
        (grade.unit.code, grade.area.code): grade
        for grade in cycle.grades.select_related("unit", "area")
    }


def grade_page(grade: AreaGrade) -> dict[str, Any]:
    """Return one unit's grade for one area: each step with who, when and why."""
    cycle = grade.cycle
    area = grade.area
    framework = cycle_framework(cycle)
    scale = grade_scale(cycle.organisation)
    return {
        "organisation": {"code": cycle.organisation.code, "name": cycle.organisation.name},
        "cycle": _cycle(cycle),
        "unit": {
            "code": grade.unit.code,
            "name": grade.unit.name,
            "top": grade.unit.parent_id is None,
        },
        "area": {
            "code": area.code,
            "title": framework.area(area.code).title
            if area.code in {a.code for a in framework.areas}
            else area.name,
        },
        "grade_id": grade.pk,
        # The version a form carries: a step saved after it makes the form's save a conflict.
        "version": grade_version(grade),
        "grade": grade_text(grade.grade, scale=scale),
        "recommended": grade_text(grade.recommended, scale=scale),
        # pmf's texts in the reader's language (``languages``); people's texts as written.
        "reasons": languages.shown_reasons(grade),
        "self": {
            "grade": grade_text(grade.self_grade, scale=scale),
            "rationale": grade.self_rationale,
        },
        "moderated": {
            "grade": grade_text(grade.moderated_grade, scale=scale),
            "reason": grade.moderation_reason,
        },
        "agreed": {
            "grade": grade_text(grade.agreed_grade, scale=scale),
            "rationale": languages.shown_field(grade, "agreed_rationale"),
        },
        "rationale": languages.shown_rationale(grade),
        "rationale_generated": languages.generated_rationale(grade),
        "rationale_edited": languages.rationale_edited(grade),
        # For a cycle locked before pmf kept its texts in every language: English, marked so.
        "in_english": languages.in_english_only(grade),
        "rationale_in_english": languages.rationale_in_english(grade),
        "events": [
            {
                "step": event.get_step_display(),
                "grade": grade_text(
                    event.value if event.value in scale.values else "", scale=scale
                ),
                "text": languages.event_text(event),
                "in_english": languages.event_in_english(event),
                "by": event.actor.get_username() if event.actor else "pmf",
                "at": event.at.isoformat(timespec="seconds"),
                "at_label": _when(event.at),
            }
            for event in grade.events.select_related("actor")
        ],
        "grades": scale.choices(),
        "scale": scale.as_dict(),
        # The grade form's hint: which scale, unless it is pmf's default.
        "grade_hint": ""
        if scale == DEFAULT_SCALE
        else _("The {scale} scale, best first.").format(scale=scale.shown_name),
    }


def observations_to_check_page(cycle: Cycle, membership: Membership) -> dict[str, Any]:
    """Return the cycle's figures in the member's scope that are provisional (by measure and
    period, with the units) or stored with accepted warnings (each, with them and the reason).

    Before the lock, the figures held now; after it, as they were locked.
    """
    from pmf.core.text import format_count, format_value, join_words

    framework = cycle_framework(cycle)
    measures = {measure.code: measure for measure in framework.measures}
    names = {unit.code: unit.name for unit in cycle.organisation.units.all()}
    found = [
        row
        for row in observations_to_check(cycle, [unit.code for unit in writable_units(membership)])
        if row["measure"] in measures
    ]
    provisional: dict[tuple[str, str], list[str]] = {}
    for row in found:
        if row["provisional"]:
            provisional.setdefault((row["measure"], row["period"]), []).append(
                names.get(row["unit"], row["unit"])
            )
    order = {code: index for index, code in enumerate(measures)}
    # One row per measure and set of units, its periods together: a measure provisional for
    # every borough in three months is one row, not three of thirty-two names each.
    grouped: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (code, period), units in sorted(
        provisional.items(), key=lambda item: (order[item[0][0]], parse_period(item[0][1]).end)
    ):
        grouped.setdefault((code, tuple(sorted(units))), []).append(period)
    return {
        "span": span_words(cycle),
        "at_lock": cycle.locked_at is not None,
        "provisional_count": sum(len(units) for units in provisional.values()),
        "provisional_count_text": format_count(sum(len(units) for units in provisional.values())),
        "provisional": [
            {
                "measure": code,
                "measure_name": measures[code].name,
                "periods": periods,
                "periods_label": join_words([period_name(period) for period in periods]),
                "units": list(units),
            }
            for (code, units), periods in grouped.items()
        ],
        "warned": [
            {
                "unit": row["unit"],
                "unit_name": names.get(row["unit"], row["unit"]),
                "measure": row["measure"],
                "measure_name": measures[row["measure"]].name,
                "period": row["period"],
                "period_label": parse_period(row["period"]).label,
                "value_text": format_value(row["value"], measures[row["measure"]]),
                "provisional": row["provisional"],
                "warnings": row["warnings"],
                "reason": row["warnings_reason"],
            }
            for row in found
            if row["warned"]
        ],
    }


def spot_checks_page(cycle: Cycle, membership: Membership) -> dict[str, Any]:
    """Return the cycle's spot checks of the units the member may see, with the share verified.

    Each check has the figure as held at the lock (value, status, source, note), its result
    and who recorded it when, and whether this member may record it.
    """
    from pmf.core.sampling import SAMPLE_MAX, SAMPLE_MIN, SAMPLE_SHARE, verified_summary
    from pmf.core.text import format_value
    from pmf.web.cycles.models import SpotCheck
    from pmf.web.cycles.services import spot_check_seed

    framework = cycle_framework(cycle)
    measures = {measure.code: measure for measure in framework.measures}
    seen = {unit.pk for unit in visible_units(membership) if not unit.external}
    writable = {unit.pk for unit in writable_units(membership)}
    may_record = membership.role == Membership.Role.ANALYST and cycle.state != Cycle.State.PUBLISHED
    checks = [
        check
        for check in cycle.spot_checks.select_related(
            "observation__unit", "observation__measure", "checked_by"
        )
        if check.observation.unit_id in seen
    ]
    items: list[dict[str, Any]] = []
    for check in checks:
        observation = check.observation
        measure = measures.get(observation.measure.code)
        period = period_name(observation.period)
        label = f"{observation.measure.name}, {observation.unit.name}, {period}"
        items.append(
            {
                "position": check.position,
                "ref": str(check.position),
                "label": label,
                "unit": observation.unit.code,
                "unit_name": observation.unit.name,
                "measure": observation.measure.code,
                "measure_name": observation.measure.name,
                "period": observation.period,
                "period_label": period,
                "value": observation.value,
                "value_text": format_value(observation.value, measure)
                if measure
                else f"{observation.value:g}",
                "numerator": observation.numerator,
                "denominator": observation.denominator,
                "revision": observation.revision,
                "status": str(observation.get_status_display()),
                "source": observation.source or (measure.source if measure else "") or "",
                "figure_note": observation.note,
                "result": check.result,
                "result_label": str(SpotCheck.Result(check.result).label)
                if check.result
                else _("Not yet checked"),
                "note": check.note,
                "checked_by": check.checked_by.get_username() if check.checked_by else "",
                "checked_at": check.checked_at.isoformat(timespec="seconds")
                if check.checked_at
                else None,
                "checked_at_label": _when(check.checked_at) if check.checked_at else "",
                "can_record": may_record and observation.unit_id in writable,
                "audit_object": f"spot-check-{check.pk}",
            }
        )
    return {
        "organisation": {"code": cycle.organisation.code, "name": cycle.organisation.name},
        "cycle": _cycle(cycle),
        "seed": spot_check_seed(cycle),
        "rule": _(
            "{share}% of the figures reported for the cycle's period, at least {least} (all of "
            "them when fewer) and at most {most}"
        ).format(share=round(SAMPLE_SHARE * 100), least=SAMPLE_MIN, most=SAMPLE_MAX),
        "scoped": membership.unit_id is not None,
        "published": cycle.state == Cycle.State.PUBLISHED,
        "summary": verified_summary(
            [(item["label"], item["result"], item["note"]) for item in items]
        )
        if items
        else "",
        "checked": sum(1 for item in items if item["result"]),
        "checks": items,
        "results": [{"value": value, "label": label} for value, label in SpotCheck.Result.choices],
    }


def _move_on_text(state: str | None) -> str:
    """Return the button's words for moving a cycle on to ``state``, a whole phrase each."""
    words = {
        Cycle.State.SELF_ASSESSMENT: _("Move on to self-assessment"),
        Cycle.State.MODERATION: _("Move on to moderation"),
        Cycle.State.BOARD: _("Move on to board"),
        Cycle.State.PUBLISHED: _("Move on to published"),
    }
    return words.get(Cycle.State(state), "") if state else ""
