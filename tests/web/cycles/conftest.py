"""A cycle of the test organisation, locked or not, and the people who take its steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from pmf.web.accounts.models import Membership
from pmf.web.cycles import services
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from tests.factories import member


@pytest.fixture
def cycle(organisation: Organisation) -> Cycle:
    return services.create_cycle(
        organisation,
        number=1,
        name="Summer 2019",
        cut_off="2019-07",
        board_date=dt.date(2019, 10, 14),
    )


@pytest.fixture
def locked(cycle: Cycle, analyst: User) -> Cycle:
    services.lock_cycle(cycle, analyst.membership)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def people(organisation: Organisation, viewer: User) -> dict[str, User]:
    return {
        "moderator": member("moderator", organisation, Membership.Role.MODERATOR),
        "board": member("board", organisation, Membership.Role.BOARD_MEMBER),
        "viewer": viewer,
    }
