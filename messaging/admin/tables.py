"""Conversations, blocks and presence: read-only views of what the services keep."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from alumunity.users.models import User

from .. import selectors, services
from ..models import Block, Conversation, Participant, Presence
from .base import (
    LargeTablePaginator,
    ReadOnlyAdmin,
    admin_link,
)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    """Read-only: counters are kept by the services, never typed in. Each row shows its
    members from their participant rows (prefetched: one query for the page)."""

    list_display = ("id", "kind", "title", "members", "message_count", "messages_link")
    list_display_links = ("id",)
    list_filter = ("kind",)
    search_fields = ("=user_one__email", "=user_two__email", "title")
    search_help_text = "A member's exact email address, or a group's title."
    list_select_related = False  # see get_queryset

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "participants",
                    queryset=Participant.objects.select_related("user").order_by("pk"),
                )
            )
        )

    show_full_result_count = False
    paginator = LargeTablePaginator
    fields = (
        "id",
        "kind",
        "title",
        "created_by",
        "members",
        "message_count",
        "participant_counters",
        "created_at",
        "messages_link",
    )
    readonly_fields = fields

    @admin.display(description="members")
    def members(self, conversation: Conversation) -> str:
        active = [p for p in conversation.participants.all() if p.left_at is None]
        return format_html_join(", ", "{}", ((admin_link(p.user),) for p in active))

    @admin.display(description="messages")
    def message_count(self, conversation: Conversation) -> int:
        return max((p.message_count for p in conversation.participants.all()), default=0)

    @admin.display(description="per member")
    def participant_counters(self, conversation: Conversation) -> str:
        return format_html_join(
            "",
            "<div>{}: {} ({} unread, cleared through {}, last message {}{})</div>",
            (
                (
                    admin_link(p.user),
                    p.get_role_display(),
                    p.unread_count,
                    p.cleared_through_id,
                    p.last_message_id,
                    f", left {p.left_at:%Y-%m-%d %H:%M}" if p.left_at else "",
                )
                for p in conversation.participants.all()
            ),
        )

    @admin.display(description="messages")
    def messages_link(self, conversation: Conversation) -> str:
        url = reverse("admin:messaging_message_changelist")
        return format_html(
            '<a href="{}?conversation__id__exact={}">messages</a>', url, conversation.pk
        )


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    """Blocks are added and removed (never edited) through the same services as the
    members' own block button, so the rules and the moderation log apply."""

    list_display = ("id", "blocker_link", "blocked_link", "created_at")
    list_display_links = ("id",)
    search_fields = ("=blocker__email", "=blocked__email")
    search_help_text = "A member's exact email address."
    list_select_related = False  # see get_queryset

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("blocker", "blocked")

    autocomplete_fields = ("blocker", "blocked")
    fields = ("blocker", "blocked")
    show_full_result_count = False

    @admin.display(description="blocker")
    def blocker_link(self, block: Block) -> str:
        return admin_link(block.blocker)

    @admin.display(description="blocked")
    def blocked_link(self, block: Block) -> str:
        return admin_link(block.blocked)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("blocker", "blocked"):
            kwargs["queryset"] = User.objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        block = services.block_user(
            blocker=obj.blocker, blocked_user_id=obj.blocked_id, actor=request.user
        )
        obj.pk, obj.created_at = block.pk, block.created_at

    def delete_model(self, request, obj) -> None:
        services.unblock_user(
            blocker=obj.blocker, blocked_user_id=obj.blocked_id, actor=request.user
        )

    def delete_queryset(self, request, queryset) -> None:
        for block in queryset.select_related("blocker"):
            self.delete_model(request, block)


@admin.register(Presence)
class PresenceAdmin(ReadOnlyAdmin):
    list_display = ("user_link", "status", "mode", "last_seen_at")
    list_filter = ("mode",)
    search_fields = ("=user__email",)
    search_help_text = "A member's exact email address."
    list_select_related = ("user",)
    show_full_result_count = False
    fields = ("user_link", "status", "mode", "last_seen_at")
    readonly_fields = fields

    @admin.display(description="member")
    def user_link(self, presence: Presence) -> str:
        return admin_link(presence.user)

    @admin.display(description="status now")
    def status(self, presence: Presence) -> str:
        return selectors.effective_status(presence)
