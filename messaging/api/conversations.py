"""REST doors for conversations by id, direct or group: parse, one call, respond."""

from drf_spectacular.utils import extend_schema
from rest_framework import status

from alumunity.ratelimit import SendThrottle

from .. import selectors, services
from ..payloads import conversation_payload, message_payload, message_payloads
from . import serializers as io
from .envelope import enveloped, ok, ok_list
from .views import ERRORS, MemberApiView, parse


def _conversation(request, conversation_id) -> dict:
    view = selectors.conversation_view(user=request.user, conversation_id=conversation_id)
    return conversation_payload(view.conversation, view.members, view.participant)


class ConversationsApi(MemberApiView):
    @extend_schema(
        request=io.GroupInput, responses={201: enveloped(io.ConversationOutput), **ERRORS}
    )
    def post(self, request):
        data = parse(io.GroupInput, request.data)
        conversation = services.create_group(
            creator=request.user, member_ids=data["member_ids"], title=data["title"]
        )
        return ok(
            _conversation(request, conversation.pk),
            "Group created.",
            status_code=status.HTTP_201_CREATED,
        )


class ConversationApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.ConversationOutput), **ERRORS})
    def get(self, request, conversation_id: str):
        return ok(_conversation(request, conversation_id), "Conversation retrieved.")

    @extend_schema(
        request=io.RenameInput, responses={200: enveloped(io.ConversationOutput), **ERRORS}
    )
    def patch(self, request, conversation_id: str):
        data = parse(io.RenameInput, request.data)
        services.rename_group(
            user=request.user, conversation_id=conversation_id, title=data["title"]
        )
        return ok(_conversation(request, conversation_id), "Group renamed.")


class MembersApi(MemberApiView):
    @extend_schema(
        request=io.AddMembersInput, responses={200: enveloped(io.ConversationOutput), **ERRORS}
    )
    def post(self, request, conversation_id: str):
        data = parse(io.AddMembersInput, request.data)
        services.add_members(
            user=request.user, conversation_id=conversation_id, user_ids=data["user_ids"]
        )
        return ok(_conversation(request, conversation_id), "Members added.")


class MemberApi(MemberApiView):
    @extend_schema(request=None, responses={200: enveloped(), **ERRORS})
    def delete(self, request, conversation_id: str, user_id: str):
        services.remove_member(
            user=request.user, conversation_id=conversation_id, member_id=user_id
        )
        leaving = user_id == str(request.user.pk)
        return ok(None, "You left the group." if leaving else "Member removed.")


class ConversationMessagesApi(MemberApiView):
    def get_throttles(self):
        return [SendThrottle()] if self.request.method == "POST" else super().get_throttles()

    @extend_schema(
        parameters=[io.HistoryParams],
        responses={200: enveloped(io.MessageOutput, many=True), **ERRORS},
    )
    def get(self, request, conversation_id: str):
        params = parse(io.HistoryParams, request.query_params)
        page = services.open_conversation_by_id_rows(
            reader=request.user, conversation_id=conversation_id, **params
        )
        assert page.conversation is not None
        messages = message_payloads(page.messages, viewer_id=request.user.pk)
        if page.conversation.is_group:
            positions = selectors.read_positions(page.conversation, viewer=request.user)
            seen = selectors.seen_counts(page.messages, positions)
            for payload, count in zip(messages, seen, strict=True):
                payload["seen_by"] = count
        return ok_list(messages, page.total, "Messages retrieved.")

    @extend_schema(
        request=io.ConversationSendInput,
        responses={201: enveloped(io.MessageOutput), 200: enveloped(io.MessageOutput), **ERRORS},
    )
    def post(self, request, conversation_id: str):
        data = parse(io.ConversationSendInput, request.data)
        result = services.send_to_conversation(
            sender=request.user,
            conversation_id=conversation_id,
            text=data.get("message_text"),
            attachment_url=data.get("attachment_url"),
            attachment_type=data.get("attachment_type"),
            client_message_id=data.get("client_message_id"),
            attachment_id=data.get("attachment_id"),
        )
        payload = message_payload(result.message, viewer_id=request.user.pk)
        if result.created:
            return ok(payload, "Message sent.", status_code=status.HTTP_201_CREATED)
        return ok(payload, "Message already sent.")


class ReadApi(MemberApiView):
    @extend_schema(request=io.ReadInput, responses={200: enveloped(), **ERRORS})
    def put(self, request, conversation_id: str):
        data = parse(io.ReadInput, request.data)
        services.read_conversation(
            reader=request.user,
            conversation_id=conversation_id,
            up_to_message_id=data.get("up_to_message_id"),
        )
        return ok(None, "Marked as read.")


class MuteApi(MemberApiView):
    @extend_schema(request=io.MuteInput, responses={200: enveloped(), **ERRORS})
    def put(self, request, conversation_id: str):
        data = parse(io.MuteInput, request.data)
        participant = services.set_muted(
            user=request.user, conversation_id=conversation_id, muted=data["muted"]
        )
        return ok({"muted": participant.muted}, "Muted." if participant.muted else "Unmuted.")
