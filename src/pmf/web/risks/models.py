"""The risk register, with its history.

Every change to a risk adds an event (who, when, what changed, and the
state after it); events are never changed or deleted. The risk measure reads the state of
each risk at each month end from its events (see ``services.risks_at``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.audit.models import Step
from pmf.web.frameworks.models import Area, Organisation, Unit


class Risk(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="risks")
    # The risk's reference within its organisation (R1, R2...), never reused.
    number = models.PositiveIntegerField()
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="risks"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="risks"
    )
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    controls = models.TextField(blank=True)
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    current_likelihood = models.PositiveSmallIntegerField()
    current_impact = models.PositiveSmallIntegerField()
    target_likelihood = models.PositiveSmallIntegerField()
    target_impact = models.PositiveSmallIntegerField()
    # Scores are kept so that lists filter and sort on them; services set them from the scales.
    inherent_score = models.FloatField()
    current_score = models.FloatField()
    target_score = models.FloatField()
    review_date = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "-current_score", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="risk_number_unique")
        ]

    def __str__(self) -> str:
        return f"R{self.number}: {self.title}"


class RiskEvent(Step):
    """One change to a risk: who, when, each field's old and new value, and the state after."""

    class Step(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        REVIEWED = "reviewed", _("Reviewed")

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=16, choices=Step.choices)
    changes = models.JSONField(default=dict)
    # The risk's status and current score after the change: the register at any moment.
    status = models.CharField(max_length=8)
    current_score = models.FloatField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["risk", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.risk}: {self.step} at {self.at:%Y-%m-%d %H:%M}"
