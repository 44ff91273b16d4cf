"""A write makes new only the pages whose figures it changes, and never leaves a page stale.

A force over two commands over four boroughs; B1 and B3 are each other's Most Similar Group,
England is the national comparator. A figure of B1 changes what B1, its command C1, the
force and its peer B3 show; B2, B4 and C2 read none of it and stay as they were, from the
cache, with nothing assessed again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache, caches
from django.test import Client

from pmf.core.assessment import assess
from pmf.core.framework import load_framework
from pmf.core.periods import parse_period
from pmf.web.accounts.models import Membership
from pmf.web.api.services import issue_token
from pmf.web.cache import data_version
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.services import (
    ASSESSMENTS,
    assessed_by_measure,
    held_observations,
    import_frame,
)
from pmf.web.scorecards.presenters import scorecard_version

pytestmark = pytest.mark.django_db

FRAMEWORK = """\
organisation: {code: VER, name: Version Force, national: ENG}
areas:
  - {code: FOCUS, name: FOCUS}
  - {code: PEOPLE, name: PEOPLE}
units:
  - {code: F, name: Force, type: force}
  - {code: C1, name: Command One, type: command, parent: F}
  - {code: C2, name: Command Two, type: command, parent: F}
  - {code: B1, name: Borough One, type: borough, parent: C1}
  - {code: B2, name: Borough Two, type: borough, parent: C1}
  - {code: B3, name: Borough Three, type: borough, parent: C2}
  - {code: B4, name: Borough Four, type: borough, parent: C2}
  - {code: ENG, name: England, type: country, external: true}
measures:
  - code: ER
    name: Emergency response within target
    area: FOCUS
    kind: redline
    polarity: higher_is_better
    unit_of_measure: percent
    frequency: month
    multiplier: 100
    numerator: Answered in time
    denominator: Calls
    rollup: pooled_ratio
    standard: {type: target, comparison: ">=", value: 80, amber_within: 5}
  - code: CR
    name: Crimes
    area: FOCUS
    kind: kpi
    polarity: lower_is_better
    unit_of_measure: count
    frequency: month
    decimals: 0
    rollup: sum
    standard: {type: improvement, against: previous_period}
  - code: QS
    name: Staff survey score
    area: PEOPLE
    kind: context
    polarity: higher_is_better
    unit_of_measure: score
    frequency: quarter
    rollup: mean
peer_groups:
  - {name: Most Similar Group, units: [B1, B3]}
"""
BOROUGHS = ("B1", "B2", "B3", "B4")
UNITS = ("F", "C1", "C2", *BOROUGHS)
MONTHS = [f"{2018 + (month - 1) // 12}-{(month - 1) % 12 + 1:02d}" for month in range(1, 20)]
QUARTERS = ["2018 Q1", "2018 Q2", "2018 Q3", "2018 Q4", "2019 Q1", "2019 Q2"]
LATEST = MONTHS[-1]  # 2019-07: the quarterly measure's latest figure ends before it


def figures() -> pl.DataFrame:
    """Return every borough's (and England's, for ER) figures: varied, none implausible."""
    rows: list[dict[str, Any]] = []
    for index, unit in enumerate(BOROUGHS):
        for step, period in enumerate(MONTHS):
            calls = 1000 + 50 * index
            rows.append(
                {
                    "unit": unit,
                    "measure": "ER",
                    "period": period,
                    "numerator": float(round(calls * (0.78 + 0.01 * ((step * (index + 2)) % 7)))),
                    "denominator": float(calls),
                }
            )
            rows.append(
                {
                    "unit": unit,
                    "measure": "CR",
                    "period": period,
                    "value": float(40 + 3 * index + (step * (index + 3)) % 9),
                }
            )
        for step, period in enumerate(QUARTERS):
            rows.append(
                {"unit": unit, "measure": "QS", "period": period, "value": 6.0 + 0.1 * step}
            )
    for step, period in enumerate(MONTHS):
        rows.append(
            {
                "unit": "ENG",
                "measure": "ER",
                "period": period,
                "numerator": float(80_000 + 100 * (step % 5)),
                "denominator": 100_000.0,
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )


@pytest.fixture
def force() -> Organisation:
    organisation = store_framework(load_framework(FRAMEWORK), "versions.yaml")
    import_frame(
        organisation, figures(), file_name="figures.csv", source="test", accept_warnings="test"
    )
    # Results of other tests' organisations (the same ids in a new database) must not count.
    cache.clear()
    caches["pages"].clear()
    return organisation


@pytest.fixture
def client(force: Organisation) -> Client:
    user = User.objects.create_user("analyst")
    Membership.objects.create(user=user, organisation=force, role=Membership.Role.ANALYST)
    client = Client()
    client.force_login(user)
    return client


def write(organisation: Organisation, rows: list[tuple[str, str, str, float]]) -> None:
    """Store figures as an import would: (unit, measure, period, value)."""
    frame = pl.DataFrame(
        rows, schema=["unit", "measure", "period", "value"], orient="row"
    ).with_columns(pl.col("value").cast(pl.Float64))
    import_frame(organisation, frame, file_name="entry", source="test", accept_warnings="test")


def versions(organisation: Organisation) -> dict[str, str]:
    """Return every page's data version: scorecards, sparklines, measure pages, overview."""
    found = {f"scorecard {unit}": scorecard_version(organisation, unit) for unit in UNITS}
    found |= {f"sparklines {unit}": data_version(organisation, [unit]) for unit in UNITS}
    found |= {
        f"measure {code}": data_version(organisation, None, code) for code in ("ER", "CR", "QS")
    }
    found["organisation"] = data_version(organisation)
    return found


