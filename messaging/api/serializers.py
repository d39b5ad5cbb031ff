"""Input serializers check types and ranges; the rules themselves live in the services.
Output serializers document the shapes of messaging.payloads for the OpenAPI schema."""

from rest_framework import serializers

from alumunity.strict import BodyInput, JsonIntegerField, QueryParams, StrictIntegerField
from alumunity.users.models import MAX_EMAIL_LENGTH, MAX_NAME_LENGTH

from ..filetypes import EXTENSIONS
from ..limits import MAX_QUERY_LENGTH, MAX_REASON_LENGTH, MAX_TITLE_LENGTH
from ..models import Presence


class StrictCharField(serializers.CharField):
    """A string, and only a string: 42 or true is a 400, not silently "42"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictUUIDField(serializers.UUIDField):
    """A UUID string, and only a string: DRF alone would read the number 123 as a UUID."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


# --- query parameters ---------------------------------------------------------------------

MAX_OFFSET = 1_000_000_000


class PageParams(QueryParams):
    limit = StrictIntegerField(min_value=1, max_value=100, default=50)
    # Bounded: a 30-digit offset overflows the database's integer (a 500, not a page).
    offset = StrictIntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class HistoryParams(QueryParams):
    limit = StrictIntegerField(min_value=1, max_value=100, default=50)
    before = StrictIntegerField(min_value=1, required=False)
    after = StrictIntegerField(min_value=1, required=False)
    around = StrictIntegerField(min_value=1, required=False)

    def validate(self, attrs):
        if sum(1 for anchor in ("before", "after", "around") if anchor in attrs) > 1:
            raise serializers.ValidationError("Give at most one of before, after and around.")
        return attrs


class SearchParams(QueryParams):
    q = StrictCharField(max_length=MAX_QUERY_LENGTH)
    limit = StrictIntegerField(min_value=1, max_value=100, default=50)


class MemberSearchParams(QueryParams):
    q = StrictCharField(max_length=MAX_QUERY_LENGTH)
    limit = StrictIntegerField(min_value=1, max_value=100, default=20)


# --- bodies -----------------------------------------------------------------------------


class RegisterInput(BodyInput):
    email = StrictCharField(max_length=MAX_EMAIL_LENGTH)
    name = StrictCharField(max_length=MAX_NAME_LENGTH)
    password = StrictCharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class LogoutInput(BodyInput):
    refresh = StrictCharField()


class ConversationSendInput(BodyInput):
    """A send to a conversation by its id; SendInput adds the recipient."""

    message_text = StrictCharField(
        required=False, allow_blank=True, allow_null=True, trim_whitespace=False
    )
    attachment_url = StrictCharField(required=False, allow_blank=True, allow_null=True)
    attachment_type = StrictCharField(required=False, allow_blank=True, allow_null=True)
    client_message_id = StrictCharField(required=False, allow_blank=True, allow_null=True)
    # An upload from POST /api/attachments, instead of attachment_url.
    attachment_id = JsonIntegerField(required=False, allow_null=True, min_value=1)


class EditInput(BodyInput):
    """The new text; its rules (§3.4) are the send's, checked by the service."""

    message_text = StrictCharField(allow_blank=True, trim_whitespace=False)


class AttachmentInput(BodyInput):
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class SendInput(ConversationSendInput):
    recipient_id = StrictUUIDField()


class BlockInput(BodyInput):
    blocked_user_id = StrictUUIDField()


class ReportInput(BodyInput):
    message_id = JsonIntegerField(min_value=1)
    reason = StrictCharField(max_length=MAX_REASON_LENGTH)


class PresenceInput(BodyInput):
    status = serializers.ChoiceField(choices=Presence.Mode.values)


# --- documented outputs (the payloads are built in messaging.payloads) ----------------------


class MemberOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    avatar_url = serializers.URLField(allow_null=True)


class AccountOutput(MemberOutput):
    email = serializers.EmailField()


class RegisterOutput(serializers.Serializer):
    user = AccountOutput()
    access = serializers.CharField()
    refresh = serializers.CharField()


class ReactionOutput(serializers.Serializer):
    emoji = serializers.CharField()
    count = serializers.IntegerField()
    me = serializers.BooleanField()


class RevisionOutput(serializers.Serializer):
    message_text = serializers.CharField()
    written_at = serializers.DateTimeField()
    replaced_at = serializers.DateTimeField()


class MessageOutput(serializers.Serializer):
    id = serializers.IntegerField()
    conversation_id = serializers.IntegerField()
    sender_id = serializers.UUIDField()
    recipient_id = serializers.UUIDField(allow_null=True, help_text="Null in a group.")
    message_text = serializers.CharField()
    attachment_url = serializers.CharField(allow_null=True)
    attachment_type = serializers.CharField(allow_null=True)
    sent_at = serializers.DateTimeField()
    read = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    client_message_id = serializers.CharField(allow_null=True)
    hidden = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=["text", "system"])
    edited_at = serializers.DateTimeField(allow_null=True)
    deleted = serializers.BooleanField()
    reactions = ReactionOutput(many=True)


class SearchResultOutput(MessageOutput):
    other_user_id = serializers.UUIDField(allow_null=True, help_text="Null for a group message.")
    other_user_name = serializers.CharField(allow_null=True)
    conversation_kind = serializers.ChoiceField(
        choices=["direct", "group"], required=False, help_text="Group messages only."
    )
    conversation_title = serializers.CharField(required=False, help_text="Group messages only.")


