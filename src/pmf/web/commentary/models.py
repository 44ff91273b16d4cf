"""Owners' commentary on their figures: one per measure, unit and period, with every version.

A ``Commentary`` holds what stands now (the owner, the due date and the latest words); each
request, version written and change of owner or due date adds a ``CommentaryVersion``, never
changed or deleted, written with its audit event by ``pmf.web.audit.services.record_step``
(ADR 0029). So what an owner wrote before, and who asked them for it, is always there.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.audit.models import Step
from pmf.web.frameworks.models import Measure, Organisation, Unit


class Commentary(models.Model):
    """What happened to one unit's measure in one period, why, and what is being done."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="commentaries"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="commentaries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="commentaries")
    period = models.CharField(max_length=40)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_commentaries",
    )
    due_date = models.DateField()
    what_happened = models.TextField(blank=True)
    why = models.TextField(blank=True)
    action = models.TextField(blank=True)
    written_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation", "period", "unit", "measure"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit", "period"], name="one_commentary_per_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.unit.code} {self.period}: commentary"

    @property
    def written(self) -> bool:
        """Say whether the owner has written anything yet."""
        return self.written_at is not None


class CommentaryVersion(Step):
    """One step on a commentary: requested, written (a version of its words) or reassigned."""

    class Step(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        WRITTEN = "written", _("Written")
        CHANGED = "changed", _("Owner or due date changed")

    commentary = models.ForeignKey(Commentary, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=16, choices=Step.choices)
    what_happened = models.TextField(blank=True)
    why = models.TextField(blank=True)
    action = models.TextField(blank=True)
    owner = models.CharField(max_length=150, blank=True)
    due_date = models.DateField()

    class Meta:
        ordering = ["commentary", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.commentary}: {self.step}"
