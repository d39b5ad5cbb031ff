"""The socket door: one connection per tab or device, in the member's group.

Server events arrive from the channel layer and go to the client unchanged; each
handler is named after its event type (`message.new` -> `message_new`). Client
messages go through the same service functions as the REST API, and a service's
MessagingError becomes an `error` event. No rule of the product lives here.
"""

import asyncio
import json
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from .. import events, services
from ..exceptions import InvalidInput, MessagingError, SuspendedError
from .auth import FORBIDDEN, UNAUTHENTICATED

# Client messages are a few dozen bytes; anything this long is not ours.
MAX_FRAME_CHARS = 4096
CLOSE_TOO_BIG = 1009
# Each client message costs a database call. A client marks a screenful of messages read
# or types a few times a second at most; far more than that is a runaway or an abuser.
MAX_FRAMES_PER_WINDOW = 100
FRAME_WINDOW_SECONDS = 10
CLOSE_POLICY = 1008

open_socket = database_sync_to_async(services.open_socket)
close_socket = database_sync_to_async(services.close_socket)
record_heartbeat = database_sync_to_async(services.record_heartbeat)
record_typing = database_sync_to_async(services.record_typing)
record_conversation_typing = database_sync_to_async(services.record_conversation_typing)
mark_read = database_sync_to_async(services.mark_read)


# Who is typing, and in which group (None: to this member directly).
TypingKey = tuple[str, int | None]


def _typing_stopped(key: TypingKey) -> dict:
    user_id, group_id = key
    event: dict = {"type": "typing", "user_id": user_id, "is_typing": False}
    if group_id is not None:
        event["conversation_id"] = group_id
    return event


# Client messages are flat objects; a few levels leave room without letting a frame of
# nested brackets drive the JSON decoder into a RecursionError.
MAX_NESTING = 8


