"""The plans' forms in Welsh: a reader who chose Cymraeg reads each problem in Welsh."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pmf.web.plans import services
from pmf.web.plans.models import Plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    # LocaleMiddleware leaves the request's language active in the thread: the next test reads
    # English, as every other test expects.
    yield
    translation.deactivate()


def test_an_items_form_says_what_is_wrong_in_welsh(plan: Plan, analyst: User) -> None:
    theme = services.add_theme(plan, analyst.membership, "Reducing inequalities")
    client = Client()
    client.force_login(analyst)
    client.cookies["django_language"] = "cy"
    path = reverse("plan-item-new", kwargs={"org": "TST", "plan": plan.pk})
    response = client.post(path, {"theme": theme.pk, "title": "", "owner": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "rhaid peidio â&#x27;i adael yn wag" in page  # title: must not be empty
    assert "dewiswch unigolyn o" in page.lower()  # owner: choose a person of ...
    assert "must not be empty" not in page


def test_a_refusal_is_a_whole_welsh_sentence(plan: Plan, owner: User) -> None:
    with translation.override("cy"), pytest.raises(services.Refused) as refused:
        services.add_theme(plan, owner.membership, "Mine")
    assert str(refused.value) == (
        f"dim ond dadansoddwyr sy'n gyfrifol am {plan.organisation.name} i gyd a gaiff ychwanegu "
        "thema"
    )
