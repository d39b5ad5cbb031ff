from http import HTTPStatus

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from messaging.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_has_email_password_and_submit():
    body = Client().get("/accounts/login/").content.decode()
    assert 'name="email"' in body
    assert 'name="password"' in body
    assert 'type="submit"' in body


def test_login_with_email_and_password_opens_the_session(user):
    client = Client()
    response = client.post(
        "/accounts/login/", {"email": "ADA@example.org ", "password": TEST_PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/messages"
    assert client.get("/messages").status_code == HTTPStatus.OK


def test_login_follows_a_safe_next_only(user):
    response = Client().post(
        "/accounts/login/",
        {"email": user.email, "password": TEST_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/messages"
    response = Client().post(
        "/accounts/login/",
        {"email": user.email, "password": TEST_PASSWORD, "next": "/messages/search?q=a"},
    )
    assert response["Location"] == "/messages/search?q=a"


def test_wrong_password_is_a_clear_form_error(user):
    response = Client().post("/accounts/login/", {"email": user.email, "password": "nope"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Email or password is incorrect." in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


@override_settings(LOGIN_RATE="3/min")
def test_login_is_throttled_per_email(user):
    client = Client()
    for _ in range(3):
        client.post("/accounts/login/", {"email": user.email, "password": "wrong"})
    response = client.post("/accounts/login/", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) >= 1
    assert "Too many attempts" in response.content.decode()
    # Another address is counted on its own.
    response = client.post("/accounts/login/", {"email": "other@example.org", "password": "x"})
    assert response.status_code == HTTPStatus.BAD_REQUEST


def test_login_page_counts_with_the_api_counter(user):
    """One limit for one address, whether it is tried on the page or on the API."""
    with override_settings(LOGIN_RATE="2/min"):
        api = Client()
        api.post(
            "/api/auth/token/",
            {"email": user.email, "password": "wrong"},
            content_type="application/json",
        )
        api.post(
            "/api/auth/token/",
            {"email": user.email, "password": "wrong"},
            content_type="application/json",
        )
        response = Client().post(
            "/accounts/login/", {"email": user.email, "password": TEST_PASSWORD}
        )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_logout_needs_post(user):
    client = Client()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert client.get("/messages").status_code == HTTPStatus.FOUND


def test_signup_creates_the_member_and_logs_in():
    client = Client()
    response = client.post(
        "/accounts/signup/",
        {"name": "Mary Jackson", "email": "mary@example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert get_user_model().objects.filter(email="mary@example.org", name="Mary Jackson").exists()
    assert client.get("/messages").status_code == HTTPStatus.OK


def test_signup_shows_the_service_errors_on_their_fields(user):
    response = Client().post(
        "/accounts/signup/", {"name": "Ada Again", "email": user.email, "password": "123"}
    )
    body = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "An account with this email already exists." in body
    assert "This password is too short." in body
    assert 'value="Ada Again"' in body  # what was typed stays in the form


@override_settings(REGISTER_RATE="1/hour")
def test_signup_is_throttled_per_address():
    Client().post(
        "/accounts/signup/",
        {"name": "One", "email": "one@example.org", "password": TEST_PASSWORD},
    )
    response = Client().post(
        "/accounts/signup/",
        {"name": "Two", "email": "two@example.org", "password": TEST_PASSWORD},
    )
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert not get_user_model().objects.filter(email="two@example.org").exists()


def test_login_form_enforces_csrf(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == HTTPStatus.FORBIDDEN
