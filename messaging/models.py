"""Tables, constraints and indexes. Business rules live in services.py and selectors.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from .limits import (
    MAX_ATTACHMENT_TYPE_LENGTH,
    MAX_ATTACHMENT_URL_LENGTH,
    MAX_CLIENT_MESSAGE_ID_LENGTH,
    MAX_TITLE_LENGTH,
)

REMOVED_TEXT = "Message removed by a moderator"
DELETED_TEXT = "This message was deleted"


class Conversation(models.Model):
    """A direct conversation (exactly two members, for good) or a group (3 to 50 members,
    a title). Every per-member fact lives on that member's Participant row.

    A direct conversation keeps its pair in canonical order (user_one.id < user_two.id as
    Python orders UUIDs) under a unique constraint, so a pair can exist only once; a
    group leaves both NULL, which never collide in a unique index on SQLite or MariaDB
    (MariaDB has no partial indexes)."""

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct"
        GROUP = "group", "Group"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DIRECT)
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_one = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user_two = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The active members (2 for a direct conversation), set by the group services under
    # the conversation's lock from the members they read there whenever someone joins or
    # leaves: the inbox reads it for each group on its page instead of counting their rows.
    member_count = models.PositiveSmallIntegerField(default=2, db_default=2)

    class Meta:
        constraints = [
            # The direct key. The order itself is kept by selectors.canonical_pair, not a
            # CHECK: MariaDB's native UUID type sorts differently from Python and MySQL.
            models.UniqueConstraint(
                fields=["user_one", "user_two"], name="conversation_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    def other_user_id(self, user_id):
        return self.user_two_id if user_id == self.user_one_id else self.user_one_id

    # Per-member facts read through the participant rows, for the admin and for checks
    # in tests; the services and selectors query the rows themselves.
    def participant_for(self, user_id) -> Participant:
        return self.participants.get(user_id=user_id)

    def side_of(self, user_id) -> str:
        """'one' or 'two': which member of a direct pair this is."""
        if user_id == self.user_one_id:
            return "one"
        if user_id == self.user_two_id:
            return "two"
        raise ValueError("not a participant")

    def unread_count_for(self, user_id) -> int:
        return self.participant_for(user_id).unread_count

    def cleared_through_id_for(self, user_id) -> int:
        return self.participant_for(user_id).cleared_through_id

    def visible_count_for(self, user_id) -> int:
        return self.participant_for(user_id).visible_count

    @property
    def unread_count_one(self) -> int:
        return self.unread_count_for(self.user_one_id)

    @property
    def unread_count_two(self) -> int:
        return self.unread_count_for(self.user_two_id)

    @property
    def cleared_through_id_one(self) -> int:
        return self.cleared_through_id_for(self.user_one_id)

    @property
    def cleared_through_id_two(self) -> int:
        return self.cleared_through_id_for(self.user_two_id)

    def _latest_view(self) -> Participant | None:
        """The participant row that has received the most (every active member's has)."""
        return (
            self.participants.select_related("last_message")
            .order_by("-message_count", "left_at")
            .first()
        )

    @property
    def message_count(self) -> int:
        latest = self._latest_view()
        return latest.message_count if latest else 0

    @property
    def last_message(self) -> Message | None:
        latest = self._latest_view()
        return latest.last_message if latest else None

    @property
    def last_message_id(self) -> int | None:
        latest = self._latest_view()
        return latest.last_message_id if latest else None

    @property
    def last_message_at(self):
        latest = self._latest_view()
        return latest.last_message_at if latest else None


class Participant(models.Model):
    """One member of one conversation and everything that is theirs in it.

    `last_message`, `last_message_at` and `message_count` follow the messages this member
    receives while active (a send updates every active member's row in one statement):
    they order the inbox, preview its last message and give a page's total without
    COUNT(*), and a member who left keeps them as they were. The member sees messages
    with `first_message_id <= id <= last_message_id` and `id > cleared_through_id`."""

    class Role(models.TextChoices):
        CREATOR = "creator", "Creator"
        MEMBER = "member", "Member"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.MEMBER)
    unread_count = models.PositiveIntegerField(default=0)
    # Read position: the newest message this member has read (read receipts in groups).
    last_read_id = models.BigIntegerField(default=0)
    # Delete-for-me: messages with id <= cleared_through_id are gone for this member;
    # cleared_count is how many messages they had at that moment.
    cleared_through_id = models.BigIntegerField(default=0)
    cleared_count = models.PositiveIntegerField(default=0)
    muted = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    # History from joining: the first message this member may see.
    first_message_id = models.BigIntegerField(default=0)
    last_message = models.ForeignKey(
        "Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # A message request waiting for this member: a direct conversation a stranger
    # started, kept out of their inbox and unread count until they accept or reply.
    is_request = models.BooleanField(default=False, db_default=False)
    # The conversation is a group (its kind never changes): here as well, so a member's
    # search windows (messaging/search_scopes.py) come from one index of this table.
    is_group = models.BooleanField(default=False, db_default=False)
    # Missed-message email (services/notifications.py; database defaults too, so the
    # bulk loaders' raw INSERTs need not name these columns): set by the send that first left
    # this member something unread since their last email, in the send's own UPDATE;
    # cleared once the worker has emailed (or dropped) what was pending.
    email_pending_since = models.DateTimeField(null=True, blank=True)
    email_request_id = models.CharField(max_length=64, blank=True, default="", db_default="")
    # Messages up to this id were emailed (or judged not worth an email) already.
    emailed_through_message_id = models.BigIntegerField(default=0, db_default=0)
    # A worker's claim: its token, valid until email_claimed_until; after a failed try,
    # an empty token with email_claimed_until as the time of the next try.
    email_claim_token = models.CharField(max_length=32, blank=True, default="", db_default="")
    email_claimed_until = models.DateTimeField(null=True, blank=True)
    # The conversation's last message when claimed: the email covers up to it.
    email_claim_through_id = models.BigIntegerField(default=0, db_default=0)
    email_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    # Web Push, the same way (services/push.py): pending only for a member with a push
    # subscription, due after a few seconds rather than the email delay.
    push_pending_since = models.DateTimeField(null=True, blank=True)
    pushed_through_message_id = models.BigIntegerField(default=0, db_default=0)
    push_claim_token = models.CharField(max_length=32, blank=True, default="", db_default="")
    push_claimed_until = models.DateTimeField(null=True, blank=True)
    push_claim_through_id = models.BigIntegerField(default=0, db_default=0)
    push_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "user"], name="participant_unique"),
        ]
        indexes = [
            # The inbox's page in its whole order, its total, and the member's unread
            # total, from the index alone. Holding the unread counter here, not in an
            # index of its own, leaves a send one index entry per member to move.
            models.Index(
                fields=[
                    "user",
                    "is_request",
                    "-last_message_at",
                    "-conversation",
                    "last_message",
                    "cleared_through_id",
                    "unread_count",
                ],
                name="participant_inbox_rows",
            ),
            # Search: the member's conversations they do not see whole (their groups and
            # their delete-for-me markers) as two ranges of the index; neither column
            # changes with a send.
            models.Index(
                fields=["user", "is_group", "cleared_through_id"], name="participant_windows"
            ),
            # A group's members still in it (the inbox's member counts), from the index alone.
            models.Index(fields=["conversation", "left_at"], name="participant_members"),
            # The notification worker's due rows, oldest first (NULL for everyone else).
            models.Index(fields=["email_pending_since"], name="participant_email_pending"),
            models.Index(fields=["push_pending_since"], name="participant_push_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in conversation {self.conversation_id}"

    @property
    def visible_count(self) -> int:
        return self.message_count - self.cleared_count

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class ShownMessage:
    """What members see of a message, for Message and for the plain rows the API's
    pages are built from (selectors.MessageRow): one rule for both."""

    __slots__ = ()
    is_hidden: bool
    deleted_at: object
    read_at: object
    message_text: str

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def shown(self) -> tuple[str, bool]:
        """The text members see, and whether they see the message's attachment and
        reactions: a placeholder and neither once hidden or deleted. One call for both,
        as a page's payloads ask for both of every message."""
        if self.is_hidden:
            return REMOVED_TEXT, False
        if self.deleted_at is not None:
            return DELETED_TEXT, False
        return self.message_text, True

    @property
    def visible_text(self) -> str:
        return self.shown()[0]

    @property
    def shows_attachment(self) -> bool:
        """Whether members see the message's attachment (never once hidden or deleted)."""
        return self.shown()[1]


class Message(ShownMessage, models.Model):
    """Sent once; afterwards only `read_at`, the moderation flag, the sender's edits and
    delete for everyone (services/editing.py, the earlier text kept as MessageRevision
    rows) and the reaction counter change. A system message records a change to a group
    ("Ada added Grace") and never counts as unread."""

    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        SYSTEM = "system", "System"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_messages"
    )
    # The other member of a direct conversation; NULL in a group.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="received_messages",
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
    # No database constraint (Django sets it NULL when an upload is removed): adding one
    # would copy the whole message table on MariaDB.
    attachment = models.OneToOneField(
        "Attachment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="message",
        db_constraint=False,
    )
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TEXT)
    # Set when the sender last edited the text.
    edited_at = models.DateTimeField(null=True, blank=True)
    # Delete for everyone: the text is emptied (so the search index drops it) and the
    # original kept as a MessageRevision for staff.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # How many reactions the message has: a page whose messages all have none reads no
    # reactions at all, so version-1 query budgets hold.
    reaction_count = models.PositiveIntegerField(default=0)
    # Set by selectors.access_message: the participant row of the member acting on it.
    viewer: Participant

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
    # The reported message and its neighbours as they were when reported (text, sender,
    # time), so a later edit or delete for everyone erases nothing staff need.
    evidence = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"], name="report_queue"),
            models.Index(fields=["message", "reporter", "status"], name="report_per_member"),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} on message {self.message_id}"


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
    # The conversation a message or report action happened in (a plain id: the log
    # outlives nothing it names, and never joins).
    conversation_id = models.BigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_type} {self.target_id}"


# Tables in modules of their own (this one stays under 500 lines): edits, deletions and
# reactions (SPEC §9.3), presence, and the notifications' (§9.2).
from .message_changes import MessageRevision, Reaction  # noqa: E402, F401
from .notification_models import (  # noqa: E402, F401
    NotificationSettings,
    PushSubscription,
    UndeliveredEmail,
)
from .presence_models import Presence  # noqa: E402, F401
