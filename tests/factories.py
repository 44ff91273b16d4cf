"""Build what many test modules share: frameworks, figures, people, records and signed-in clients.

Fixtures stay in conftest.py (tests/conftest.py names the people: ``analyst``, ``owner``,
``viewer`` and the others); the builders they and the tests call live here, imported by name.
Builders of stored records import Django and the web apps when called, so that the core's
tests and the fuzzing harness in tests/fuzz read ``GOOD`` without setting Django up.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from pmf.core.assessment import ASSESSMENT_COLUMNS
from pmf.core.framework import FrameworkError, load_framework
from pmf.core.observations import OBSERVATION_SCHEMA

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.test import Client
    from playwright.sync_api import Browser, Page

    from pmf.web.accounts.models import Membership
    from pmf.web.cycles.models import AreaGrade, Cycle
    from pmf.web.frameworks.models import Organisation
    from pmf.web.interventions.models import Intervention
    from pmf.web.plans.models import SelfAssessment

PASSWORD = "correct horse battery staple"

# --------------------------------------------------------------------------------------------
# Frameworks
# --------------------------------------------------------------------------------------------

# The test force: two commands, an external comparator, a target and a peer-compared rate.
GOOD = textwrap.dedent(
    """\
    organisation: {code: TST, name: Test Force}
    areas:
      - code: FOCUS
        name: FOCUS
        formerly: [{name: KEEPING PEOPLE SAFE}]
      - {code: PEOPLE, name: INNOVATION}
    units:
      - {code: F, name: Force, type: force}
      - {code: N, name: North, type: command, parent: F}
      - {code: S, name: South, type: command, parent: F}
      - {code: X, name: Other Force, type: force, external: true}
    measures:
      - code: ER
        name: Emergency response within target
        area: FOCUS
        kind: redline
        polarity: higher_is_better
        unit_of_measure: percent
        frequency: month
        standard: {type: target, comparison: ">=", value: 80}
      - code: CR
        name: Crimes per 1,000
        area: FOCUS
        kind: redline
        polarity: lower_is_better
        unit_of_measure: rate
        frequency: month
        multiplier: 1000
        denominator: Population
        rollup: pooled_ratio
        standard:
          - {type: peer_average, unit_types: [command]}
          - {type: improvement, against: same_period_last_year}
    peer_groups:
      - {name: Commands, units: [N, S]}
      - {name: MSG, unit: F, members: [X]}
    """
)

# A monthly count, to add to GOOD before its peer groups.
COUNT_MEASURE = """\
  - code: ARRESTS
    name: Arrests
    area: FOCUS
    kind: kpi
    polarity: neither
    unit_of_measure: count
    frequency: month
"""

# Two counts and two measures calculated from them (a sum, and a ratio using the sum), to add
# to GOOD before its peer groups.
CALCULATED_MEASURES = """\
  - {code: STOPS, name: Stops, area: FOCUS, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: month, rollup: sum}
  - {code: SEARCHES, name: Searches, area: FOCUS, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: month, rollup: sum}
  - {code: ACTIVITY, name: Stops and searches, area: FOCUS, kind: kpi, polarity: neither,
     unit_of_measure: count, frequency: month, formula: STOPS + SEARCHES, rollup: formula}
  - {code: SHARE, name: Searches per 100 of activity, area: FOCUS, kind: kpi,
     polarity: neither, unit_of_measure: percent, frequency: month,
     formula: SEARCHES / ACTIVITY * 100, multiplier: 100, rollup: pooled_ratio}
"""
CALCULATED = GOOD.replace("peer_groups:", CALCULATED_MEASURES + "peer_groups:")

# The risk register's redline: a weighted register scoring to 100, its figure a monthly count.
RISK_REGISTER = """\
  - code: RR75
    name: Risk register scores above 75
    area: FOCUS
    kind: redline
    polarity: lower_is_better
    unit_of_measure: count
    frequency: month
    standard: {type: zero}
risks:
  impact_weights: [4, 8, 12, 16, 20]
  threshold: 75
  bands:
    - {name: low, min_score: 0}
    - {name: medium, min_score: 20}
    - {name: high, min_score: 50}
    - {name: very high, min_score: 76}
  measure: RR75