class ConversationSummaryOutput(serializers.Serializer):
    """Every other_user_* field and photo_url are null for a group."""

    conversation_id = serializers.IntegerField()
    other_user_id = serializers.UUIDField(allow_null=True)
    other_user_name = serializers.CharField(allow_null=True)
    photo_url = serializers.CharField(allow_null=True)
    last_message = serializers.CharField(allow_null=True)
    last_message_at = serializers.DateTimeField(allow_null=True)
    unread_count = serializers.IntegerField()
    last_message_from_me = serializers.BooleanField()
    other_user_status = serializers.ChoiceField(choices=Presence.Status.values, allow_null=True)
    is_request = serializers.BooleanField()
    kind = serializers.ChoiceField(choices=["direct", "group"])
    title = serializers.CharField(allow_null=True, help_text="Null for a direct conversation.")
    member_count = serializers.IntegerField()
    last_message_sender_name = serializers.CharField(allow_null=True)


class UnreadCountOutput(serializers.Serializer):
    unread_count = serializers.IntegerField()


class ConversationStatusOutput(serializers.Serializer):
    other_user_status = serializers.ChoiceField(choices=Presence.Status.values)
    other_user_last_seen_at = serializers.DateTimeField(allow_null=True)
    other_user_typing = serializers.BooleanField()


class ReportOutput(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.IntegerField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class AttachmentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.ChoiceField(choices=list(EXTENSIONS))
    size = serializers.IntegerField()
    url = serializers.CharField(help_text="The download path; only members allowed get the file.")
    width = serializers.IntegerField(allow_null=True, help_text="Images only.")
    height = serializers.IntegerField(allow_null=True, help_text="Images only.")
    thumbnail_url = serializers.CharField(
        allow_null=True, help_text="Images only: a copy whose longest side is 480 px."
    )


# --- conversations by id (direct and group) ----------------------------------------------


class GroupInput(BodyInput):
    member_ids = serializers.ListField(child=StrictCharField(), allow_empty=True)
    title = StrictCharField(max_length=MAX_TITLE_LENGTH)


class RenameInput(BodyInput):
    title = StrictCharField(max_length=MAX_TITLE_LENGTH)


class AddMembersInput(BodyInput):
    user_ids = serializers.ListField(child=StrictCharField(), allow_empty=True)


class ReadInput(BodyInput):
    up_to_message_id = JsonIntegerField(min_value=1, max_value=2**63 - 1, required=False)


class JsonBooleanField(serializers.BooleanField):
    """true or false, and nothing DRF would read as one ("yes", 1, "on")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class MuteInput(BodyInput):
    muted = JsonBooleanField()


class ConversationMemberOutput(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    photo_url = serializers.URLField(allow_null=True)
    role = serializers.ChoiceField(choices=["creator", "member"])


class ConversationOutput(serializers.Serializer):
    conversation_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["direct", "group"])
    title = serializers.CharField(allow_null=True)
    members = ConversationMemberOutput(many=True)
    member_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    muted = serializers.BooleanField()
    unread_count = serializers.IntegerField()
    is_request = serializers.BooleanField()


class PrivacySettingsInput(BodyInput):
    """Any of the three settings; each true or false."""

    show_read_receipts = JsonBooleanField(required=False)
    show_presence = JsonBooleanField(required=False)
    message_requests = JsonBooleanField(required=False)


class PrivacySettingsOutput(serializers.Serializer):
    show_read_receipts = serializers.BooleanField()
    show_presence = serializers.BooleanField()
    message_requests = serializers.BooleanField()


class NotificationSettingsInput(BodyInput):
    """A PUT may carry only the fields it changes."""

    email_missed_messages = JsonBooleanField(required=False)
    email_delay_minutes = JsonIntegerField(required=False, min_value=1, max_value=1440)
    email_include_text = JsonBooleanField(required=False)
    browser_notifications = JsonBooleanField(required=False)


class NotificationSettingsOutput(serializers.Serializer):
    email_missed_messages = serializers.BooleanField()
    email_delay_minutes = serializers.IntegerField(min_value=1, max_value=1440)
    email_include_text = serializers.BooleanField()
    browser_notifications = serializers.BooleanField()


class PushKeysInput(BodyInput):
    p256dh = StrictCharField(max_length=200)
    auth = StrictCharField(max_length=100)


class PushSubscriptionInput(BodyInput):
    """A browser's PushSubscription, as its toJSON() gives it."""

    endpoint = StrictCharField(max_length=2000)
    keys = PushKeysInput()
    # Sent by browsers and not used: the push service says when a subscription is gone.
    expirationTime = serializers.IntegerField(required=False, allow_null=True)


class PushEndpointInput(BodyInput):
    endpoint = StrictCharField(max_length=2000)


class PushSubscriptionOutput(serializers.Serializer):
    endpoint = serializers.CharField()
    created_at = serializers.DateTimeField()


class WebPushOutput(serializers.Serializer):
    web_push = serializers.BooleanField()
    vapid_public_key = serializers.CharField(allow_null=True)
    subscriptions = PushSubscriptionOutput(many=True)
