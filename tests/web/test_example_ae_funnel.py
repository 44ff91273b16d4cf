"""The A&E example's type 1 measure page draws its funnel widened by the SHMI method."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pmf.sources.examples import registry
from pmf.web.accounts.models import Membership
from pmf.web.frameworks.models import Organisation
from pmf.web.observations.services import load_example

pytestmark = pytest.mark.django_db


def test_the_type1_funnel_is_widened_and_the_all_types_funnel_is_exact() -> None:
    load_example(registry()["nhs_ae"])
    user = User.objects.create_user("analyst", password="correct horse battery staple")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(code="ENG"), role=Membership.Role.ANALYST
    )
    client = Client()
    client.force_login(user)
    type1 = client.get("/ENG/units/RBA/measures/AE_4HR_TYPE1/").content.decode()
    assert "Limits widened for overdispersion (SHMI method, phi = " in type1
    assert ">99.8% limits</th>" in type1.replace("\n", "")
    every = client.get("/ENG/units/RBA/measures/AE_4HR_ALL/").content.decode()
    assert "Exact limits, not adjusted for overdispersion." in every
