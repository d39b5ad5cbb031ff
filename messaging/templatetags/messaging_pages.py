"""Small helpers for the page templates: avatars drawn from a name, presence words, links
in message text, day separators in the reader's zone, the words the page script shows,
and the real-time script included only when it is installed."""

import hashlib
import json
import re
import zoneinfo
from datetime import date, timedelta
from functools import cache

from django import template
from django.contrib.staticfiles import finders
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from messaging.models import REMOVED_TEXT, Presence

register = template.Library()

AVATAR_HUES = 8
REALTIME_SCRIPT = "messaging/realtime.js"
# The page script stores the reader's IANA zone here, so day separators are drawn in it
# from the first paint instead of moving the history once the script runs.
ZONE_COOKIE = "tz"

# Only http(s) addresses become links: the scheme is part of the pattern, so no other
# scheme (javascript:, data:, ...) can ever reach an href. Quotes and angle brackets end
# an address, and trailing punctuation belongs to the sentence.
_LINK = re.compile(r"""https?://[^\s<>"'`]+""", re.IGNORECASE)
_TRAILING = ".,;:!?)]}*_~"


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
def presence_labels() -> str:
    """Each status word with its label, as JSON for a data attribute, so the page script
    can say a status the server sent the way the pages say it (escaped by the template)."""
    return json.dumps(dict(Presence.Status.choices))


@register.simple_tag
def removed_text() -> str:
    """What a hidden message shows (models.REMOVED_TEXT), for the page script to use
    when one is hidden live."""
    return REMOVED_TEXT


@register.simple_tag
def realtime_script() -> str:
    """The WebSocket client's path under static/, or "" when it is not installed: the
    pages then poll, which they do anyway whenever the socket is not open."""
    return REALTIME_SCRIPT if _has_realtime_script() else ""


@cache
def _has_realtime_script() -> bool:
    return finders.find(REALTIME_SCRIPT) is not None


@register.filter
def linkify(text: str) -> SafeString:
    """Message text, escaped, with its http(s) addresses as links that open apart from
    the page and pass on neither the page nor any ranking."""
    text = text or ""
    parts, position = [], 0
    for match in _LINK.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        if url.count("(") > url.count(")") and text[match.start() + len(url) :][:1] == ")":
            url += ")"  # a balanced bracket belongs to the address (Wikipedia style)
        if len(url) <= len("https://"):
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(
            format_html(
                '<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>', url
            )
        )
        position = match.start() + len(url)
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece is escaped above


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def reader_zone(request) -> zoneinfo.ZoneInfo | None:
    """The zone the reader's browser stored, if it is a real one (the cookie is theirs to
    change: anything else is ignored, never looked up on disk)."""
    name = request.COOKIES.get(ZONE_COOKIE, "") if request is not None else ""
    return zoneinfo.ZoneInfo(name) if name in _known_zones() else None


def day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    if day.year == today.year:
        return f"{day:%A} {day.day} {day:%B}"
    return f"{day:%A} {day.day} {day:%B} {day.year}"


@register.simple_tag(takes_context=True)
def with_days(context, messages) -> list[tuple[object, str]]:
    """Each message with the label of the day it starts, or "" when it continues the day
    of the one before. The page script redraws the separators after every change; these
    only hold their place from the first paint (its labels follow the reader's locale)."""
    zone = reader_zone(context.get("request")) or timezone.get_current_timezone()
    today = timezone.now().astimezone(zone).date()
    rows, previous = [], None
    for message in messages:
        day = message.sent_at.astimezone(zone).date()
        rows.append((message, day_label(day, today) if day != previous else ""))
        previous = day
    return rows