def _nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (brackets in strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_client_frame(text: str) -> dict:
    if _nesting_depth(text) > MAX_NESTING:
        raise InvalidInput("Messages must be flat JSON objects.")
    try:
        content = json.loads(text)
    except ValueError:
        content = None
    if not isinstance(content, dict):
        raise InvalidInput("Messages must be JSON objects.")
    return content


def _message_id(content: dict) -> int:
    value = content.get("message_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput.for_field("message_id", "A message id (a number) is required.")
    return value


class MessagingConsumer(AsyncJsonWebsocketConsumer):
    user = None
    session_group = None
    # Set once the close is sent: several reasons to close can meet (a flood, a token
    # expiring, a suspension), and the server refuses a second close or a later send.
    closed = False

    async def connect(self):
        self.typing_expiries: dict[TypingKey, asyncio.Task] = {}
        self.window_started, self.frames_in_window = time.monotonic(), 0
        self.token_expiry: asyncio.Task | None = None
        # Accept first: only an open socket can carry a close code the client can read.
        await self.accept()
        user = self.scope.get("user")
        if self.scope.get("rejection"):
            return await self.close(code=self.scope["rejection"])
        if user is None or not user.is_authenticated:
            return await self.close(code=UNAUTHENTICATED)
        self.group = events.user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        try:
            await open_socket(user=user)
        except SuspendedError:
            await self.channel_layer.group_discard(self.group, self.channel_name)
            return await self.close(code=FORBIDDEN)
        self.user = user
        expires_at = self.scope.get("token_expires_at")
        if expires_at:
            self.token_expiry = asyncio.create_task(self._close_when_token_expires(expires_at))
        elif session_key := getattr(self.scope.get("session"), "session_key", None):
            # A browser socket lives only as long as the session that opened it: logging
            # out (services.end_browser_session) closes it on whichever process holds it.
            self.session_group = events.session_group(session_key)
            await self.channel_layer.group_add(self.session_group, self.channel_name)

    async def disconnect(self, code):
        for task in [*self.typing_expiries.values(), self.token_expiry]:
            if task is not None:
                task.cancel()
        if self.user is not None:
            user, self.user = self.user, None
            try:
                await close_socket(user=user)
            finally:
                await self.channel_layer.group_discard(self.group, self.channel_name)
                if self.session_group:
                    await self.channel_layer.group_discard(self.session_group, self.channel_name)

    async def close(self, code=None, reason=None):
        if self.closed:
            return
        self.closed = True
        await super().close(code=code, reason=reason)

    async def send(self, text_data=None, bytes_data=None, close=False):
        if not self.closed:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    # --- client -> server ---------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.user is None or self.closed:
            return
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            return await self.close(code=CLOSE_TOO_BIG if text_data else 1003)
        if self._too_many_frames():
            return await self.close(code=CLOSE_POLICY)
        try:
            content = parse_client_frame(text_data)
        except InvalidInput as error:
            return await self._error(error.message)
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        try:
            if kind == "ping":
                await record_heartbeat(user=self.user, active=not content.get("idle"))
                await self.send_json({"type": "pong"})
            elif kind == "typing" and "conversation_id" in content:
                await record_conversation_typing(
                    user=self.user, conversation_id=content.get("conversation_id")
                )
            elif kind == "typing":
                await record_typing(user=self.user, to_user_id=content.get("to_user_id"))
            elif kind == "read":
                await mark_read(reader=self.user, message_id=_message_id(content))
            else:
                await self._error("Unknown message type; expected typing, read or ping.")
        except MessagingError as error:
            await self._error(error.message)

    def _too_many_frames(self) -> bool:
        now = time.monotonic()
        if now - self.window_started >= FRAME_WINDOW_SECONDS:
            self.window_started, self.frames_in_window = now, 0
        self.frames_in_window += 1
        return self.frames_in_window > MAX_FRAMES_PER_WINDOW

    async def _error(self, message: str):
        await self.send_json({"type": "error", "message": message})

    # --- server -> client: one handler per event type --------------------------------------

    async def message_new(self, event):
        await self.send_json(event)
        # The typist's message has arrived: their typing indicator ends with it.
        message = event["message"]
        group_id = message["conversation_id"] if message["recipient_id"] is None else None
        key = (message["sender_id"], group_id)
        if self._cancel_typing_expiry(key):
            await self.send_json(_typing_stopped(key))

    async def message_read(self, event):
        await self.send_json(event)

    async def message_hidden(self, event):
        await self.send_json(event)

    async def message_edited(self, event):
        await self.send_json(event)

    async def message_deleted(self, event):
        await self.send_json(event)

    async def reaction(self, event):
        await self.send_json(event)

    async def conversation_deleted(self, event):
        await self.send_json(event)

    async def conversation_updated(self, event):
        await self.send_json(event)

    async def presence(self, event):
        await self.send_json(event)

    async def typing(self, event):
        """Typing expires by itself: unless the typist types again, the client is told
        `is_typing: false` after TYPING_SECONDS, on whichever process it is connected to."""
        key = (event["user_id"], event.get("conversation_id"))
        self._cancel_typing_expiry(key)
        if event["is_typing"]:
            self.typing_expiries[key] = asyncio.create_task(self._expire_typing(key))
        await self.send_json(event)

    async def member_suspended(self, event):
        await self.close(code=FORBIDDEN)

    async def session_ended(self, event):
        await self.close(code=UNAUTHENTICATED)

    # --- timers ---------------------------------------------------------------------------

    def _cancel_typing_expiry(self, key: TypingKey) -> bool:
        task = self.typing_expiries.pop(key, None)
        if task is None:
            return False
        task.cancel()
        return True

    async def _expire_typing(self, key: TypingKey):
        await asyncio.sleep(settings.MESSAGING["TYPING_SECONDS"])
        self.typing_expiries.pop(key, None)
        await self.send_json(_typing_stopped(key))

    async def _close_when_token_expires(self, expires_at: float):
        await asyncio.sleep(max(0.0, expires_at - time.time()))
        await self.close(code=UNAUTHENTICATED)
