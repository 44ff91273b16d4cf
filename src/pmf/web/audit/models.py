"""Storage of the audit trail: one append-only row per change, who, when, before and after.

Rows are only ever added. ``save()`` refuses to change a stored row, ``delete()`` and the
queryset's ``update()`` and ``delete()`` refuse, and the migration adds database triggers that
refuse UPDATE and DELETE on PostgreSQL and SQLite, so not even raw SQL from the application
can rewrite what was recorded.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.frameworks.models import Organisation


class Step(models.Model):
    """A typed step in one object's history: who took it and when (abstract).

    The steps the domain reads (a grade's, a risk's, a recommendation's, an intervention's,
    a plan item's, a self-assessment's) share these fields with ``AuditEvent``, and are
    written with their audit event by one writer, ``services.record_step`` (ADR 0029).
    ``actor`` is None for the command line and for pmf itself, as in the audit trail.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        abstract = True


class AuditRefused(Exception):
    """Raise when anything tries to change or delete a recorded audit event."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    """A queryset that reads and adds events, and refuses to change or delete them."""

    def update(self, **kwargs: Any) -> int:
        raise AuditRefused("The audit trail is append-only: events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditRefused("The audit trail is append-only: events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditRefused("The audit trail is append-only: events cannot be changed.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditRefused("The audit trail is append-only: events cannot be changed.")


class AuditEvent(models.Model):
    """One change: who made it, when, to what, and the object before and after it."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", _("Figures")
        GRADE = "grade", _("Grade")
        INTERVENTION = "intervention", _("Intervention")
        RISK = "risk", _("Risk")
        RECOMMENDATION = "recommendation", _("Recommendation")
        PLAN = "plan", _("Improvement plan")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        TARGET = "target", _("Target")
        FRAMEWORK = "framework", _("Framework")
        COMMENTARY = "commentary", _("Commentary")
        ACCESS = "access", _("Sign-ins")
        DELIVERY = "delivery", _("Papers by email")

    # PROTECT: an organisation or a person with a recorded history cannot be deleted (deleting
    # them would have to change or drop their events); people who leave are deactivated.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    # Who, as text: the username, or for the command line "alice via pmf import".
    actor_label = models.CharField(max_length=200)
    at = models.DateTimeField()
    action = models.CharField(max_length=40)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.CharField(max_length=100, blank=True)
    unit_code = models.CharField(max_length=100, blank=True)
    label = models.CharField(max_length=300)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-at"], name="audit_org_at"),
            models.Index(fields=["organisation", "kind", "object_id"], name="audit_org_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label}: {self.action} {self.label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Add the event; refuse to change one already stored."""
        if not self._state.adding:
            raise AuditRefused("The audit trail is append-only: events cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: events are never deleted."""
        raise AuditRefused("The audit trail is append-only: events cannot be deleted.")
