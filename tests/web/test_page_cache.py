"""Pages come from the cache until the next write, and are what they would be without it."""

from __future__ import annotations

import hashlib
import threading

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.assessment import assess
from pmf.core.framework import load_framework
from pmf.core.periods import parse_period
from pmf.core.rollup import roll_up
from pmf.core.scorecard import build_scorecard
from pmf.web.accounts.models import Membership
from pmf.web.cache import cached, data_version, result_key
from pmf.web.entry.services import Entry, enter_observations
from pmf.web.frameworks.models import Organisation, Unit
from pmf.web.frameworks.services import framework_of, store_framework
from pmf.web.observations.marks import marks_for
from pmf.web.observations.services import (
    held_observations,
    import_frame,
    scorecard_for,
)
from pmf.web.scorecards.presenters import _rag_counts
from tests.factories import GOOD

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def crimes(data: dict) -> dict:  # type: ignore[type-arg]
    return next(m for area in data["areas"] for m in area["measures"] if m["measure"] == "CR")


def test_an_entered_figure_shows_at_once_on_every_page(analyst: User) -> None:
    client = client_for(analyst)
    assert crimes(client.get("/TST/units/N.json").json())["value"] == pytest.approx(6.0)
    # The HTML, cached too; the figure is provisional, so its mark follows it.
    assert ">6.0<sup" in client.get("/TST/units/N/").content.decode()
    measure = client.get("/TST/units/N/measures/CR.json").json()
    assert measure["rows"][-1]["value"] == pytest.approx(6.0)
    before = client.get("/TST.json").json()
    organisation = Organisation.objects.get(code="TST")
    north = Unit.objects.get(organisation=organisation, code="N")
    membership = Membership.objects.get(user=analyst)
    enter_observations(
        membership,
        organisation,
        north,
        "2019-07",
        [Entry("CR", numerator="1", denominator="1000")],
        accept_warnings="a large correction, checked against the source",
    )
    entered = crimes(client.get("/TST/units/N.json").json())
    assert entered["value"] == pytest.approx(1.0)
    assert f">{entered['value_text']}<sup" in client.get("/TST/units/N/").content.decode()
    # Better than the commands' average now: the MSG standard is met, so the RAG counts move.
    after = client.get("/TST.json").json()
    assert after != before
    measure = client.get("/TST/units/N/measures/CR.json").json()
    assert measure["rows"][-1]["value"] == pytest.approx(1.0)
    assert [item["revision"] for item in measure["revisions"]] == [1, 2]


def test_loading_the_framework_again_shows_at_once(analyst: User) -> None:
    client = client_for(analyst)
    assert "Crimes per 1,000" in client.get("/TST/units/F/").content.decode()
    store_framework(load_framework(GOOD.replace("Crimes per 1,000", "Offences per 1,000")))
    page = client.get("/TST/units/F/").content.decode()
    assert "Offences per 1,000" in page
    assert "Crimes per 1,000" not in page
    measure = client.get("/TST/units/F/measures/CR.json").json()
    assert measure["measure"]["name"] == "Offences per 1,000"


def test_data_version_changes_with_every_write_and_only_then(organisation: Organisation) -> None:
    # Read from the database, not from the object in hand: another worker's write counts.
    first = data_version(organisation)
    assert data_version(Organisation.objects.get(pk=organisation.pk)) == first
    figures = pl.DataFrame(
        {"unit": ["N"], "measure": ["ER"], "period": ["2019-07"], "value": [90.0]}
    )
    import_frame(organisation, figures, file_name="entry", source="test")
    second = data_version(organisation)
    assert second != first
    # The same figure again changes nothing, so the cached pages stand.
    import_frame(organisation, figures, file_name="entry", source="test")
    assert data_version(organisation) == second
    store_framework(load_framework(GOOD))
    assert data_version(organisation) not in (first, second)


def test_a_cached_page_is_the_same_as_the_page_made_afresh(analyst: User) -> None:
    from django.core.cache import cache

    client = client_for(analyst)
    urls = ["/TST.json", "/TST/units/F.json", "/TST/units/N/measures/CR.json"]
    afresh = [client.get(url).json() for url in urls]
    assert [client.get(url).json() for url in urls] == afresh
    cache.clear()
    assert [client.get(url).json() for url in urls] == afresh


@pytest.mark.parametrize("unit", ["F", "N", "S"])
@pytest.mark.parametrize("period", [None, "2018-07"])
def test_assessing_one_unit_from_its_figures_only_matches_all_figures(
    organisation: Organisation, unit: str, period: str | None
) -> None:
    # The page reads only the unit's, its peers' and their children's figures.
    framework = framework_of(organisation)
    cut = parse_period(period) if period else None
    everything = assess(
        framework, held_observations(organisation), units=[unit], cut=cut.end if cut else None
    )
    # The figures are provisional: marked, from every figure's marks.
    marks = marks_for(organisation, framework)
    expected = build_scorecard(
        framework, everything, unit, as_at=cut.label if cut else None, marks=marks
    ).rows()
    assert any(row.provisional for row in expected)
    assert scorecard_for(organisation, unit=unit, period=cut).rows() == expected
    # Again, from the cache.
    assert scorecard_for(organisation, unit=unit, period=cut).rows() == expected


