"""Staff moderation in the Django admin. Every change to message state goes through the
service layer, so it is logged and its events reach the members."""

from django.contrib import admin, messages

from . import services
from .models import Block, Conversation, Message, ModerationLogEntry, Presence, Report


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "sender", "recipient", "short_text", "sent_at", "read_at", "is_hidden")
    list_filter = ("is_hidden", "sent_at")
    search_fields = ("message_text", "sender__email", "sender__name")
    raw_id_fields = ("conversation", "sender", "recipient")
    list_select_related = ("sender", "recipient")
    readonly_fields = (
        "conversation",
        "sender",
        "recipient",
        "message_text",
        "attachment_url",
        "attachment_type",
        "sent_at",
        "read_at",
        "client_message_id",
        "is_hidden",
    )
    show_full_result_count = False
    date_hierarchy = None
    actions = ("hide_messages", "unhide_messages")

    @admin.display(description="text")
    def short_text(self, message: Message) -> str:
        return message.message_text[:80]

    def has_add_permission(self, request) -> bool:
        return False  # messages are sent by members, never written by staff

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # immutable and soft: hide instead

    def _set_hidden(self, request, queryset, hidden: bool) -> None:
        changed = sum(
            services.set_message_hidden(actor=request.user, message=message, hidden=hidden)
            for message in queryset
        )
        verb = "hidden" if hidden else "restored"
        self.message_user(request, f"{changed} message(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Hide selected messages", permissions=["change"])
    def hide_messages(self, request, queryset):
        self._set_hidden(request, queryset, hidden=True)

    @admin.action(description="Unhide selected messages", permissions=["change"])
    def unhide_messages(self, request, queryset):
        self._set_hidden(request, queryset, hidden=False)


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("id", "user_one", "user_two", "message_count", "last_message_at")
    search_fields = ("user_one__email", "user_two__email", "user_one__name", "user_two__name")
    raw_id_fields = ("user_one", "user_two", "last_message")
    list_select_related = ("user_one", "user_two")
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__email", "blocked__email")
    raw_id_fields = ("blocker", "blocked")
    list_select_related = ("blocker", "blocked")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("id", "message", "reporter", "status", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("reason", "reporter__email", "message__sender__email")
    raw_id_fields = ("message", "reporter", "resolved_by")
    list_select_related = ("reporter", "message")
    readonly_fields = (
        "message",
        "reporter",
        "reason",
        "created_at",
        "updated_at",
        "resolved_by",
        "resolved_at",
    )
    actions = ("hide_reported_messages", "resolve_reports")

    @admin.action(description="Hide the reported messages", permissions=["change"])
    def hide_reported_messages(self, request, queryset):
        changed = sum(
            services.set_message_hidden(actor=request.user, message=report.message, hidden=True)
            for report in queryset.select_related("message")
        )
        self.message_user(request, f"{changed} message(s) hidden.", messages.SUCCESS)

    @admin.action(description="Resolve selected reports", permissions=["change"])
    def resolve_reports(self, request, queryset):
        changed = sum(
            services.close_report(actor=request.user, report=report) for report in queryset
        )
        self.message_user(request, f"{changed} report(s) resolved.", messages.SUCCESS)


@admin.register(Presence)
class PresenceAdmin(admin.ModelAdmin):
    list_display = ("user", "mode", "last_seen_at")
    list_filter = ("mode",)
    search_fields = ("user__email", "user__name")
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id", "reason")
    list_filter = ("action", "created_at")
    search_fields = ("target_id", "reason", "actor__email")
    list_select_related = ("actor",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
