"""The public site's maps: each redline's published figures by unit, drawn without script,
against the standard as the cycle assessed them, with their table; sealed by the manifest."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.utils import translation

from pmf.reports.manifest import load_private_key, new_key_pair, verify_site
from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.frameworks.models import Organisation
from pmf.web.publishing import publish_cycle
from tests.factories import member, published
from tests.maps_world import mapped_organisation
from tests.web.test_welsh_pages import TAG, english_in

pytestmark = pytest.mark.django_db

WORDS = {"green": "+ meets the standard", "red": "x does not meet the standard"}


def _rows(page: str, measure: str) -> list[tuple[str, ...]]:
    """Return the rows of a measure's map table: the cells' text, tags removed."""
    section = page.split(f'id="map-{measure.lower()}"', 1)[1].split("</section>", 1)[0]
    table = section.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        tuple(
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        )
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    ]


@pytest.fixture
def mapped_cycle(tmp_path: Path) -> object:
    organisation = mapped_organisation(tmp_path)
    analyst = member("analyst", organisation, Membership.Role.ANALYST)
    return published(organisation, analyst)


def test_the_site_maps_each_redline_of_the_published_units_against_the_standard(
    mapped_cycle: object, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    written = publish_cycle(mapped_cycle, out)  # type: ignore[arg-type]
    assert out / "maps.html" in written
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<a class="govuk-link" href="maps.html">Maps of the redlines, unit by unit</a>' in index
    page = (out / "maps.html").read_text(encoding="utf-8")
    assert "<script" not in page
    # Each redline: a heading naming the period, the map drawn in the page, its text and table.
    assert "Map: Crimes per 1,000, July 2019" in page
    assert "Map: Emergency response within target, July 2019" in page
    assert page.count('<div class="pmf-map__drawing" role="img"') == 2
    assert page.count("<svg") == 2 and "Crimes per 1,000, July 2019</text>" in page
    assert _rows(page, "CR") == [
        ("North", "E09000007", "6.0", "x does not meet the standard"),
        ("South", "E09000019", "4.0", "+ meets the standard"),
    ]
    assert _rows(page, "ER") == [
        ("North", "E09000007", "75.0%", "x does not meet the standard"),
        ("South", "E09000019", "85.0%", "+ meets the standard"),
    ]
    # The comparator is not published, so it is not drawn: no name, no code, no shape.
    assert "Other Force" not in page and "E09000012" not in page
    assert (
        "Meet the standard: South. Do not meet the standard: North." in page
        and 'href="units/N.html"' in page
    )
    assert "Contains OS data © Crown copyright" in page


def test_the_maps_say_what_the_cycles_assessment_says(mapped_cycle: object, tmp_path: Path) -> None:
    publish_cycle(mapped_cycle, tmp_path / "site")  # type: ignore[arg-type]
    page = (tmp_path / "site" / "maps.html").read_text(encoding="utf-8")
    assessment = services.cycle_assessment(mapped_cycle, units=["N", "S"])  # type: ignore[arg-type]
    names = {"N": "North", "S": "South"}
    for row in assessment.filter(pl.col("measure").is_in(["ER", "CR"])).iter_rows(named=True):
        (shown,) = [line for line in _rows(page, row["measure"]) if line[0] == names[row["unit"]]]
        assert shown[3] == WORDS[row["rag"]], (row["unit"], row["measure"])


def test_a_site_with_maps_verifies_and_a_changed_map_is_named(
    mapped_cycle: object, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    new_key_pair(keys)
    out = tmp_path / "site"
    publish_cycle(
        mapped_cycle,  # type: ignore[arg-type]
        out,
        signing_key=load_private_key(keys / "pmf-signing-key.pem"),
    )
    result = verify_site(out, keys / "pmf-signing-key.pub.pem")
    assert result.ok, result.problems
    page = out / "maps.html"
    page.write_text(page.read_text(encoding="utf-8").replace(">6.0<", ">3.0<", 1), encoding="utf-8")
    result = verify_site(out, keys / "pmf-signing-key.pub.pem")
    assert not result.ok
    assert any(problem.startswith("maps.html: SHA-256") for problem in result.problems)


def test_the_welsh_site_draws_its_maps_in_welsh(mapped_cycle: object, tmp_path: Path) -> None:
    with translation.override("cy"):
        publish_cycle(mapped_cycle, tmp_path / "site")  # type: ignore[arg-type]
    page = (tmp_path / "site" / "maps.html").read_text(encoding="utf-8")
    assert '<html lang="cy"' in page
    assert "Mapiau o’r llinellau coch" in page
    assert "Map: Crimes per 1,000, Gorffennaf 2019" in page
    assert _rows(page, "CR")[0] == ("North", "E09000007", "6.0", "x nid yw’n cyrraedd y safon")
    assert "Yn cyrraedd y safon: South. Heb gyrraedd y safon: North." in page
    assert "+ yn cyrraedd y safon</text>" in page
    assert "meets the standard" not in page and "July 2019" not in page
    # No sentence of the templates' English: only the framework's names stay English.
    text = " ".join(html.unescape(TAG.sub(" ", page)).split())
    assert english_in(text) == []


def test_a_site_without_boundaries_has_no_maps(
    organisation: Organisation, analyst: User, tmp_path: Path
) -> None:
    publish_cycle(published(organisation, analyst), tmp_path / "site")
    assert not (tmp_path / "site" / "maps.html").exists()
    assert "maps.html" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
