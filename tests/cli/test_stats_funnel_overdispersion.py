"""``pmf stats funnel --overdispersion``: limits per unit, widened as FunnelPlotR widens them."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from pmf.cli import main
from pmf.core.overdispersion import unit_limits

AE = Path(__file__).parents[2] / "examples" / "nhs_ae" / "data" / "ae_attendances.csv"
UNITS = (
    "area,events,population\nA,10,1000\nB,50,1000\nC,20,1000\nD,200,10000\nE,35,900\nF,80,3000\n"
)


def funnel(source: Path, out: Path, *options: str) -> list[str]:
    return [
        "stats",
        "funnel",
        str(source),
        "--numerator",
        "events",
        "--denominator",
        "population",
        "--statistic",
        "proportion",
        "--output",
        str(out),
        *options,
    ]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_without_the_new_options_the_output_is_todays_byte_for_byte(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(UNITS, encoding="utf-8")
    assert main(funnel(source, tmp_path / "today.csv")) == 0
    assert main(funnel(source, tmp_path / "limits.csv", "--overdispersion", "none")) == 0
    today = (tmp_path / "today.csv").read_text(encoding="utf-8").splitlines()
    limits = (tmp_path / "limits.csv").read_text(encoding="utf-8").splitlines()
    assert today[0] == "area,events,population,significance"
    assert limits[0] == today[0] + (
        ",value,lower_95,upper_95,lower_998,upper_998,outlier_95,outlier_998"
    )
    # Today's columns come first, unchanged.
    for before, after in zip(today, limits, strict=True):
        assert after.startswith(before + ",")


def test_shmi_limits_are_wider_and_the_summary_gives_phi_tau2_and_target(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(UNITS, encoding="utf-8")
    exact, widened = tmp_path / "exact.csv", tmp_path / "widened.csv"
    summary = tmp_path / "summary.csv"
    assert main(funnel(source, exact, "--multiplier", "100", "--overdispersion", "none")) == 0
    assert (
        main(
            funnel(
                source,
                widened,
                "--multiplier",
                "100",
                "--overdispersion",
                "shmi",
                "--summary",
                str(summary),
            )
        )
        == 0
    )
    [row] = rows(summary)
    frame = pl.read_csv(source)
    _, dispersion = unit_limits(
        frame,
        numerator="events",
        denominator="population",
        statistic="proportion",
        overdispersion="shmi",
        multiplier=100,
    )
    assert row == {
        "phi": repr(dispersion.phi),
        "tau2": repr(dispersion.tau2),
        "target": repr(dispersion.target),
        "overdispersion": "shmi",
        "adjusted": "true",
    }
    assert float(row["target"]) == pytest.approx(100 * 395 / 16900)
    for before, after in zip(rows(exact), rows(widened), strict=True):
        assert float(after["upper_998"]) > float(before["upper_998"])
        assert float(after["lower_998"]) < float(before["lower_998"])
        assert after["value"] == before["value"]
    assert [r["outlier_95"] for r in rows(widened)] == [
        "false",
        "true",
        "false",
        "false",
        "false",
        "false",
    ]


def test_the_summary_with_no_adjustment_leaves_phi_and_tau2_empty(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(UNITS, encoding="utf-8")
    summary = tmp_path / "summary.csv"
    assert main(funnel(source, tmp_path / "out.csv", "--summary", str(summary))) == 0
    assert summary.read_text(encoding="utf-8").splitlines() == [
        "phi,tau2,target,overdispersion,adjusted",
        ",,0.023372781065088756,none,false",
    ]
    assert "value" in rows(tmp_path / "out.csv")[0]


def test_real_ae_departments_are_mostly_outliers_unless_adjusted(tmp_path: Path) -> None:
    ae = pl.read_csv(AE, schema_overrides={"type": pl.String})
    month = ae.filter((pl.col("period") == "2019-03-01") & (pl.col("type") == "1")).select(
        "org_code",
        (pl.col("attendances") - pl.col("breaches")).alias("events"),
        pl.col("attendances").alias("population"),
    )
    source = tmp_path / "ae.csv"
    month.write_csv(source)
    counts = {}
    for method in ("none", "shmi", "cqc"):
        out = tmp_path / f"{method}.csv"
        summary = tmp_path / f"{method}-summary.csv"
        options = ("--multiplier", "100", "--overdispersion", method, "--summary", str(summary))
        assert main(funnel(source, out, *options)) == 0
        counts[method] = sum(r["outlier_998"] == "true" for r in rows(out))
    assert counts == {"none": 124, "shmi": 4, "cqc": 0}
    [shmi] = rows(tmp_path / "shmi-summary.csv")
    assert round(float(shmi["phi"]), 1) == 323.1


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        (
            "area,events,population\nA,100,108\nB,150,112\nC,0,165\nD,80,95\n",
            ("--overdispersion", "shmi"),
            "row 4, column 'events', value '0': no events: the SHMI method's log scale",
        ),
        (
            "area,events,population\nA,100,108\nB,150,112\nC,9,0.004\nD,80,95\n",
            ("--overdispersion", "shmi"),
            "row 4, column 'population', value '0.004': 0.004 rounds to 0 (to two decimals",
        ),
    ],
)
def test_bad_input_names_the_file_row_column_and_value(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    options: tuple[str, ...],
    message: str,
) -> None:
    source = tmp_path / "in.csv"
    source.write_text(text, encoding="utf-8")
    args = funnel(source, tmp_path / "out.csv", *options)
    args[args.index("proportion")] = "ratio"
    assert main(args) == 1
    err = capsys.readouterr().err
    assert str(source) in err
    assert message in err
    assert not (tmp_path / "out.csv").exists()


def test_with_widened_limits_the_significance_column_agrees_with_the_outlier_flags(
    tmp_path: Path,
) -> None:
    source = Path(__file__).parents[1] / "core" / "data" / "funnelplotr" / "medpar_los.csv"
    widened = 0
    for method in ("none", "shmi", "cqc"):
        output = tmp_path / f"{method}.csv"
        arguments = ["stats", "funnel", str(source), "--numerator", "los"]
        arguments += ["--denominator", "prds", "--statistic", "ratio"]
        assert main([*arguments, "--overdispersion", method, "--output", str(output)]) == 0
        found = rows(output)
        assert len(found) == 54
        for row in found:
            assert ("(0.001)" in row["significance"]) == (row["outlier_998"] == "true"), row
            beyond_95 = row["significance"] != "Not significant"
            assert beyond_95 == (row["outlier_95"] == "true"), row
        widened += sum(row["outlier_998"] == "false" for row in found)
    # The widened limits do change verdicts: fewer outliers than the exact limits' 23 each.
    assert widened > 3 * (54 - 23)
