"""Message text on the pages: escaped, with http(s) addresses as links and nothing else;
and the day separators, in the reader's zone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Message
from messaging.templatetags.messaging_pages import linkify, reader_zone, with_days
from messaging.tests.factories import send

REL = 'rel="noopener noreferrer nofollow" target="_blank"'


def link(url: str, text: str | None = None) -> str:
    return f'<a href="{url}" {REL}>{text or url}</a>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("no links here", "no links here"),
        ("<b>bold</b> & co", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        ("see https://example.org.", f"see {link('https://example.org')}."),
        ("(http://example.org/a)", f"({link('http://example.org/a')})"),
        (
            "https://en.wikipedia.org/wiki/Moth_(insect)!",
            link("https://en.wikipedia.org/wiki/Moth_(insect)") + "!",
        ),
        (
            "HTTPS://x.test/?a=1&b=2",
            link("HTTPS://x.test/?a=1&amp;b=2"),
        ),
        (
            'https://x.test/"onmouseover="alert(1)',
            link("https://x.test/") + "&quot;onmouseover=&quot;alert(1)",
        ),
        ("https://x.test/<script>", link("https://x.test/") + "&lt;script&gt;"),
        ("javascript:alert(1)", "javascript:alert(1)"),
        ("data:text/html,<b>x</b>", "data:text/html,&lt;b&gt;x&lt;/b&gt;"),
        ("ftp://files.test/a", "ftp://files.test/a"),
        ("www.example.org", "www.example.org"),
        ("https://", "https://"),
        ("x javascript:https://evil.test", f"x javascript:{link('https://evil.test')}"),
    ],
    ids=[
        "plain",
        "markup",
        "trailing-dot",
        "in-brackets",
        "balanced-bracket",
        "ampersand",
        "quote-ends-it",
        "angle-ends-it",
        "javascript",
        "data",
        "ftp",
        "no-scheme",
        "scheme-only",
        "javascript-prefix",
    ],
)
def test_linkify(text, html):
    assert linkify(text) == html


@pytest.mark.parametrize("cookie", ["", "Mars/Olympus", "../../etc/passwd", "zone.tab", "x" * 500])
def test_a_zone_cookie_that_is_no_zone_is_ignored(rf, cookie):
    request = rf.get("/", HTTP_COOKIE=f"tz={cookie}")
    assert reader_zone(request) is None


def test_days_are_drawn_in_the_readers_zone(rf, user, other_user):
    # 23:30 UTC is already the next day in Paris.
    now = timezone.now()
    late = now.replace(hour=23, minute=30, second=0, microsecond=0) - timedelta(days=2)
    messages = [send(user, other_user, "late"), send(other_user, user, "later")]
    Message.objects.filter(pk=messages[0].pk).update(sent_at=late)
    Message.objects.filter(pk=messages[1].pk).update(sent_at=late + timedelta(minutes=45))
    messages = list(Message.objects.order_by("pk"))

    def labels(cookie: str) -> list[bool]:
        request = rf.get("/", HTTP_COOKIE=f"tz={cookie}")
        return [bool(day) for _, day in with_days({"request": request}, messages)]

    assert labels("UTC") == [True, True]  # 23:30 and 00:15: two days
    assert labels("Europe/Paris") == [True, False]  # 00:30 and 01:15: one day
