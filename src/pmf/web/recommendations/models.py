"""The recommendations of inspections and audits, with their history.

Every step on a recommendation adds an event (who, when, what changed, and the status after
it); events are never changed or deleted. The tables keep the names they had in the risks
app (``risks_recommendation``, ``risks_recommendationevent``), so moving the models here
moved no data (ADR 0029).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.audit.models import Step
from pmf.web.frameworks.models import Organisation, Unit


class Recommendation(models.Model):
    class Body(models.TextChoices):
        HMICFRS = "hmicfrs", _("HMICFRS")
        OFSTED = "ofsted", _("Ofsted")
        CQC = "cqc", _("CQC")
        EXTERNAL_AUDIT = "external_audit", _("External audit")
        INTERNAL_AUDIT = "internal_audit", _("Internal audit")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        EVIDENCE_SUBMITTED = "evidence_submitted", _("Evidence submitted")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="recommendations"
    )
    number = models.PositiveIntegerField()
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="recommendations"
    )
    body = models.CharField(max_length=16, choices=Body.choices)
    report_title = models.CharField(max_length=300)
    report_date = models.DateField()
    text = models.TextField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_recommendations",
    )
    due_date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    evidence = models.TextField(blank=True)
    closure_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        # The table keeps the name it had when recommendations lived in the risks app.
        db_table = "risks_recommendation"
        ordering = ["organisation", "due_date", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "number"], name="recommendation_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.report_title}: recommendation {self.number}"


class RecommendationEvent(Step):
    """One step on a recommendation: who, when, what changed and why."""

    class Step(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        STARTED = "started", _("Work started")
        EVIDENCE = "evidence", _("Evidence submitted")
        APPROVED = "approved", _("Closure approved")
        RETURNED = "returned", _("Evidence returned")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="events"
    )
    step = models.CharField(max_length=16, choices=Step.choices)
    changes = models.JSONField(default=dict)
    status = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        db_table = "risks_recommendationevent"
        ordering = ["recommendation", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.step}"
