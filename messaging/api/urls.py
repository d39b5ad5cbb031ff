from django.urls import path

from . import attachments, conversations, editing, notifications, privacy, views

urlpatterns = [
    path(
        "notifications/settings",
        notifications.NotificationSettingsApi.as_view(),
        name="api-notification-settings",
    ),
    path(
        "notifications/push-subscriptions",
        notifications.PushSubscriptionsApi.as_view(),
        name="api-push-subscriptions",
    ),
    path("auth/register", views.RegisterApi.as_view(), name="api-register"),
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-token"),
    path("auth/token/refresh/", views.TokenRefreshApi.as_view(), name="api-token-refresh"),
    path("auth/logout", views.LogoutApi.as_view(), name="api-logout"),
    path("auth/me", views.MeApi.as_view(), name="api-me"),
    path("users/search", views.MemberSearchApi.as_view(), name="api-users-search"),
    path("messages/send", views.MessageSendApi.as_view(), name="api-send"),
    path("messages/inbox", views.InboxApi.as_view(), name="api-inbox"),
    path(
        "messages/conversation/<str:key>", views.ConversationApi.as_view(), name="api-conversation"
    ),
    path(
        "messages/conversation/<str:user_id>/status",
        views.ConversationStatusApi.as_view(),
        name="api-conversation-status",
    ),
    path(
        "messages/mark-as-read/<int:message_id>", views.MarkReadApi.as_view(), name="api-mark-read"
    ),
    path("messages/unread-count", views.UnreadCountApi.as_view(), name="api-unread-count"),
    path("messages/search", views.MessageSearchApi.as_view(), name="api-search"),
    path("messages/requests", privacy.MessageRequestsApi.as_view(), name="api-requests"),
    path(
        "messages/requests/<str:conversation_id>/accept",
        privacy.MessageRequestAcceptApi.as_view(),
        name="api-request-accept",
    ),
    path("privacy/settings", privacy.PrivacySettingsApi.as_view(), name="api-privacy-settings"),
    path("messages/block-user", views.BlockApi.as_view(), name="api-block"),
    path("messages/block-user/<str:user_id>", views.UnblockApi.as_view(), name="api-unblock"),
    path("messages/blocked-users", views.BlockedUsersApi.as_view(), name="api-blocked-users"),
    path("messages/report", views.ReportApi.as_view(), name="api-report"),
    path("messages/typing/<str:user_id>", views.TypingApi.as_view(), name="api-typing"),
    path("messages/presence", views.PresenceApi.as_view(), name="api-presence"),
    path("messages/<int:message_id>", editing.MessageApi.as_view(), name="api-message"),
    path(
        "messages/<int:message_id>/history",
        editing.MessageHistoryApi.as_view(),
        name="api-message-history",
    ),
    path(
        "messages/<int:message_id>/reactions/<str:emoji>",
        editing.ReactionApi.as_view(),
        name="api-message-reaction",
    ),
    path("attachments", attachments.AttachmentUploadApi.as_view(), name="api-attachments"),
    path(
        "attachments/<int:attachment_id>/file",
        attachments.AttachmentFileApi.as_view(),
        name="attachment-file",
    ),
    path(
        "attachments/<int:attachment_id>/thumbnail",
        attachments.AttachmentThumbnailApi.as_view(),
        name="attachment-thumbnail",
    ),
    path("conversations", conversations.ConversationsApi.as_view(), name="api-conversations"),
    path(
        "conversations/<str:conversation_id>",
        conversations.ConversationApi.as_view(),
        name="api-conversation-by-id",
    ),
    path(
        "conversations/<str:conversation_id>/members",
        conversations.MembersApi.as_view(),
        name="api-conversation-members",
    ),
    path(
        "conversations/<str:conversation_id>/members/<str:user_id>",
        conversations.MemberApi.as_view(),
        name="api-conversation-member",
    ),
    path(
        "conversations/<str:conversation_id>/messages",
        conversations.ConversationMessagesApi.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "conversations/<str:conversation_id>/read",
        conversations.ReadApi.as_view(),
        name="api-conversation-read",
    ),
    path(
        "conversations/<str:conversation_id>/mute",
        conversations.MuteApi.as_view(),
        name="api-conversation-mute",
    ),
]
