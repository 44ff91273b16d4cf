"""The measure page draws every chart type a measure may choose, named in its caption and table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.core.framework import load_framework
from pmf.web.frameworks.models import Organisation
from tests.factories import GOOD

pytestmark = pytest.mark.django_db

MEASURES = """\
  - code: SOLVED
    name: Crimes solved
    area: FOCUS
    kind: kpi
    polarity: higher_is_better
    unit_of_measure: percent
    frequency: month
    multiplier: 100
    numerator: Crimes solved
    denominator: Crimes recorded
    standard: {type: target, comparison: ">=", value: 30}
    spc: {chart: SOLVED_CHART, rules: RULES}
  - code: DEATHS
    name: Deaths in custody
    area: FOCUS
    kind: kpi
    polarity: lower_is_better
    unit_of_measure: count
    frequency: month
    decimals: 0
    spc: {chart: c, rules: RULES}
"""
MONTHS = [f"{2017 + (index + 7) // 12}-{(index + 7) % 12 + 1:02d}" for index in range(24)]


def charted(organisation: Organisation, folder: Path, chart: str, rules: str) -> Client:
    """Store the measures with the chart and rules and 24 months of figures; sign in."""
    from pmf.sources.importer import check_table
    from pmf.sources.readers import read_table
    from pmf.web.frameworks.services import framework_of, store_framework
    from pmf.web.observations.services import store_observations
    from tests.factories import member

    measures = MEASURES.replace("SOLVED_CHART", chart).replace("RULES", rules)
    store_framework(load_framework(GOOD.replace("peer_groups:", measures + "peer_groups:", 1)))
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
        organisation, result.observations, file_name=path.name, sha256="c", layout=result.layout
    )
    client = Client()
    client.force_login(member("reader", organisation, "analyst"))
    return client


@pytest.mark.parametrize(
    ("chart", "rules", "title", "varies"),
    [
        ("p", "mdc", "p chart (proportion), Making Data Count rules", True),
        ("pp", "anhoej", "p′ chart (proportion, Laney), Anhøj rules (runs analysis)", True),
        ("u", "mdc", "u chart (rate), Making Data Count rules", True),
        ("up", "mdc", "u′ chart (rate, Laney), Making Data Count rules", True),
        ("i", "anhoej", "XmR chart, Anhøj rules (runs analysis)", False),
        ("mr", "mdc", "moving range (mR) chart, Making Data Count rules", False),
        ("run", "anhoej", "run chart, Anhøj rules (runs analysis)", False),
    ],
)
def test_each_chart_type_is_drawn_and_named(
    organisation: Organisation, tmp_path: Path, chart: str, rules: str, title: str, varies: bool
) -> None:
    client = charted(organisation, tmp_path, chart, rules)
    data = client.get("/TST/units/F/measures/SOLVED.json").json()
    assert data["spc"]["chart_title"] == title
    assert data["spc"]["limits_vary"] is varies
    assert data["chart"]["description"].startswith(f"{title} of Crimes solved for Force")
    limits = [layer for layer in data["chart"]["layer"] if "detail" in layer["encoding"]]
    assert [layer["mark"].get("interpolate") for layer in limits] == (
        [None, "step", "step"] if varies else [None, None, None]
    )
    page = client.get("/TST/units/F/measures/SOLVED/").content.decode()
    assert f"{title[0].upper()}{title[1:]}: Crimes solved." in page
    assert f"Figures of Crimes solved for Force, with the {title}" in page
    july = next(row for row in data["rows"] if row["period"] == "2019-07")
    assert (july["numerator_text"], july["denominator_text"]) == ("58", "250")
    if chart == "mr":
        # The moving range from June (21 %) to July (23.2 %), and no target drawn.
        assert july["plotted"] == pytest.approx(23.2 - 21.0)
        assert all(value["target"] is None for value in data["chart"]["data"]["values"])
    if chart == "run":
        assert july["lpl"] is None and july["upl"] is None and data["spc"]["assurance"] == ""


def test_a_c_chart_page_has_level_poisson_limits(
    organisation: Organisation, tmp_path: Path
) -> None:
    client = charted(organisation, tmp_path, "p", "mdc")
    data = client.get("/TST/units/F/measures/DEATHS.json").json()
    assert data["spc"]["chart_title"] == "c chart (count), Making Data Count rules"
    assert data["spc"]["limits_vary"] is False
    charted_rows = [row for row in data["rows"] if row["charted"]]
    centre = charted_rows[0]["mean"]
    # Twenty baseline months of 2, 0, 1, 3, 1 repeated: a mean of 7 / 5.
    assert centre == pytest.approx(7 / 5)
    uppers = [row["upl"] for row in charted_rows]
    assert uppers == pytest.approx([1.4 + 3 * 1.4**0.5] * len(uppers))
    # Whole counts, but a centre of 1.4 and a limit of 4.95: shown a decimal finer.
    last = charted_rows[-1]
    assert (last["value_text"], last["mean_text"], last["upl_text"]) == ("3", "1.4", "4.9")
    assert data["spc"]["segments"][0]["upl_text"] == "4.9"


def test_an_xmr_measure_page_names_no_chart_type(organisation: Organisation, analyst: User) -> None:
    client = Client()
    client.force_login(analyst)
    page = client.get("/TST/units/N/measures/CR/").content.decode()
    assert "XmR chart of Crimes per 1,000: each figure, the mean (solid line)" in page
    assert "Making Data Count rules" not in page and "Plotted" not in page
