"""The council example's commentary: loaded with it, checked against its own statistics."""

from __future__ import annotations

import datetime as dt

import pytest

from pmf.sources.examples import registry
from pmf.web.commentary.models import Commentary, CommentaryVersion
from pmf.web.commentary.presenters import commentary_list_page
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.services import load_example

pytestmark = pytest.mark.django_db


def test_the_council_example_has_commentary_one_flagged_and_one_overdue() -> None:
    load_example(registry()["trafford"])
    trafford = Organisation.objects.get(code="E08000009")
    page = commentary_list_page(trafford, None, {"show": "all"})
    rows = {row["measure"]: row for row in page["commentary"]}
    assert set(rows) == {"OBESE_Y6", "ACTIVE_CHILDREN", "CLAIMANT_RATE"}
    # Year 6 obesity "improved", but its SPC chart shows common cause variation.
    assert [flag["words"] for flag in rows["OBESE_Y6"]["flags"]] == ["improved"]
    # "Off track" agrees with a red figure.
    assert rows["ACTIVE_CHILDREN"]["flags"] == []
    # Asked for March 2026's claimant rate, due 20 days after the month, never written.
    assert rows["CLAIMANT_RATE"]["due_date"] == "2026-04-20"
    assert not rows["CLAIMANT_RATE"]["written"]
    assert rows["CLAIMANT_RATE"]["overdue"] is (dt.date.today() > dt.date(2026, 4, 20))
    assert rows["OBESE_Y6"]["owner"] == "example-health-owner"
    versions = CommentaryVersion.objects.count()
    load_example(registry()["trafford"])
    assert CommentaryVersion.objects.count() == versions  # loading again adds nothing
    assert Commentary.objects.filter(organisation=trafford).count() == 3
