"""REST doors for editing, delete for everyone and reactions (SPEC §9.3): parse, one
call, respond."""

from drf_spectacular.utils import OpenApiParameter, extend_schema

from alumunity.ratelimit import SendThrottle

from .. import selectors, services
from ..payloads import message_payload, revision_payload
from . import serializers as io
from .envelope import enveloped, ok, ok_list
from .views import ERRORS, MemberApiView, parse

EMOJI = OpenApiParameter(
    "emoji", str, OpenApiParameter.PATH, description="One emoji, URL-encoded (%F0%9F%91%8D)"
)


class MessageApi(MemberApiView):
    def get_throttles(self):
        # An edit reaches every member as a send does, so it counts as one (SEND_RATE).
        return [SendThrottle()] if self.request.method == "PATCH" else super().get_throttles()

    @extend_schema(request=io.EditInput, responses={200: enveloped(io.MessageOutput), **ERRORS})
    def patch(self, request, message_id: int):
        data = parse(io.EditInput, request.data)
        message = services.edit_message(
            editor=request.user, message_id=message_id, text=data["message_text"]
        )
        return ok(message_payload(message, viewer_id=request.user.pk), "Message edited.")

    @extend_schema(request=None, responses={200: enveloped(io.MessageOutput), **ERRORS})
    def delete(self, request, message_id: int):
        message = services.delete_message(deleter=request.user, message_id=message_id)
        return ok(message_payload(message, viewer_id=request.user.pk), "Message deleted.")


class MessageHistoryApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.RevisionOutput, many=True), **ERRORS})
    def get(self, request, message_id: int):
        _message, revisions = selectors.message_history(user=request.user, message_id=message_id)
        payload = [revision_payload(revision) for revision in revisions]
        return ok_list(payload, len(payload), "Earlier versions retrieved.")


class ReactionApi(MemberApiView):
    def get_throttles(self):
        return [SendThrottle()] if self.request.method == "PUT" else super().get_throttles()

    @extend_schema(
        parameters=[EMOJI], request=None, responses={200: enveloped(io.MessageOutput), **ERRORS}
    )
    def put(self, request, message_id: int, emoji: str):
        message = services.add_reaction(user=request.user, message_id=message_id, emoji=emoji)
        return ok(message_payload(message, viewer_id=request.user.pk), "Reaction added.")

    @extend_schema(
        parameters=[EMOJI], request=None, responses={200: enveloped(io.MessageOutput), **ERRORS}
    )
    def delete(self, request, message_id: int, emoji: str):
        message = services.remove_reaction(user=request.user, message_id=message_id, emoji=emoji)
        return ok(message_payload(message, viewer_id=request.user.pk), "Reaction removed.")
