"""Storage of interventions: what was agreed to act on performance, its progress and escalations.

An intervention is taken from the organisation's menu (``interventions:`` in the framework
file). The action's and category's names are copied when it is agreed, so that changing the
menu later never rewrites what was agreed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.audit.models import Step
from pmf.web.frameworks.models import Area, Measure, Organisation, Unit


class Intervention(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="interventions_agreed"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="interventions")
    # About a whole area of the scorecard, or one measure (then the area is the measure's).
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="interventions")
    measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="interventions"
    )
    action = models.CharField(max_length=64)
    action_name = models.CharField(max_length=200)
    category = models.CharField(max_length=64)
    category_name = models.CharField(max_length=200)
    report_within_months = models.PositiveSmallIntegerField()
    agreed_on = models.DateField()
    due_on = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interventions_owned"
    )
    description = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"], name="intervention_due")]

    def __str__(self) -> str:
        return f"{self.pk}: {self.action_name} ({self.unit.code})"


class ProgressUpdate(Step):
    """One report of progress, oldest first; ``status`` empty when it did not change."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="progress"
    )
    text = models.TextField()
    status = models.CharField(max_length=16, choices=Intervention.Status.choices, blank=True)

    class Meta:
        ordering = ["intervention", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.intervention_id} at {self.at:%Y-%m-%d %H:%M}"


class Escalation(Step):
    """An overdue intervention passed to the next level, found by ``pmf remind`` (no actor)."""

    intervention = models.ForeignKey(
        Intervention, on_delete=models.CASCADE, related_name="escalations"
    )
    on = models.DateField()
    # The due date that was missed: a new due date may be missed and escalated again.
    due_on = models.DateField()
    to = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    level = models.CharField(max_length=64)

    class Meta:
        ordering = ["intervention", "at"]
        constraints = [
            models.UniqueConstraint(
                fields=["intervention", "due_on"], name="one_escalation_per_due_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.intervention_id} escalated on {self.on}"


class SentReminder(models.Model):
    """A reminder emailed (or found without an address): never the same one twice a day."""

    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    subject = models.CharField(max_length=300)
    sent_at = models.DateTimeField()
    address = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["on", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "user", "on"], name="one_reminder_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} to {self.user_id} on {self.on}"
