"""A calculated measure's page shows its key drivers, and its JSON twin the same numbers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.scorecards.drivers import key_drivers_section
from tests.factories import member
from tests.web.drivers_world import drivers_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def drivers_org(tmp_path: Path) -> Organisation:
    return drivers_organisation(tmp_path)


@pytest.fixture
def reader(drivers_org: Organisation) -> Client:
    client = Client()
    client.force_login(member("drivers_analyst", drivers_org, Membership.Role.ANALYST))
    return client


def test_the_json_twin_has_each_component_s_contribution(reader: Client) -> None:
    data = reader.get("/DRV/units/F/measures/HIGH_HARM.json").json()["key_drivers"]
    assert data["formula"] == "VWI + ROBBERY"
    assert data["method"] == "additive"
    assert data["period"] == "2025-06"
    previous, last_year, standard = data["comparisons"]
    # 150 in June against 160 in May: violence with injury +10, robbery -20.
    assert (previous["against"], previous["then"], previous["now"]) == ("previous_period", 160, 150)
    assert [(d["code"], d["contribution"], d["share"]) for d in previous["drivers"]] == [
        ("VWI", 10.0, -1.0),
        ("ROBBERY", -20.0, 2.0),
    ]
    assert previous["sentence"] == (
        "Against May 2025 (−6.2%), key drivers: Robbery <b>of</b> personal property −12.5%; "
        "offset by Violence with injury +6.2%."
    )
    # 150 against 140 in June 2024: +20 and -10.
    assert [d["contribution"] for d in last_year["drivers"]] == [20.0, -10.0]
    # On the target of 150: violence with injury 10 over its 100, robbery 20 under its 60;
    # the components' targets add up to 160, not 150: +10 unexplained.
    assert standard["label"] == "the target of ≤ 150"
    assert [(d["role"], d["contribution"]) for d in standard["drivers"]] == [
        ("term", 10.0),
        ("term", -20.0),
        ("unexplained", 10.0),
    ]


def test_the_page_has_the_table_with_escaped_names_and_links_to_the_components(
    reader: Client,
) -> None:
    page = reader.get("/DRV/units/F/measures/HIGH_HARM/").content.decode()
    assert 'id="key-drivers"' in page
    assert "Against the previous period: May 2025" in page
    assert "Robbery &lt;b&gt;of&lt;/b&gt; personal property" in page
    assert "<b>of</b>" not in page
    assert 'href="/DRV/units/F/measures/VWI/"' in page
    assert re.search(r"Share of the change", page)
    assert "Not explained by the components" in page


def test_a_measure_that_is_not_calculated_has_no_key_drivers(reader: Client) -> None:
    assert reader.get("/DRV/units/F/measures/VWI.json").json()["key_drivers"] is None
    assert 'id="key-drivers"' not in reader.get("/DRV/units/F/measures/VWI/").content.decode()


def test_components_in_an_area_not_shared_withhold_the_split(drivers_org: Organisation) -> None:
    unit = drivers_org.units.get(code="F")
    found = key_drivers_section(drivers_org, unit, "HIGH_HARM", "2025-06", {"HARM"})
    assert found is not None
    assert found["withheld"] is True
    assert found["comparisons"] == []


def test_a_partner_shown_only_harm_is_not_shown_the_split(drivers_org: Organisation) -> None:
    import datetime as dt

    from pmf.core.framework import load_framework
    from pmf.web.accounts.models import SharingAgreement
    from pmf.web.frameworks.services import store_framework

    partner_org = store_framework(
        load_framework(
            "organisation: {code: CSP, name: Partnership}\nareas: [{code: A, name: A}]\n"
            "units: [{code: P, name: P, type: csp}]\nmeasures: []\n"
        )
    )
    partner = member("partner", partner_org, Membership.Role.ANALYST)
    agreement = SharingAgreement.objects.create(
        provider=drivers_org,
        recipient=partner_org,
        purpose="Community safety partnership",
        starts=dt.date.today() - dt.timedelta(days=30),
    )
    agreement.areas.set(drivers_org.areas.filter(code="HARM"))
    client = Client()
    client.force_login(partner)
    whole = client.get("/DRV/units/F/measures/HIGH_HARM.json").json()
    # The calculation's lineage names Robbery (in PROPERTY) but never shows its figure.
    lineage = whole["calculation"]["lineage"]
    assert [item["measure"] for item in lineage["inputs"]] == ["VWI"]
    assert lineage["withheld"] == ["Robbery <b>of</b> personal property"]
    assert [item["shared"] for item in whole["calculation"]["inputs"]] == [True, False]
    data = whole["key_drivers"]
    # Robbery is in PROPERTY, not shared: its figures would be read from the split.
    assert data["withheld"] is True
    assert data["comparisons"] == []
    page = client.get("/DRV/units/F/measures/HIGH_HARM/").content.decode()
    assert "not shared with you" in page
    assert "−12.5%" not in page
    assert (
        "Not shown, as their areas are not shared with you: Robbery &lt;b&gt;of&lt;/b&gt;" in page
    )
    assert 'href="/DRV/units/F/measures/ROBBERY/"' not in page
