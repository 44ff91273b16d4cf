"""Storage of API tokens: only a hash of each key is kept, and a prefix to recognise it by."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A key that a program sends as ``Authorization: Bearer <key>`` to act as its user.

    The key itself is shown once when the token is issued; pmf keeps its SHA-256 hash, so
    a copy of the database gives nobody a working key. Revoked tokens are kept, marked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    # The first characters of the key ("pmf_Ab3dE6xY"), so people can tell their tokens apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        """Say whether the token still works."""
        return self.revoked_at is None
