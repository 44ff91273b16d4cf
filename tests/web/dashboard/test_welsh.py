"""The corporate dashboard's headings, written in Python, in Welsh for a Welsh reader."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from pmf.web.dashboard.presenters import dashboard_page, tile_page
from pmf.web.frameworks.models import Organisation

pytestmark = pytest.mark.django_db


def test_the_tiles_headings_are_in_welsh(organisation: Organisation, analyst: User) -> None:
    with translation.override("cy"):
        page = dashboard_page(organisation, analyst.membership)
        concerns = tile_page(organisation, analyst.membership, "concerns")
    titles = [tile["title"] for tile in page["tiles"]]
    assert titles[:3] == [
        "Llinellau coch a DPAau heb eu cyrraedd",
        "Pryderon achos arbennig",
        "Yn waeth na'r cymheiriaid",
    ]
    assert "Ymyriadau sy'n hwyr" in titles
    assert concerns["tile"]["order"].startswith("y gwaethaf yn gyntaf:")
    # The same page in English, as the tests of every page read it.
    with translation.override("en-gb"):
        english = dashboard_page(organisation, analyst.membership)
    assert english["tiles"][0]["title"] == "Redlines and KPIs not met"
