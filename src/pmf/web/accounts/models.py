"""Who may see what: each user's organisation, role and the part of its unit tree they cover."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pmf.web.frameworks.models import Measure, Organisation, Unit


class Membership(models.Model):
    """A user's place in one organisation: a role, and a unit below which they work.

    With no unit the user covers the whole organisation (an analyst, a board member).
    """

    class Role(models.TextChoices):
        ANALYST = "analyst", "Analyst"
        OWNER = "owner", "Measure owner"
        COMMAND_LEAD = "command_lead", "Command lead"
        MODERATOR = "moderator", "Moderator"
        BOARD_MEMBER = "board_member", "Board member"
        VIEWER = "viewer", "Viewer"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    # The measures a measure owner enters and corrects figures for.
    measures = models.ManyToManyField(Measure, blank=True, related_name="owners")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation.code})"

    @property
    def may_sign_off(self) -> bool:
        """Say whether the member may mark figures as signed off (the analysts, not owners)."""
        return self.role == self.Role.ANALYST
