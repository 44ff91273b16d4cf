"""A warm page reads little: its queries are counted, and what it keeps never crosses a scope.

The scorecard, the overview and the measure page keep their data and their largest tables
rendered (the scorecard's and the measure page's under the data version, the overview's by
``pages.fragment`` under what it shows). These tests pin how many
queries a warm request makes, so that a check reading more than it needs cannot creep back,
and show that a reader still gets only what their scope and agreements allow, whoever
warmed the cache first.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmf.web import pages
from pmf.web.accounts.models import SharingAgreement
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def warm_queries(client: Client, path: str) -> list[str]:
    """Request ``path`` twice to warm it, then return the SQL of a third request."""
    for _ in range(2):
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


# Every signed-in request reads its session and its user (2). Then, for each page:
# membership with its organisation and unit (1); the organisation's units, for the scope
# check (1, not on the overview's: it lists the visible units itself); the data version (1).
# The overview also reads the framework's stamp, the latest locked cycle's grades and the
# partners sharing with the reader; the measure page the data version again (its presenter
# reads its own), the framework's stamp, and the latest figure's revisions and the targets,
# which name people and are read afresh, the commentary on it (1; none here), and whether
# the organisation has boundaries to map (1; pmf.web.maps).
WARM_QUERIES = {
    "/TST/units/N/": 5,
    "/TST/": 8,
    "/TST/units/N/measures/CR/": 11,
}


@pytest.mark.parametrize(("path", "expected"), WARM_QUERIES.items())
def test_a_warm_page_makes_a_fixed_number_of_queries(
    path: str, expected: int, analyst: User
) -> None:
    queries = warm_queries(client_for(analyst), path)
    assert len(queries) == expected, "\n".join(queries)


def test_a_warm_scorecard_reads_the_membership_once_and_no_measure(analyst: User) -> None:
    queries = warm_queries(client_for(analyst), "/TST/units/N/")
    assert sum('FROM "accounts_membership"' in sql for sql in queries) == 1
    assert not any('FROM "frameworks_measure"' in sql for sql in queries)
    assert not any('FROM "frameworks_area"' in sql for sql in queries)


@pytest.mark.parametrize(
    "path", ["/TST/units/{unit}/", "/TST/units/{unit}.json", "/TST/units/{unit}/measures/CR/"]
)
def test_a_scoped_reader_gets_404_outside_their_scope_after_a_warm_cache(
    path: str, analyst: User, command_lead: User
) -> None:
    everyone = client_for(analyst)
    for unit in ("F", "N", "S"):
        assert everyone.get(path.format(unit=unit)).status_code == 200  # warmed by the analyst
    lead = client_for(command_lead)
    assert lead.get(path.format(unit="N")).status_code == 200
    assert lead.get(path.format(unit="F")).status_code == 404
    assert lead.get(path.format(unit="S")).status_code == 404


def test_the_overview_table_differs_by_scope_whoever_warmed_it(
    analyst: User, command_lead: User
) -> None:
    whole = client_for(analyst).get("/TST/").content.decode()
    assert 'href="/TST/units/S/"' in whole
    assert 'href="/TST/units/F/"' in whole
    scoped = client_for(command_lead).get("/TST/").content.decode()
    assert 'href="/TST/units/N/"' in scoped
    assert 'href="/TST/units/S/"' not in scoped
    assert 'href="/TST/units/F/"' not in scoped
    # And the other way round: the narrow table, kept first, is not given to the analyst.
    again = client_for(analyst).get("/TST/").content.decode()
    assert 'href="/TST/units/S/"' in again
    assert 'href="/TST/units/F/"' in again


def test_a_partner_sees_only_the_shared_areas_on_a_scorecard_an_analyst_warmed(
    organisation: Organisation, analyst: User, other_org_user: User
) -> None:
    SharingAgreement.objects.create(
        provider=organisation,
        recipient=other_org_user.membership.organisation,
        purpose="Community safety partnership",
        starts=dt.date.today() - dt.timedelta(days=1),
    ).areas.set(organisation.areas.filter(code="PEOPLE"))
    ours = client_for(analyst).get("/TST/units/N/").content.decode()
    assert 'id="area-filter-FOCUS"' in ours
    assert "Crimes per 1,000" in ours
    assert "Interventions for North" in ours
    partner = client_for(other_org_user)
    theirs = partner.get("/TST/units/N/").content.decode()
    assert 'id="area-filter-FOCUS"' not in theirs
    assert 'id="area-filter-PEOPLE"' in theirs
    assert "Crimes per 1,000" not in theirs
    # Links to what only the organisation's own members may use are not theirs.
    assert "Interventions for North" not in theirs
    assert "Enter or correct figures" not in theirs
    assert partner.get("/TST/units/N/measures/CR/").status_code == 404
    overview = partner.get("/TST/").content.decode()
    assert "INNOVATION" in overview
    assert ">FOCUS<" not in overview


def test_the_enter_link_follows_the_reader_not_the_warm_page(
    analyst: User, owner: User, viewer: User, moderator: User
) -> None:
    assert "Enter or correct figures" in client_for(analyst).get("/TST/units/N/").content.decode()
    assert "Enter or correct figures" in client_for(owner).get("/TST/units/N/").content.decode()
    for reader in (viewer, moderator):
        page = client_for(reader).get("/TST/units/N/").content.decode()
        assert "Enter or correct figures" not in page
        assert "Interventions for North" in page  # their own organisation's


def test_the_spc_link_is_the_analysts_alone_on_a_warm_measure_page(
    analyst: User, viewer: User
) -> None:
    path = "/TST/units/N/measures/CR/"
    assert "Add, change or withdraw rebases" in client_for(analyst).get(path).content.decode()
    page = client_for(viewer).get(path).content.decode()
    assert "Add, change or withdraw rebases" not in page
    assert 'id="spc-chart"' in page  # the charts and tables, rendered once, are shared


def test_a_fragment_is_kept_by_what_it_shows() -> None:
    template = "scorecards/_organisation_units.html"

    def context(name: str) -> dict[str, object]:
        return {
            "organisation": {"code": "TST", "name": "Test"},
            "areas": [{"code": "A", "title": "Area"}],
            "units": [{"code": "N", "name": name, "type": "command", "level": 0, "areas": [{}]}],
            "figures_at": None,
        }

    north = pages.fragment(template, context("North"))
    assert "North" in north
    assert pages.fragment(template, context("North")) == north
    south = pages.fragment(template, context("South"))
    assert "South" in south
    assert "North" not in south


@pytest.mark.parametrize("path", ["/TST/units/NOPE/", "/TST/units/NOPE/measures/CR/"])
def test_a_whole_organisation_reader_gets_404_for_a_unit_it_does_not_have(
    path: str, analyst: User, other_org_user: User
) -> None:
    assert client_for(analyst).get(path).status_code == 404
    # OTHER has units of the same codes: TST's reader still reads only TST's.
    assert client_for(analyst).get("/OTHER/units/N/").status_code == 404
    assert client_for(other_org_user).get("/TST/units/N/").status_code == 404
