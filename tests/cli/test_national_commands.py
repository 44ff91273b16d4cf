"""`pmf national fetch|import`: national figures from the command line, on recorded responses."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pmf.cli import main
from pmf.sources import national
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import Observation

RECORDED = Path(__file__).parents[1] / "sources" / "data" / "national"


def test_fetch_writes_the_tidy_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = (RECORDED / "fingertips_obese_year6.csv").read_bytes()
    monkeypatch.setattr(national, "urllib_transport", lambda url: body)
    out = tmp_path / "obese.csv"

    status = main(
        ["national", "fetch", "--source", "fingertips", "--indicator", "90323",
         "--area-type", "502", "--out", str(out)]
    )  # fmt: skip

    assert status == 0
    assert "Wrote 6 rows (1 suppressed or missing)" in capsys.readouterr().out
    tidy = pl.read_csv(out)
    assert tuple(tidy.columns) == national.TIDY_COLUMNS
    assert tidy.filter(pl.col("area_code") == "E08000009")["value"].to_list() == [17.6, 17.8]


def test_fetch_without_what_to_fetch_says_what_is_needed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.csv")

    assert main(["national", "fetch", "--source", "lginform", "--out", out]) == 1
    assert "lginform needs --metric-type" in capsys.readouterr().err


def test_fetch_failure_names_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(national, "urllib_transport", lambda url: asked.append(url) or b"[")
    monkeypatch.setenv("PMF_LGINFORM_KEY", "my key")
    monkeypatch.setenv("PMF_LGINFORM_SECRET", "my secret")
    args = ["national", "fetch", "--source", "lginform", "--metric-type", "1"]

    assert main([*args, "--area", "E08000009", "--out", str(tmp_path / "x.csv")]) == 1
    assert "LG Inform: the response is not JSON" in capsys.readouterr().err
    # Signed with the key and secret from the environment.
    assert "&ApplicationKey=my+key&Signature=" in asked[0]


def test_lginform_fetch_without_key_and_secret_says_which_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(national, "urllib_transport", lambda url: pytest.fail("fetched"))
    monkeypatch.delenv("PMF_LGINFORM_KEY", raising=False)
    monkeypatch.delenv("PMF_LGINFORM_SECRET", raising=False)
    args = ["national", "fetch", "--source", "lginform", "--metric-type", "1", "--area", "E1"]

    assert main([*args, "--application-key", "KEY", "--out", str(tmp_path / "x.csv")]) == 1
    assert "set PMF_LGINFORM_SECRET (LG Inform Plus" in capsys.readouterr().err


@pytest.mark.django_db
def test_import_maps_indicators_and_areas_and_leaves_out_missing_figures(
    organisation: Organisation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tidy = tmp_path / "tidy.csv"
    tidy.write_text(
        "area_code,area_name,period,indicator,value,numerator,denominator,source\n"
        "E1,North,2019-08,Rate,5,5,1000,test\n"
        "E2,South,2019-08,Rate,,,,test\n"
        "E3,East,2019-08,Rate,7,7,1000,test\n"
        "E1,North,2019-08,Other,9,,,test\n",
        encoding="utf-8",
    )

    status = main(
        ["national", "import", str(tidy), "-o", "TST", "--map", "Rate=CR",
         "--unit", "E1=N", "--unit", "E2=S"]
    )  # fmt: skip

    assert status == 0, capsys.readouterr().err
    assert "1 row read: 1 added" in capsys.readouterr().out
    added = Observation.objects.get(measure__code="CR", unit__code="N", period="2019-08")
    assert (added.value, added.numerator, added.denominator) == (5, 5, 1000)


@pytest.mark.django_db
def test_import_with_a_malformed_map_says_how_to_write_it(
    organisation: Organisation, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tidy = tmp_path / "tidy.csv"
    tidy.write_text("area_code,area_name,period,indicator,value\n", encoding="utf-8")

    assert main(["national", "import", str(tidy), "-o", "TST", "--map", "Rate"]) == 1
    assert "--map 'Rate': give it as INDICATOR=MEASURE" in capsys.readouterr().err
