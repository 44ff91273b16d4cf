"""An improvement plan with one item, a cycle, and South's command lead."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from pmf.web.accounts.models import Membership
from pmf.web.cycles import services as cycles
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation
from pmf.web.plans import services
from pmf.web.plans.models import Item, Plan
from tests.factories import member


@pytest.fixture
def plan(organisation: Organisation, analyst: User) -> Plan:
    return services.create_plan(
        organisation, analyst.membership, name="Corporate Improvement Plan", starts=2008, ends=2011
    )


@pytest.fixture
def item(plan: Plan, analyst: User, owner: User) -> Item:
    theme = services.add_theme(plan, analyst.membership, "Increasing community focus")
    return services.create_item(
        theme,
        analyst.membership,
        services.ItemFields(
            title="Community safety",
            owner="owner",
            description="Work in partnership to tackle violent crime.",
            target="Reduce crime",
            measures=["CR"],
            target_measure="ER",
            target_value=90,
            target_date=dt.date(2011, 3, 31),
        ),
    )


@pytest.fixture
def cycle(organisation: Organisation) -> Cycle:
    return cycles.create_cycle(organisation, number=1, name="Summer 2019", cut_off="2019-07")


@pytest.fixture
def south_lead(organisation: Organisation) -> User:
    return member("south_lead", organisation, Membership.Role.COMMAND_LEAD, unit="S")
