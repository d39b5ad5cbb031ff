"""A real SMTP server (aiosmtpd) on a free loopback port for the notification tests, and
EMAIL_URL pointed at it, so the worker talks SMTP exactly as in production."""

from __future__ import annotations

import email
import email.policy
import threading
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from alumunity.email_url import email_settings
from conftest import free_port


class Inbox:
    """Collects what the server receives; can refuse mail (an SMTP failure) or hang."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for name, value in email_settings(f"smtp://127.0.0.1:{port}?timeout=5").items():
        setattr(settings, name, value)
    settings.SITE_URL = "https://alumni.example.org"
    inbox.port = port
    inbox.controller = controller
    yield inbox
    controller.stop()


def later(minutes: float) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def text_part(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def html_part(message: email.message.EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return part.get_content()


@pytest.fixture
def staff_member(db):
    from messaging.tests.factories import UserFactory

    return UserFactory(name="Mo Derator", email="mod@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def vapid(settings):
    """Web Push configured with a fresh VAPID key pair."""
    from .push_service import vapid_pair

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_pair()
    settings.VAPID_SUBJECT = "mailto:notifications@alumni.example.org"
    return settings.VAPID_PUBLIC_KEY


@pytest.fixture
def push_service(vapid):
    from .push_service import start_push_service

    service, server = start_push_service()
    yield service
    server.shutdown()
    server.server_close()


def seconds_later(seconds: float) -> datetime:
    return timezone.now() + timedelta(seconds=seconds)
