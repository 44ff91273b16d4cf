"""The improvement plan (themes, items, their progress) and each cycle's self-assessments.

An improvement plan is the handful of things an organisation knows it must improve, each
with a target, an accountable owner and the measures that show whether it is moving
(Hampshire's Corporate Improvement Plan). A self-assessment is a unit's short statement
for one cycle: strengths, areas for improvement, risks and how they are addressed; the head
of improvement's overview collates them. Every change is kept: updates and versions are
written once and never changed or deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.audit.models import Step
from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Measure, Organisation, Unit


class Plan(models.Model):
    """A plan over some years ("2008–2011"), refreshed each year."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(max_length=200)
    starts = models.PositiveIntegerField()
    ends = models.PositiveIntegerField()
    refreshed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-starts", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.period}"

    @property
    def period(self) -> str:
        """Return the plan's years as people write them: "2008–2011"."""
        return f"{self.starts}–{self.ends}"


class Theme(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One thing to improve: a target, an accountable owner, linked measures and a status."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        OFF_TRACK = "off_track", _("Off track")
        COMPLETE = "complete", _("Complete")

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    target = models.TextField(blank=True)
    # Optionally the target as a figure: this measure at this value by this date.
    target_measure = models.ForeignKey(
        Measure, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_value = models.FloatField(null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_items"
    )
    measures = models.ManyToManyField(Measure, blank=True, related_name="plan_items")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["theme", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class ItemUpdate(Step):
    """One step in an item's history: created, edited, or progress with a status. Never changed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        PROGRESS = "progress", _("Progress")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Item.Status.choices)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.item}: {self.kind} {self.status}"


class SelfAssessment(models.Model):
    """A unit's self-assessment for one cycle, as it stands; its versions keep the history.

    Called a statement until issue 16; the table keeps that name (``plans_statement``).
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="self_assessments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    risks = models.TextField(blank=True)
    # Who saved the version it holds, and when (its versions keep every one).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        db_table = "plans_statement"
        ordering = ["cycle", "unit__position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="one_statement_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.unit.code} self-assessment"


class SelfAssessmentVersion(Step):
    """A self-assessment as saved once: who, when and the three texts. Never changed."""

    self_assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="versions", db_column="statement_id"
    )
    strengths = models.TextField(blank=True)
    areas_for_improvement = models.TextField(blank=True)
    risks = models.TextField(blank=True)

    class Meta:
        db_table = "plans_statementversion"
        ordering = ["self_assessment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.self_assessment} at {self.at:%Y-%m-%d %H:%M}"


class Overview(Step):
    """The head of improvement's overview of one cycle's statements, each version kept.

    ``themes`` holds the common themes as generated when this version was saved, so the
    overview can be read later beside what its author saw.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="overviews")
    text = models.TextField()
    themes = models.JSONField(default=list)

    class Meta:
        ordering = ["cycle", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.cycle} overview at {self.at:%Y-%m-%d %H:%M}"
