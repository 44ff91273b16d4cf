"""`pmf stats dsr` and `pmf stats isr` as analysts script them: options, columns, errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pmf.cli import main

DATA = Path(__file__).parents[1] / "core" / "data" / "phe_standardised"


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def deaths(tmp_path: Path) -> Path:
    """PHEindicatormethods' three test areas, with its 55-59 band labelled as such."""
    path = tmp_path / "deaths.csv"
    text = (DATA / "testdata_multiarea.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("55-69", "55-59"), encoding="utf-8")
    return path


def reference(tmp_path: Path) -> Path:
    path = tmp_path / "england.csv"
    text = (DATA / "refdata.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("55-69", "55-59").replace("Age Band", "ageband"), "utf-8")
    return path


def dsr_args(source: Path, out: Path, *extra: str) -> list[str]:
    return [
        "stats", "dsr", str(source), "--numerator", "count", "--denominator", "pop",
        "--age-band", "ageband", "--group", "area", "--output", str(out), *extra,
    ]  # fmt: skip


def isr_args(source: Path, out: Path, *extra: str) -> list[str]:
    return [
        "stats", "isr", str(source), "--observed", "count", "--denominator", "pop",
        "--age-band", "ageband", "--group", "area", "--reference-count", "refcount",
        "--reference-population", "refpop", "--output", str(out), *extra,
    ]  # fmt: skip


def test_dsr_writes_one_rate_per_group_with_the_packages_columns(tmp_path: Path) -> None:
    out = tmp_path / "dsr.csv"
    assert main(dsr_args(deaths(tmp_path), out)) == 0
    written = rows(out)
    assert list(written[0]) == [
        "area", "total_count", "total_pop", "value", "lowercl", "uppercl",
        "confidence", "statistic", "method",
    ]  # fmt: skip
    big, small, tiny = written
    # testresults_DSR, rows testdata_big and testdata_small per 100,000.
    assert (big["total_count"], big["total_pop"]) == ("895", "8970")
    assert float(big["value"]) == pytest.approx(10430.247991469423, rel=1e-12)
    assert float(small["uppercl"]) == pytest.approx(1367.0882227251795, rel=1e-12)
    assert (tiny["value"], tiny["lowercl"]) == ("", "")
    assert tiny["statistic"] == "dsr NA for total count < 10"


def test_dsr_with_both_levels_and_a_multiplier(tmp_path: Path) -> None:
    out = tmp_path / "dsr.csv"
    extra = ("--confidence", "0.95", "0.998", "--multiplier", "10000")
    assert main(dsr_args(deaths(tmp_path), out, *extra)) == 0
    big = rows(out)[0]
    assert float(big["lower99_8cl"]) == pytest.approx(932.32878802199036, rel=1e-12)
    assert big["confidence"] == "95%, 99.8%"
    assert big["statistic"] == "dsr per 10000"


def test_dsr_with_a_standard_column_of_ones_own(tmp_path: Path) -> None:
    out = tmp_path / "dsr.csv"
    args = [
        "stats", "dsr", str(DATA / "testdata_1976.csv"), "--numerator", "count",
        "--denominator", "pop", "--age-band", "Age Band", "--standard-column", "esp1976",
        "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    assert float(rows(out)[0]["value"]) == pytest.approx(8592.0975850223658, rel=1e-12)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("testdata_big,5-9,25,558", "testdata_big,5-9,25,0", "row 3, column 'pop', value '0'"),
        ("testdata_big,5-9,25,558", "testdata_big,5-9,-25,558", "row 3, column 'count'"),
        ("testdata_big,5-9,25,558", "testdata_big,5 - 10,25,558", "row 3, column 'ageband'"),
        ("testdata_big,5-9,25,558", "testdata_big,0-4,25,558", "appears more than once"),
        ("testdata_big,5-9,25,558\n", "", "no row for the age band 5-9 in area 'testdata_big'"),
        ("testdata_big,5-9,25,558", "testdata_big,5-9,25,", "row 3, column 'pop', value (empty)"),
    ],
)
def test_dsr_bad_input_names_file_row_and_column_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, message: str
) -> None:
    source = deaths(tmp_path)
    source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    out = tmp_path / "dsr.csv"
    assert main(dsr_args(source, out)) == 1
    error = capsys.readouterr().err
    assert str(source) in error and message in error
    assert not out.exists()


def test_dsr_refuses_a_confidence_the_package_refuses_and_a_multiplier_of_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dsr.csv"
    assert main(dsr_args(deaths(tmp_path), out, "--confidence", "0.95", "0.99")) == 2
    assert "--confidence: two confidence levels can only be given as 0.95 and 0.998" in (
        capsys.readouterr().err
    )
    assert main(dsr_args(deaths(tmp_path), out, "--multiplier", "0")) == 2
    assert "--multiplier: must be more than 0, not 0" in capsys.readouterr().err
    assert not out.exists()


def test_isr_with_a_reference_file_by_age_band(tmp_path: Path) -> None:
    out = tmp_path / "isr.csv"
    extra = ("--reference", str(reference(tmp_path)), "--confidence", "0.95", "0.998")
    assert main(isr_args(deaths(tmp_path), out, *extra)) == 0
    big, _, tiny = rows(out)
    assert list(big)[:4] == ["area", "observed", "expected", "value"]
    assert float(big["value"]) == pytest.approx(1.0707232939020275, rel=1e-12)
    assert float(tiny["upper99_8cl"]) == pytest.approx(2.7105896514690211e-2, rel=1e-12)
    assert (big["method"], tiny["method"]) == ("Byars", "Exact")
    assert big["statistic"] == "indirectly standardised ratio x 1"


def test_isr_rate_with_reference_columns_in_the_input(tmp_path: Path) -> None:
    source = tmp_path / "isr_in.csv"
    source.write_text(
        (DATA / "testdata_multiarea_isr.csv").read_text(encoding="utf-8"), encoding="utf-8"
    )
    out = tmp_path / "isr.csv"
    assert main(isr_args(source, out, "--statistic", "rate")) == 0
    big = rows(out)[0]
    assert float(big["ref_rate"]) == pytest.approx(9349.8830922110192, rel=1e-12)
    assert float(big["value"]) == pytest.approx(10011.137622091057, rel=1e-12)
    assert big["statistic"] == "indirectly standardised rate per 100000"


def test_isr_with_observed_totals(tmp_path: Path) -> None:
    out = tmp_path / "isr.csv"
    args = [
        "stats", "isr", str(DATA / "testdata_multiarea_isr.csv"), "--observed", "total_count",
        "--observed-totals", str(DATA / "testdata_multiarea_lookup.csv"), "--denominator", "pop",
        "--age-band", "ageband", "--group", "area", "--reference-count", "refcount",
        "--reference-population", "refpop", "--multiplier", "100", "--output", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    assert float(rows(out)[1]["value"]) == pytest.approx(10.886683770400502, rel=1e-12)


def test_isr_band_missing_from_the_reference_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = reference(tmp_path)
    ref.write_text(ref.read_text(encoding="utf-8").replace("90+", "90-94"), encoding="utf-8")
    out = tmp_path / "isr.csv"
    assert main(isr_args(deaths(tmp_path), out, "--reference", str(ref))) == 1
    error = capsys.readouterr().err
    assert "row 20, column 'ageband', value '90+': the age band is not in" in error
    assert not out.exists()
