"""Members in the admin. A moderator who is not a superuser can view members but edit
nothing (no profile, permissions or password changes). Suspension from messaging is an
action that messaging adds to this page (messaging/admin/members.py)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

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
class UserAdmin(DjangoUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    ordering = ("name",)
    list_display = ("email", "name", "is_active", "messaging_suspended", "is_staff", "date_joined")
    list_filter = ("is_active", "messaging_suspended", "is_staff", "is_superuser")
    search_fields = ("email", "name")
    readonly_fields = ("date_joined", "last_login", "messaging_suspended")
    show_full_result_count = False
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
        # The "change user" permission lets a moderator run the list's actions; editing
        # one member's account (or password) stays with superusers.
        if obj is not None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting an account would take the other members' conversation history with it;
        # deactivate it (is_active) instead.
        return False
