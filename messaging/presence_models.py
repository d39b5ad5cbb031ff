"""A member's presence (a table of messaging.models, in a module of its own)."""

from django.conf import settings
from django.db import models


class Presence(models.Model):
    """Last activity and the member's own choice; online/away/offline is derived from
    `last_seen_at` when read, so a crashed process can never leave someone "online"."""

    class Mode(models.TextChoices):
        AUTO = "auto", "Automatic"
        DO_NOT_DISTURB = "do_not_disturb", "Do not disturb"

    class Status(models.TextChoices):
        """What a member's partners see, derived when read (selectors.effective_status).
        The API, the socket events, the page templates and the page script all use
        these words; the labels are what the pages show."""

        ONLINE = "online", "Online"
        AWAY = "away", "Away"
        OFFLINE = "offline", "Offline"
        DO_NOT_DISTURB = "do_not_disturb", "Do not disturb"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="presence",
    )
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.AUTO)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "presence"

    def __str__(self) -> str:
        return f"Presence of {self.user_id}"
