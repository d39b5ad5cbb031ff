"""Missed-message emails given up after their last try: kept for staff to see."""

from django.contrib import admin

from ..models import UndeliveredEmail
from .base import ReadOnlyAdmin


@admin.register(UndeliveredEmail)
class UndeliveredEmailAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "attempts", "request_id", "error")
    list_filter = ("created_at",)
    search_fields = ("=user__email", "=request_id")
    list_select_related = ("user",)
    fields = ("created_at", "user", "conversation_ids", "attempts", "request_id", "error")
    readonly_fields = fields
