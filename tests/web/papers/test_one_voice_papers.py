"""Golden wording of the board paper and the reports where two true facts pull apart, and the
grade labelled with its cycle wherever it sits beside figures of another time."""

from __future__ import annotations

import textwrap
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.framework import load_framework
from pmf.reports.document import Bullets, Paragraph, Table
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import store_framework
from pmf.web.observations.services import import_frame
from pmf.web.papers.builders.board import board_paper
from pmf.web.papers.builders.exceptions import exception_report
from pmf.web.papers.builders.outcomes import outcomes_report
from tests.factories import hold_from_before_the_rules, member

pytestmark = pytest.mark.django_db

FRAMEWORK = textwrap.dedent(
    """\
    organisation: {code: GLD, name: Golden Police}
    areas:
      - {code: FOCUS, name: FOCUS}
    units:
      - {code: F, name: Force, type: force}
    measures:
      - code: HH
        name: High harm per 1,000
        area: FOCUS
        kind: redline
        polarity: lower_is_better
        unit_of_measure: rate
        frequency: month
        multiplier: 1000
        decimals: 2
        standard: {type: improvement, against: same_period_last_year}
      - code: SX
        name: Sexual offences per 1,000
        area: FOCUS
        kind: redline
        polarity: lower_is_better
        unit_of_measure: rate
        frequency: month
        multiplier: 1000
        decimals: 2
        standard: {type: improvement, against: same_period_last_year}
    """
)

# High harm is better than last year but worse in each of the last two months; sexual
# offences are 0.25 both years at the precision shown (0.247 against 0.254).
FIGURES = [
    ("F", "HH", "2024-11", 146.0, 100000.0),
    ("F", "HH", "2025-07", 145.0, 100000.0),
    ("F", "HH", "2025-08", 130.0, 100000.0),
    ("F", "HH", "2025-09", 130.0, 100000.0),
    ("F", "HH", "2025-10", 135.0, 100000.0),
    ("F", "HH", "2025-11", 139.0, 100000.0),
    ("F", "SX", "2024-11", 254.0, 1000000.0),
    ("F", "SX", "2025-10", 260.0, 1000000.0),
    ("F", "SX", "2025-11", 247.0, 1000000.0),
]


@pytest.fixture
def golden() -> Organisation:
    organisation = store_framework(load_framework(FRAMEWORK), "framework.yaml")
    frame = pl.DataFrame(
        FIGURES,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.String,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
        orient="row",
    )
    import_frame(organisation, frame, file_name="golden.csv", source="test")
    return organisation


@pytest.fixture
def locked(golden: Organisation) -> Cycle:
    analyst = member("golden_analyst", golden, Membership.Role.ANALYST)
    cycle = services.create_cycle(golden, number=1, name="Winter 2025", cut_off="2025-11")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


def test_the_board_paper_says_met_but_deteriorating_in_one_sentence(locked: Cycle) -> None:
    document = board_paper(locked)
    section = next(s for _, s in document.walk() if s.number == "5.1")
    bullets = [
        item for block in section.blocks if isinstance(block, Bullets) for item in block.items
    ]
    assert bullets[:2] == [
        "High harm per 1,000 – Met, but deteriorating since September 2025. "
        "1.39 against 1.46 in November 2024.",
        "Sexual offences per 1,000 – Not Met. 0.25, no better than 0.25 in November 2024.",
    ]
    # The run is said once, with the verdict; never as a separate sentence beside "Met".
    assert "continually deteriorating" not in document.text()


def test_better_than_the_last_board_but_worse_lately_is_one_sentence(
    golden: Organisation,
) -> None:
    analyst = member("golden_analyst", golden, Membership.Role.ANALYST)
    for number, cut_off in ((1, "2025-07"), (2, "2025-11")):
        cycle = services.create_cycle(golden, number=number, name=cut_off, cut_off=cut_off)
        services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    section = next(s for _, s in board_paper(cycle).walk() if s.number == "5.1")
    bullets = [
        item for block in section.blocks if isinstance(block, Bullets) for item in block.items
    ]
    assert bullets[0] == (
        "High harm per 1,000 – Met, but deteriorating since September 2025. "
        "1.39 against 1.46 in November 2024. Improved since the last board (1.45 in July "
        "2025), but worse in each of the last two months."
    )


