"""Name the roles an import file's columns can play, for the importer and the steps it runs.

``OBSERVATION_ROLES`` are what one stored observation is made of; ``ROLES`` adds the columns
that only a step before storing reads (an age band, which standardising turns into one
observation per unit and period).
"""

from __future__ import annotations

OBSERVATION_ROLES = (
    "unit",
    "measure",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "note",
    "source",
)
ROLES = (*OBSERVATION_ROLES, "age_band")
