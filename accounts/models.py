from django.conf import settings
from django.db import models


class UserProfile(models.Model):
    """Per-user settings: how this person wants to hear from the portal (docs/emails.md,
    docs/messages.md)."""

    class EmailFrequency(models.TextChoices):
        IMMEDIATE = "immediate", "Critical alerts at once, the rest in a daily digest"
        DAILY = "daily", "Everything in one daily digest"
        OFF = "off", "No email"

    supplier_field = None  # private to its user: read through request.user, never listed

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    email_frequency = models.CharField(
        max_length=10, choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATE
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.email_frequency})"
