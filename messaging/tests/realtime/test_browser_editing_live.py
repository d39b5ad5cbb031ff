"""Editing, delete for everyone and reactions live between two browsers on a real ASGI
server: each page's socket carries the other member's change and the row is drawn again,
with no reload and nothing dispatched by the test."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from messaging.tests.factories import send

from .test_browser_socket import browser, server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.servers, pytest.mark.django_db(transaction=True)]


def _page_for(browser, server, member, path):  # noqa: F811
    session = Client()
    session.force_login(member)
    context = browser.new_context()
    context.set_default_timeout(15_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": server.base_url,
            }
        ]
    )
    page = context.new_page()
    page.goto(server.base_url + path)
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    return page


def test_edit_react_and_delete_reach_the_other_page_live(
    browser,  # noqa: F811
    server,  # noqa: F811
    user,
    other_user,
):
    message = send(user, other_user, "See you at six")
    ada = _page_for(browser, server, user, f"/messages/{other_user.pk}")
    grace = _page_for(browser, server, other_user, f"/messages/{user.pk}")
    mine, theirs = ada.locator(f"#message-{message.pk}"), grace.locator(f"#message-{message.pk}")

    ada.focus("#message-text")
    ada.keyboard.press("ArrowUp")
    ada.locator(".edit-form textarea").fill("See you at seven")
    ada.keyboard.press("Enter")
    expect(theirs.locator(".text")).to_have_text("See you at seven")
    expect(theirs.locator(".edited-link")).to_be_visible()

    theirs.hover()
    theirs.locator("summary.message-menu-button").click()
    theirs.get_by_role("button", name="React with 🎉").click()
    expect(mine.locator(".reaction")).to_have_attribute("title", other_user.name)

    mine.hover()
    mine.locator("summary.message-menu-button").click()
    mine.locator("summary", has_text="Delete for everyone…").click()
    mine.get_by_role("button", name="Delete for everyone").click()
    expect(theirs.locator(".text")).to_have_text("This message was deleted")
    expect(theirs.locator(".reaction")).to_have_count(0)
