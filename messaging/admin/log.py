"""The moderation log: who did what to which object, why and when."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from ..models import ModerationLogEntry
from .base import ReadOnlyAdmin

LOGGED_TARGETS = {
    "message": "admin:messaging_message_change",
    "report": "admin:messaging_report_change",
    "user": "admin:users_user_change",
}


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(ReadOnlyAdmin):
    """Who did what to which object, why and when. Nobody edits or deletes it here, not
    even a superuser."""

    list_display = ("created_at", "actor", "action", "target", "conversation", "reason")
    list_filter = ("action", "created_at")
    search_fields = ("=target_id", "=actor__email", "reason")
    search_help_text = "An object id, the moderator's exact email address, or words of the reason."
    list_select_related = False  # see get_queryset

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actor")

    show_full_result_count = False
    fields = ("created_at", "actor", "action", "target", "conversation", "reason")
    readonly_fields = fields

    @admin.display(description="conversation")
    def conversation(self, entry: ModerationLogEntry) -> str:
        if entry.conversation_id is None:
            return "-"
        url = reverse("admin:messaging_conversation_change", args=[entry.conversation_id])
        return format_html('<a href="{}">conversation {}</a>', url, entry.conversation_id)

    @admin.display(description="object")
    def target(self, entry: ModerationLogEntry) -> str:
        label = f"{entry.target_type} {entry.target_id}"
        url_name = LOGGED_TARGETS.get(entry.target_type)
        if url_name is None:
            return label
        try:
            url = reverse(url_name, args=[quote(entry.target_id)])
        except NoReverseMatch:
            return label
        return format_html('<a href="{}">{}</a>', url, label)
