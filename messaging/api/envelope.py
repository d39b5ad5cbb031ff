"""The success envelope ({"success": true, "data", "message"}, lists with "total"), and
its description for the OpenAPI schema."""

from functools import cache

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response


def ok(data, message: str, *, status_code: int = status.HTTP_200_OK) -> Response:
    return Response({"success": True, "data": data, "message": message}, status=status_code)


def ok_list(items: list, total: int, message: str) -> Response:
    return Response({"success": True, "data": items, "total": total, "message": message})


@cache
def enveloped(data_serializer=None, *, many: bool = False, capped_total: bool = False):
    """An OpenAPI component for `{"success", "data", "message"[, "total"]}`; with
    `capped_total`, also the `total_is_lower_bound` a capped count adds."""
    name = data_serializer.__name__.removesuffix("Output") if data_serializer else "Empty"
    fields = {
        "success": serializers.BooleanField(),
        "message": serializers.CharField(),
        "data": data_serializer(many=many)
        if data_serializer
        else serializers.JSONField(allow_null=True),
    }
    if many:
        fields["total"] = serializers.IntegerField()
    if capped_total:
        fields["total_is_lower_bound"] = serializers.BooleanField(
            required=False,
            help_text="Present (true) only when counting stopped: `total` is then a lower bound.",
        )
    return inline_serializer(f"{name}{'List' if many else ''}Envelope", fields=fields)


ERROR_ENVELOPE = inline_serializer(
    "ErrorEnvelope",
    fields={
        "success": serializers.BooleanField(default=False),
        "data": serializers.JSONField(allow_null=True),
        "message": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
        "request_id": serializers.CharField(),
    },
)
