"""Storage of imports that run in the background: what was asked, how far it got, the result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.frameworks.models import Organisation
from pmf.web.observations.models import ImportBatch


class ImportJob(models.Model):
    """One file checked and imported by the worker, all or nothing, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        CHECKING = "checking", _("Checking")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_jobs"
    )
    file_name = models.CharField(max_length=500)
    # The kept upload (a token naming a file in PMF_UPLOAD_DIR), removed when the job ends.
    upload = models.CharField(max_length=64)
    # The column mapping as check_table takes it: role -> column, columns left out, layout.
    mapping = models.JSONField(default=dict)
    ignore = models.JSONField(default=list)
    layout = models.CharField(max_length=8, default="auto")
    # The reason given to store figures with plausibility warnings; "" when none was given.
    accept_warnings = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # The first problems found (row, column, value, reason), and how many there were in all.
    problems = models.JSONField(default=list)
    problem_count = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        """Return True once the job has stored everything or failed."""
        return self.status in (self.Status.DONE, self.Status.FAILED)
