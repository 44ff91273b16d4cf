"""Each chart a measure may choose, in Chromium: the measure page and board paper, with axe."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from tests.browser.conftest import check_accessibility, screenshot
from tests.factories import GOOD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Two redlines of the force (so the board paper charts them): a proportion drawn as a p chart
# and a count drawn as a c chart.
CHARTED = """\
  - code: SOLVED
    name: Crimes solved
    area: FOCUS
    kind: redline
    polarity: higher_is_better
    unit_of_measure: percent
    frequency: month
    multiplier: 100
    numerator: Crimes solved
    denominator: Crimes recorded
    standard: {type: target, comparison: ">=", value: 30}
    spc: {chart: p}
  - code: DEATHS
    name: Deaths in custody
    area: FOCUS
    kind: redline
    polarity: lower_is_better
    unit_of_measure: count
    frequency: month
    standard: {type: zero}
    spc: {chart: c}
"""
MONTHS = [f"{2017 + (index + 7) // 12}-{(index + 7) % 12 + 1:02d}" for index in range(24)]


def chart_both(organisation: Organisation, folder: Path, measures: str = CHARTED) -> None:
    """Give the force 24 months (to July 2019) of SOLVED and DEATHS, and the two measures."""
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations

    store_framework(
        load_framework(GOOD.replace("peer_groups:", measures + "peer_groups:", 1)),
        "framework.yaml",
    )
    rows = ["unit,measure,period,value,numerator,denominator"]
    for index, month in enumerate(MONTHS):
        recorded = (100, 400, 250)[index % 3]
        solved = round(recorded * (0.2 + 0.02 * (index % 4 - 1.5)))
        rows.append(f"F,SOLVED,{month},,{solved},{recorded}")
        rows.append(f"F,DEATHS,{month},{(2, 0, 1, 3, 1)[index % 5]},,")
    path = folder / "charted.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    assert result.ok, result.problems
    store_observations(
        organisation, result.observations, file_name=path.name, sha256="z", layout=result.layout
    )


def test_the_measure_page_draws_a_p_chart_and_a_c_chart(
    page: Page, live_server: object, analyst: User, organisation: Organisation, tmp_path: Path
) -> None:
    chart_both(organisation, tmp_path)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/F/measures/SOLVED/")
    page.get_by_role("heading", name="Crimes solved").wait_for()
    page.locator("[data-chart='spc-chart'] svg").wait_for()
    caption = page.locator("figcaption").first.inner_text()
    assert caption.startswith("P chart (proportion), Making Data Count rules: Crimes solved.")
    assert "a step at each figure: they vary with its denominator" in caption
    # The table gives each figure's numerator, denominator and its own limits, which differ
    # between 100, 250 and 400 crimes recorded.
    table = page.get_by_role("table", name="Figures of Crimes solved for Force, with the p chart")
    july = table.get_by_role("row", name="July 2019").get_by_role("cell").all_inner_texts()
    assert july[1:3] == ["58", "250"], july
    uppers = {
        row.get_by_role("cell").nth(6).inner_text()
        for row in table.get_by_role("row").filter(has_text="2019").all()
    }
    assert len(uppers) == 3, uppers
    check_accessibility(page)
    screenshot(page, "measure-p-chart")

    page.goto(f"{base}/TST/units/F/measures/DEATHS/")
    page.get_by_role("heading", name="Deaths in custody").wait_for()
    page.locator("[data-chart='spc-chart'] svg").wait_for()
    caption = page.locator("figcaption").first.inner_text()
    assert caption.startswith("C chart (count), Making Data Count rules: Deaths in custody.")
    assert "vary with its denominator" not in caption
    check_accessibility(page)
    screenshot(page, "measure-c-chart")


def test_the_board_paper_draws_a_p_chart_and_a_c_chart(
    page: Page, live_server: object, analyst: User, organisation: Organisation, tmp_path: Path
) -> None:
    from pmf.web.cycles import services

    chart_both(organisation, tmp_path)
    cycle = services.create_cycle(organisation, number=1, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/cycles/1/")
    page.get_by_role("link", name="Board paper and reports (HTML, PDF, Word)").click()
    page.get_by_role("link", name="Read the board paper in the browser").click()
    page.get_by_role("heading", name="Test Force: scorecard grades, cycle 1").wait_for()
    p_chart = page.get_by_text(
        "Crimes solved, Force: p chart (proportion), Making Data Count rules"
    )
    assert p_chart.count() >= 1
    assert page.get_by_text("The limits vary with each figure's denominator").count() >= 1
    c_chart = "Deaths in custody, Force: c chart (count), Making Data Count rules"
    assert page.get_by_text(c_chart).count() >= 1
    assert page.get_by_role("table", name="the figures charted on the p chart").count() == 1
    check_accessibility(page)
    screenshot(page, "board-paper-chart-types")


def test_the_police_examples_homicides_are_a_c_chart(page: Page, live_server: object) -> None:
    from pmf.sources.examples import registry
    from pmf.web.accounts.models import Membership
    from pmf.web.observations.services import load_example

    load_example(registry()["police"])
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(code="MPS"), role=Membership.Role.ANALYST
    )
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/MPS/units/CW/measures/HOMICIDES/")
    page.get_by_role("heading", name="Homicides", exact=True).wait_for()
    page.locator("[data-chart='spc-chart'] svg").wait_for()
    caption = page.locator("figcaption").first.inner_text()
    assert caption.startswith("C chart (count), Making Data Count rules: Homicides.")
    # The figures' table (188 months, folded away under its summary) names the chart.
    name = "Figures of Homicides for Central West, with the c chart"
    table = page.get_by_role("table", name=name, include_hidden=True)
    assert table.get_by_role("row", name="November 2025", include_hidden=True).count() == 1
    check_accessibility(page)
    screenshot(page, "measure-police-c-chart")


@pytest.mark.parametrize(
    ("chart", "rules", "title"),
    [
        ("i", "anhoej", "XmR chart, Anhøj rules (runs analysis)"),
        ("mr", "mdc", "Moving range (mR) chart, Making Data Count rules"),
        ("run", "anhoej", "Run chart, Anhøj rules (runs analysis)"),
        ("p", "anhoej", "P chart (proportion), Anhøj rules (runs analysis)"),
        ("pp", "mdc", "P′ chart (proportion, Laney), Making Data Count rules"),
        ("u", "mdc", "U chart (rate), Making Data Count rules"),
        ("up", "anhoej", "U′ chart (rate, Laney), Anhøj rules (runs analysis)"),
    ],
)
def test_the_measure_page_draws_every_chart_a_measure_may_choose(
    page: Page,
    live_server: object,
    analyst: User,
    organisation: Organisation,
    tmp_path: Path,
    chart: str,
    rules: str,
    title: str,
) -> None:
    chosen = CHARTED.replace("spc: {chart: p}", f"spc: {{chart: {chart}, rules: {rules}}}")
    assert chosen != CHARTED
    chart_both(organisation, tmp_path, chosen)
    base = live_server.url  # type: ignore[attr-defined]
    sign_in(page, base, "analyst")
    page.goto(f"{base}/TST/units/F/measures/SOLVED/")
    page.get_by_role("heading", name="Crimes solved").wait_for()
    page.locator("[data-chart='spc-chart'] svg").wait_for()
    caption = page.locator("figcaption").first.inner_text()
    assert caption.startswith(f"{title}: Crimes solved."), caption
    check_accessibility(page)
