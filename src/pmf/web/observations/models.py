"""Storage of observations: every revision of every figure, and the imports that brought them.

Observations are bitemporal: ``period`` says when the figure is about and
``recorded_at`` / ``superseded_at`` say when pmf held it. A revision never
overwrites: the new figure is added and the old one is marked superseded at the
same instant, so the figures as they stood at any time can be reproduced.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.frameworks.models import Measure, Organisation, Unit


class ImportBatch(models.Model):
    """One import of a file: its lineage and what it changed."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_batches"
    )
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64)
    layout = models.CharField(max_length=16)
    source = models.TextField(blank=True)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    revised = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self) -> str:
        return f"{self.file_name} ({self.recorded_at:%Y-%m-%d %H:%M})"


class Observation(models.Model):
    class Status(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional")
        VALIDATED = "validated", _("Validated")
        SIGNED_OFF = "signed_off", _("Signed off")

    # No single-column indexes: every extra index costs a B-tree insert per row on a million-row
    # import. The constraints below lead with measure; pages read a whole organisation at once.
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    # The period's canonical code ("2019-07", "2019/20"); its dates follow from the code.
    period = models.CharField(max_length=40)
    value = models.FloatField()
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROVISIONAL)
    source = models.TextField(blank=True)
    note = models.TextField(blank=True)
    # Plausibility warnings the figure was stored with (one per line, empty when none) and the
    # reason given by whoever accepted them; the acceptance itself is in the audit trail.
    warnings = models.TextField(blank=True, db_default="")
    warnings_reason = models.TextField(blank=True, db_default="")
    revision = models.PositiveIntegerField(default=1)
    recorded_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="observations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "unit", "period"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_observation",
            ),
            models.UniqueConstraint(
                fields=["measure", "unit", "period", "revision"], name="revision_unique"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.measure.code} {self.unit.code} {self.period} = {self.value} (r{self.revision})"
        )


class ObservationInput(models.Model):
    """One input figure a calculated figure was computed from: its lineage.

    Each revision of a calculated figure names the revision of every input it was computed
    from; a revised input makes a new revision of the calculated figure with new lineage, so
    the lineage of every revision stays as it was.
    """

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="inputs")
    source = models.ForeignKey(Observation, on_delete=models.PROTECT, related_name="used_by")
    # The input's place among the formula's inputs, for showing them in the formula's order.
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["observation", "source"], name="input_unique")
        ]

    def __str__(self) -> str:
        return f"{self.observation_id} from {self.source_id}"


class UnitStamp(models.Model):
    """How many writes have changed a figure of a unit or of any unit below it.

    A count, never a time or an id: it only goes up, and every write that changes a figure
    adds one to the unit's and each of its ancestors' rows in its own transaction, so the sum
    over any units rises with every write to their subtrees, whatever order writers commit in
    (``pmf.web.cache.data_version``, ADR 0031).
    """

    # No foreign-key constraint in the database: a check per row would cost more than the
    # upsert on a large import; Django still deletes the counts with their unit.
    unit = models.OneToOneField(
        Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    changes = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"unit {self.unit_id}: {self.changes} changes"


class MeasureStamp(models.Model):
    """How many writes have changed a figure of one measure in a unit or below (``UnitStamp``)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    changes = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            # Leads with the unit: versions read one measure or all of them for a few units.
            models.UniqueConstraint(fields=["unit", "measure"], name="measure_stamp_unique")
        ]

    def __str__(self) -> str:
        return f"unit {self.unit_id}, measure {self.measure_id}: {self.changes} changes"
