"""Messages: read in context, hidden and unhidden by action."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from alumunity.users.models import User

from ..models import Message
from .base import (
    LargeTablePaginator,
    ModerationAdmin,
    admin_link,
    context_table,
    excerpt,
    revisions_table,
)


@admin.register(Message)
class MessageAdmin(ModerationAdmin):
    list_display = (
        "id",
        "sent_at",
        "sender_link",
        "recipient_link",
        "conversation_link",
        "text_excerpt",
        "is_hidden",
        "read_at",
    )
    list_display_links = ("id",)
    list_filter = ("is_hidden", "sent_at")
    search_fields = ("message_text",)
    search_help_text = "Words from the message text, or the sender's exact email address."
    list_select_related = False  # members come from get_queryset's prefetch
    list_per_page = 50
    show_full_result_count = False
    paginator = LargeTablePaginator
    raw_id_fields = ("conversation", "sender", "recipient")
    fields = (
        "id",
        "conversation_link",
        "sender_link",
        "recipient_link",
        "sent_at",
        "read_at",
        "is_hidden",
        "message_text",
        "attachment_url",
        "attachment_type",
        "client_message_id",
        "edited_at",
        "deleted_at",
        "earlier_texts",
        "context",
    )
    actions = ("hide_messages", "unhide_messages")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sender", "recipient")

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if "@" in term and not any(space.isspace() for space in term):
            # An address: that member's messages through the sender index, not a scan of
            # every text in the table.
            sender = User.objects.normalize_email(term)
            return queryset.filter(sender__email=sender), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="from")
    def sender_link(self, message: Message) -> str:
        return admin_link(message.sender)

    @admin.display(description="to")
    def recipient_link(self, message: Message) -> str:
        return admin_link(message.recipient)

    @admin.display(description="conversation")
    def conversation_link(self, message: Message) -> str:
        url = reverse("admin:messaging_conversation_change", args=[message.conversation_id])
        return format_html('<a href="{}">{}</a>', url, message.conversation_id)

    @admin.display(description="text")
    def text_excerpt(self, message: Message) -> str:
        return excerpt(message.message_text or message.attachment_url)

    @admin.display(description="earlier texts")
    def earlier_texts(self, message: Message) -> str:
        return revisions_table(message)

    @admin.display(description="in its conversation")
    def context(self, message: Message) -> str:
        return context_table(message)

    @admin.action(description="Hide selected messages", permissions=["change"])
    def hide_messages(self, request, queryset):
        self.set_hidden(request, queryset, hidden=True)

    @admin.action(description="Unhide selected messages", permissions=["change"])
    def unhide_messages(self, request, queryset):
        self.set_hidden(request, queryset, hidden=False)
