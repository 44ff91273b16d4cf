"""The Met example as `pmf demo` loads it: no empty tile or register, real MSGs, true dates.

One test, because loading the example with its eight past cycles is the slow part.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
import pytest
from django.utils import timezone

from pmf.core.periods import parse_period
from pmf.sources.examples import registry
from pmf.web.accounts.models import Membership
from pmf.web.accounts.services import create_demo_users
from pmf.web.audit.models import AuditEvent
from pmf.web.cycles.models import AreaGrade, Cycle, GradeEvent
from pmf.web.cycles.presenters import cycle_page
from pmf.web.dashboard.presenters import tiles
from pmf.web.frameworks.models import ComputedPeerGroups, Organisation
from pmf.web.frameworks.services import framework_of
from pmf.web.interventions.models import Intervention
from pmf.web.observations.services import held_observations, load_example
from pmf.web.plans.models import Item, Overview, Plan, SelfAssessment, Theme
from pmf.web.recommendations.models import Recommendation
from pmf.web.risks.models import Risk

pytestmark = pytest.mark.django_db

EXAMPLE = "Example: "


def test_the_police_example_fills_every_tile_and_register_from_its_figures() -> None:
    load_example(registry()["police"])
    police = Organisation.objects.get(code="MPS")
    framework = framework_of(police)
    commands = sorted(unit.code for unit in framework.units if unit.type == "command")

    # Every dashboard tile has something in it for the demo analyst.
    create_demo_users(police)
    analyst = Membership.objects.get(user__username="demo-analyst")
    counts = {tile.code: len(tile.rows(police, analyst)) for tile in tiles()}
    assert len(counts) == 8
    assert all(counts.values()), counts

    # Every register has content, each marked as an example, each recorded in the audit trail.
    risks = list(Risk.objects.filter(organisation=police))
    recommendations = list(Recommendation.objects.filter(organisation=police))
    interventions = list(Intervention.objects.filter(organisation=police))
    plans = list(Plan.objects.filter(organisation=police))
    items = list(Item.objects.filter(theme__plan__organisation=police))
    self_assessments = list(SelfAssessment.objects.filter(cycle__organisation=police))
    assert risks and recommendations and interventions and plans and items and self_assessments
    assert all(risk.title.startswith(EXAMPLE) for risk in risks)
    assert all(
        r.text.startswith(EXAMPLE) and r.report_title.startswith(EXAMPLE) for r in recommendations
    )
    assert all(i.description.startswith(EXAMPLE) for i in interventions)
    assert all(p.name.startswith(EXAMPLE) for p in plans)
    assert all(t.name.startswith(EXAMPLE) for t in Theme.objects.filter(plan__in=plans))
    assert all(item.title.startswith(EXAMPLE) for item in items)
    assert all(s.strengths.startswith(EXAMPLE) for s in self_assessments)
    assert sorted(s.unit.code for s in self_assessments) == commands
    overviews = list(Overview.objects.filter(cycle__organisation=police))
    assert len(overviews) == 1 and overviews[0].text.startswith(EXAMPLE)
    kinds = set(AuditEvent.objects.filter(organisation=police).values_list("kind", flat=True))
    assert {"intervention", "risk", "recommendation"} <= kinds

    # Drawn from the figures: each intervention is on a redline its command did not meet at
    # the board that agreed it, and the police menu offers no council's actions.
    board = Cycle.objects.get(organisation=police, number=8)
    for intervention in interventions:
        assert intervention.agreed_on == board.board_date
        assert intervention.measure is not None and intervention.unit.code in commands
        assert "council" not in intervention.action_name.lower()
        assert "cabinet" not in intervention.action_name.lower()

    # The commands' Most Similar Groups are computed from context, not "every other command".
    version = ComputedPeerGroups.objects.get(organisation=police, superseded_at__isnull=True)
    assert sorted(version.inputs) == commands
    for code in commands:
        group = [g for g in framework.model.peer_groups if g.unit == code]
        assert len(group) == 1 and group[0].method.startswith("computed")
        members = set(group[0].members) - {code}
        assert 0 < len(members) < len(commands) - 1, code
    # ... so the commands' grades are not nearly all Requires Improvement.
    for area in ("HARM", "PROPERTY", "COMMUNITY"):
        grades = Counter(
            AreaGrade.objects.filter(
                cycle=board, unit__code__in=commands, area__code=area
            ).values_list("recommended", flat=True)
        )
        assert grades["requires_improvement"] <= 9, (area, grades)
    # Graded on PEEL's five-grade scale: the adequate rule recommends Adequate somewhere.
    assert police.grading["scale"] == "peel"
    assert AreaGrade.objects.filter(cycle__organisation=police, recommended="adequate").exists()

    # A plausible history: each past cycle locked a few days after its cut-off, before its
    # board, published at the board; none after the last month of figures was published.
    figures = held_observations(police)
    last_month = max(period for period in figures["period"].to_list() if len(period) == 7)
    data_end = parse_period(last_month).end
    past = Cycle.objects.filter(organisation=police, state=Cycle.State.PUBLISHED)
    assert past.count() == 8
    for cycle in past.order_by("number"):
        assert cycle.locked_at is not None and cycle.board_date is not None
        cut_off = parse_period(cycle.cut_off).end
        locked = timezone.localtime(cycle.locked_at).date()
        published = {
            timezone.localtime(event.at)
            for event in GradeEvent.objects.filter(grade__cycle=cycle, step=GradeEvent.Step.AGREED)
        }
        assert len(published) == 1
        (agreed,) = published
        assert cut_off < locked <= cut_off + dt.timedelta(days=14), cycle.number
        assert locked < cycle.board_date < agreed.date() + dt.timedelta(days=1), cycle.number
        assert agreed.date() <= data_end + dt.timedelta(days=1), cycle.number
        assert agreed < timezone.now()

    # Published statistics are validated; the draft cycle's months are still provisional, so
    # its page lists them for the analyst before the lock.
    settled = parse_period(Cycle.objects.get(organisation=police, number=8).cut_off).end
    late = figures["period"].map_elements(
        lambda period: parse_period(period).end > settled, return_dtype=pl.Boolean
    )
    assert set(figures.filter(~late)["status"].unique()) == {"validated"}
    assert set(figures.filter(late)["status"].unique()) == {"provisional"}
    draft = Cycle.objects.get(organisation=police, state=Cycle.State.DRAFT)
    checks = cycle_page(draft, analyst)["checks"]
    assert checks["provisional_count"] > 0

    # North West joins in cycle 9 (illustrative): neither it nor its boroughs are graded in
    # the past cycles, and the draft cycle names it as joining.
    from pmf.web.cycles.delay import reporting_delay_data
    from pmf.web.cycles.members import membership_changes

    past_grades = AreaGrade.objects.filter(cycle__organisation=police)
    assert not past_grades.filter(unit__code="NW").exists()
    assert not past_grades.filter(unit__parent__code="NW").exists()
    assert past_grades.filter(cycle=board, unit__code="NA").exists()
    assert [change["unit"] for change in membership_changes(draft)] == ["NW"]
    # Each past cycle locked 8 days after its cut-off and published at its board; the draft's
    # board is a plan.
    delay = reporting_delay_data(police)
    assert [row["days_to_locked"] for row in delay["cycles"]] == [8] * 8 + [None]
    assert [row["days_to_published"] for row in delay["cycles"]] == [
        53, 53, 52, 51, 51, 53, 51, 50, None,
    ]  # fmt: skip
    assert delay["medians"]["published"] == 51.5
    assert delay["cycles"][-1]["board_planned_days"] == 50
    # Commentary: one flagged against the statistics, one asked for and never written.
    from pmf.web.commentary.presenters import commentary_list_page

    listed = {row["measure"]: row for row in commentary_list_page(police, None, {})["commentary"]}
    assert [flag["words"] for flag in listed["SEXUAL_RATE"]["flags"]] == ["improving"]
    assert listed["ALL_CRIME_RATE"]["overdue"] and not listed["ALL_CRIME_RATE"]["written"]
    assert set(listed) == {"SEXUAL_RATE", "ALL_CRIME_RATE"}

    # One schedule, the board paper to a placeholder address when a cycle moves on to its
    # board; loading the history queued and sent nothing.
    from pmf.web.deliveries.models import Dispatch, Schedule, Sent

    (schedule,) = Schedule.objects.filter(organisation=police)
    assert (schedule.name, schedule.paper, schedule.on_stage, schedule.formats) == (
        "Example: board pack",
        "board",
        "board",
        ["pdf", "pptx"],
    )
    assert [r.email for r in schedule.recipients.all()] == ["board.members@example.org"]
    assert not Dispatch.objects.exists() and not Sent.objects.exists()

    # Loading again adds nothing.
    load_example(registry()["police"])
    assert Risk.objects.filter(organisation=police).count() == len(risks)
    assert Intervention.objects.filter(organisation=police).count() == len(interventions)
    assert Schedule.objects.filter(organisation=police).count() == 1
    assert not Dispatch.objects.exists()

    # High harm is calculated from its four components, each figure dated as its inputs are
    # (so a past cycle saw it), with lineage to the four input figures.
    from pmf.web.observations.calculations import lineage_of
    from pmf.web.observations.models import Observation

    high_harm = Observation.objects.filter(measure__code="HIGH_HARM_RATE", unit__code="E09000013")
    assert high_harm.count() == high_harm.filter(superseded_at__isnull=True).count() > 150
    january = lineage_of(police, "HIGH_HARM_RATE", "E09000013", "2024-01")
    assert january is not None
    assert [item.measure for item in january.inputs] == [
        "VWI_RATE",
        "SEXUAL_RATE",
        "ROBBERY_PERSONAL_RATE",
        "RES_BURGLARY_RATE",
    ]
    assert {item.recorded_at for item in january.inputs} == {january.recorded_at}
    assert january.value == pytest.approx(369 / 183157 * 1000)
