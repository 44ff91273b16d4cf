"""qicharts2's charts of real series, as the oracle computes them, saved for pmf to match.

Two real extracts (tests/core/data/qicharts2/README.md gives their sources and licence):
three trusts' type 1 A&E departments by month (attendances, 4-hour breaches, admissions) and
recorded arson in two London boroughs by month. For each case below the oracle
(tests/core/oracles/qic.py, qicharts2 0.8's ``qic()`` with its default options) charts every
series, and the result is kept in ``real_expected_<case>.csv`` in the columns of
``pmf stats spc --chart ... --rules anhoej``; tests/cli/test_stats_charts_real.py runs the
command on the same files and compares. Here the saved results are checked against the
oracle and, independently, against the formulas worked from the raw counts.

Regenerate the expected files (after a deliberate change to the oracle) with
``python -m tests.core.test_qic_real_data``.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.core.oracles.qic import qic

DATA = Path(__file__).parent / "data" / "qicharts2"
COLUMNS = [
    "group",
    "date",
    "value",
    "centre",
    "lpl",
    "upl",
    "lpl_2sigma",
    "upl_2sigma",
    "sigma_signal",
    "runs_signal",
    "longest_run",
    "longest_run_max",
    "crossings",
    "crossings_min",
]


@dataclass(frozen=True)
class Case:
    """One chart of the real series: the input file, its columns and the chart's options."""

    source: str
    group: str
    date: str
    chart: str
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    screen: bool = True

    def cli_arguments(self) -> list[str]:
        """Return the ``pmf stats spc`` options that ask for this chart."""
        arguments = ["--chart", self.chart, "--date", self.date, "--group", self.group]
        if self.value is not None:
            arguments += ["--value", self.value]
        if self.numerator is not None:
            arguments += ["--numerator", self.numerator]
        if self.denominator is not None:
            arguments += ["--denominator", self.denominator]
        arguments += ["--rules", "anhoej"]
        return arguments + ([] if self.screen else ["--no-screen-outliers"])


