"""Completes the OpenAPI document with the answers every operation can give,
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


# What the input serializers enforce, in the schema's own terms, so that a client (and
# the schema-driven tests) knows it: no NUL in any text, text that is required is not
# blank once trimmed (Python's idea of blank, spelt out so every regex engine agrees),
# and no body field beyond those listed.
def _blank_class() -> str:
    """NUL and every character str.strip() removes, as regex class ranges."""
    runs: list[list[int]] = []
    for code in range(0x10000):
        if code and not chr(code).isspace():
            continue
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(
        f"\\u{first:04x}" + (f"-\\u{last:04x}" if last > first else "") for first, last in runs
    )


_BLANK = _blank_class()
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = f"^[^\\u0000]*[^{_BLANK}][^\\u0000]*$"
EXCLUSIVE_ANCHORS = ("before", "after", "around")


def _text_rules(schema: dict) -> None:
    if schema.get("type") != "string" or "format" in schema or "enum" in schema:
        return
    schema["pattern"] = NOT_BLANK if schema.get("minLength", 0) >= 1 else NO_NUL


def document_input_rules(result, generator, request, public):
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request") or component.get("type") != "object":
            continue
        component["additionalProperties"] = False
        component["description"] = "Fields not listed here are refused (400)."
        for prop in component.get("properties", {}).values():
            _text_rules(prop)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            names = {parameter["name"] for parameter in operation.get("parameters", [])}
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    _text_rules(parameter.get("schema", {}))
                    parameter["description"] = " ".join(
                        filter(None, [parameter.get("description"), "Give it at most once."])
                    )
                if parameter["name"] in EXCLUSIVE_ANCHORS and names >= set(EXCLUSIVE_ANCHORS):
                    parameter["description"] += (
                        " At most one of before, after and around (400 otherwise)."
                    )
    return result
