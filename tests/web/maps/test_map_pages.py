"""The map on the dashboard and the measure page: stored boundaries, figures, scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation, Unit, UnitBoundaries
from tests.factories import member
from tests.maps_world import mapped_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def mapped(tmp_path: Path) -> Organisation:
    return mapped_organisation(tmp_path)


def _client(organisation: Organisation, name: str, role: str, unit: str | None = None) -> Client:
    client = Client()
    client.force_login(member(name, organisation, role, unit=unit))
    return client


def test_loading_stores_each_units_ons_code_and_the_boundaries_drawn(
    mapped: Organisation,
) -> None:
    codes = dict(Unit.objects.filter(organisation=mapped).values_list("code", "ons_code"))
    assert codes == {"F": "", "N": "E09000007", "S": "E09000019", "X": "E09000012"}
    stored = UnitBoundaries.objects.get(organisation=mapped)
    # Westminster is in the file but no unit stands on it: only what the map draws is kept.
    assert sorted(stored.shapes) == ["E09000007", "E09000012", "E09000019"]
    assert stored.file == "boroughs.geojson"
    assert stored.code_property == "LAD16CD"


def test_the_measure_page_shows_the_map_with_its_table_and_text(mapped: Organisation) -> None:
    client = _client(mapped, "analyst", Membership.Role.ANALYST)
    page = client.get("/TST/units/N/measures/ER/").content.decode()
    assert 'id="map-heading"' in page
    assert "Map: Emergency response within target, July 2019" in page
    assert 'data-chart="map-chart"' in page
    # The table beside the map: unit, ONS code, value, against the standard.
    for expected in ("North", "E09000007", "75.0%", "x does not meet the standard"):
        assert expected in page
    assert "South" in page and "85.0%" in page and "+ meets the standard" in page
    assert "Other Force" in page and "90.0%" in page
    assert "Highest: Other Force (90.0%). Lowest: North (75.0%)." in page
    assert "Standard ≥ 80.0%: 1 of 2 meet it." in page
    # The text alternative names each unit's class, as the colours do; the comparator's
    # figure is shown and said not to be judged.
    assert "Meet the standard: South. Do not meet the standard: North." in page
    assert "not judged against the standard" in page
    assert "Contains OS data © Crown copyright" in page


def test_the_measure_pages_map_names_its_period_and_classes_in_welsh(
    mapped: Organisation,
) -> None:
    client = _client(mapped, "analyst", Membership.Role.ANALYST)
    client.cookies["django_language"] = "cy"
    try:
        page = client.get("/TST/units/N/measures/ER/").content.decode()
    finally:
        from django.utils import translation

        translation.activate("en-gb")
    section = page.split('<section class="pmf-map" id="map"', 1)[1].split("</section>", 1)[0]
    chart = page.split('id="map-chart"', 1)[1].split("</script>", 1)[0]
    assert "Emergency response within target, Gorffennaf 2019" in section
    assert "July 2019" not in section and "July 2019" not in chart
    assert "Yn cyrraedd y safon: South. Heb gyrraedd y safon: North." in page
    assert "x nid yw’n cyrraedd y safon" in page


def test_the_dashboard_offers_every_measure_and_maps_the_one_chosen(
    mapped: Organisation,
) -> None:
    client = _client(mapped, "analyst", Membership.Role.ANALYST)
    page = client.get("/TST/dashboard/").content.decode()
    assert '<select class="govuk-select" id="map-measure" name="map">' in page
    assert "Map: Emergency response within target, July 2019" in page
    chosen = client.get("/TST/dashboard/?map=CR").content.decode()
    assert "Map: Crimes per 1,000, July 2019" in chosen
    standard = client.get("/TST/dashboard/?map=ER&map_view=standard").content.decode()
    assert "Coloured by the standard" in standard
    # An unknown measure is not an error: the first measure is shown.
    assert "Map: Emergency response" in client.get("/TST/dashboard/?map=NOPE").content.decode()


def test_a_scoped_member_sees_only_their_units_and_the_comparators_on_the_map(
    mapped: Organisation,
) -> None:
    client = _client(mapped, "lead", Membership.Role.COMMAND_LEAD, unit="N")
    page = client.get("/TST/units/N/measures/ER/").content.decode()
    drawn = _map_of(page)
    assert "E09000007" in drawn and "E09000012" in drawn and "North" in drawn
    # South is not the reader's: neither its shape, its code, its name nor its figure is drawn
    # (the peer comparison elsewhere on the page is another matter, with its own rules).
    assert "E09000019" not in page
    assert "South" not in drawn and "85.0%" not in drawn
    dashboard = _map_of(client.get("/TST/dashboard/").content.decode())
    assert "E09000019" not in dashboard and "South" not in dashboard


def _map_of(page: str) -> str:
    """Return the map's section of a page: its chart's data, text and table."""
    start = page.index('<section class="pmf-map"')
    return page[start : page.index("</script>", page.index('id="map-chart"', start))]


def test_no_map_is_drawn_for_a_framework_without_boundaries(organisation: Organisation) -> None:
    client = _client(organisation, "analyst", Membership.Role.ANALYST)
    assert 'id="map-heading"' not in client.get("/TST/units/N/measures/ER/").content.decode()
    assert 'id="map-heading"' not in client.get("/TST/dashboard/").content.decode()


def test_unit_pages_and_their_json_give_each_units_ons_code(mapped: Organisation) -> None:
    client = _client(mapped, "analyst", Membership.Role.ANALYST)
    assert (
        'id="unit-ons-code">ONS area code E09000007</p>'
        in client.get("/TST/units/N/").content.decode()
    )
    assert client.get("/TST/units/N.json").json()["unit"]["ons_code"] == "E09000007"
    assert client.get("/TST/units/F.json").json()["unit"]["ons_code"] is None
    units = {row["code"]: row["ons_code"] for row in client.get("/TST.json").json()["units"]}
    assert units == {"F": None, "N": "E09000007", "S": "E09000019"}
    measure = client.get("/TST/units/S/measures/ER.json").json()
    assert measure["unit"]["ons_code"] == "E09000019"


def test_the_api_lists_each_visible_units_ons_code(mapped: Organisation) -> None:
    from tests.factories import api_client

    user = member("lead", mapped, Membership.Role.COMMAND_LEAD, unit="N")
    units = api_client(user).get("/api/organisations/TST/units").json()
    assert {unit["code"]: unit["ons_code"] for unit in units} == {
        "N": "E09000007",
        "X": "E09000012",
    }
