from __future__ import annotations

import polars as pl

from pmf.core.trend import deterioration_runs, direction


def series(
    values: list[float], polarity: str = "higher_is_better", unit: str = "F"
) -> pl.DataFrame:
    months = [f"2018-{m:02d}" for m in range(1, len(values) + 1)]
    return pl.DataFrame(
        {
            "unit": unit,
            "measure": "ER",
            "period": months,
            "period_end": pl.Series([f"{m}-28" for m in months]).str.to_date(),
            "value": [float(v) for v in values],
            "polarity": polarity,
            "decimals": 1,
        }
    )


def runs(frame: pl.DataFrame) -> dict[str, tuple[str | None, int]]:
    result = deterioration_runs(frame)
    return {
        unit: (since, steps)
        for unit, since, steps in result.select(
            "unit", "deteriorating_since", "deteriorating_steps"
        ).iter_rows()
    }


def test_continual_deterioration_starts_at_the_last_good_point() -> None:
    assert runs(series([80, 82, 79, 77, 71.9])) == {"F": ("2018-02", 3)}


def test_latest_improvement_ends_the_run() -> None:
    assert runs(series([82, 79, 77, 78])) == {"F": (None, 0)}


def test_polarity_decides_what_deterioration_is() -> None:
    assert runs(series([5, 6, 7], polarity="lower_is_better")) == {"F": ("2018-01", 2)}
    assert runs(series([5, 6, 7], polarity="neither")) == {"F": (None, 0)}


def test_no_change_at_display_precision_breaks_the_run() -> None:
    assert runs(series([80, 79, 78.96, 78])) == {"F": ("2018-03", 1)}


def test_many_series_at_once_equal_each_alone() -> None:
    a, b = series([80, 79, 78], unit="A"), series([70, 71, 69], unit="B")
    assert runs(pl.concat([a, b])) == {**runs(a), **runs(b)}


def test_direction_handles_missing_comparison() -> None:
    frame = pl.DataFrame(
        {"v": [1.0], "w": [None], "polarity": ["higher_is_better"], "decimals": [1]},
        schema_overrides={"w": pl.Float64},
    )
    assert frame.select(direction("v", "w"))["v"].to_list() == [None]
