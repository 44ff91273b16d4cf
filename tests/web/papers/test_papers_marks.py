"""The papers mark provisional figures and figures stored with accepted warnings, as the
scorecards do, with the marks' legend, in every format."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from pmf.core.scorecard import MARKS_LEGEND
from pmf.reports.document import Table
from pmf.reports.html import render_html
from pmf.reports.word import render_word
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.exceptions import exception_report
from pmf.web.papers.builders.outcomes import outcomes_report

pytestmark = pytest.mark.django_db


def lock(organisation: Organisation, analyst: User) -> Cycle:
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def marked_cycle(organisation: Organisation, analyst: User) -> Cycle:
    """A cycle locked with every figure signed off but North's crimes of July 2019, stored
    with an accepted warning, and South's response times, provisional."""
    held = Observation.objects.filter(measure__organisation=organisation)
    held.update(status=Observation.Status.SIGNED_OFF)
    held.filter(unit__code="N", measure__code="CR", period="2019-07").update(
        warnings="the value is 25% below the previous one", warnings_reason="new recording rules"
    )
    held.filter(unit__code="S", measure__code="ER", period="2019-07").update(
        status=Observation.Status.PROVISIONAL
    )
    return lock(organisation, analyst)


def chart_table(paper: object) -> Table:
    for _, section in paper.walk():  # type: ignore[attr-defined]
        for block in section.blocks:
            if isinstance(block, Table) and "Crimes per 1,000, Force" in block.caption:
                return block
    raise AssertionError("no table of the crimes chart")


def test_the_board_papers_chart_table_marks_the_figure_summed_from_a_warned_one(
    marked_cycle: Cycle,
) -> None:
    paper = board_paper(marked_cycle)
    values = {row[0]: row[1] for row in chart_table(paper).rows}
    assert values["July 2019"].endswith(" [W]")
    assert "[" not in values["July 2018"]
    assert f"Marks: {MARKS_LEGEND}" in paper.text()
    html = render_html(paper)
    assert "[W]" in html and "Marks:" in html
    assert b"Marks:" in _word_text(render_word(paper))


def test_a_paper_without_marked_figures_has_no_marks_legend(
    organisation: Organisation, analyst: User
) -> None:
    Observation.objects.update(status=Observation.Status.VALIDATED)
    text = board_paper(lock(organisation, analyst)).text()
    assert "Marks:" not in text
    assert "[P]" not in text


def test_the_outcomes_and_exception_reports_mark_their_values(marked_cycle: Cycle) -> None:
    outcomes = outcomes_report(marked_cycle)
    assert f"Marks: {MARKS_LEGEND}" in outcomes.text()
    (crimes,) = [
        row
        for _, section in outcomes.walk()
        for block in section.blocks
        if isinstance(block, Table)
        for row in block.rows
        if row[0] == "Crimes per 1,000"
    ]
    assert crimes[1].startswith("5.0 [W] (")
    # North's response times (75%, not met) are an exception; South's (met) are not.
    Observation.objects.filter(unit__code="N", measure__code="ER").update(
        status=Observation.Status.PROVISIONAL
    )
    exceptions = exception_report(marked_cycle).text()
    assert "Emergency response within target | 75.0% [P] (July 2019)" in exceptions
    assert f"Marks: {MARKS_LEGEND}" in exceptions


def _word_text(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml")


def test_the_annual_report_marks_each_cycles_figures_as_locked(marked_cycle: Cycle) -> None:
    from pmf.web.papers.builders.annual import annual_report

    document = annual_report(marked_cycle.organisation, "2019/20")
    rows = {
        row[0]: row
        for _, section in document.walk()
        for block in section.blocks
        if isinstance(block, Table)
        for row in block.rows
    }
    assert rows["Crimes per 1,000"][1] == "5.0 [W]"
    assert f"Marks: {MARKS_LEGEND}" in document.text()


def test_the_public_scorecard_marks_each_figure_as_locked(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    from pmf.web.publishing import publish_cycle

    Observation.objects.update(status=Observation.Status.SIGNED_OFF)
    Observation.objects.filter(unit__code="S", measure__code="ER", period="2019-07").update(
        status=Observation.Status.PROVISIONAL
    )
    cycle = lock(organisation, analyst)
    Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.PUBLISHED)
    cycle.refresh_from_db()
    publish_cycle(cycle, site)
    south = (site / "units" / "S.html").read_text()
    assert '85.0%</data><sup class="pmf-mark" aria-hidden="true">P</sup>' in south
    assert 'id="marks-legend"' in south
    assert 'id="marks-legend"' not in (site / "units" / "N.html").read_text()


def test_the_board_papers_peer_table_marks_each_peers_figure(
    organisation: Organisation, analyst: User
) -> None:
    from django.utils import timezone

    from pmf.web.frameworks.models import Measure, Unit

    # The force's peer, X, with a crimes figure stored with an accepted warning.
    Observation.objects.update(status=Observation.Status.SIGNED_OFF)
    Observation.objects.create(
        measure=Measure.objects.get(organisation=organisation, code="CR"),
        unit=Unit.objects.get(organisation=organisation, code="X"),
        period="2019-07",
        value=7.0,
        numerator=7,
        denominator=1000,
        status=Observation.Status.SIGNED_OFF,
        warnings="the value is 40% above the previous one",
        warnings_reason="a boundary change",
        recorded_at=timezone.now(),
    )
    paper = board_paper(lock(organisation, analyst))
    (peers,) = [
        block
        for _, section in paper.walk()
        for block in section.blocks
        if isinstance(block, Table) and block.header == ("Unit", "Value", "95% interval")
    ]
    values = {row[0]: row[1] for row in peers.rows}
    assert values == {"Other Force": "7.0 [W]", "Force (this unit)": "5.0"}
