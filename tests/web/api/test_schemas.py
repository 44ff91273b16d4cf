"""The JSON API's schemas: what they must carry."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_assessed_measure_schema_has_every_scorecard_field() -> None:
    from dataclasses import fields

    from pmf.core.scorecard import ROW_FIELDS, ScorecardRow
    from pmf.web.api.schemas import AssessedMeasure

    assert set(ROW_FIELDS) <= set(AssessedMeasure.model_fields)
    # Every field but the national unit's name as the reader reads it (the note's words).
    assert {f.name for f in fields(ScorecardRow)} - set(ROW_FIELDS) == {"national_name"}
    assert "national_name" not in AssessedMeasure.model_fields
