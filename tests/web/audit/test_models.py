"""Nobody changes or deletes an audit event through the application, nor the database."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction

from pmf.web.audit.models import AuditEvent, AuditRefused
from pmf.web.frameworks.models import Organisation
from pmf.web.frameworks.services import set_target

pytestmark = pytest.mark.django_db


def test_an_event_cannot_be_changed_or_deleted_through_the_model(
    organisation: Organisation,
) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.label = "rewritten"
    with pytest.raises(AuditRefused):
        event.save()
    with pytest.raises(AuditRefused):
        event.delete()
    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).update(label="rewritten")
    with pytest.raises(AuditRefused):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AuditRefused):
        AuditEvent.objects.bulk_update([event], ["label"])
    assert AuditEvent.objects.get(pk=event.pk).label != "rewritten"


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditevent SET label = 'rewritten'", "DELETE FROM audit_auditevent"]
)
def test_the_database_refuses_to_change_or_delete_events(
    organisation: Organisation, sql: str
) -> None:
    count = AuditEvent.objects.count()
    assert count > 0
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert AuditEvent.objects.count() == count
    assert not AuditEvent.objects.filter(label="rewritten").exists()


def test_the_audit_trail_is_not_in_any_admin() -> None:
    assert "django.contrib.admin" not in settings.INSTALLED_APPS


def test_people_with_a_history_cannot_be_deleted(organisation: Organisation, analyst: User) -> None:
    from django.db.models import ProtectedError

    set_target(
        organisation,
        {"measure": "ER", "unit": "N", "starts": "2019-04", "comparison": ">=", "value": 80},
        analyst,
    )
    with pytest.raises(ProtectedError):
        analyst.delete()
