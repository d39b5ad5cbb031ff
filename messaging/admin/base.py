"""What every moderation page shares: the reason box, one-page actions, read-only
change pages, links, excerpts and a paginator that never counts a large table."""

from collections.abc import Callable, Iterable
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.utils import quote
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from .. import selectors, services
from ..limits import MAX_REASON_LENGTH
from ..models import Message

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
        queryset = cast(QuerySet, self.object_list).order_by()
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


def evidence_table(evidence: list[dict]) -> str:
    """A report's frozen copy of the message and its neighbours, as they were when it
    was reported (services.moderation keeps it), whatever happened to them since."""
    if not evidence:
        return "—"

    def row(entry: dict) -> tuple:
        text = entry["message_text"] or entry["attachment_url"] or ""
        marks = [
            label
            for label, on in (
                ("this message", entry["reported"]),
                ("hidden", entry["hidden"]),
                ("edited", entry["edited_at"] is not None),
                ("deleted by its sender", entry["deleted"]),
            )
            if on
        ]
        return (
            entry["id"],
            entry["sent_at"],
            entry["sender_name"],
            format_html("<mark><strong>{}</strong></mark>", text) if entry["reported"] else text,
            ", ".join(marks),
        )

    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (row(entry) for entry in evidence),
    )
    return format_html(
        '<table class="report-evidence"><thead><tr><th>id</th><th>sent (UTC)</th>'
        "<th>from</th><th>text</th><th></th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def revisions_table(message: Message) -> str:
    """Every text the message no longer shows: earlier versions, and the original of a
    message its sender deleted for everyone."""
    revisions = list(message.revisions.order_by("id"))
    if not revisions:
        return "—"
    return format_html(
        "<table><thead><tr><th>written (UTC)</th><th>replaced (UTC)</th><th>text</th>"
        "<th></th></tr></thead><tbody>{}</tbody></table>",
        format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    revision.written_at.strftime("%Y-%m-%d %H:%M:%S"),
                    revision.replaced_at.strftime("%Y-%m-%d %H:%M:%S"),
                    revision.message_text,
                    "deleted for everyone" if revision.deleted else "edited",
                )
                for revision in revisions
            ),
        ),
    )


def context_table(message: Message) -> str:
    """The message among its neighbours (original text: moderators must read it)."""

    def row(neighbour: Message) -> tuple:
        this_one = neighbour.pk == message.pk
        text = neighbour.message_text or neighbour.attachment_url
        marks = [
            label
            for label, on in (
                ("this message", this_one),
                ("hidden", neighbour.is_hidden),
                ("edited", neighbour.edited_at is not None),
                ("deleted by its sender", neighbour.is_deleted),
            )
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """A page that only shows what the services keep: nothing is added, changed or
    deleted through it, not even by a superuser."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OnePageActions(admin.ModelAdmin):
    """A ModelAdmin mixin refusing "select all N across every page": one click must not
    hide a million messages or suspend every member, one service call at a time."""

    # *args carries what newer Django versions pass on (action_location), untouched.
    def response_action(
        self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        if request.POST.get("select_across") not in (None, "", "0", "False"):
            self.message_user(
                request,
                "Moderation actions apply to the rows selected on one page, "
                "never to every page at once. Nothing was changed.",
                messages.WARNING,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().response_action(request, queryset, *args, **kwargs)

    def apply_each(
        self, request, objects: Iterable[Any], change: Callable[[Any, str], bool], done: str
    ) -> None:
        """One service call per selected object, each with the action's reason, then one
        line saying how many changed and how many were already so."""
        reason = action_reason(request)
        objects = list(objects)
        changed = sum(change(obj, reason) for obj in objects)
        text = f"{changed} {done}."
        if changed < len(objects):
            text += f" {len(objects) - changed} already so, left unchanged."
        self.message_user(request, text, messages.SUCCESS if changed else messages.WARNING)

    def set_hidden(self, request, hidden_messages: Iterable[Message], *, hidden: bool) -> None:
        self.apply_each(
            request,
            hidden_messages,
            lambda message, reason: services.set_message_hidden(
                actor=request.user, message=message, hidden=hidden, reason=reason
            ),
            "message(s) hidden" if hidden else "message(s) restored",
        )


class ModerationAdmin(OnePageActions):
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

    def response_action(
        self, request: HttpRequest, queryset: QuerySet, *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        response = super().response_action(request, queryset, *args, **kwargs)
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if response is not None and request.POST.get("_from_change") and len(selected) == 1:
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(selected[0])]
                )
            )
        return response
