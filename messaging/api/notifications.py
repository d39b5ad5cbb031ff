"""REST doors for notifications (SPEC 9.2): parse, one call, respond."""

from drf_spectacular.utils import extend_schema

from .. import selectors, services
from . import serializers as io
from .envelope import enveloped, ok
from .views import ERROR_ENVELOPE, ERRORS, MemberApiView, parse


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


class PushSubscriptionsApi(MemberApiView):
    """A browser's Web Push subscription: POST saves it (the same endpoint again only
    updates it), DELETE forgets it by its endpoint. GET says whether Web Push is on and
    with which key, and lists the member's subscribed browsers."""

    @extend_schema(responses={200: enveloped(io.WebPushOutput), **ERRORS})
    def get(self, request):
        return ok(_web_push(request.user), "Web Push.")

    @extend_schema(
        request=io.PushSubscriptionInput,
        # 409: Web Push is not configured on this server.
        responses={200: enveloped(io.WebPushOutput), 409: ERROR_ENVELOPE, **ERRORS},
    )
    def post(self, request):
        given = parse(io.PushSubscriptionInput, request.data)
        services.subscribe_push(
            user=request.user,
            endpoint=given["endpoint"],
            p256dh=given["keys"]["p256dh"],
            auth=given["keys"]["auth"],
        )
        return ok(_web_push(request.user), "Push subscription saved.")

    @extend_schema(
        request=io.PushEndpointInput, responses={200: enveloped(io.WebPushOutput), **ERRORS}
    )
    def delete(self, request):
        given = parse(io.PushEndpointInput, request.data)
        removed = services.unsubscribe_push(user=request.user, endpoint=given["endpoint"])
        message = "Push subscription removed." if removed else "No such push subscription."
        return ok(_web_push(request.user), message)


def _web_push(user) -> dict:
    key = selectors.push_public_key()
    return {
        "web_push": key is not None,
        "vapid_public_key": key,
        "subscriptions": [
            {"endpoint": item.endpoint, "created_at": item.created_at}
            for item in selectors.push_subscriptions_of([user.pk]).get(user.pk, [])
        ],
    }
