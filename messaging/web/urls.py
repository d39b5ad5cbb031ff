from django.urls import path
from django.views.generic.base import RedirectView

from . import accounts, attachments, editing, groups, notifications, privacy, views

app_name = "messaging"

urlpatterns = [
    path("", RedirectView.as_view(url="/messages", permanent=False), name="home"),
    path("accounts/login/", accounts.login_page, name="login"),
    path("accounts/logout/", accounts.logout_page, name="logout"),
    path("accounts/signup/", accounts.signup_page, name="signup"),
    path("messages", views.conversations, name="conversations"),
    path(
        "settings/notifications",
        notifications.notification_settings,
        name="notification-settings",
    ),
    path(
        "settings/notifications/push-subscription",
        notifications.push_subscription,
        name="push-subscription",
    ),
    path("sw.js", notifications.service_worker, name="service-worker"),
    path(
        "notifications/unsubscribe/<str:token>",
        notifications.unsubscribe,
        name="unsubscribe",
    ),
    path("messages/search", views.search, name="search"),
    path("messages/requests", privacy.requests, name="requests"),
    path(
        "messages/requests/<int:conversation_id>/accept",
        privacy.accept_request,
        name="accept-request",
    ),
    path("settings/privacy", privacy.privacy_settings, name="privacy"),
    path("messages/new", views.new_message, name="new-message"),
    path("messages/attachments", attachments.upload, name="upload"),
    path(
        "messages/conversations/<int:conversation_id>/delete",
        views.delete_conversation,
        name="delete-conversation",
    ),
    path(
        "messages/conversations/<int:conversation_id>/mute",
        notifications.mute,
        name="mute-conversation",
    ),
    path(
        "messages/notification/<int:message_id>",
        notifications.browser_notification,
        name="browser-notification",
    ),
    path("messages/m/<int:message_id>", editing.message_row, name="message-row"),
    path("messages/m/<int:message_id>/edit", editing.edit, name="message-edit"),
    path("messages/m/<int:message_id>/delete", editing.delete, name="message-delete"),
    path("messages/m/<int:message_id>/react", editing.react, name="message-react"),
    path("messages/m/<int:message_id>/history", editing.history, name="message-history"),
    path("messages/new-group", groups.new_group, name="new-group"),
    path("messages/c/<int:conversation_id>", groups.group, name="group"),
    path("messages/c/<int:conversation_id>/send", groups.group_send, name="group-send"),
    path("messages/c/<int:conversation_id>/rename", groups.group_rename, name="group-rename"),
    path("messages/c/<int:conversation_id>/add", groups.group_add, name="group-add"),
    path("messages/c/<int:conversation_id>/remove", groups.group_remove, name="group-remove"),
    path("messages/<uuid:user_id>", views.conversation, name="conversation"),
    path("messages/<uuid:user_id>/send", views.send, name="send"),
    path("messages/<uuid:user_id>/updates", views.updates, name="updates"),
    path("messages/<uuid:user_id>/typing", views.typing, name="typing"),
    path("messages/<uuid:user_id>/block", views.block, name="block"),
    path("messages/<uuid:user_id>/unblock", views.unblock, name="unblock"),
    path("messages/<uuid:user_id>/report", views.report, name="report"),
]
