"""Notification tables (SPEC 9.2): a member's choices and the emails given up on. The
pending state itself lives on the participant row (models.Participant)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationSettings(models.Model):
    """A member's notification choices (SPEC 9.2); no row means the defaults."""

    DEFAULT_DELAY_MINUTES = 5

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    email_missed_messages = models.BooleanField(default=True)
    email_delay_minutes = models.PositiveSmallIntegerField(default=DEFAULT_DELAY_MINUTES)
    email_include_text = models.BooleanField(default=True)
    browser_notifications = models.BooleanField(default=True)
    # Bumped by every unsubscribe: a token names the generation it was made for, so a
    # used one cannot be replayed after the member turned email on again.
    unsubscribe_generation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"Notification settings of {self.user_id}"


class UndeliveredEmail(models.Model):
    """A missed-message email given up after its last try: kept so nothing is lost
    silently (staff see them in the admin)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation_ids = models.JSONField(default=list)
    attempts = models.PositiveSmallIntegerField()
    error = models.TextField()
    request_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Undelivered email to {self.user_id}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription (SPEC 9.2): where the push service takes a
    member's notifications, and the keys that encrypt them for that browser alone. The
    endpoint is unique (one browser, one member: the last to subscribe it); it is looked
    up by its SHA-256, since a URL can be longer than an indexable column."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.TextField()
    endpoint_hash = models.CharField(max_length=64, unique=True)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Push subscription of {self.user_id}"

    @property
    def subscription_info(self) -> dict:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
