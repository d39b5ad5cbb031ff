"""Message text on the pages: escaped, with http(s) addresses as links and nothing else."""

import pytest

from messaging.templatetags.messaging_pages import linkify

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
