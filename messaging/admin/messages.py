"""Messages: read in context, hidden and unhidden by action."""

from django.contrib import admin
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from alumunity.users.models import User

from ..downloads import file_response
from ..exceptions import NotFound
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
        "uploaded_file",
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

    @admin.display(description="uploaded file")
    def uploaded_file(self, message: Message) -> str:
        """Staff open an upload whatever became of its message (hidden, reported): the
        members' download path would refuse a hidden one."""
        attachment = message.attachment
        if attachment is None:
            return "-"
        url = reverse("admin:messaging_message_file", args=[message.pk])
        if attachment.thumbnail_name:
            thumbnail = reverse("admin:messaging_message_thumbnail", args=[message.pk])
            return format_html(
                '<a href="{}"><img src="{}" alt="{}" style="max-width:240px"></a>',
                url,
                thumbnail,
                attachment.original_name,
            )
        return format_html(
            '<a href="{}">{}</a> ({}, {} bytes)',
            url,
            attachment.original_name,
            attachment.content_type,
            attachment.size,
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:message_id>/file/", view(self.file_view), name="messaging_message_file"),
            path(
                "<int:message_id>/thumbnail/",
                view(self.file_view),
                {"thumbnail": True},
                name="messaging_message_thumbnail",
            ),
            *super().get_urls(),
        ]

    def file_view(self, request, message_id: int, thumbnail: bool = False):
        """The upload of one message, for staff who may view messages."""
        if not self.has_view_permission(request):
            raise Http404
        message = get_object_or_404(Message.objects.select_related("attachment"), pk=message_id)
        if message.attachment is None or (thumbnail and not message.attachment.thumbnail_name):
            raise Http404
        try:
            return file_response(message.attachment, thumbnail=thumbnail)
        except NotFound:
            raise Http404 from None

    @admin.display(description="in its conversation")
    def context(self, message: Message) -> str:
        return context_table(message)

    @admin.action(description="Hide selected messages", permissions=["change"])
    def hide_messages(self, request, queryset):
        self.set_hidden(request, queryset, hidden=True)

    @admin.action(description="Unhide selected messages", permissions=["change"])
    def unhide_messages(self, request, queryset):
        self.set_hidden(request, queryset, hidden=False)
