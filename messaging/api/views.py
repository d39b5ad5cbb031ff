"""REST doors: parse, one service or selector call, respond."""

import threading

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenBlacklistSerializer
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from alumunity.ratelimit import (
    EmailLookupThrottle,
    LoginThrottle,
    RegisterThrottle,
    SendThrottle,
)
from alumunity.users.services import register_member

from .. import selectors, services
from ..payloads import (
    conversation_status_payload,
    conversation_summary_payload,
    iso,
    member_payload,
    message_payload,
    message_payloads,
    own_account_payload,
    search_result_payloads,
)
from . import serializers as io
from .envelope import ERROR_ENVELOPE, enveloped, ok, ok_list
from .schema_hooks import MemberJWTScheme  # noqa: F401 (registers the scheme for the schema)

ERRORS = {400: ERROR_ENVELOPE, 403: ERROR_ENVELOPE, 404: ERROR_ENVELOPE, 429: ERROR_ENVELOPE}


def parse(serializer_class, data) -> dict:
    """The request's parameters or body, validated by `serializer_class` (a 400 with the
    `errors` map otherwise). Each thread keeps one instance of each input serializer and
    gives it the next request's data: its fields are built and bound once, where a new
    instance copied and bound them on every request (half of a request's parsing).
    Nothing of one parse is left for the next: an input serializer keeps its state in
    the attributes reset here, and is never given a context."""
    serializers = _serializers.__dict__
    serializer = serializers.get(serializer_class)
    if serializer is None:
        serializer = serializers[serializer_class] = serializer_class(data=data)
    else:
        for state in _PARSE_STATE:
            serializer.__dict__.pop(state, None)
        serializer.initial_data = data
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


_serializers = threading.local()
# What Serializer.is_valid() and .data leave on an instance.
_PARSE_STATE = ("_validated_data", "_errors", "_data")


class MemberApiView(APIView):
    """Base for member endpoints: authenticated, and each request counts as activity
    for presence (written at most every few seconds per member)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.user and request.user.is_authenticated:
            services.record_activity(user=request.user)


# --- accounts -------------------------------------------------------------------------


class RegisterApi(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = (RegisterThrottle,)

    @extend_schema(
        request=io.RegisterInput, responses={201: enveloped(io.RegisterOutput), **ERRORS}
    )
    def post(self, request):
        data = parse(io.RegisterInput, request.data)
        user = register_member(email=data["email"], name=data["name"], password=data["password"])
        refresh = RefreshToken.for_user(user)
        payload = {
            "user": own_account_payload(user),
            "access": str(refresh.access_token),
            "refresh": str(refresh),
        }
        return ok(payload, "Account created.", status_code=status.HTTP_201_CREATED)


class TokenObtainApi(TokenObtainPairView):
    authentication_classes = ()
    throttle_classes = (LoginThrottle,)


class TokenRefreshApi(TokenRefreshView):
    authentication_classes = ()


class LogoutApi(APIView):
    """Blacklists the refresh token given; holding it is proof enough, so an expired
    access token does not stop a member from logging out."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    def get_authenticate_header(self, request):
        # Without it DRF turns a bad refresh's 401 into a 403 (no authenticator to name).
        return 'Bearer realm="api"'

    @extend_schema(request=io.LogoutInput, responses={200: enveloped(), **ERRORS})
    def post(self, request):
        data = parse(io.LogoutInput, request.data)
        try:
            TokenBlacklistSerializer(data={"refresh": data["refresh"]}).is_valid(
                raise_exception=True
            )
        except TokenError as exc:
            # A garbage, expired or already blacklisted refresh is a bad credential: 401.
            raise InvalidToken(exc.args[0]) from exc
        return ok(None, "Logged out.")


class MeApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.AccountOutput)})
    def get(self, request):
        return ok(own_account_payload(request.user), "Your account.")


class MemberSearchApi(MemberApiView):
    throttle_classes = (EmailLookupThrottle,)

    @extend_schema(
        parameters=[io.MemberSearchParams],
        responses={200: enveloped(io.MemberOutput, many=True), **ERRORS},
    )
    def get(self, request):
        params = parse(io.MemberSearchParams, request.query_params)
        members, total = selectors.search_members(
            user=request.user, query=params["q"], limit=params["limit"]
        )
        return ok_list([member_payload(member) for member in members], total, "Members found.")


# --- messages -------------------------------------------------------------------------


class MessageSendApi(MemberApiView):
    throttle_classes = (SendThrottle,)

    @extend_schema(
        request=io.SendInput,
        responses={201: enveloped(io.MessageOutput), 200: enveloped(io.MessageOutput), **ERRORS},
    )
    def post(self, request):
        data = parse(io.SendInput, request.data)
        result = services.send_message(
            sender=request.user,
            recipient_id=data["recipient_id"],
            text=data.get("message_text"),
            attachment_url=data.get("attachment_url"),
            attachment_type=data.get("attachment_type"),
            client_message_id=data.get("client_message_id"),
            attachment_id=data.get("attachment_id"),
        )
        if result.created:
            return ok(
                message_payload(result.message, viewer_id=request.user.pk),
                "Message sent.",
                status_code=status.HTTP_201_CREATED,
            )
        return ok(
            message_payload(result.message, viewer_id=request.user.pk), "Message already sent."
        )


