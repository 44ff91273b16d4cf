"""The public site's maps: each redline's published figures by unit, drawn without script,
against the standard as the cycle assessed them, with their table; sealed by the manifest."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.utils import translation

from pmf.cli import main
from pmf.reports.manifest import load_private_key, new_key_pair
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


def test_every_figure_on_the_maps_is_an_item_of_the_manifest_and_verify_checks_it(
    mapped_cycle: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    new_key_pair(keys)
    out = tmp_path / "site"
    publish_cycle(
        mapped_cycle,  # type: ignore[arg-type]
        out,
        signing_key=load_private_key(keys / "pmf-signing-key.pem"),
    )
    public = str(keys / "pmf-signing-key.pub.pem")
    # Each figure of the maps is the item of its unit, measure and period: traced to its rows.
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    north = next(v for v in manifest["values"] if (v["unit"], v["measure"]) == ("N", "CR"))
    assert {"page": "maps.html", "text": "6.0"} in north["shown"]
    assert north["sources"] and north["source_rows_sha256"]
    assert main(["verify", str(out), "--public-key", public]) == 0
    said = capsys.readouterr().out
    assert "verified; every file and value is as published" in said
    # The unit pages' 5 figures, the maps' tables' 4 and the 4 of their summaries (highest,
    # lowest); each grade on the index and on its unit's page.
    assert "Pages: 13 values and 12 grades on 5 pages equal to the manifest's" in said
    # A figure changed in the table beside a map, value and text.
    page = out / "maps.html"
    text = page.read_text(encoding="utf-8")
    marked = '<data value="6.0" data-unit="N" data-measure="CR" data-period="2019-07">6.0</data>'
    assert text.count(marked) == 2  # the table, and the summary's "Highest: North (6.0)"
    line = text[: text.index(f'<td class="govuk-table__cell govuk-table__cell--numeric">{marked}')]
    table_line = line.count("\n") + 1
    tampered = text.replace(
        f'numeric">{marked}',
        'numeric"><data value="3.0" data-unit="N" data-measure="CR" '
        'data-period="2019-07">3.0</data>',
    )
    page.write_text(tampered, encoding="utf-8")
    assert main(["verify", str(out), "--public-key", public]) == 1
    said = capsys.readouterr().out
    where = f"- maps.html line {table_line} (unit N, measure CR, period 2019-07)"
    assert f"{where}: value 3.0, the manifest has 6.0" in said, said
    assert f"{where}: shows '3.0', the manifest has '6.0'" in said, said
    assert "- maps.html: SHA-256 " in said
    # A figure changed in the map's summary, its text alone.
    changed = marked.replace(">6.0<", ">9.9<")
    page.write_text(text.replace(f"North ({marked})", f"North ({changed})"), encoding="utf-8")
    assert main(["verify", str(out), "--public-key", public]) == 1
    said = capsys.readouterr().out
    assert "(unit N, measure CR, period 2019-07): shows '9.9', the manifest has '6.0'" in said
    # A figure taken out of the page is named as missing.
    page.write_text(text.replace(marked, "6.0"), encoding="utf-8")
    assert main(["verify", str(out), "--public-key", public]) == 1
    said = capsys.readouterr().out
    assert (
        "- maps.html: does not show unit N, measure CR, period 2019-07, which the manifest" in said
    )


def test_the_tables_beside_the_maps_of_the_site_and_of_the_pages_are_one_partial(
    mapped_cycle: object, tmp_path: Path
) -> None:
    from django.template.loader import render_to_string

    publish_cycle(mapped_cycle, tmp_path / "site")  # type: ignore[arg-type]
    page = (tmp_path / "site" / "maps.html").read_text(encoding="utf-8")
    assert 'role="region" aria-labelledby="map-cr-heading"' in page
    assert '<a class="govuk-link" href="units/N.html">North</a>' in page
    # The pages' map (no links: a row without href): the same table, its own heading.
    row = {"unit": "N", "name": "North", "ons_code": "E1", "value": 1.5, "value_text": "1.5"}
    found = {"measure": "M", "measure_code": "M", "period": "July", "period_code": "2019-07"}
    html_ = render_to_string(
        "maps/_table.html", {"map": {**found, "rows": [row]}, "heading": "map-heading"}
    )
    assert 'aria-labelledby="map-heading"' in html_ and "<a " not in html_
    assert (
        '<data value="1.5" data-unit="N" data-measure="M" data-period="2019-07">1.5</data>' in html_
    )


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
