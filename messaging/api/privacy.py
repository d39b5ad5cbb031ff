"""REST doors for privacy settings and message requests: parse, one call, respond."""

from drf_spectacular.utils import extend_schema

from .. import selectors, services
from ..payloads import conversation_summary_payload
from . import serializers as io
from .envelope import enveloped, ok, ok_list
from .views import ERRORS, MemberApiView, parse


class PrivacySettingsApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.PrivacySettingsOutput)})
    def get(self, request):
        return ok(selectors.privacy_settings(request.user), "Privacy settings.")

    @extend_schema(
        request=io.PrivacySettingsInput,
        responses={200: enveloped(io.PrivacySettingsOutput), **ERRORS},
    )
    def put(self, request):
        data = parse(io.PrivacySettingsInput, request.data)
        updated = services.update_privacy_settings(user=request.user, **data)
        return ok(updated, "Privacy settings saved.")


class MessageRequestsApi(MemberApiView):
    @extend_schema(
        parameters=[io.PageParams],
        responses={200: enveloped(io.ConversationSummaryOutput, many=True), **ERRORS},
    )
    def get(self, request):
        params = parse(io.PageParams, request.query_params)
        summaries, total = selectors.list_conversations(
            user=request.user, limit=params["limit"], offset=params["offset"], requests=True
        )
        payload = [conversation_summary_payload(summary) for summary in summaries]
        return ok_list(payload, total, "Message requests retrieved.")


class MessageRequestAcceptApi(MemberApiView):
    @extend_schema(request=None, responses={200: enveloped(), **ERRORS})
    def post(self, request, conversation_id: str):
        services.accept_request(user=request.user, conversation_id=conversation_id)
        return ok(None, "Message request accepted.")
