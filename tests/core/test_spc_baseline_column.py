from __future__ import annotations

import polars as pl
import pytest

from pmf.core.spc import SpcInputError, SpcOptions, spc_points

pytestmark = pytest.mark.filterwarnings("ignore::pmf.core.spc.SpcTrialLimitsWarning")

VALUES = [3.0, 5.0, 4.0, 6.0, 5.0, 4.0, 9.0, 12.0, 8.0, 11.0, 3.0, 15.0]


def test_a_baseline_column_of_the_first_n_points_is_fix_after_n_points() -> None:
    frame = pl.DataFrame(
        {"date": range(len(VALUES)), "value": VALUES, "base": [i < 6 for i in range(12)]}
    )
    marked = spc_points(frame, baseline="base")
    fixed = spc_points(frame, options=SpcOptions(fix_after_n_points=6))
    assert marked.drop("trial_limits").equals(fixed.drop("trial_limits"))


def test_every_baseline_needs_a_point_marked_in_the_baseline_column() -> None:
    frame = pl.DataFrame(
        {
            "date": range(12),
            "value": VALUES,
            "rebase": [i == 6 for i in range(12)],
            "base": [i < 3 for i in range(12)],
        }
    )
    with pytest.raises(SpcInputError, match="1 baseline"):
        spc_points(frame, rebase="rebase", baseline="base")


def test_the_baseline_column_must_be_boolean() -> None:
    frame = pl.DataFrame({"date": range(12), "value": VALUES, "base": [1] * 12})
    with pytest.raises(SpcInputError, match="baseline column 'base' must be boolean"):
        spc_points(frame, baseline="base")