"""

# The grading tests' force: four redlines and three KPIs in FOCUS, a redline and a context
# measure in PROCESS; a test adds its own grading block.
GRADING_FRAMEWORK = textwrap.dedent(
    """\
    organisation: {code: TST, name: Test Force}
    areas:
      - {code: FOCUS, name: FOCUS}
      - {code: PROCESS, name: PROCESS}
      - {code: PEOPLE, name: INNOVATION}
    units:
      - {code: F, name: Force, type: force}
      - {code: N, name: North, type: command, parent: F}
      - {code: X, name: Other Force, type: force, external: true}
    measures:
    """
) + "".join(
    textwrap.indent(
        textwrap.dedent(
            f"""\
            - code: {code}
              name: {name}
              area: {area}
              kind: {kind}
              polarity: higher_is_better
              unit_of_measure: percent
              frequency: month
            """
        )
        + (
            "  standard: {type: target, comparison: '>=', value: 80}\n" if kind == "redline" else ""
        ),
        "  ",
    )
    for code, name, area, kind in [
        ("R1", "High harm offences", "FOCUS", "redline"),
        ("R2", "High harm solved", "FOCUS", "redline"),
        ("R3", "Emergency response", "FOCUS", "redline"),
        ("R4", "Victim contact", "FOCUS", "redline"),
        ("K1", "Stop and search", "FOCUS", "kpi"),
        ("K2", "Days to investigate", "FOCUS", "kpi"),
        ("K3", "Arrest rate", "FOCUS", "kpi"),
        ("P1", "Remand files", "PROCESS", "redline"),
        ("P2", "Context only", "PROCESS", "context"),
    ]
)


def problems(text: str) -> list[str]:
    """Return the problems a framework file is refused with (it must be refused)."""
    with pytest.raises(FrameworkError) as caught:
        load_framework(text, "framework.yaml")
    return [str(problem) for problem in caught.value.problems]


# --------------------------------------------------------------------------------------------
# Figures and assessments
# --------------------------------------------------------------------------------------------

# The test force's figures: a year of crimes for both commands, and ER for the latest month.
FIGURES = (
    "unit,measure,period,value,numerator,denominator\n"
    "N,CR,2018-07,,8,1000\nS,CR,2018-07,,4,1000\n"
    "N,CR,2019-07,,6,1000\nS,CR,2019-07,,4,1000\n"
    "N,ER,2019-07,75,,\nS,ER,2019-07,85,,\n"
)


def observations(
    rows: list[tuple[str, str, str, float | None, float | None, float | None]],
) -> pl.DataFrame:
    """Build an observations frame from (unit, measure, period, value, numerator, denominator)."""
    return pl.DataFrame(
        rows,
        schema=OBSERVATION_SCHEMA,
        orient="row",
    )


def value_rows(
    rows: list[tuple[str, str, str, float]], status: str = "provisional"
) -> pl.DataFrame:
    """Build rows of (unit, measure, period, value) as ``store_observations`` takes them."""
    return pl.DataFrame(
        rows, schema=["unit", "measure", "period", "value"], orient="row"
    ).with_columns(
        pl.lit(None, dtype=pl.Float64).alias("numerator"),
        pl.lit(None, dtype=pl.Float64).alias("denominator"),
        pl.lit(status).alias("status"),
        pl.lit("").alias("note"),
        pl.lit("test").alias("source"),
    )


def import_figures(organisation: Organisation, rows: list[tuple[str, str, str, str]]) -> None:
    """Import rows of (unit, measure, period, value) as a file would be."""
    from pmf.web.observations.services import import_frame

    frame = pl.DataFrame(rows, schema=["unit", "measure", "period", "value"], orient="row")
    import_frame(organisation, frame, file_name="more.csv", source="test")


def row(frame: pl.DataFrame, unit: str, measure: str) -> dict[str, object]:
    """Return the one row of an assessment frame for a unit and measure."""
    rows = frame.filter((pl.col("unit") == unit) & (pl.col("measure") == measure))
    assert rows.height == 1
    return rows.row(0, named=True)


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    """Build an assessment frame; each row names measure and the columns that matter."""
    base = {column: None for column in ASSESSMENT_COLUMNS}
    kinds = {"R": "redline", "K": "kpi", "P": "redline"}
    records = []
    for row in rows:
        record = {**base, "unit": "F", "value": 1.0, **row}
        code = str(record["measure"])
        record["kind"] = record["kind"] or ("context" if code == "P2" else kinds[code[0]])
        record["area"] = record["area"] or ("PROCESS" if code.startswith("P") else "FOCUS")
        records.append(record)
    return pl.DataFrame(records, schema={c: TYPES.get(c, pl.String) for c in ASSESSMENT_COLUMNS})


TYPES: dict[str, type[pl.DataType]] = {
    **dict.fromkeys(
        [
            "value",
            "numerator",
            "denominator",
            "reference",
            "previous_value",
            "last_year_value",
            "previous_cycle_value",
            "peer_average",
            "pooled_average",
            "gap",
            "gap_percent",
            "forecast",
            "budget_variance",
            "national_value",
        ],
        pl.Float64,
    ),
    **dict.fromkeys(["group_size", "rank", "deteriorating_steps", "spc_points"], pl.Int64),
    "met": pl.Boolean,
    "trial_limits": pl.Boolean,
}


def hold_from_before_the_rules(organisation: Organisation, path: Path, content: str) -> None:
    """Store figures as a database made before pmf refused periods to come may hold them.

    A mistyped period (2099 for 2019) is refused at import now; pages must still neither chart
    nor judge one that is held, so the test stores it as of a day in 2100.
    """
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of
    from pmf.web.observations.services import store_observations

    path.write_text(content, encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation), today=dt.date(2100, 1, 1))
    assert result.ok, result.problems
    store_observations(
        organisation,
        result.observations,
        file_name=path.name,
        sha256="from-before-the-rules",
        layout=result.layout,
        check_warnings=False,
    )


# The test force with a budget, an inspection, a zero standard and a national unit named in
# Welsh, beside its target, MSG average and improvement standards.
EVERY_STANDARD = (
    GOOD.replace(
        "organisation: {code: TST, name: Test Force}",
        "organisation: {code: TST, name: Test Force, national: W}",
    )
    .replace(
        "  - {code: X, name: Other Force, type: force, external: true}\n",
        "  - {code: X, name: Other Force, type: force, external: true}\n"
        "  - {code: W, name: Wales, name_cy: Cymru, type: country, external: true}\n",
    )
    .replace(
        "peer_groups:",
        """  - code: OT
    name: Overtime spend
    area: PEOPLE
    kind: redline
    polarity: lower_is_better
    unit_of_measure: gbp
    frequency: month
    decimals: 0
    standard: {type: within_budget, budget: 120}
  - code: INSP
    name: Inspection
    area: PEOPLE
    kind: redline
    polarity: lower_is_better
    unit_of_measure: grade
    frequency: month
    standard: {type: inspection_grade, minimum: requires_improvement}
  - code: RR
    name: Risks above 75
    area: PEOPLE
    kind: redline
    polarity: lower_is_better
    unit_of_measure: count
    frequency: month
    standard: {type: zero}
