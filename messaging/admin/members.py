"""Suspension from messaging on the members' admin page: an action (a logged service
call), never a form field. The accounts app owns the page; messaging adds its actions
here, so the accounts never import messaging."""

from django.contrib import admin

from alumunity.users.admin import UserAdmin
from alumunity.users.models import User

from .. import selectors, services
from .base import OnePageActions, ReasonActionForm


class MemberAdmin(OnePageActions, UserAdmin):
    action_form = ReasonActionForm
    actions = ("suspend_messaging", "unsuspend_messaging")
    list_display = (*UserAdmin.list_display, "requests_waiting")  # type: ignore[assignment]

    def get_queryset(self, request):
        # In the list's one query: a column per row, never a query per member.
        return (
            super()
            .get_queryset(request)
            .annotate(_requests_waiting=selectors.unanswered_requests_sent())
        )

    @admin.display(description="Requests unanswered (24 h)", ordering="_requests_waiting")
    def requests_waiting(self, member) -> int:
        """A spam signal: strangers written to who have not answered."""
        return getattr(member, "_requests_waiting", None) or 0

    def _set_suspended(self, request, queryset, *, suspended: bool) -> None:
        verb = "suspended from messaging" if suspended else "allowed to send again"
        self.apply_each(
            request,
            queryset,
            lambda member, reason: services.set_messaging_suspended(
                actor=request.user, user=member, suspended=suspended, reason=reason
            ),
            f"member(s) {verb}",
        )

    @admin.action(description="Suspend selected members from messaging", permissions=["change"])
    def suspend_messaging(self, request, queryset):
        self._set_suspended(request, queryset, suspended=True)

    @admin.action(description="Lift the messaging suspension", permissions=["change"])
    def unsuspend_messaging(self, request, queryset):
        self._set_suspended(request, queryset, suspended=False)


admin.site.unregister(User)
admin.site.register(User, MemberAdmin)
