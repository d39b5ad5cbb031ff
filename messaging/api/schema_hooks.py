"""Completes the OpenAPI document with the answers every operation can give (SPEC §3.1),
so clients and the schema-driven tests know them: 401 `{"detail"}` for missing or bad
credentials, and the error envelope for 400, 413 (bodies), 429 (logins) and 503."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class MemberJWTScheme(SimpleJWTScheme):
    """Documents the project's JWTAuthentication (simplejwt's, stricter) as simplejwt's."""

    target_class = "alumunity.users.tokens.JWTAuthentication"


UNAUTHORIZED = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def _error(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_common_errors(result, generator, request, public):
    envelope = {"$ref": "#/components/schemas/ErrorEnvelope"}
    if "ErrorEnvelope" not in result.get("components", {}).get("schemas", {}):
        return result
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/") or path.startswith("/api/schema"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _error("Invalid input", envelope))
            responses.setdefault("401", _error("Missing or invalid credentials", UNAUTHORIZED))
            responses.setdefault("503", _error("Database unavailable", envelope))
            if "requestBody" in operation:
                responses.setdefault("413", _error("Body larger than 1 MB", envelope))
            if path == "/api/auth/token/" and method == "post":
                responses.setdefault("429", _error("Too many attempts", envelope))
    return result