peer_groups:""",
    )
)


def with_every_standard(organisation: Organisation) -> Organisation:
    """Store EVERY_STANDARD for the test force, with figures judged by each standard."""
    from pmf.web.frameworks.services import store_framework
    from pmf.web.observations.services import import_frame

    organisation = store_framework(load_framework(EVERY_STANDARD), "framework.yaml")
    import_figures(
        organisation,
        [
            ("N", "OT", "2019-05", "40"),
            ("N", "OT", "2019-06", "40"),
            ("N", "OT", "2019-07", "40"),
            ("N", "INSP", "2019-07", "4"),
            ("N", "RR", "2019-07", "2"),
        ],
    )
    # Wales's crimes, well above North's six per 1,000: North is significantly better.
    import_frame(
        organisation,
        pl.DataFrame(
            {
                "unit": ["W"],
                "measure": ["CR"],
                "period": ["2019-07"],
                "numerator": [90_000.0],
                "denominator": [3_000_000.0],
            }
        ),
        file_name="wales.csv",
        source="test",
    )
    return organisation


# Rebases and events of ER's SPC chart, and 43 months of its figures to chart.
STANDARD = '    standard: {type: target, comparison: ">=", value: 80}\n'
SPC = (
    "    spc:\n"
    "      rebases: [{period: 2019-01, reason: new dispatch system}]\n"
    "      events: [{period: 2019-03, text: Storm Ciara}]\n"
)
MONTHS = [f"{2016 + index // 12}-{index % 12 + 1:02d}" for index in range(43)]  # to 2019-07


def load_charted(organisation: Organisation, folder: Path) -> Organisation:
    """Give the test force 43 months of ER for F and N, and a rebase and event in the file."""
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations

    store_framework(load_framework(GOOD.replace(STANDARD, STANDARD + SPC)), "framework.yaml")
    rows = ["unit,measure,period,value"]
    for index, month in enumerate(MONTHS):
        for unit in ("F", "N"):
            rows.append(f"{unit},ER,{month},{70 + index % 4 + (10 if month >= '2019-01' else 0)}")
    path = folder / "er.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = check_table(read_table(path), framework_of(organisation))
    store_observations(
        organisation, result.observations, file_name="er.csv", sha256="y", layout=result.layout
    )
    return organisation


# --------------------------------------------------------------------------------------------
# People and their clients
# --------------------------------------------------------------------------------------------


def member(name: str, organisation: Organisation, role: str, unit: str | None = None) -> User:
    """Create a user with a membership of the organisation: a role, and a unit if scoped."""
    from django.contrib.auth.models import User

    from pmf.web.accounts.models import Membership
    from pmf.web.frameworks.models import Unit

    user = User.objects.create_user(name, password=PASSWORD)
    Membership.objects.create(
        user=user,
        organisation=organisation,
        role=role,
        unit=Unit.objects.get(organisation=organisation, code=unit) if unit else None,
    )
    return user


def membership(user: User) -> Membership:
    """Return the user's membership, read again from the database."""
    from pmf.web.accounts.models import Membership

    return Membership.objects.get(user=user)


