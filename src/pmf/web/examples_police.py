"""The Met example's registers, drawn from its own figures and marked as examples.

Interventions are agreed at cycle 8's board for the commands' redlines that were red and
significantly worse than their Most Similar Group; risks are the force's redlines that were
worse than a year before and a command's longest deterioration; the recommendations are an
(illustrative) internal audit of the measures' own known caveats (the April 2023 burglary
reclassification, census denominators, fraud); the improvement plan sets targets from the
force's cycle 8 figures; each command's self-assessment for the draft cycle 9 lists its
redlines met and not met and its KPIs of concern, and the analyst's overview counts the
redlines the commands miss, and a schedule emails the board paper to a placeholder address
when a cycle moves on to its board (made after the history, so loading sends nothing). Every
title or text begins ``Example:``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from pmf.core.framework import Framework, Kind
from pmf.core.text import format_value
from pmf.sources.examples import Example
from pmf.web.frameworks.models import Organisation

EXAMPLE = "Example: "
ANALYST = "example-analyst"
FORCE = "MPS"
# The cycle whose board agreed the interventions, and the draft the commands assess.
BOARD_CYCLE = 8
DRAFT_CYCLE = 9
INTERVENTIONS = 6
# Menu actions (the police menu) and categories, taken in turn for the interventions.
ACTIONS = (
    ("problem_solving", "4"),
    ("tasking", "3"),
    ("peer_visits", "2"),
    ("performance_support", "3"),
    ("action_plan", "4"),
    ("chief_officer_review", "2"),
)


def fill(example: Example, organisation: Organisation) -> None:
    """Add the registers once; loading the example again changes nothing."""
    from pmf.web.accounts.models import Membership
    from pmf.web.cycles.services import cycle_assessment
    from pmf.web.examples import example_people
    from pmf.web.frameworks.services import framework_of

    if organisation.risks.filter(title__startswith=EXAMPLE).exists():
        return
    framework = framework_of(organisation)
    commands = [unit for unit in framework.units if unit.type == "command"]
    people = example_people(
        organisation,
        [(ANALYST, "Example analyst", Membership.Role.ANALYST, None)]
        + [
            (
                _lead(unit.code),
                f"Example lead, {unit.name}",
                Membership.Role.COMMAND_LEAD,
                unit.code,
            )
            for unit in commands
        ],
    )
    codes = [FORCE, *(unit.code for unit in commands)]
    board = organisation.cycles.get(number=BOARD_CYCLE)
    draft = organisation.cycles.get(number=DRAFT_CYCLE)
    agreed = cycle_assessment(board, units=codes)
    now = cycle_assessment(draft, units=[unit.code for unit in commands])
    assert board.board_date is not None
    _interventions(framework, people, agreed, board.board_date)
    _risks(organisation, framework, agreed)
    _recommendations(organisation, people[ANALYST])
    _plan(organisation, framework, people[ANALYST], agreed)
    _self_assessments(framework, draft, people, now)
    _overview(framework, draft, people[ANALYST], now)
    _schedule(organisation, people[ANALYST])


def _lead(code: str) -> str:
    return f"example-lead-{code.lower()}"


def _shown(framework: Framework, record: dict[str, Any], name: str = "value") -> str:
    return format_value(record[name], framework.measure(record["measure"]))


def _names(framework: Framework, frame: pl.DataFrame) -> str:
    names = [framework.measure(code).name for code in frame["measure"].to_list()]
    return "; ".join(names)


def _interventions(
    framework: Framework, people: dict[str, Any], agreed: pl.DataFrame, on: dt.date
) -> None:
    from pmf.web.interventions.services import NewIntervention, create_intervention, report_progress

    red = (
        agreed.filter(
            (pl.col("kind") == Kind.REDLINE.value)
            & (pl.col("unit") != FORCE)
            & (pl.col("rag") == "red")
            & pl.col("significance").str.starts_with("significantly worse")
        )
        .sort("gap_percent", "unit", "measure", descending=[True, False, False], nulls_last=True)
        .unique(subset="unit", keep="first", maintain_order=True)
        .head(INTERVENTIONS)
    )
    names = {unit.code: unit.name for unit in framework.units}
    for index, record in enumerate(red.iter_rows(named=True)):
        action, category = ACTIONS[index % len(ACTIONS)]
        measure = framework.measure(record["measure"])
        text = (
            f"{EXAMPLE}{measure.name} in {names[record['unit']]} was "
            f"{_shown(framework, record)} in {record['period']}, against "
            f"{_shown(framework, record, 'peer_average')} for its Most Similar Group "
            "(cycle 8). Find where and when the offences concentrate and act on them."
        )
        made = create_intervention(
            people[ANALYST],
            NewIntervention(
                unit=record["unit"],
                measure=measure.code,
                action=action,
                category=category,
                owner=_lead(record["unit"]),
                description=text,
                agreed_on=on.isoformat(),
            ),
        )
        lead = people[_lead(record["unit"])]
        if index % 3 == 0:
            report_progress(
                lead, made, f"{EXAMPLE}hot-spot analysis done; patrol plan agreed.", "in_progress"
            )
        elif index % 3 == 1:
            report_progress(
                lead, made, f"{EXAMPLE}plan delivered and reported back.", "in_progress"
            )
            report_progress(lead, made, f"{EXAMPLE}reported to the board.", "completed")


def _risks(organisation: Organisation, framework: Framework, agreed: pl.DataFrame) -> None:
    from django.utils import timezone

    from pmf.web.risks.services import create_risk

    today = timezone.localdate()
    force = agreed.filter(
        (pl.col("unit") == FORCE)
        & (pl.col("kind") == Kind.REDLINE.value)
        & (pl.col("direction_last_year") == "deteriorating")
    )
    rows: list[dict[str, Any]] = []
    for record in force.iter_rows(named=True):
        measure = framework.measure(record["measure"])
        concern = record["variation"] == "special_cause_concern"
        rows.append(
            {
                "title": f"{EXAMPLE}{measure.name} rising across London",
                "description": f"{EXAMPLE}the force's rate was {_shown(framework, record)} in "
                f"{record['period']}, worse than {_shown(framework, record, 'last_year_value')} "
                "a year before"
                + ("; its SPC chart shows special-cause variation of concern." if concern else "."),
                "category": "Operations",
                "area": measure.area,
                "controls": "Monthly performance board; command action plans.",
                "likelihood": 4 if concern else 3,
                "impact": 4,
            }
        )
    longest = (
        agreed.filter((pl.col("unit") != FORCE) & (pl.col("kind") == Kind.REDLINE.value))
        .sort("deteriorating_steps", "unit", descending=[True, False])
        .row(0, named=True)
    )
    measure = framework.measure(longest["measure"])
    unit = framework.unit(longest["unit"])
    rows.append(
        {
            "title": f"{EXAMPLE}{measure.name} deteriorating in {unit.name}",
            "description": f"{EXAMPLE}worse in each of the last {longest['deteriorating_steps']} "
            f"months to {longest['period']} ({_shown(framework, longest)}).",
            "category": "Operations",
            "unit": unit.code,
            "area": measure.area,
            "controls": "Command tasking; intervention agreed at the board.",
            "likelihood": 4,
            "impact": 3,
        }
    )
    rows.append(
        {
            "title": f"{EXAMPLE}rates per resident rest on the 2021 census",
            "description": f"{EXAMPLE}every crime rate from July 2016 divides by the 2021 "
            "census population; growth since then flatters the rates of growing boroughs.",
            "category": "Data",
            "controls": "Denominators documented in the example's README.",
            "likelihood": 3,
            "impact": 2,
        }
    )
    for index, row in enumerate(rows):
        likelihood, impact = row.pop("likelihood"), row.pop("impact")
        review = today - dt.timedelta(days=14) if index == 0 else today + dt.timedelta(days=60)
        create_risk(
            organisation,
            None,
            {
                **row,
                "owner": ANALYST,
                "inherent_likelihood": min(likelihood + 1, 5),
                "inherent_impact": impact,
                "current_likelihood": likelihood,
                "current_impact": impact,
                "target_likelihood": max(likelihood - 2, 1),
                "target_impact": impact,
                "review_date": review.isoformat(),
            },
        )


def _recommendations(organisation: Organisation, analyst: Any) -> None:
    from pmf.web.recommendations.services import create_recommendation, take_step

    report = f"{EXAMPLE}internal audit of the scorecard's crime measures (illustrative)"
    texts = (
        (
            "Annotate the residential burglary series at April 2023, when the Home Office "
            "definition widened, and say so beside every year-on-year comparison to March 2024.",
            "2025-09-30",
        ),
        (
            "Use mid-year population estimates as denominators instead of the census nearest "
            "in time, so that rates in growing boroughs are not flattered.",
            "2026-03-31",
        ),
        (
            "Record in each measure's definition that fraud is left out of all recorded crime "
            "because it moved to Action Fraud in 2013.",
            "2027-03-31",
        ),
    )
    for index, (text, due) in enumerate(texts):
        made = create_recommendation(
            organisation,
            None,
            {
                "body": "internal_audit",
                "report_title": report,
                "report_date": "2025-06-30",
                "text": f"{EXAMPLE}{text}",
                "owner": ANALYST,
                "due_date": due,
            },
        )
        if index == 1:
            take_step(made, analyst, "start", user=analyst.user)


def _plan(
    organisation: Organisation, framework: Framework, analyst: Any, agreed: pl.DataFrame
) -> None:
    from pmf.web.plans.services import (
        ItemFields,
        add_theme,
        create_item,
        create_plan,
        record_progress,
    )

    plan = create_plan(
        organisation,
        analyst,
        name=f"{EXAMPLE}Safer London improvement plan",
        starts=2025,
        ends=2027,
    )
    themes = (
        ("Violence and sexual offending", ("SEXUAL_RATE", "VWI_RATE")),
        ("Neighbourhood crime", ("RES_BURGLARY_RATE", "ROBBERY_PERSONAL_RATE")),
    )
    for name, codes in themes:
        theme = add_theme(plan, analyst, f"{EXAMPLE}{name}")
        for code in codes:
            record = agreed.filter((pl.col("unit") == FORCE) & (pl.col("measure") == code)).row(
                0, named=True
            )
            measure = framework.measure(code)
            target = round(record["value"] * 0.95, measure.decimals)
            item = create_item(
                theme,
                analyst,
                ItemFields(
                    title=f"{EXAMPLE}reduce {measure.name.split(' per ')[0].lower()} by 5%",
                    owner=ANALYST,
                    description=f"{EXAMPLE}from {_shown(framework, record)} in "
                    f"{record['period']} (cycle 8) to {target} by March 2026.",
                    measures=[code],
                    target_measure=code,
                    target_value=target,
                    target_date=dt.date(2026, 3, 31),
                ),
            )
            if record["rag"] == "red" and record["variation"] == "special_cause_concern":
                status, text = "off_track", "the rate is rising: special-cause concern."
            elif record["rag"] == "red":
                status, text = "at_risk", "worse than the same month last year."
            else:
                status, text = "on_track", "better than the same month last year."
            record_progress(item, analyst, status, f"{EXAMPLE}{text}")
    theme = add_theme(plan, analyst, f"{EXAMPLE}Data and evidence")
    create_item(
        theme,
        analyst,
        ItemFields(
            title=f"{EXAMPLE}adopt mid-year population estimates",
            owner=ANALYST,
            description=f"{EXAMPLE}the audit's second recommendation.",
            measures=["RESIDENTS"],
        ),
    )


def _self_assessments(
    framework: Framework, cycle: Any, people: dict[str, Any], now: pl.DataFrame
) -> None:
    from pmf.web.plans.services import write_self_assessment

    units = {unit.code: unit for unit in cycle.organisation.units.all()}
    for unit in framework.units:
        if unit.type != "command":
            continue
        rows = now.filter(pl.col("unit") == unit.code)
        redlines = rows.filter(pl.col("kind") == Kind.REDLINE.value)
        met = redlines.filter(pl.col("met").fill_null(False))
        missed = redlines.filter(~pl.col("met").fill_null(True))
        concerns = rows.filter(
            (pl.col("kind") != Kind.REDLINE.value)
            & (pl.col("variation") == "special_cause_concern")
        )
        write_self_assessment(
            cycle,
            units[unit.code],
            people[_lead(unit.code)],
            strengths=f"{EXAMPLE}redlines met: {_names(framework, met) or 'none'}.",
            areas_for_improvement=f"{EXAMPLE}redlines not met: "
            f"{_names(framework, missed) or 'none'}.",
            risks=f"{EXAMPLE}KPIs showing special-cause concern: "
            f"{_names(framework, concerns) or 'none'}; each reviewed at the command's monthly "
            "tasking meeting.",
        )


def _overview(framework: Framework, cycle: Any, analyst: Any, now: pl.DataFrame) -> None:
    from pmf.web.plans.services import write_overview

    missed = (
        now.filter((pl.col("kind") == Kind.REDLINE.value) & ~pl.col("met").fill_null(True))
        .group_by("measure")
        .agg(commands=pl.col("unit").n_unique())
        .sort("commands", "measure", descending=[True, False])
    )
    counted = "; ".join(
        f"{framework.measure(code).name} ({count} of 12)" for code, count in missed.iter_rows()
    )
    write_overview(
        cycle,
        analyst,
        f"{EXAMPLE}redlines not met by the commands, most often first: {counted or 'none'}. "
        "The commands' statements are set beside the themes they share below.",
    )


def _schedule(organisation: Organisation, analyst: Any) -> None:
    """Email the board paper (PDF and PowerPoint) to a placeholder address at example.org
    when a cycle moves on to its board: the demo's draft cycle 9 has not, so nothing is due."""
    from pmf.web.deliveries.services import create_schedule

    create_schedule(
        organisation,
        analyst,
        {
            "name": f"{EXAMPLE}board pack",
            "paper": "board",
            "on_stage": "board",
            "recipients": "Example board members <board.members@example.org>",
        },
        ["pdf", "pptx"],
        user=analyst.user,
    )
