"""Browser fixtures: Playwright driving Debian's Chromium against the live test server."""

import os
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings
from django.test import Client

from messaging.tests.factories import UserFactory

# The live server runs in a thread beside the async Playwright loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"width": 1200, "height": 800}
PHONE = {"width": 390, "height": 800}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded one.
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


class OpenPage:
    """One member's page in a fresh browser context (own cookies), with what it did
    recorded: every request URL, dialogs (alert() from injected markup would show here),
    and console errors (a Content-Security-Policy violation is one)."""

    def __init__(self, context, page, origin: str):
        self.context = context
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        context.route("**/*", self._route)
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if url.startswith(self.origin + "/"):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message):
        # The live test server speaks plain HTTP (WSGI), so the WebSocket client's
        # handshake fails and the pages poll: exactly the fallback these tests exercise.
        if message.type == "error" and "WebSocket" not in message.text:
            self.console_errors.append(message.text)

    def goto(self, path: str):
        self.page.goto(self.origin + path)
        return self.page

    @property
    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/")]


@pytest.fixture
def open_as(browser, live_server) -> Iterator[Callable[..., OpenPage]]:
    """open_as(member, viewport=DESKTOP, color_scheme="light") -> OpenPage, logged in
    through a real session cookie."""
    contexts = []

    def open_page(member, *, viewport=DESKTOP, color_scheme="light") -> OpenPage:
        client = Client()
        client.force_login(member)
        context = browser.new_context(
            viewport=viewport, color_scheme=color_scheme, timezone_id="Europe/Paris"
        )
        context.set_default_timeout(10_000)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        return OpenPage(context, context.new_page(), live_server.url)

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def ada():
    """Two members for the browser tests, by the names the pages show."""
    return UserFactory(name="Ada Lovelace")


@pytest.fixture
def grace():
    return UserFactory(name="Grace Hopper")