def api_client(user: User) -> Client:
    """Return a test client that calls the API with a new token of the user's."""
    from django.test import Client

    from pmf.web.api.services import issue_token

    _, key = issue_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {key}"})


def sign_in(page: Page, base: str, username: str) -> None:
    """Sign in on the browser's page from the home page, checking the sign-in page on the way."""
    from tests.browser.conftest import check_accessibility, screenshot

    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    check_accessibility(page)
    screenshot(page, "sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def signed_in(browser: Browser, base: str, username: str) -> Page:
    """Open a page in a further browser context with the user signed in (a second person)."""
    from tests.browser.conftest import watched_context

    page = watched_context(browser).new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Test Force").wait_for()
    return page


def with_email(*users: User) -> None:
    """Give each user an email address, username@example.org, so that reminders reach them."""
    for user in users:
        user.email = f"{user.username}@example.org"
        user.save()


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve a folder over HTTP without logging each request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --------------------------------------------------------------------------------------------
# Records: risks, recommendations, interventions, cycles
# --------------------------------------------------------------------------------------------


def rated(likelihood: int, impact: int, **more: object) -> dict[str, object]:
    """Return a risk's form fields, its current score the likelihood and impact given."""
    return {
        "title": "Emergency response drivers",
        "description": "Too few trained drivers.",
        "controls": "Training courses booked.",
        "inherent_likelihood": 5,
        "inherent_impact": 5,
        "current_likelihood": likelihood,
        "current_impact": impact,
        "target_likelihood": 2,
        "target_impact": 3,
        "review_date": "2030-01-31",
        **more,
    }


def details(**more: str) -> dict[str, str]:
    """Return a recommendation's form fields: an inspectorate's, for North, owned by owner."""
    return {
        "body": "hmicfrs",
        "report_title": "PEEL 2019",
        "report_date": "2019-09-01",
        "text": "Improve emergency response times.",
        "unit": "N",
        "owner": "owner",
        "due_date": "2030-03-31",
        **more,
    }


AGREED = dt.date(2019, 8, 31)


def agree(user: User, **fields: str) -> Intervention:
    """Agree a strategic review of ER in North, owned by owner, as the user."""
    from pmf.web.interventions import services

    typed = {
        "unit": "N",
        "measure": "ER",
        "action": "strategic_review",
        "category": "4",
        "owner": "owner",
        "description": "Review the response model in North.",
        "agreed_on": AGREED.isoformat(),
        **fields,
    }
    return services.create_intervention(user.membership, services.NewIntervention(**typed))


def grade_of(cycle: Cycle, unit: str, area: str = "FOCUS") -> AreaGrade:
    """Return the cycle's grade of a unit's area, with what its pages and steps read."""
    return cycle.grades.select_related("unit", "area", "cycle").get(
        unit__code=unit, area__code=area
    )


def advance_to(cycle: Cycle, analyst: User, state: str) -> None:
    """Move the cycle on, as the analyst, until it reaches the state.

    Past the board, each of the top grades is agreed as recommended first.
    """
    from pmf.web.cycles import services

    while cycle.state != state:
        if cycle.state == cycle.State.BOARD:
            for grade in services.top_grades(cycle):
                grade.agreed_grade = grade.recommended
                grade.save()
        services.advance(cycle, analyst.membership)
        cycle.refresh_from_db()


def write_self_assessment(
    cycle: Cycle, user: User, unit: str, improve: str = "", risks: str = ""
) -> SelfAssessment:
    """Write the unit's self-assessment for the cycle as the user, its strengths given."""
    from pmf.web.plans import services

    return services.write_self_assessment(
        cycle,
        cycle.organisation.units.get(code=unit),
        user.membership,
        strengths="Response times.",
        areas_for_improvement=improve,
        risks=risks,
    )


def published(organisation: Organisation, analyst: User, number: int = 1) -> Cycle:
    """Take a cycle from lock to publication, each grade agreed as recommended."""
    from pmf.web.cycles import services
    from pmf.web.cycles.models import Cycle

    cycle = services.create_cycle(organisation, number=number, name="Summer", cut_off="2019-07")
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    for grade in cycle.grades.filter(unit__parent__isnull=True):
        grade.agreed_grade = grade.recommended
        grade.save()
    while cycle.state != Cycle.State.PUBLISHED:
        services.advance(cycle, analyst.membership)
        cycle.refresh_from_db()
    return cycle
