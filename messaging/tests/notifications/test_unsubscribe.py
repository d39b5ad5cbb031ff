"""One-click unsubscribe (RFC 8058): the link from a real email; GET confirms, POST with
no login turns missed-message emails off; a forged or used link is a 400 that changes
nothing."""

from http import HTTPStatus

import pytest
from django.test import Client

from messaging import selectors
from messaging.tests.factories import send
from messaging.worker import run_batch

from .conftest import later


def _link_from_email(smtp, user, other_user) -> str:
    send(other_user, user, "hello")
    run_batch(now=later(6))
    [message] = smtp.messages
    link = str(message["List-Unsubscribe"]).strip()[1:-1]
    return link.removeprefix("https://alumni.example.org")


def _email_on(user) -> bool:
    return selectors.notification_settings(user=user).email_missed_messages


def test_get_shows_a_confirm_page_and_changes_nothing(smtp, user, other_user):
    path = _link_from_email(smtp, user, other_user)

    response = Client().get(path)

    assert response.status_code == HTTPStatus.OK
    assert b"Stop getting emails" in response.content
    assert b'<form method="post"' in response.content
    assert _email_on(user)


def test_one_click_post_without_login_turns_email_off(smtp, user, other_user):
    path = _link_from_email(smtp, user, other_user)

    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == HTTPStatus.OK
    assert not _email_on(user)
    send(other_user, user, "another")
    assert run_batch(now=later(20)).sent == 0


def test_a_used_link_is_refused(smtp, user, other_user, api_client):
    path = _link_from_email(smtp, user, other_user)
    Client().post(path)
    api_client.put("/api/notifications/settings", {"email_missed_messages": True}, format="json")

    response = Client().post(path)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _email_on(user)


@pytest.mark.parametrize(
    "token",
    [
        "forged",
        "WyI5MThlMDQ4NzAwYmI0ZjIxYjM4ODA4Yzg3Yjg3Y2NhYyIsMF0:1xXwg2:POpttNH86tKG69pzv5nqOcg",
    ],
)
def test_a_forged_token_is_a_400_and_changes_nothing(user, token):
    for method in ("get", "post"):
        response = getattr(Client(), method)(f"/notifications/unsubscribe/{token}")
        assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _email_on(user)


def test_a_token_for_another_purpose_is_refused(user):
    from django.core import signing

    token = signing.dumps([user.pk.hex, 0])  # signed, but not with the unsubscribe salt

    response = Client().post(f"/notifications/unsubscribe/{token}")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert _email_on(user)
