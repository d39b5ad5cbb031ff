"""REST doors for notifications (SPEC 9.2): parse, one call, respond."""

from drf_spectacular.utils import extend_schema

from .. import selectors, services
from . import serializers as io
from .envelope import enveloped, ok
from .views import ERRORS, MemberApiView, parse


class NotificationSettingsApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.NotificationSettingsOutput), **ERRORS})
    def get(self, request):
        choices = selectors.notification_settings(user=request.user)
        return ok(selectors.settings_payload(choices), "Notification settings.")

    @extend_schema(
        request=io.NotificationSettingsInput,
        responses={200: enveloped(io.NotificationSettingsOutput), **ERRORS},
    )
    def put(self, request):
        changes = parse(io.NotificationSettingsInput, request.data)
        choices = services.update_notification_settings(user=request.user, changes=changes)
        return ok(selectors.settings_payload(choices), "Notification settings saved.")
