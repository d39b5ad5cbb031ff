"""The report queue: open reports first, each closed by an action."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .. import services
from ..models import Message, Report
from .base import (
    LargeTablePaginator,
    ModerationAdmin,
    admin_link,
    context_table,
    evidence_table,
    excerpt,
)


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
        "evidence_copy",
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

    @admin.display(description="as reported (copy made with the report)")
    def evidence_copy(self, report: Report) -> str:
        return evidence_table(report.evidence)

    @admin.display(description="the message in its conversation now")
    def context(self, report: Report) -> str:
        return context_table(report.message)

    def _reported_messages(self, queryset) -> list[Message]:
        return list({report.message_id: report.message for report in queryset}.values())

    @admin.action(description="Hide the reported messages", permissions=["change"])
    def hide_reported_messages(self, request, queryset):
        self.set_hidden(request, self._reported_messages(queryset), hidden=True)

    @admin.action(description="Unhide the reported messages", permissions=["change"])
    def unhide_reported_messages(self, request, queryset):
        self.set_hidden(request, self._reported_messages(queryset), hidden=False)

    @admin.action(description="Suspend the senders from messaging", permissions=["change"])
    def suspend_reported_senders(self, request, queryset):
        senders = {report.message.sender_id: report.message.sender for report in queryset}
        self.apply_each(
            request,
            senders.values(),
            lambda sender, reason: services.set_messaging_suspended(
                actor=request.user, user=sender, suspended=True, reason=reason
            ),
            "member(s) suspended from messaging",
        )

    def _close(self, request, queryset, *, dismiss: bool) -> None:
        self.apply_each(
            request,
            queryset,
            lambda report, reason: services.close_report(
                actor=request.user, report=report, dismiss=dismiss, reason=reason
            ),
            "report(s) dismissed" if dismiss else "report(s) resolved",
        )

    @admin.action(description="Resolve selected reports", permissions=["change"])
    def resolve(self, request, queryset):
        self._close(request, queryset, dismiss=False)

    @admin.action(description="Dismiss selected reports", permissions=["change"])
    def dismiss(self, request, queryset):
        self._close(request, queryset, dismiss=True)
