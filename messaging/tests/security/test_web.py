"""Security headers, CSRF on cookie-authenticated writes, and production settings
(SECRET_KEY required, `check --deploy` clean, HTTPS-only behaviour behind SECURE_HTTPS)."""

import json
import os
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from messaging.tests.factories import TEST_PASSWORD

ROOT = Path(settings.BASE_DIR)
STRICT_CSP = "default-src 'self'"


def _directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/api/messages/inbox",
        "/api/schema/",
        "/api/no-such-endpoint",
        "/accounts/login/",
        "/admin/login/",
    ],
)
def test_every_response_carries_the_security_headers(api_client, path):
    response = api_client.get(path)
    policy = _directives(response["Content-Security-Policy"])
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "script-src" not in policy  # scripts fall back to 'self': no inline, no eval
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


def test_error_responses_carry_the_headers_too(anon_client):
    response = anon_client.get("/api/messages/inbox")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert _directives(response["Content-Security-Policy"])["default-src"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_docs_work_without_inline_script(anon_client):
    page = anon_client.get("/api/docs/")
    assert page.status_code == HTTPStatus.OK
    policy = _directives(page["Content-Security-Policy"])
    assert policy["default-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "script-src" not in policy  # scripts stay 'self' only
    html = page.content.decode()
    # Every <script> has a src on this origin: nothing inline for the policy to block.
    import re

    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    for attributes, body in scripts:
        assert "src=" in attributes and not body.strip()
        src = re.search(r'src="([^"]+)"', attributes).group(1)
        assert src.startswith("/"), src
        assert anon_client.get(src).status_code == HTTPStatus.OK, src


def test_only_the_docs_get_the_relaxed_policy(anon_client):
    docs = _directives(anon_client.get("/api/docs/")["Content-Security-Policy"])
    schema = _directives(anon_client.get("/api/schema/")["Content-Security-Policy"])
    assert "'unsafe-inline'" in docs.get("style-src", "")
    assert "style-src" not in schema and "data:" not in schema.get("img-src", "")


def test_pages_take_images_from_https_hosts_but_scripts_only_from_this_server(client, user):
    client.force_login(user)
    policy = _directives(client.get("/messages")["Content-Security-Policy"])
    assert policy["img-src"] == "'self' https:"
    assert policy["default-src"] == "'self'"
    assert "script-src" not in policy and "style-src" not in policy


def test_a_policy_set_by_a_view_is_kept():
    from django.http import HttpResponse

    from alumunity.middleware import ContentSecurityPolicyMiddleware

    def view(_request):
        response = HttpResponse("ok")
        response["Content-Security-Policy"] = "default-src 'none'"
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/"))
    assert response["Content-Security-Policy"] == "default-src 'none'"


# --- CSRF ---------------------------------------------------------------------------------


def _signed_in_browser(member) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    return browser


def test_cookie_authenticated_api_writes_need_the_csrf_token(user, other_user):
    browser = _signed_in_browser(user)
    body = json.dumps({"recipient_id": str(other_user.pk), "message_text": "hi"})
    refused = browser.post("/api/messages/send", body, content_type="application/json")
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json()["success"] is False
    assert not other_user.received_messages.exists()

    # With the token from the cookie in the header, the same write goes through.
    browser.get("/api/auth/me")
    request = RequestFactory().get("/")
    token = get_token(request)
    browser.cookies["csrftoken"] = request.META["CSRF_COOKIE"]
    accepted = browser.post(
        "/api/messages/send", body, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == HTTPStatus.CREATED, accepted.content


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/messages/presence"),
        ("post", "/api/messages/block-user"),
        ("delete", "/api/messages/conversation/1"),
        ("put", "/api/messages/mark-as-read/1"),
    ],
)
def test_every_cookie_authenticated_write_checks_csrf(user, method, path):
    response = getattr(_signed_in_browser(user), method)(
        path, "{}", content_type="application/json"
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_cookie_authenticated_reads_need_no_token(user):
    assert _signed_in_browser(user).get("/api/messages/inbox").status_code == HTTPStatus.OK


def test_bearer_writes_need_no_csrf_token(api_client, other_user):
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": "hi"},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED


def test_the_login_page_refuses_a_post_without_the_token(user):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"email": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_session_and_csrf_cookies_are_not_readable_by_scripts_where_it_matters():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert settings.CSRF_COOKIE_SAMESITE in ("Lax", "Strict")


# --- production settings, each in a fresh interpreter ----------------------------------------

PRODUCTION_PROBE = """
import io, json
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
out = io.StringIO()
try:
    call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out, stderr=out)
    check = "clean"
except SystemCheckError as exc:
    check = str(exc)
client = Client()
plain = client.get("/api/schema/")
secure = client.get("/api/schema/", secure=True)
print(json.dumps({
    "check": check,
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "hsts": secure.get("Strict-Transport-Security"),
    "secure_status": secure.status_code,
    "session_secure": __import__("django.conf").conf.settings.SESSION_COOKIE_SECURE,
    "csrf_secure": __import__("django.conf").conf.settings.CSRF_COOKIE_SECURE,
}))
"""


def _run(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "alumunity.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_settings_pass_check_deploy_and_force_https():
    result = _run(
        PRODUCTION_PROBE,
        SECRET_KEY=secrets.token_urlsafe(64),
        DEBUG="0",
        SECURE_HTTPS="1",
        ALLOWED_HOSTS="messages.example.org,testserver",
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["check"] == "clean", probe["check"]
    assert probe["plain_status"] == HTTPStatus.MOVED_PERMANENTLY
    assert probe["plain_location"].startswith("https://")
    assert probe["secure_status"] == HTTPStatus.OK
    assert probe["hsts"].startswith("max-age=31536000")
    assert "includeSubDomains" in probe["hsts"]
    assert probe["session_secure"] and probe["csrf_secure"]


def test_the_server_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _run("import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert _run("import django; django.setup()", DEBUG="1").returncode == 0


# --- origins and hosts --------------------------------------------------------------------------


def test_other_origins_get_no_cors_grant(api_client):
    """CORS_ALLOWED_ORIGINS is empty by default: a page on another site cannot read
    answers, with or without credentials."""
    for method in ("get", "options"):
        response = getattr(api_client, method)(
            "/api/messages/inbox",
            HTTP_ORIGIN="https://evil.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        )
        assert "Access-Control-Allow-Origin" not in response
        assert "Access-Control-Allow-Credentials" not in response


def test_a_configured_origin_is_granted_and_only_that_one(api_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]
    allowed = api_client.get("/api/messages/inbox", HTTP_ORIGIN="https://app.example.org")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.org"
    other = api_client.get("/api/messages/inbox", HTTP_ORIGIN="https://app.example.org.evil")
    assert "Access-Control-Allow-Origin" not in other


def test_an_unknown_host_header_is_refused(anon_client):
    """Links built from the Host header (redirects, password pages) cannot be poisoned."""
    response = anon_client.get("/healthz", HTTP_HOST="evil.example")
    assert response.status_code == HTTPStatus.BAD_REQUEST
