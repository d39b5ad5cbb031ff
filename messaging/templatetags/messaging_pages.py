"""Small helpers for the page templates: avatars drawn from a name, presence words, the
words the page script shows, and the real-time script included only when installed."""

import hashlib
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils.html import json_script
from django.utils.safestring import SafeString

from ..models import REMOVED_TEXT, Presence

register = template.Library()

AVATAR_HUES = 8
REALTIME_SCRIPT = "messaging/realtime.js"


@register.filter
def initials(name: str) -> str:
    words = [word for word in (name or "").split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:1] + words[1:][-1:])
    return (letters or (name or "?")[:1]).upper()


@register.filter
def avatar_hue(key) -> int:
    """A stable colour (one of a few CSS classes, since a strict CSP forbids inline styles)."""
    return hashlib.sha256(str(key).encode()).digest()[0] % AVATAR_HUES


@register.filter
def presence_label(status: str) -> str:
    """ "Online", "Away"...: what the pages say for a status word."""
    return Presence.Status(status).label


@register.simple_tag
def page_words() -> SafeString:
    """The words the page script shows that the server also says (the placeholder of a
    hidden message, each presence status), as a JSON data block the script reads, so
    both come from one place."""
    words = {"removed_text": REMOVED_TEXT, "presence": dict(Presence.Status.choices)}
    return json_script(words, "page-words")


@register.simple_tag
def realtime_script() -> str:
    """The WebSocket client's path under static/, or "" when it is not installed: the
    pages then poll, which they do anyway whenever the socket is not open."""
    return REALTIME_SCRIPT if _has_realtime_script() else ""


@cache
def _has_realtime_script() -> bool:
    return finders.find(REALTIME_SCRIPT) is not None
