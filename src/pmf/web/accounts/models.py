"""Who may see what: each user's organisation, role and the part of its unit tree they cover."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmf.web.frameworks.models import Area, Measure, Organisation, Unit


class Membership(models.Model):
    """A user's place in one organisation: a role, and a unit below which they work.

    With no unit the user covers the whole organisation (an analyst, a board member).
    """

    class Role(models.TextChoices):
        ANALYST = "analyst", _("Analyst")
        OWNER = "owner", _("Measure owner")
        COMMAND_LEAD = "command_lead", _("Command lead")
        MODERATOR = "moderator", _("Moderator")
        BOARD_MEMBER = "board_member", _("Board member")
        VIEWER = "viewer", _("Viewer")

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


class SharingAgreement(models.Model):
    """One organisation lets another's members read some of its figures, as partners do.

    The recipient's members see the provider's ``unit`` and everything below it (all of the
    provider's units when empty), for the listed ``areas`` (all areas when none), while the
    agreement runs. They read; they never enter, import or change anything.
    """

    provider = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements_given"
    )
    recipient = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements_received"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_agreements"
    )
    areas = models.ManyToManyField(Area, blank=True, related_name="sharing_agreements")
    purpose = models.TextField()
    starts = models.DateField()
    ends = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(provider=models.F("recipient")),
                name="sharing_between_two_organisations",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider.code} shares with {self.recipient.code}: {self.purpose}"


class SsoIdentity(models.Model):
    """The identity provider's subject for a person who signs in with single sign-on.

    A person is found by the issuer and subject (``sub``) the provider sends, which never
    change, rather than by an email address, which may (docs/guide/sso.md).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    last_sign_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_person_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.issuer} {self.subject})"


class LanguagePreference(models.Model):
    """The language a user chose to read pmf in: pages, and the emails and papers sent to them.

    Chosen with the switcher in every page's header (``pmf.web.i18n.choose_language``); read
    with ``pmf.web.i18n.language_for`` where there is no request to take it from.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
