"""The OpenAPI schema at /api/schema/ and the docs page at /api/docs/."""

import re
from http import HTTPStatus

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

EVERY_PATH = {
    "/api/auth/register": {"post"},
    "/api/auth/token/": {"post"},
    "/api/auth/token/refresh/": {"post"},
    "/api/auth/logout": {"post"},
    "/api/auth/me": {"get"},
    "/api/users/search": {"get"},
    "/api/messages/send": {"post"},
    "/api/messages/inbox": {"get"},
    "/api/messages/conversation/{key}": {"get", "delete"},
    "/api/messages/conversation/{user_id}/status": {"get"},
    "/api/messages/mark-as-read/{message_id}": {"put"},
    "/api/messages/unread-count": {"get"},
    "/api/messages/search": {"get"},
    "/api/messages/requests": {"get"},
    "/api/messages/requests/{conversation_id}/accept": {"post"},
    "/api/privacy/settings": {"get", "put"},
    "/api/messages/block-user": {"post"},
    "/api/messages/block-user/{user_id}": {"delete"},
    "/api/messages/blocked-users": {"get"},
    "/api/messages/report": {"post"},
    "/api/messages/typing/{user_id}": {"post"},
    "/api/messages/presence": {"put"},
    "/api/messages/{message_id}": {"patch", "delete"},
    "/api/messages/{message_id}/history": {"get"},
    "/api/messages/{message_id}/reactions/{emoji}": {"put", "delete"},
    "/api/attachments": {"post"},
    "/api/attachments/{attachment_id}/file": {"get"},
    "/api/attachments/{attachment_id}/thumbnail": {"get"},
    "/api/conversations": {"post"},
    "/api/conversations/{conversation_id}": {"get", "patch"},
    "/api/conversations/{conversation_id}/members": {"post"},
    "/api/conversations/{conversation_id}/members/{user_id}": {"delete"},
    "/api/conversations/{conversation_id}/messages": {"get", "post"},
    "/api/conversations/{conversation_id}/read": {"put"},
    "/api/conversations/{conversation_id}/mute": {"put"},
    "/api/notifications/settings": {"get", "put"},
    "/api/notifications/push-subscriptions": {"get", "post", "delete"},
}


@pytest.fixture
def schema(anon_client) -> dict:
    response = anon_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == HTTPStatus.OK
    return response.json()


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)
    assert schema["info"]["title"] == "AlumUnity Messaging API"


def test_schema_lists_every_endpoint_with_its_methods(schema):
    paths = {
        path: {method for method in operations if method != "parameters"}
        for path, operations in schema["paths"].items()
    }
    assert paths == EVERY_PATH


def test_schema_documents_the_envelopes(schema):
    send = schema["paths"]["/api/messages/send"]["post"]["responses"]
    assert {"200", "201", "400", "403", "404", "429"} <= set(send)
    inbox = schema["paths"]["/api/messages/inbox"]["get"]
    parameters = {parameter["name"] for parameter in inbox["parameters"]}
    assert {"limit", "offset"} <= parameters
    components = schema["components"]["schemas"]
    assert {"success", "data", "message", "request_id"} <= set(
        components["ErrorEnvelope"]["properties"]
    )
    assert {"success", "data", "total", "message"} <= set(
        components["ConversationSummaryListEnvelope"]["properties"]
    )


def test_schema_documents_the_version_2_fields(schema):
    components = schema["components"]["schemas"]
    kind = components["MessageOutput"]["properties"]["kind"]["$ref"].rsplit("/", 1)[-1]
    assert components[kind]["enum"] == ["text", "system"]
    assert {"kind", "title", "member_count", "last_message_sender_name"} <= set(
        components["ConversationSummaryOutput"]["properties"]
    )
    assert {"conversation_kind", "conversation_title"} <= set(
        components["SearchResultOutput"]["properties"]
    )


def test_schema_documents_uploads(schema):
    upload = schema["paths"]["/api/attachments"]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["$ref"] == "#/components/schemas/AttachmentInputRequest"
    assert schema["components"]["schemas"]["AttachmentInputRequest"]["properties"]["file"] == {
        "type": "string",
        "format": "binary",
    }
    assert {"201", "400", "404", "413"} <= set(upload["responses"])
    download = schema["paths"]["/api/attachments/{attachment_id}/file"]["get"]["responses"]
    assert download["200"]["content"]["application/octet-stream"]["schema"]["format"] == "binary"
    assert "404" in download
    send = schema["components"]["schemas"]["SendInputRequest"]["properties"]
    assert send["attachment_id"]["type"] == "integer"


def test_schema_is_served_as_yaml_by_default(anon_client):
    response = anon_client.get("/api/schema/")
    assert response.status_code == HTTPStatus.OK
    assert response.content.startswith(b"openapi: 3.")


def test_docs_page_uses_only_local_assets(anon_client):
    response = anon_client.get("/api/docs/")
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/static/") or asset.startswith("/api/"), asset
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html
    assert any(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets)


def test_docs_assets_are_served(anon_client):
    html = anon_client.get("/api/docs/").content.decode()
    scripts = re.findall(r"""src\s*=\s*["']([^"']+)["']""", html)
    assert len(scripts) >= 3
    for script in scripts:
        response = anon_client.get(script)
        assert response.status_code == HTTPStatus.OK, script
