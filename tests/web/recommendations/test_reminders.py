"""Reminders of overdue recommendations and risk reviews."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from pmf.web.frameworks.models import Organisation
from pmf.web.recommendations import services
from tests.factories import details, membership

pytestmark = pytest.mark.django_db


def test_pmf_remind_tells_owners_of_overdue_recommendations_and_reviews(
    organisation: Organisation, analyst: User, owner: User
) -> None:
    import datetime as dt

    from django.core import mail

    from pmf.web.interventions.reminders import send_reminders
    from pmf.web.risks.services import create_risk
    from tests.factories import rated

    owner.email = "owner@example.org"
    owner.save()
    services.create_recommendation(
        organisation, membership(analyst), details(due_date="2019-12-31"), user=analyst
    )
    create_risk(
        organisation, membership(analyst), rated(3, 3, owner="owner", review_date="2019-11-30")
    )
    send_reminders(dt.date(2020, 1, 15))
    subjects = sorted(message.subject for message in mail.outbox)
    assert "Test Force: recommendation 1 is overdue" in subjects
    assert "Test Force: the review of risk 1 is overdue" in subjects
    count = len(mail.outbox)
    send_reminders(dt.date(2020, 1, 15))
    assert len(mail.outbox) == count  # not twice the same day
