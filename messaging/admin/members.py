"""Suspension from messaging on the members' admin page: an action (a logged service
call), never a form field. The accounts app owns the page; messaging adds its actions
here, so the accounts never import messaging."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from alumunity.users.admin import UserAdmin

from .. import services
from .base import OnePageActions, ReasonActionForm, action_reason

User = get_user_model()


class MemberAdmin(OnePageActions, UserAdmin):
    action_form = ReasonActionForm
    actions = ("suspend_messaging", "unsuspend_messaging")

    def _set_suspended(self, request, queryset, *, suspended: bool) -> None:
        reason = action_reason(request)
        members = list(queryset)
        changed = sum(
            services.set_messaging_suspended(
                actor=request.user, user=member, suspended=suspended, reason=reason
            )
            for member in members
        )
        verb = "suspended from messaging" if suspended else "allowed to send again"
        text = f"{changed} member(s) {verb}."
        if changed < len(members):
            text += f" {len(members) - changed} already so, left unchanged."
        self.message_user(request, text, messages.SUCCESS if changed else messages.WARNING)

    @admin.action(description="Suspend selected members from messaging", permissions=["change"])
    def suspend_messaging(self, request, queryset):
        self._set_suspended(request, queryset, suspended=True)

    @admin.action(description="Lift the messaging suspension", permissions=["change"])
    def unsuspend_messaging(self, request, queryset):
        self._set_suspended(request, queryset, suspended=False)


admin.site.unregister(User)
admin.site.register(User, MemberAdmin)
