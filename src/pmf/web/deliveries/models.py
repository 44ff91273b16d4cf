"""Papers on a schedule: what to send to whom and when, each send due, and what was sent.

A ``Schedule`` names one of a cycle's papers, the formats to attach and its ``Recipient``s,
and when: on a calendar rule (monthly on a day, weekly on a weekday, at a time) and/or when
a cycle moves on to a stage. Each moment a schedule falls due, and each cycle that reaches
its stage, is one ``Dispatch``, unique by schedule and occasion, so that two workers never
send the same thing twice. Every email, sent or failed, is a ``Sent`` row: the record of what
was sent to whom.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.cycles.models import Cycle
from pmf.web.frameworks.models import Organisation


class Schedule(models.Model):
    class Paper(models.TextChoices):
        BOARD = "board", _("Board paper")
        EXCEPTIONS = "exceptions", _("Exception report")
        OUTCOMES = "outcomes", _("Quarterly outcomes report")

    class Frequency(models.TextChoices):
        NONE = "", _("Not on a calendar")
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")

    class Language(models.TextChoices):
        # Each language by its own name, as the language switcher shows them.
        ENGLISH = "en", "English"
        WELSH = "cy", "Cymraeg"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="schedules"
    )
    name = models.CharField(max_length=200)
    paper = models.CharField(max_length=16, choices=Paper.choices)
    # The cycle whose paper is sent on the calendar; None: the latest cycle whose data are
    # locked. A stage's send is always of the cycle that reached the stage.
    cycle_number = models.PositiveIntegerField(null=True, blank=True)
    # Formats attached, names of pmf.reports.formats.FORMATS: ["pdf", "pptx"].
    formats = models.JSONField(default=list)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, blank=True)
    day_of_month = models.PositiveSmallIntegerField(null=True, blank=True)  # 1 to 28
    weekday = models.PositiveSmallIntegerField(null=True, blank=True)  # 0 Monday to 6 Sunday
    at_time = models.TimeField(null=True, blank=True)  # local time (TIME_ZONE)
    # The stage a cycle moves on to that sends the paper ("" for none): a Cycle.State.
    on_stage = models.CharField(max_length=16, blank=True)
    # The language of the email and papers sent to a recipient who is only an address; a
    # recipient who is a pmf user gets the language they chose (their LanguagePreference).
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.ENGLISH)
    paused = models.BooleanField(default=False)
    # The calendar sends only moments from here on: set when the schedule is made, changed
    # or resumed, so that none of them sends a moment that passed before.
    active_from = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.organisation.code}: {self.name}"


class Recipient(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="recipients")
    name = models.CharField(max_length=200)
    email = models.EmailField(max_length=254)

    class Meta:
        ordering = ["schedule", "pk"]
        constraints = [models.UniqueConstraint(fields=["schedule", "email"], name="recipient_once")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class Dispatch(models.Model):
    """One send a schedule owes: a calendar moment or a cycle's stage, sent once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="dispatches")
    # "calendar:2026-12-01T07:00:00+00:00" or "stage:8:board": unique for the schedule.
    occasion = models.CharField(max_length=100)
    cycle = models.ForeignKey(
        Cycle, null=True, blank=True, on_delete=models.CASCADE, related_name="dispatches"
    )
    due_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker's claim: no other worker takes the dispatch until then (a crashed worker's
    # claim runs out, and the next one sends only to those not yet sent to).
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "occasion"], name="dispatch_once")
        ]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.occasion} ({self.status})"


class Sent(models.Model):
    """One email to one recipient, sent or failed: the record of what was sent to whom.

    The record is history: deleting its schedule keeps it (the schedule and dispatch become
    empty, and ``schedule_name`` says which schedule it was).
    """

    class Outcome(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # No mail server set (PMF_EMAIL_HOST): the worker printed the email in its log.
        PRINTED = "printed", _("Printed, not sent")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="sent"
    )
    schedule_name = models.CharField(max_length=200, blank=True)
    dispatch = models.ForeignKey(
        Dispatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="sent"
    )
    # The language the email and its papers were written in: "en" or "cy".
    language = models.CharField(
        max_length=8, choices=Schedule.Language.choices, default=Schedule.Language.ENGLISH
    )
    cycle_number = models.PositiveIntegerField(null=True, blank=True)
    paper = models.CharField(max_length=16)
    # Each attachment: {"name", "format", "sha256", "bytes"}.
    attachments = models.JSONField(default=list)
    recipient_name = models.CharField(max_length=200)
    recipient_email = models.EmailField(max_length=254)
    at = models.DateTimeField()
    subject = models.CharField(max_length=300)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    error = models.TextField(blank=True)
    attempt = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} to {self.recipient_email}: {self.outcome}"
