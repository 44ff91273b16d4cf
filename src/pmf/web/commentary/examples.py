"""The examples' commentary: ``examples/<name>/commentary.csv``, loaded with the example.

Each row asks an example owner (an account that cannot sign in, ``example-...``) for
commentary on a measure, unit and period and, where it has words, writes them: a few agree
with the statistics, one says "improving" where the SPC chart does not, and one is asked for
and never written, so the analyst's list of commentary to check has something on it. Every
text begins ``Example``; the reasons and actions are illustrative. Loading the example again
adds nothing (the same words are no new version).
"""

from __future__ import annotations

import csv

from pmf.sources.examples import Example
from pmf.web.frameworks.models import Organisation

FILE = "commentary.csv"


def load_example_commentary(example: Example, organisation: Organisation) -> int:
    """Ask for and write the example's commentary; return the number of rows (0: no file)."""
    from pmf.web.accounts.models import Membership
    from pmf.web.commentary.services import write_rows
    from pmf.web.examples import example_people

    path = example.framework_path.parent / FILE
    if not path.exists():
        return 0
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    owners = sorted({row["owner"] for row in rows if row.get("owner")})
    if any(not owner.startswith("example-") for owner in owners):
        raise ValueError(f"{path}: an example's owners are example accounts (example-...)")
    example_people(
        organisation,
        [(owner, "Example measure owner", Membership.Role.OWNER, None) for owner in owners],
    )
    return write_rows(organisation, None, rows)
