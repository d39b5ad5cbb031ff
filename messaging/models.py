"""Tables, constraints and indexes. Business rules live in services.py and selectors.py."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .limits import (
    MAX_ATTACHMENT_TYPE_LENGTH,
    MAX_ATTACHMENT_URL_LENGTH,
    MAX_CLIENT_MESSAGE_ID_LENGTH,
)

REMOVED_TEXT = "Message removed by a moderator"


class Conversation(models.Model):
    """One row per pair of members, stored in canonical order (user_one.id < user_two.id
    as Python orders UUIDs)
    so a pair can exist only once. Each side has its own unread counter and its own
    delete-for-me marker; `message_count` lets a page report its total without COUNT(*)."""

    user_one = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    user_two = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    unread_count_one = models.PositiveIntegerField(default=0)
    unread_count_two = models.PositiveIntegerField(default=0)
    # Delete-for-me: messages with id <= cleared_through_id_* are gone for that side;
    # cleared_count_* is how many messages the conversation had at that moment.
    cleared_through_id_one = models.BigIntegerField(default=0)
    cleared_through_id_two = models.BigIntegerField(default=0)
    cleared_count_one = models.PositiveIntegerField(default=0)
    cleared_count_two = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # The order itself is kept by services.canonical_pair, not a CHECK: MariaDB's
            # native UUID type sorts differently from Python and from MySQL's char(32).
            models.UniqueConstraint(
                fields=["user_one", "user_two"], name="conversation_pair_unique"
            ),
        ]
        indexes = [
            # The inbox: a member's conversations by latest activity, from either side.
            models.Index(fields=["user_one", "-last_message_at"], name="conversation_one_inbox"),
            models.Index(fields=["user_two", "-last_message_at"], name="conversation_two_inbox"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def side_of(self, user_id) -> str:
        """'one' or 'two': which per-side columns belong to this member."""
        if user_id == self.user_one_id:
            return "one"
        if user_id == self.user_two_id:
            return "two"
        raise ValueError("not a participant")

    def other_user_id(self, user_id):
        return self.user_two_id if user_id == self.user_one_id else self.user_one_id

    def unread_count_for(self, user_id) -> int:
        return getattr(self, f"unread_count_{self.side_of(user_id)}")

    def cleared_through_id_for(self, user_id) -> int:
        return getattr(self, f"cleared_through_id_{self.side_of(user_id)}")

    def visible_count_for(self, user_id) -> int:
        return self.message_count - getattr(self, f"cleared_count_{self.side_of(user_id)}")


class Message(models.Model):
    """Immutable once sent; only `read_at` and the moderation flag ever change."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_messages"
    )
    message_text = models.TextField(blank=True)
    attachment_url = models.CharField(max_length=MAX_ATTACHMENT_URL_LENGTH, blank=True)
    attachment_type = models.CharField(max_length=MAX_ATTACHMENT_TYPE_LENGTH, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    client_message_id = models.CharField(
        max_length=MAX_CLIENT_MESSAGE_ID_LENGTH, null=True, blank=True
    )
    is_hidden = models.BooleanField(default=False)
    # An uploaded file sent with the message (attachment_url is then its download path).
    # One message per upload: the unique index is also how a download finds its message.
    attachment = models.OneToOneField(
        "Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="message"
    )

    class Meta:
        constraints = [
            # A retried send finds its original through this index; NULLs never collide.
            models.UniqueConstraint(
                fields=["sender", "client_message_id"], name="message_client_id_unique_per_sender"
            ),
        ]
        indexes = [
            # History pages: keyset pagination on (sent_at, id) inside one conversation.
            models.Index(fields=["conversation", "sent_at", "id"], name="message_history"),
            # Opening a conversation marks the reader's unread messages read.
            models.Index(fields=["conversation", "recipient", "read_at"], name="message_unread"),
            # The admin's "hidden" filter: the few hidden messages without a table scan
            # (MySQL has no partial indexes, so the flag leads a composite index).
            models.Index(fields=["is_hidden", "id"], name="message_hidden"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk}"

    @property
    def visible_text(self) -> str:
        return REMOVED_TEXT if self.is_hidden else self.message_text


class Attachment(models.Model):
    """A file a member uploaded, stored through Django's storage API (local or S3). It
    is unsent until a message carries it (`message`, the reverse of Message.attachment);
    unsent uploads are removed after a day (remove_unsent_uploads)."""

    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments"
    )
    storage_name = models.CharField(max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=MAX_ATTACHMENT_TYPE_LENGTH)
    size = models.PositiveBigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    thumbnail_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The cleanup walks old uploads by age.
            models.Index(fields=["created_at"], name="attachment_age"),
        ]

    def __str__(self) -> str:
        return f"Attachment {self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_pair_unique"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Report(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_resolved",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"], name="report_queue"),
            models.Index(fields=["message", "reporter", "status"], name="report_per_member"),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on message {self.message_id}"


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


class ModerationLogEntry(models.Model):
    """Every staff action, who did what to which object and why. Never edited."""

    class Action(models.TextChoices):
        HIDE_MESSAGE = "hide_message", "Hide message"
        UNHIDE_MESSAGE = "unhide_message", "Unhide message"
        SUSPEND_USER = "suspend_user", "Suspend member"
        UNSUSPEND_USER = "unsuspend_user", "Unsuspend member"
        RESOLVE_REPORT = "resolve_report", "Resolve report"
        DISMISS_REPORT = "dismiss_report", "Dismiss report"
        ADD_BLOCK = "add_block", "Add block"
        REMOVE_BLOCK = "remove_block", "Remove block"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_type} {self.target_id}"