def changed_by(organisation: Organisation, change: Callable[[], object]) -> set[str]:
    before = versions(organisation)
    change()
    after = versions(Organisation.objects.get(pk=organisation.pk))
    return {name for name in before if before[name] != after[name]}


def scorecard(client: Client, unit: str) -> dict[str, Any]:
    response = client.get(f"/VER/units/{unit}.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def row(page: dict[str, Any], measure: str) -> dict[str, Any]:
    return next(m for area in page["areas"] for m in area["measures"] if m["measure"] == measure)


def visible(html: bytes) -> str:
    """Return a page's HTML without what differs on every request (nonces, form tokens)."""
    import re

    text = html.decode()
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'"X-CSRFToken": "[^"]*"', "", text)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def counted() -> dict[str, int]:
    return dict(ASSESSMENTS)


# --- what a write makes new -------------------------------------------------------------


def test_a_boroughs_figure_changes_its_ancestors_and_peers_versions_only(
    force: Organisation,
) -> None:
    changed = changed_by(force, lambda: write(force, [("B1", "CR", LATEST, 99.0)]))
    assert changed == {
        "scorecard B1",
        "scorecard C1",
        "scorecard F",
        "scorecard B3",  # B1 is in its Most Similar Group
        "sparklines B1",
        "sparklines C1",
        "sparklines F",
        "measure CR",
        "organisation",
    }


def test_a_revision_of_a_figure_makes_new_what_it_changes_and_the_same_again_nothing(
    force: Organisation,
) -> None:
    assert "scorecard B4" in changed_by(force, lambda: write(force, [("B4", "QS", "2019 Q2", 7)]))
    # The same figure again is no write: every page stands.
    assert changed_by(force, lambda: write(force, [("B4", "QS", "2019 Q2", 7)])) == set()
    changed = changed_by(force, lambda: write(force, [("B4", "QS", "2019 Q2", 6.5)]))
    assert changed == {
        "scorecard B4",
        "scorecard C2",
        "scorecard F",
        "sparklines B4",
        "sparklines C2",
        "sparklines F",
        "measure QS",
        "organisation",
    }


def test_an_import_of_several_units_makes_new_each_ones_pages(force: Organisation) -> None:
    changed = changed_by(
        force, lambda: write(force, [("B2", "CR", LATEST, 50.0), ("B4", "CR", LATEST, 51.0)])
    )
    assert changed == {
        *(f"scorecard {unit}" for unit in ("B2", "B4", "C1", "C2", "F")),
        *(f"sparklines {unit}" for unit in ("B2", "B4", "C1", "C2", "F")),
        "measure CR",
        "organisation",
    }


def test_a_national_figure_makes_every_assessment_new_and_no_sparkline(
    force: Organisation,
) -> None:
    changed = changed_by(force, lambda: write(force, [("ENG", "CR", LATEST, 5000.0)]))
    assert changed == {
        *(f"scorecard {unit}" for unit in UNITS),
        "measure CR",
        "organisation",
    }


