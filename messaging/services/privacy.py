"""A member's privacy settings (SPEC §9.5). What they mean for everyone else is decided
in selectors.privacy; this module only writes them and tells partners of a change in
presence."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from alumunity.users.models import User

from .. import events
from ..exceptions import InvalidInput
from ..models import Presence
from ..selectors import PrivacySettings, presence_audience, presence_sent_key, privacy_settings
from .presence import _publish_presence

FIELDS = ("show_read_receipts", "show_presence", "message_requests")


def update_privacy_settings(
    *,
    user: User,
    show_read_receipts: bool | None = None,
    show_presence: bool | None = None,
    message_requests: bool | None = None,
) -> PrivacySettings:
    """Change the settings given (None leaves one as it is). Hiding presence tells the
    member's partners they are offline at once; showing it again tells them the real
    status."""
    given = {"show_read_receipts": show_read_receipts, "show_presence": show_presence}
    given["message_requests"] = message_requests
    changes = {name: value for name, value in given.items() if value is not None}
    for name, value in changes.items():
        if not isinstance(value, bool):
            raise InvalidInput.for_field(name, "Must be true or false.")
    hiding = changes.get("show_presence") is False and user.show_presence
    showing = changes.get("show_presence") is True and not user.show_presence
    audience = presence_audience(user=user) if hiding else []
    with transaction.atomic():
        if changes:
            User.objects.filter(pk=user.pk).update(**changes)
            for name, value in changes.items():
                setattr(user, name, value)
        if hiding:
            cache.set(presence_sent_key(user.pk), Presence.Status.OFFLINE, timeout=24 * 60 * 60)
            events.presence(
                user_id=user.pk,
                status=Presence.Status.OFFLINE,
                last_seen_at=None,
                audience=audience,
            )
    if showing:
        cache.delete(presence_sent_key(user.pk))
        _publish_presence(user)
    return privacy_settings(user)
