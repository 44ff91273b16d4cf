"""The JSON API's schemas: what they must carry."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_assessed_measure_schema_has_every_scorecard_field() -> None:
    from dataclasses import fields

    from pmf.core.scorecard import ScorecardRow
    from pmf.web.api.schemas import AssessedMeasure

    assert {f.name for f in fields(ScorecardRow)} <= set(AssessedMeasure.model_fields)
