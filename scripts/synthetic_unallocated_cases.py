"""Write the Trafford example's SYNTHETIC daily count of children's cases awaiting allocation.

No public source publishes daily unallocated cases for any council (seed 002: Essex reported
them daily, internally), so the example's figures are made up here, deterministically: a
stock of cases that drifts around 24 a day from April to September 2024 and around 15 from
October 2024 (a new duty team), with fewer cases allocated at weekends. They show how pmf
reads, charts and rolls up a daily measure; they are not Trafford Council's figures.

Run ``.venv/bin/python scripts/synthetic_unallocated_cases.py`` to write
``examples/trafford/data/synthetic_unallocated_cases_daily.csv`` again (same bytes).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "examples/trafford/data"
FILE = OUT / "synthetic_unallocated_cases_daily.csv"
FIRST, LAST = dt.date(2024, 4, 1), dt.date(2025, 3, 31)
CHANGE = dt.date(2024, 10, 1)
TRAFFORD = "E08000009"


def main() -> None:
    """Write the file."""
    chance = random.Random(2)  # noqa: S311 - made-up example figures, not security
    level = 24.0
    lines = ["date,unit,measure,value"]
    day = FIRST
    while day <= LAST:
        centre = 24.0 if day < CHANGE else 15.0
        weekend = 2.0 if day.isoweekday() >= 6 else 0.0
        # Each day keeps most of yesterday's cases: pulled towards the centre, with noise.
        level = level + 0.35 * (centre - level) + chance.gauss(0, 2.0)
        value = max(0, round(level + weekend))
        lines.append(f"{day.isoformat()},{TRAFFORD},UNALLOCATED_CASES,{value}")
        day += dt.timedelta(days=1)
    FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Wrote {len(lines) - 1} days to {FILE}")


if __name__ == "__main__":
    main()
