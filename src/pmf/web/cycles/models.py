"""The quarterly cycle: its figures frozen at lock, and each area's grade through its steps.

A cycle is locked at a moment (``locked_at``): its figures are those held then for periods up
to the cut-off, read again at any later time from the observations' revisions, and its
framework is the one in force then (kept as JSON). So every cycle's figures, recommended
grades and rationale can be reproduced later, whatever is revised after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.audit.models import Step
from pmf.web.frameworks.models import Area, Organisation, Unit
from pmf.web.observations.models import Observation


class Cycle(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LOCKED = "data_locked", _("Data locked")
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
        MODERATION = "moderation", _("Moderation")
        BOARD = "board", _("Board")
        PUBLISHED = "published", _("Published")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    # The last period whose figures count ("2019-07": data to July 2019), a period code.
    cut_off = models.CharField(max_length=40)
    board_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    locked_at = models.DateTimeField(null=True, blank=True)
    # When the cycle was published (moved to its last state): with locked_at and board_date,
    # the moments its reporting delay is counted to (pmf.core.delay).
    published_at = models.DateTimeField(null=True, blank=True)
    framework = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="cycle_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} cycle {self.number}: {self.name}"


class AreaGrade(models.Model):
    """One unit's grade for one area in one cycle, through every step of the workflow."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="grades")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    recommended = models.CharField(max_length=24)
    reasons = models.JSONField(default=list)
    rationale_generated = models.TextField(blank=True)
    rationale = models.TextField(blank=True)
    self_grade = models.CharField(max_length=24, blank=True)
    self_rationale = models.TextField(blank=True)
    moderated_grade = models.CharField(max_length=24, blank=True)
    moderation_reason = models.TextField(blank=True)
    agreed_grade = models.CharField(max_length=24, blank=True)
    agreed_rationale = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # pmf's own texts in the other languages of the site, by language ("cy"): the generated
    # rationale, the reasons' sentences, a generated agreed rationale, and a person's version
    # of an edited rationale (see ``pmf.web.cycles.languages``). The fields above are English.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["cycle", "position"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit", "area"], name="one_grade_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.cycle} {self.unit.code} {self.area.code}: {self.grade}"

    @property
    def grade(self) -> str:
        """Return the grade as it stands: agreed, moderated, self-assessed or recommended."""
        return self.agreed_grade or self.moderated_grade or self.self_grade or self.recommended


class GradeEvent(Step):
    """One step taken on a grade: who, when, what and why. Never changed or deleted."""

    class Step(models.TextChoices):
        RECOMMENDED = "recommended", _("Recommended")
        SELF_ASSESSED = "self_assessed", _("Self-assessed")
        MODERATED = "moderated", _("Moderated")
        AGREED = "agreed", _("Agreed at the board")
        RATIONALE = "rationale", _("Rationale edited")

    grade = models.ForeignKey(AreaGrade, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=16, choices=Step.choices)
    value = models.CharField(max_length=24, blank=True)
    text = models.TextField(blank=True)
    # The text in the other languages of the site, by language: {"cy": {"text": ...}}.
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["grade", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.grade}: {self.step} {self.value}"


class SpotCheck(models.Model):
    """One figure of the cycle drawn for an analyst to verify against its source, and what
    they found. The figure is the revision held at the lock; the draw is reproducible
    (``pmf.core.sampling``), and each result recorded is in the audit trail."""

    class Result(models.TextChoices):
        VERIFIED = "verified", _("Verified against source")
        DISCREPANCY = "discrepancy", _("Discrepancy")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="spot_checks")
    # Figures are never deleted but with their organisation, and the check goes with them.
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField()
    result = models.CharField(max_length=16, choices=Result.choices, blank=True)
    note = models.TextField(blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cycle", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "observation"], name="one_spot_check_per_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} spot check {self.position}: {self.result or 'not yet checked'}"