def test_the_exception_report_has_one_arrow_vocabulary_and_its_legend(locked: Cycle) -> None:
    document = exception_report(locked)
    text = document.text()
    assert "Directions of travel: ↑ the figure rose, ↓ it fell" in text
    table = next(b for _, s in document.walk() for b in s.blocks if isinstance(b, Table))
    sexual = next(row for row in table.rows if row[0] == "Sexual offences per 1,000")
    assert sexual[2:6] == ("better than November 2024 (0.25)", "Not met", "↓ better", "→ no change")
    assert not any(symbol in text for symbol in "▲▼")
    # High harm is met and better than last year: not an exception, so not listed at all.
    assert all(row[0] != "High harm per 1,000" for row in table.rows)


def test_the_outcomes_report_says_both_facts_in_one_note(locked: Cycle) -> None:
    document = outcomes_report(locked)
    notes = [
        item
        for _, s in document.walk()
        for b in s.blocks
        if isinstance(b, Bullets)
        for item in b.items
    ]
    assert notes == ["High harm per 1,000: met, but deteriorating since September 2025."]
    lead = next(b for _, s in document.walk() for b in s.blocks if isinstance(b, Paragraph))
    assert "data to November 2025" in lead.text


def test_the_overview_labels_the_grade_with_its_cycle_beside_the_latest_figures(
    locked: Cycle, golden: Organisation
) -> None:
    user = User.objects.get(username="golden_analyst")
    client = Client()
    client.force_login(user)
    page = client.get("/GLD/").content.decode()
    assert "Requires Improvement (cycle 1, data locked)" in page
    assert "Latest figures (November 2025):" in page
    assert "as at each measure's latest figure (most are for November 2025)" in page
    assert "whose data are to November 2025" in page


def test_the_measure_page_compares_peers_at_the_latest_period_the_group_has(
    organisation: Organisation,
) -> None:
    from pmf.web.frameworks.models import Unit
    from pmf.web.scorecards.presenters import measure_page

    early = pl.DataFrame(
        {
            "unit": ["N"],
            "measure": ["CR"],
            "period": ["2019-08"],
            "numerator": [7.0],
            "denominator": [1000.0],
        }
    )
    import_frame(organisation, early, file_name="august.csv", source="test")
    page = measure_page(organisation, Unit.objects.get(organisation=organisation, code="N"), "CR")
    assert page["rows"][-1]["period"] == "2019-08"
    # South has no August figure: the comparison is July's, and says so.
    assert (page["peers"]["period"], page["peers"]["period_code"]) == ("July 2019", "2019-07")
    assert [row["unit"] for row in page["peers"]["rows"]] == ["S", "N"]
    assert page["peer_chart"] is not None


def test_a_sparkline_leaves_out_a_figure_dated_in_the_future(
    organisation: Organisation, tmp_path: Path
) -> None:
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import held_observations
    from pmf.web.scorecards.presenters import _sparklines

    framework = framework_of(organisation)
    before = _sparklines(framework, held_observations(organisation), "N", None)
    hold_from_before_the_rules(
        organisation, tmp_path / "typo.csv", "unit,measure,period,value\nN,CR,2099-07,9.0\n"
    )
    assert _sparklines(framework, held_observations(organisation), "N", None) == before


def test_the_annual_report_says_the_verdict_then_the_standard(
    locked: Cycle, golden: Organisation
) -> None:
    from pmf.web.papers.builders.annual import annual_report

    document = annual_report(golden, "2025/26")
    table = next(
        b
        for _, s in document.walk()
        for b in s.blocks
        if isinstance(b, Table) and b.caption.startswith("FOCUS")
    )
    assert [row[-1] for row in table.rows] == [
        "Met. Standard: better than November 2024 (1.46)",
        "Not met. Standard: better than November 2024 (0.25)",
    ]


def test_the_measure_page_lists_a_figure_dated_in_the_future_but_neither_charts_nor_judges_it(
    organisation: Organisation, tmp_path: Path
) -> None:
    from pmf.web.frameworks.models import Unit
    from pmf.web.scorecards.presenters import measure_page

    north = Unit.objects.get(organisation=organisation, code="N")
    before = measure_page(organisation, north, "CR")
    hold_from_before_the_rules(
        organisation, tmp_path / "typo.csv", "unit,measure,period,value\nN,CR,2099-07,9.0\n"
    )
    page = measure_page(organisation, north, "CR")
    assert page["rows"][-1]["period"] == "2099-07" and page["rows"][-1]["future"]
    assert not page["rows"][-1]["charted"]
    assert page["chart"]["data"] == before["chart"]["data"]
    assert page["peers"]["period_code"] == before["peers"]["period_code"]
    assert page["spc"] == before["spc"]
