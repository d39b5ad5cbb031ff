"""Staff moderation in the Django admin (SPEC §6).

Every change to message state goes through the service layer, so it follows the same
rules as the member doors, lands in the moderation log and reaches the members' sockets.
Nothing here deletes a message or edits one: messages are immutable and soft. Lists that
grow with the message table never count it (see LargeTablePaginator), and they fetch the
members shown on a page with prefetch_related, not a join: joined to the small users
table, "newest 50 messages" makes MariaDB's optimizer read the users first and sort the
whole message table (minutes at 1,000,000 rows) instead of walking the primary key.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from . import selectors, services
from .models import Block, Conversation, Message, ModerationLogEntry, Presence, Report

User = get_user_model()

MAX_REASON_LENGTH = 1000


# --- shared pieces ------------------------------------------------------------------------


class ReasonActionForm(ActionForm):
    """The changelist's action bar with an optional reason, written to the moderation log."""

    reason = forms.CharField(
        required=False,
        max_length=MAX_REASON_LENGTH,
        label="Reason (optional):",
        widget=forms.TextInput(attrs={"size": 40, "placeholder": "why (kept in the log)"}),
    )


def action_reason(request) -> str:
    # The action form has validated it (response_action runs no action otherwise).
    return request.POST.get("reason", "").strip()


class LargeTablePaginator(Paginator):
    """Pages a table of millions of rows without counting it.

    Unfiltered, the count is the highest id, read from the primary key: messages are
    never deleted, so that is the number of rows (an upper bound once accounts have
    been removed). Filtered or searched, rows are counted only up to `count_cap`, with a
    COUNT over a LIMITed subquery, so the database stops early; past the cap the footer
    says "more than" and a narrower search finds the rest.
    """

    count_cap = 10_000
    count_is_estimate = False
    count_is_capped = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list.order_by()
        if not queryset.query.has_filters():
            self.count_is_estimate = True
            return queryset.aggregate(highest=Max("pk"))["highest"] or 0
        # Newest first, like the page itself: filters that favour recent rows (a date
        # range, today's reports) stop after the newest matches instead of the oldest.
        counted = queryset.order_by("-pk").values("pk")[: self.count_cap + 1].count()
        self.count_is_capped = counted > self.count_cap
        return min(counted, self.count_cap)


def admin_link(obj, label=None) -> str:
    """A link to an object's admin page, with its escaped label."""
    if obj is None:
        return "-"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if label is None else label)


def excerpt(text: str, length: int = 80) -> str:
    return Truncator(text).chars(length)


