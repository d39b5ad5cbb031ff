"""A group's page in three Chromium pages against a real ASGI server, the socket open
(so the pages do not poll): typing, messages, "Seen by N", a rename and a leaving reach
the pages through the socket's events alone, and the member who left hears nothing more."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from messaging import services
from messaging.tests.factories import UserFactory

from .helpers import access_token
from .servers import Server, call
from .test_browser_socket import browser  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.servers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(transactional_db):
    running = Server()
    running.wait_until_ready()
    yield running
    running.stop()


def _open(browser, server, member, path):  # noqa: F811
    session = Client()
    session.force_login(member)
    context = browser.new_context()
    context.set_default_timeout(15_000)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": server.base_url}]
    )
    page = context.new_page()
    page.goto(server.base_url + path)
    expect(page.locator("html")).to_have_attribute("data-socket", "open")
    return page


def test_the_group_page_lives_on_the_socket(browser, server):  # noqa: F811
    ada, grace, alan = (UserFactory(name=name) for name in ("Ada Lovelace", "Grace", "Alan"))
    group = services.create_group(creator=ada, member_ids=[grace.pk, alan.pk], title="Chapter")
    path = f"/messages/c/{group.pk}"
    ada_page, grace_page, alan_page = (_open(browser, server, m, path) for m in (ada, grace, alan))

    ada_page.locator("#group-text").press_sequentially("Who")
    expect(grace_page.locator("#group-typing")).to_have_text("Ada Lovelace is typing…")
    ada_page.locator("#group-text").press_sequentially(" is coming?")
    ada_page.locator("#group-text").press("Enter")
    for page in (ada_page, grace_page, alan_page):
        expect(page.locator("#group-messages")).to_contain_text("Who is coming?")
    expect(grace_page.locator("#group-typing")).to_be_hidden()
    expect(ada_page.locator(".seen-by")).to_have_text("Seen by 2")

    status, _body = call(
        server, "PATCH", f"/api/conversations/{group.pk}", access_token(grace), {"title": "Club"}
    )
    assert status == 200
    for page in (ada_page, grace_page, alan_page):
        expect(page.locator("#group-title")).to_have_text("Club")

    status, _body = call(
        server, "DELETE", f"/api/conversations/{group.pk}/members/{alan.pk}", access_token(alan)
    )
    assert status == 200
    expect(alan_page.locator(".notice")).to_contain_text("You left this group")
    expect(ada_page.locator("#group-count")).to_have_text("2 members")
    status, _body = call(
        server,
        "POST",
        f"/api/conversations/{group.pk}/messages",
        access_token(ada),
        {"message_text": "Just the two of us"},
    )
    assert status == 201
    expect(grace_page.locator("#group-messages")).to_contain_text("Just the two of us")
    alan_page.wait_for_timeout(2000)
    expect(alan_page.locator("#group-messages")).not_to_contain_text("Just the two of us")
