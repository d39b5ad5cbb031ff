"""The tables of SPEC §9.3: the texts a message no longer shows, and its reactions.
Imported by models.py, so Django finds them with the app's other models."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .limits import MAX_EMOJI_LENGTH


class MessageRevision(models.Model):
    """A text a message no longer shows: an earlier version replaced by an edit, or the
    text it had when its sender deleted it for everyone (`deleted`, staff only)."""

    message = models.ForeignKey(
        "messaging.Message", on_delete=models.CASCADE, related_name="revisions"
    )
    message_text = models.TextField(blank=True)
    # When this version was written (sent or edited) and when it stopped being current.
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now)
    deleted = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["message", "id"], name="revision_history")]

    def __str__(self) -> str:
        return f"Revision {self.pk} of message {self.message_id}"


class Reaction(models.Model):
    """One member's emoji on one message. `emoji_key` is the emoji's code points in hex
    (`1f44d`, `1f468-200d-1f469`): MariaDB's utf8mb4 collations weigh every emoji alike,
    so the unique key and lookups use this ASCII form, never the emoji itself."""

    message = models.ForeignKey(
        "messaging.Message", on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reactions"
    )
    emoji = models.CharField(max_length=MAX_EMOJI_LENGTH)
    emoji_key = models.CharField(max_length=MAX_EMOJI_LENGTH * 7)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "emoji_key", "user"], name="reaction_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.emoji} by {self.user_id} on message {self.message_id}"