class InboxApi(MemberApiView):
    @extend_schema(
        parameters=[io.PageParams],
        responses={200: enveloped(io.ConversationSummaryOutput, many=True), **ERRORS},
    )
    def get(self, request):
        params = parse(io.PageParams, request.query_params)
        summaries, total = selectors.list_conversations(
            user=request.user, limit=params["limit"], offset=params["offset"]
        )
        payload = [conversation_summary_payload(summary) for summary in summaries]
        return ok_list(payload, total, "Conversations retrieved.")


class ConversationApi(MemberApiView):
    """GET takes the other member's id; DELETE takes the conversation's id."""

    @extend_schema(
        parameters=[
            io.HistoryParams,
            OpenApiParameter(
                "key", str, OpenApiParameter.PATH, description="The other member's id"
            ),
        ],
        responses={200: enveloped(io.MessageOutput, many=True), **ERRORS},
    )
    def get(self, request, key: str):
        params = parse(io.HistoryParams, request.query_params)
        page = services.open_conversation_rows(reader=request.user, other_user_id=key, **params)
        return ok_list(
            message_payloads(page.messages, viewer_id=request.user.pk),
            page.total,
            "Messages retrieved.",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("key", int, OpenApiParameter.PATH, description="The conversation's id")
        ],
        responses={200: enveloped(), **ERRORS},
    )
    def delete(self, request, key: str):
        services.delete_conversation(user=request.user, conversation_id=key)
        return ok(None, "Conversation deleted for you.")


class MarkReadApi(MemberApiView):
    @extend_schema(request=None, responses={200: enveloped(io.MessageOutput), **ERRORS})
    def put(self, request, message_id: int):
        message = services.mark_read(reader=request.user, message_id=message_id)
        return ok(message_payload(message, viewer_id=request.user.pk), "Message marked as read.")


class UnreadCountApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.UnreadCountOutput)})
    def get(self, request):
        return ok(
            {"unread_count": selectors.unread_total(user=request.user)}, "Unread count retrieved."
        )


class MessageSearchApi(MemberApiView):
    @extend_schema(
        parameters=[io.SearchParams],
        responses={200: enveloped(io.SearchResultOutput, many=True, capped_total=True), **ERRORS},
    )
    def get(self, request):
        params = parse(io.SearchParams, request.query_params)
        found = selectors.search_messages_page(
            user=request.user, query=params["q"], limit=params["limit"]
        )
        payload = search_result_payloads(found.results, viewer_id=request.user.pk)
        response = ok_list(payload, found.total, "Search results.")
        if found.total_is_lower_bound:
            # Past SEARCH_TOTAL_CAP matches the total is a lower bound (SPEC §3); the
            # field is there only then, so an exact answer keeps the list envelope.
            response.data["total_is_lower_bound"] = True
        return response


class BlockApi(MemberApiView):
    @extend_schema(request=io.BlockInput, responses={200: enveloped(io.MemberOutput), **ERRORS})
    def post(self, request):
        data = parse(io.BlockInput, request.data)
        block = services.block_user(blocker=request.user, blocked_user_id=data["blocked_user_id"])
        return ok(member_payload(block.blocked), "Member blocked.")


class UnblockApi(MemberApiView):
    @extend_schema(responses={200: enveloped(), **ERRORS})
    def delete(self, request, user_id: str):
        services.unblock_user(blocker=request.user, blocked_user_id=user_id)
        return ok(None, "Member unblocked.")


class BlockedUsersApi(MemberApiView):
    @extend_schema(
        parameters=[io.PageParams],
        responses={200: enveloped(io.MemberOutput, many=True), **ERRORS},
    )
    def get(self, request):
        params = parse(io.PageParams, request.query_params)
        blocked = selectors.list_blocked_users(user=request.user, **params)
        total = selectors.count_blocked_users(user=request.user)
        return ok_list([member_payload(member) for member in blocked], total, "Blocked members.")


class ReportApi(MemberApiView):
    @extend_schema(
        request=io.ReportInput,
        responses={201: enveloped(io.ReportOutput), 409: ERROR_ENVELOPE, **ERRORS},
    )
    def post(self, request):
        data = parse(io.ReportInput, request.data)
        report = services.report_message(
            reporter=request.user, message_id=data["message_id"], reason=data["reason"]
        )
        payload = {
            "id": report.pk,
            "message_id": report.message_id,
            "status": report.status,
            "created_at": iso(report.created_at),
        }
        return ok(payload, "Report sent to the moderators.", status_code=status.HTTP_201_CREATED)


class TypingApi(MemberApiView):
    @extend_schema(request=None, responses={200: enveloped(), **ERRORS})
    def post(self, request, user_id: str):
        services.record_typing(user=request.user, to_user_id=user_id)
        return ok(None, "Typing recorded.")


class ConversationStatusApi(MemberApiView):
    @extend_schema(responses={200: enveloped(io.ConversationStatusOutput), **ERRORS})
    def get(self, request, user_id: str):
        status = selectors.conversation_status(user=request.user, other_user_id=user_id)
        return ok(conversation_status_payload(status), "Status retrieved.")


class PresenceApi(MemberApiView):
    @extend_schema(request=io.PresenceInput, responses={200: enveloped(), **ERRORS})
    def put(self, request):
        data = parse(io.PresenceInput, request.data)
        services.set_presence_mode(user=request.user, mode=data["status"])
        return ok({"status": data["status"]}, "Presence updated.")