def test_overview_counts_from_the_units_figures_match_all_figures(
    organisation: Organisation,
) -> None:
    framework = framework_of(organisation)
    units = ("F", "N", "S")
    assessment = assess(framework, held_observations(organisation), units=list(units))
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for code, area, rag, number in assessment.group_by("unit", "area", "rag").len().iter_rows():
        expected.setdefault((code, area), {})[rag or "none"] = number
    assert _rag_counts(organisation, units) == (expected, "July 2019")
    # A command lead's overview of North alone reads North's and its peers' figures only.
    north = assess(framework, held_observations(organisation), units=["N"])
    assert sum(sum(cell.values()) for cell in _rag_counts(organisation, ("N",))[0].values()) == (
        north.height
    )


def test_figures_of_one_measure_roll_up_as_all_figures_do(organisation: Organisation) -> None:
    framework = framework_of(organisation)
    everything = roll_up(framework, held_observations(organisation)).filter(
        pl.col("measure") == "CR"
    )
    one = roll_up(framework, held_observations(organisation, measures=["CR"]))
    key = ["unit", "measure", "period"]
    assert one.sort(key).equals(everything.sort(key))
    assert held_observations(organisation, units=["N"], measures=["CR"])[
        "unit"
    ].unique().to_list() == ["N"]


# --------------------------------------------------------------------------------------------
# The cache the server processes share: one computation per result (ADR 0022)
# --------------------------------------------------------------------------------------------


def test_another_process_reads_a_result_computed_once() -> None:
    from django.core.cache import cache

    computed: list[int] = []
    assert cached("v1", "test", (1,), lambda: computed.append(1) or "page") == "page"
    cache.clear()  # what another worker sees: nothing in its own memory
    assert cached("v1", "test", (1,), lambda: computed.append(1) or "again") == "page"
    assert computed == [1]
    assert cached("v2", "test", (1,), lambda: "new version") == "new version"


def test_a_result_another_process_is_computing_is_waited_for() -> None:
    from django.core.cache import caches

    shared = caches["pages"]
    key = result_key("v1", "test", (2,))
    shared.add(f"{key}:computing", 12345, 60)  # another process claimed it
    threading.Timer(0.3, lambda: shared.set(key, "theirs", 60)).start()
    assert cached("v1", "test", (2,), lambda: "mine") == "theirs"


def test_a_claim_given_up_without_a_result_is_computed_here() -> None:
    from django.core.cache import caches

    shared = caches["pages"]
    key = result_key("v1", "test", (3,))
    shared.add(f"{key}:computing", 12345, 60)
    threading.Timer(0.3, lambda: shared.delete(f"{key}:computing")).start()
    assert cached("v1", "test", (3,), lambda: "mine") == "mine"
    assert shared.get(key) == "mine" and not shared.has_key(f"{key}:computing")


def test_a_failed_computation_releases_its_claim() -> None:
    from django.core.cache import caches

    def fail() -> str:
        raise RuntimeError("broken")

    with pytest.raises(RuntimeError):
        cached("v1", "test", (4,), fail)
    key = result_key("v1", "test", (4,))
    assert not caches["pages"].has_key(f"{key}:computing")
    assert cached("v1", "test", (4,), lambda: "fine") == "fine"


def test_a_waiter_that_gives_up_leaves_the_other_process_its_claim(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.cache import caches

    from pmf.web import cache

    monkeypatch.setattr(cache, "WAIT_SECONDS", 0.2)
    shared = caches["pages"]
    key = result_key("v1", "test", (5,))
    shared.add(f"{key}:computing", 12345, 60)  # a slow process is still computing it
    assert cached("v1", "test", (5,), lambda: "mine") == "mine"
    assert shared.get(f"{key}:computing") == 12345


def test_a_result_cached_by_other_code_is_not_served() -> None:
    from django.core.cache import caches

    # The shared cache is files that outlive the server: after an upgrade, a key made by the
    # old code (without this code's stamp) must not be found by the new.
    digest = hashlib.sha256(repr(()).encode()).hexdigest()[:32]
    caches["pages"].set(f"pmf:stale:v-code:{digest}", "stale")
    caches["pages"].set(f"pmf:older-code:stale:v-code:{digest}", "stale")
    assert cached("v-code", "stale", (), lambda: "fresh") == "fresh"
