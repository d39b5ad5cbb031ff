"""Members in the admin. Suspension from messaging is an action (a logged service call),
never a form field; a moderator who is not a superuser can view members and suspend
them, but edit nothing else (no profile, permissions or password changes)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from messaging import services
from messaging.admin import OnePageActions, ReasonActionForm, action_reason

from .models import User


class MemberCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")


class MemberChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(OnePageActions, DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    ordering = ("name",)
    list_display = ("email", "name", "is_active", "messaging_suspended", "is_staff", "date_joined")
    list_filter = ("is_active", "messaging_suspended", "is_staff", "is_superuser")
    search_fields = ("email", "name")
    readonly_fields = ("date_joined", "last_login", "messaging_suspended")
    show_full_result_count = False
    action_form = ReasonActionForm
    actions = ("suspend_messaging", "unsuspend_messaging")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name", "avatar_url")}),
        ("Messaging", {"fields": ("messaging_suspended",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    def has_change_permission(self, request, obj=None) -> bool:
        # The "change user" permission lets a moderator run the suspension actions on the
        # list; editing one member's account (or password) stays with superusers.
        if obj is not None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

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

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting an account would take the other members' conversation history with it;
        # deactivate it (is_active) instead.
        return False
