"""axe-core in Chromium on the list, conversation, group and login pages, in light and dark
mode: no violation of any rule it checks. axe.min.js comes from the axe-playwright-python
package, so nothing is fetched at test time."""

from io import StringIO

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from messaging.models import Conversation
from messaging.tests.factories import send
from messaging.tests.web.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHEMES = ["light", "dark"]


def axe_violations(page) -> list[tuple[str, str, list]]:
    page.evaluate(AXE_SCRIPT)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
        for violation in results["violations"]
    ]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    members = get_user_model().objects
    ada = members.get(email="ada@example.org")
    grace = members.get(email="grace@example.org")
    # A link, and a group of messages from one sender, so their styles are checked too.
    send(grace, ada, "The programme: https://example.org/reunion")
    send(ada, grace, "Thank you!")
    return ada, grace


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_list_and_conversation_pages_pass_axe(open_as, demo, scheme, viewport):
    ada, grace = demo
    view = open_as(ada, viewport=viewport, color_scheme=scheme)
    page = view.goto("/messages")
    # Her three one-to-one conversations and the demo group she is in.
    expect(page.locator(".conversation-row")).to_have_count(4)
    assert axe_violations(page) == []
    page.get_by_role("link", name="New message").click()
    expect(page.get_by_label("To", exact=True)).to_be_visible()
    assert axe_violations(page) == []

    page = view.goto(f"/messages/{grace.pk}")
    expect(page.locator("li.message").last).to_be_visible()
    assert axe_violations(page) == []
    # With a message's menu and its report form open.
    row = page.locator("li.message.theirs").last
    row.hover()
    row.get_by_label("Actions for this message").click()
    row.get_by_text("Report…").click()
    expect(row.get_by_label("Why are you reporting this message?")).to_be_visible()
    assert axe_violations(page) == []
    assert view.console_errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_group_pages_pass_axe(open_as, demo, scheme, viewport):
    ada, _grace = demo
    group = Conversation.objects.get(title="Reunion 2027")
    view = open_as(ada, viewport=viewport, color_scheme=scheme)
    page = view.goto(f"/messages/c/{group.pk}")
    expect(page.locator("#group-messages li").last).to_be_visible()
    assert axe_violations(page) == []
    # With people found to add, and someone typing.
    page.fill("#add-q", "linus")
    page.locator("#add-q").press("Enter")
    expect(page.locator("#add-members")).to_be_visible()
    page.evaluate(
        "() => { const line = document.getElementById('group-typing');"
        " line.textContent = 'Grace Hopper is typing…'; line.hidden = false; }"
    )
    assert axe_violations(page) == []
    # With a message's menu and its report form open, as on the 1:1 page.
    row = page.locator("#group-messages li.message.theirs").last
    row.hover()
    row.get_by_label("Actions for this message").click()
    row.get_by_text("Report…").click()
    expect(row.get_by_label("Why are you reporting this message?")).to_be_visible()
    assert axe_violations(page) == []
    page = view.goto("/messages/new-group")
    assert axe_violations(page) == []
    assert view.console_errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_login_page_passes_axe(browser, live_server, scheme):
    context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/accounts/login/")
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        assert axe_violations(page) == []
    finally:
        context.close()


def test_every_page_has_a_description(open_as, demo, live_server):
    ada, grace = demo
    view = open_as(ada)
    group = Conversation.objects.get(title="Reunion 2027")
    paths = ("/messages", f"/messages/{grace.pk}", "/messages/new", f"/messages/c/{group.pk}")
    for path in (*paths, "/messages/new-group", "/accounts/login/"):
        page = view.goto(path)
        description = page.locator('meta[name="description"]')
        assert len(description.get_attribute("content")) > 20, path