AE = "real_ae_type1.csv"
ARSON = "real_london_arson.csv"
CASES: dict[str, Case] = {
    "ae_run": Case(AE, "org_code", "period", "run", value="attendances"),
    "ae_i": Case(AE, "org_code", "period", "i", value="attendances"),
    "ae_i_unscreened": Case(AE, "org_code", "period", "i", value="attendances", screen=False),
    "ae_mr": Case(AE, "org_code", "period", "mr", value="attendances"),
    "ae_p": Case(AE, "org_code", "period", "p", numerator="breaches", denominator="attendances"),
    "ae_pp": Case(AE, "org_code", "period", "pp", numerator="breaches", denominator="attendances"),
    "ae_pp_unscreened": Case(
        AE,
        "org_code",
        "period",
        "pp",
        numerator="breaches",
        denominator="attendances",
        screen=False,
    ),
    "ae_u": Case(AE, "org_code", "period", "u", numerator="admissions", denominator="attendances"),
    "ae_up": Case(
        AE, "org_code", "period", "up", numerator="admissions", denominator="attendances"
    ),
    "arson_c": Case(ARSON, "borough", "month", "c", value="arson"),
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _series(case: Case) -> dict[str, list[dict[str, str]]]:
    """Return each series' rows in date order, series in name order."""
    series: dict[str, list[dict[str, str]]] = {}
    for row in _rows(DATA / case.source):
        series.setdefault(row[case.group], []).append(row)
    return {name: sorted(rows, key=lambda r: r[case.date]) for name, rows in sorted(series.items())}


def _text(value: float | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(value)


def oracle_rows(case: Case) -> list[dict[str, str]]:
    """Chart every series of the case with the oracle, in the command's output columns."""
    out = []
    for name, rows in _series(case).items():
        if case.value is not None:
            result = qic([float(r[case.value]) for r in rows], case.chart, screen=case.screen)
        else:
            assert case.numerator is not None and case.denominator is not None
            numerators = [float(r[case.numerator]) for r in rows]
            denominators = [float(r[case.denominator]) for r in rows]
            result = qic(numerators, case.chart, denominators, screen=case.screen)
        for i, row in enumerate(rows):
            line = {"group": name, "date": row[case.date]}
            keys = ("value", "centre", "lcl", "ucl", "lcl_2", "ucl_2", "sigma_signal")
            for column, key in zip(COLUMNS[2:9], keys, strict=True):
                line[column] = _text(result[key][i])
            for column in COLUMNS[9:]:
                line[column] = _text(result[column][i])
            out.append(line)
    return out


def _write(name: str) -> None:
    with (DATA / f"real_expected_{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(oracle_rows(CASES[name]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_saved_results_are_the_oracles_qicharts2_charts_of_the_real_series(name: str) -> None:
    saved = _rows(DATA / f"real_expected_{name}.csv")
    assert saved == oracle_rows(CASES[name])


def _number(text: str) -> float | None:
    flags = {"true": 1.0, "false": 0.0}
    return None if text == "" else flags[text] if text in flags else float(text)


def _numbers(name: str, column: str, group: str) -> list[float | None]:
    rows = _rows(DATA / f"real_expected_{name}.csv")
    return [_number(r[column]) for r in rows if r["group"] == group]


@pytest.mark.parametrize("org", ["RCF", "RJ1", "RNL"])
def test_ae_p_chart_is_the_pooled_proportion_with_binomial_limits_worked_from_the_counts(
    org: str,
) -> None:
    rows = [r for r in _rows(DATA / AE) if r["org_code"] == org]
    breaches = [float(r["breaches"]) for r in rows]
    attendances = [float(r["attendances"]) for r in rows]
    pooled = sum(breaches) / sum(attendances)
    centre = _numbers("ae_p", "centre", org)
    upper = _numbers("ae_p", "upl", org)
    lower_2 = _numbers("ae_p", "lpl_2sigma", org)
    for i, n in enumerate(attendances):
        assert centre[i] == pytest.approx(pooled, rel=1e-12)
        assert upper[i] == pytest.approx(pooled + 3 * math.sqrt(pooled * (1 - pooled) / n))
        assert lower_2[i] == pytest.approx(
            max(0, pooled - 2 * math.sqrt(pooled * (1 - pooled) / n))
        )


def test_overdispersed_ae_proportions_leave_most_months_outside_p_limits_but_not_p_prime() -> None:
    for org in ("RCF", "RJ1", "RNL"):
        p_outside = sum(v == 1 for v in _numbers("ae_p", "sigma_signal", org) if v is not None)
        pp_outside = sum(v == 1 for v in _numbers("ae_pp", "sigma_signal", org) if v is not None)
        # 23, 32 and 32 of 36 months outside the p limits; 7, 1 and 2 outside the p′ limits.
        assert p_outside >= 20, org
        assert pp_outside <= p_outside / 3, org


@pytest.mark.parametrize("borough", ["Barking and Dagenham", "Camden"])
def test_arson_c_chart_is_the_mean_count_plus_or_minus_three_root_mean(borough: str) -> None:
    counts = [float(r["arson"]) for r in _rows(DATA / ARSON) if r["borough"] == borough]
    mean = sum(counts) / len(counts)
    assert _numbers("arson_c", "centre", borough)[0] == pytest.approx(mean)
    assert _numbers("arson_c", "upl", borough)[0] == pytest.approx(mean + 3 * math.sqrt(mean))
    assert _numbers("arson_c", "lpl", borough)[0] == pytest.approx(
        max(0, mean - 3 * math.sqrt(mean))
    )
    assert _numbers("arson_c", "value", borough) == counts


def test_screening_never_widens_the_i_chart_limits_of_the_real_series() -> None:
    for org in ("RCF", "RJ1", "RNL"):
        screened = _numbers("ae_i", "upl", org)[0]
        unscreened = _numbers("ae_i_unscreened", "upl", org)[0]
        assert screened is not None and unscreened is not None
        assert screened <= unscreened


def test_mr_chart_starts_with_no_moving_range_and_runs_signal_is_never_set() -> None:
    for org in ("RCF", "RJ1", "RNL"):
        assert _numbers("ae_mr", "value", org)[0] is None
        assert set(_numbers("ae_mr", "runs_signal", org)) == {0.0}


if __name__ == "__main__":
    for case_name in sorted(CASES):
        _write(case_name)