def test_figures_sent_through_the_api_make_new_what_they_change(
    force: Organisation, client: Client
) -> None:
    _, key = issue_token(User.objects.get(username="analyst"), "script")
    api = Client(headers={"Authorization": f"Bearer {key}"})

    def send() -> None:
        response = api.post(
            "/api/organisations/VER/observations?accept_warnings=checked",
            json.dumps([{"unit": "B3", "measure": "CR", "period": LATEST, "value": 44}]),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content

    changed = changed_by(force, send)
    assert changed == {
        "scorecard B3",
        "scorecard C2",
        "scorecard F",
        "scorecard B1",
        "sparklines B3",
        "sparklines C2",
        "sparklines F",
        "measure CR",
        "organisation",
    }
    assert row(scorecard(client, "B3"), "CR")["value"] == pytest.approx(44.0)


def test_loading_the_framework_again_makes_every_page_new(force: Organisation) -> None:
    changed = changed_by(force, lambda: store_framework(load_framework(FRAMEWORK)))
    assert changed == set(versions(force))


# --- what is computed again -------------------------------------------------------------


def test_a_write_leaves_unrelated_scorecards_warm_and_assesses_one_measure_again(
    force: Organisation, client: Client
) -> None:
    before = {unit: scorecard(client, unit) for unit in UNITS}
    first = counted()
    assert {unit: scorecard(client, unit) for unit in UNITS} == before
    assert counted() == first  # every page from the cache
    write(force, [("B1", "CR", LATEST, 99.0)])
    unrelated = {unit: scorecard(client, unit) for unit in ("B2", "B4", "C2")}
    assert counted() == first  # nothing assessed again for them
    assert unrelated == {unit: before[unit] for unit in unrelated}
    after = {unit: scorecard(client, unit) for unit in ("B1", "C1", "F", "B3")}
    # Each of the four assessed again, for the one measure written only.
    assert counted() == {"whole": first["whole"], "part": first["part"] + 4}
    assert row(after["B1"], "CR")["value"] == pytest.approx(99.0)
    assert (
        row(after["C1"], "CR")["value"]
        == row(before["C1"], "CR")["value"] + 99 - row(before["B1"], "CR")["value"]
    )
    assert row(after["F"], "CR")["value"] != row(before["F"], "CR")["value"]
    assert row(after["B3"], "CR") != row(before["B3"], "CR")  # its peer comparison moved
    assert row(after["B3"], "ER") == row(before["B3"], "ER")
    # And each page is the one made afresh from all the figures.
    cache.clear()
    caches["pages"].clear()
    assert {unit: scorecard(client, unit) for unit in after} == after


def test_the_measure_page_of_another_measure_stays_warm(
    force: Organisation, client: Client
) -> None:
    page = client.get("/VER/units/B1/measures/ER.json").json()
    version = data_version(force, None, "ER")
    write(force, [("B1", "CR", LATEST, 12.0)])
    assert data_version(force, None, "ER") == version
    assert client.get("/VER/units/B1/measures/ER.json").json() == page
    write(force, [("B2", "ER", LATEST, 70.0)])
    assert data_version(force, None, "ER") != version
    changed = client.get("/VER/units/B1/measures/ER.json").json()
    assert changed != page  # the peer and funnel tables show B2's new figure
    cache.clear()
    caches["pages"].clear()
    assert client.get("/VER/units/B1/measures/ER.json").json() == changed


# --- results identical to one assessment of all figures ---------------------------------


WRITES: list[list[tuple[str, str, str, float]]] = [
    [("B1", "CR", LATEST, 99.0)],
    [("B3", "QS", "2019 Q2", 5.0)],
    # A later month for one measure: the cut-off of the whole scorecard moves with it.
    [("B2", "CR", "2019-08", 47.0)],
    [("B4", "ER", LATEST, 81.5), ("B1", "ER", "2019-06", 79.0)],
    [("ENG", "ER", "2019-08", 80.5)],
]


@pytest.mark.parametrize("units", [["B1"], ["C1"], ["F"], ["B3"], list(UNITS)])
@pytest.mark.parametrize("period", [None, "2019-03"])
def test_assessing_by_measure_after_writes_is_one_assessment_of_all_figures(
    force: Organisation, units: list[str], period: str | None
) -> None:
    cut = parse_period(period).end if period else None
    for rows in [[], *WRITES]:
        if rows:
            write(force, rows)
        framework = framework_of(force)
        parts = assessed_by_measure(force, framework, units, cut)
        whole = assess(framework, held_observations(force), units=units, cut=cut)
        assert parts.schema == whole.schema
        assert parts.equals(whole, null_equal=True), rows


def test_every_page_after_each_write_shows_it_and_is_the_page_made_afresh(
    force: Organisation, client: Client
) -> None:
    urls = [
        "/VER.json",
        "/VER/dashboard.json",
        "/VER/dashboard/concerns.json",
        *(f"/VER/units/{unit}.json" for unit in UNITS),
        *(f"/VER/units/{unit}/" for unit in ("B1", "C2")),
        "/VER/units/B1/measures/CR.json",
        "/VER/units/B3/measures/ER.json",
        "/VER/units/B4/measures/QS.json",
    ]

    def pages() -> list[Any]:
        found = []
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            found.append(response.json() if url.endswith(".json") else visible(response.content))
        return found

    pages()
    for rows in WRITES:
        write(force, rows)
        cached_pages = pages()
        for unit, measure, period, value in rows:
            if unit == "ENG" or period != LATEST:
                continue
            assert row(scorecard(client, unit), measure)["value"] == pytest.approx(value)
        cache.clear()
        caches["pages"].clear()
        assert pages() == cached_pages, rows