def context_table(message: Message) -> str:
    """The message among its neighbours (original text: moderators must read it)."""

    def row(neighbour: Message) -> tuple:
        this_one = neighbour.pk == message.pk
        text = neighbour.message_text or neighbour.attachment_url
        marks = [
            label
            for label, on in (("this message", this_one), ("hidden", neighbour.is_hidden))
            if on
        ]
        return (
            admin_link(neighbour, neighbour.pk),
            neighbour.sent_at.strftime("%Y-%m-%d %H:%M:%S"),
            neighbour.sender.name,
            # <mark>, not an inline style: the Content-Security-Policy forbids those.
            format_html("<mark><strong>{}</strong></mark>", text) if this_one else text,
            ", ".join(marks),
        )

    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (row(neighbour) for neighbour in selectors.message_context(message)),
    )
    return format_html(
        "<table><thead><tr><th>id</th><th>sent (UTC)</th><th>from</th><th>text</th>"
        "<th></th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


class OnePageActions:
    """A ModelAdmin mixin refusing "select all N across every page": one click must not
    hide a million messages or suspend every member, one service call at a time."""

    def response_action(self, request, queryset):
        if request.POST.get("select_across") not in (None, "", "0", "False"):
            self.message_user(
                request,
                "Moderation actions apply to the rows selected on one page, "
                "never to every page at once. Nothing was changed.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset)


class ModerationAdmin(OnePageActions, admin.ModelAdmin):
    """Read-only pages whose changes happen only through actions (each one a service
    call). The change page repeats the actions for its one object, with a reason."""

    action_form = ReasonActionForm
    change_form_template = "admin/messaging/moderation_change_form.html"
    # Query string that makes the changelist include every object (see ReportAdmin).
    action_changelist_query = ""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def save_model(self, request, obj, form, change) -> None:
        """Nothing is saved from the form: every field is read-only."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        opts = self.opts
        changelist_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "moderation_actions": self.get_action_choices(request, default_choices=[]),
            "moderation_actions_url": changelist_url + self.action_changelist_query,
            "moderation_reason_max_length": MAX_REASON_LENGTH,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def response_action(self, request, queryset):
        response = super().response_action(request, queryset)
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if response is not None and request.POST.get("_from_change") and len(selected) == 1:
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(selected[0])]
                )
            )
        return response

    def _report_count(self, request, done: int, total: int, done_text: str) -> None:
        skipped = total - done
        text = f"{done} {done_text}."
        if skipped:
            text += f" {skipped} already so, left unchanged."
        self.message_user(request, text, messages.SUCCESS if done else messages.WARNING)


# --- messages -----------------------------------------------------------------------------


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

    @admin.display(description="in its conversation")
    def context(self, message: Message) -> str:
        return context_table(message)

    def _set_hidden(self, request, queryset, *, hidden: bool) -> None:
        reason = action_reason(request)
        selected = list(queryset)
        changed = sum(
            services.set_message_hidden(
                actor=request.user, message=message, hidden=hidden, reason=reason
            )
            for message in selected
        )
        self._report_count(
            request,
            changed,
            len(selected),
            "message(s) hidden" if hidden else "message(s) restored",
        )

    @admin.action(description="Hide selected messages", permissions=["change"])
    def hide_messages(self, request, queryset):
        self._set_hidden(request, queryset, hidden=True)

    @admin.action(description="Unhide selected messages", permissions=["change"])
    def unhide_messages(self, request, queryset):
        self._set_hidden(request, queryset, hidden=False)


# --- reports ------------------------------------------------------------------------------


class ReportStatusFilter(admin.SimpleListFilter):
    """The queue opens on open reports; "All" shows every status."""

    title = "status"
    parameter_name = "status"
    default = Report.Status.OPEN
    everything = "all"

    def lookups(self, request, model_admin):
        return [*Report.Status.choices, (self.everything, "All")]

    def choices(self, changelist):
        current = self.value() or self.default
        for lookup, title in self.lookup_choices:
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        status = self.value() or self.default
        if status == self.everything:
            return queryset
        return queryset.filter(status=status)


@admin.register(Report)
class ReportAdmin(ModerationAdmin):
    list_display = (
        "id",
        "created_at",
        "status",
        "message_excerpt",
        "reported_member",
        "reporter_link",
        "reason_excerpt",
    )
    list_display_links = ("id",)
    list_filter = (ReportStatusFilter, "created_at")
    search_fields = ("=message__sender__email", "=reporter__email", "reason")
    search_help_text = (
        "A member's exact email address (sender or reporter), or words of the reason."
    )
    list_select_related = False  # see get_queryset
    show_full_result_count = False
    paginator = LargeTablePaginator
    ordering = ("-created_at", "-id")
    fields = (
        "id",
        "status",
        "created_at",
        "reporter_link",
        "reason",
        "message_link",
        "reported_member",
        "other_member",
        "conversation_link",
        "context",
        "resolved_by",
        "resolved_at",
        "updated_at",
    )
    actions = (
        "hide_reported_messages",
        "unhide_reported_messages",
        "suspend_reported_senders",
        "resolve",
        "dismiss",
    )
    action_changelist_query = (
        f"?{ReportStatusFilter.parameter_name}={ReportStatusFilter.everything}"
    )

    class Media:
        # Column widths that keep every column of the queue readable at 1280 px.
        css = {"all": ("messaging/admin-reports.css",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("message")
            .prefetch_related("message__sender", "reporter")
        )

    @admin.display(description="message")
    def message_excerpt(self, report: Report) -> str:
        message = report.message
        text = excerpt(message.message_text or message.attachment_url, 60)
        return admin_link(message, f"{text} (hidden)" if message.is_hidden else text)

    @admin.display(description="message")
    def message_link(self, report: Report) -> str:
        hidden = " (hidden)" if report.message.is_hidden else ""
        return admin_link(report.message, f"Message {report.message_id}{hidden}")

    @admin.display(description="reported member (sender)")
    def reported_member(self, report: Report) -> str:
        sender = report.message.sender
        suspended = " — suspended from messaging" if sender.messaging_suspended else ""
        return format_html("{}{}", admin_link(sender), suspended)

    @admin.display(description="other member")
    def other_member(self, report: Report) -> str:
        return admin_link(report.message.recipient)

    @admin.display(description="reporter")
    def reporter_link(self, report: Report) -> str:
        return admin_link(report.reporter)

    @admin.display(description="conversation")
    def conversation_link(self, report: Report) -> str:
        conversation_id = report.message.conversation_id
        messages_url = reverse("admin:messaging_message_changelist")
        return format_html(
            '<a href="{}">Conversation {}</a> · <a href="{}?conversation__id__exact={}">'
            "all its messages</a>",
            reverse("admin:messaging_conversation_change", args=[conversation_id]),
            conversation_id,
            messages_url,
            conversation_id,
        )

    @admin.display(description="reason")
    def reason_excerpt(self, report: Report) -> str:
        return excerpt(report.reason, 60)

    @admin.display(description="the message in its conversation")
    def context(self, report: Report) -> str:
        return context_table(report.message)

    def _set_hidden(self, request, queryset, *, hidden: bool) -> None:
        reason = action_reason(request)
        reported = {report.message_id: report.message for report in queryset}
        changed = sum(
            services.set_message_hidden(
                actor=request.user, message=message, hidden=hidden, reason=reason
            )
            for message in reported.values()
        )
        done = "message(s) hidden" if hidden else "message(s) restored"
        self._report_count(request, changed, len(reported), done)

    @admin.action(description="Hide the reported messages", permissions=["change"])
    def hide_reported_messages(self, request, queryset):
        self._set_hidden(request, queryset, hidden=True)

    @admin.action(description="Unhide the reported messages", permissions=["change"])
    def unhide_reported_messages(self, request, queryset):
        self._set_hidden(request, queryset, hidden=False)

    @admin.action(description="Suspend the senders from messaging", permissions=["change"])
    def suspend_reported_senders(self, request, queryset):
        reason = action_reason(request)
        senders = {report.message.sender_id: report.message.sender for report in queryset}
        changed = sum(
            services.set_messaging_suspended(
                actor=request.user, user=sender, suspended=True, reason=reason
            )
            for sender in senders.values()
        )
        self._report_count(request, changed, len(senders), "member(s) suspended from messaging")

    def _close(self, request, queryset, *, dismiss: bool) -> None:
        reason = action_reason(request)
        reports = list(queryset)
        changed = sum(
            services.close_report(actor=request.user, report=report, dismiss=dismiss, reason=reason)
            for report in reports
        )
        done = "report(s) dismissed" if dismiss else "report(s) resolved"
        self._report_count(request, changed, len(reports), done)

    @admin.action(description="Resolve selected reports", permissions=["change"])
    def resolve(self, request, queryset):
        self._close(request, queryset, dismiss=False)

    @admin.action(description="Dismiss selected reports", permissions=["change"])
    def dismiss(self, request, queryset):
        self._close(request, queryset, dismiss=True)


# --- conversations, blocks, presence --------------------------------------------------------


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    """Read-only: counters are kept by the services, never typed in."""

    list_display = (
        "id",
        "user_one_link",
        "user_two_link",
        "message_count",
        "unread_count_one",
        "unread_count_two",
        "last_message_at",
        "messages_link",
    )
    list_display_links = ("id",)
    search_fields = ("=user_one__email", "=user_two__email")
    search_help_text = "A member's exact email address."
    list_select_related = False  # see get_queryset

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user_one", "user_two")

    show_full_result_count = False
    paginator = LargeTablePaginator
    fields = (
        "id",
        "user_one_link",
        "user_two_link",
        "message_count",
        "unread_count_one",
        "unread_count_two",
        "cleared_through_id_one",
        "cleared_through_id_two",
        "cleared_count_one",
        "cleared_count_two",
        "last_message",
        "last_message_at",
        "created_at",
        "messages_link",
    )
    readonly_fields = fields

    @admin.display(description="member one")
    def user_one_link(self, conversation: Conversation) -> str:
        return admin_link(conversation.user_one)

    @admin.display(description="member two")
    def user_two_link(self, conversation: Conversation) -> str:
        return admin_link(conversation.user_two)

    @admin.display(description="messages")
    def messages_link(self, conversation: Conversation) -> str:
        url = reverse("admin:messaging_message_changelist")
        return format_html(
            '<a href="{}?conversation__id__exact={}">messages</a>', url, conversation.pk
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


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
class PresenceAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# --- the moderation log ----------------------------------------------------------------------

LOGGED_TARGETS = {
    "message": "admin:messaging_message_change",
    "report": "admin:messaging_report_change",
    "user": "admin:users_user_change",
}


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    """Who did what to which object, why and when. Nobody edits or deletes it here, not
    even a superuser."""

    list_display = ("created_at", "actor", "action", "target", "reason")
    list_filter = ("action", "created_at")
    search_fields = ("=target_id", "=actor__email", "reason")
    search_help_text = "An object id, the moderator's exact email address, or words of the reason."
    list_select_related = False  # see get_queryset

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("actor")

    show_full_result_count = False
    fields = ("created_at", "actor", "action", "target", "reason")
    readonly_fields = fields

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

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
