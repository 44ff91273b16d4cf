"""A recommendation for North, owned by owner, recorded by the analyst."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services
from pmf.web.recommendations.models import Recommendation
from tests.factories import details, membership


@pytest.fixture
def recommendation(organisation: Organisation, analyst: User, owner: User) -> Recommendation:
    return services.create_recommendation(
        organisation, membership(analyst), details(), user=analyst
    )
