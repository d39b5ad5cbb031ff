"""A push service for the tests: a real HTTP server on a loopback port that records each
push (path, headers, encrypted body) and answers with the status a test chose for that
path, and a browser's side of a subscription (a P-256 key pair and an auth secret, made
as a browser makes them) that decrypts what it received."""

from __future__ import annotations

import base64
import json
import os
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from py_vapid.utils import b64urlencode

from messaging.models import PushSubscription


@dataclass
class Push:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    url: str
    received: list[Push] = field(default_factory=list)
    # A status per path (default 201 Created, as push services answer).
    answers: dict[str, int] = field(default_factory=dict)

    def to(self, path: str) -> list[Push]:
        return [push for push in self.received if push.path == path]


def start_push_service() -> tuple[PushService, ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    service = PushService(url=f"http://127.0.0.1:{server.server_address[1]}")
    server.service = service  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return service, server


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        service: PushService = self.server.service
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        service.received.append(Push(self.path, headers, body))
        status = service.answers.get(self.path, 201)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class BrowserKeys:
    """What a browser keeps for a subscription, and the public half it sends us."""

    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @classmethod
    def generate(cls) -> BrowserKeys:
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, push: Push) -> dict:
        plain = http_ece.decrypt(
            push.body,
            private_key=self.private_key,
            auth_secret=self.auth_secret,
            version="aes128gcm",
        )
        return json.loads(plain)


def subscribe(user, service: PushService, name: str, keys: BrowserKeys) -> PushSubscription:
    """A subscription pointing at the local (plain http) push service; the API accepts
    only https endpoints, so the tests save it directly."""
    from messaging.services.push import endpoint_hash

    endpoint = f"{service.url}/push/{name}"
    return PushSubscription.objects.create(
        user=user,
        endpoint=endpoint,
        endpoint_hash=endpoint_hash(endpoint),
        p256dh=keys.p256dh,
        auth=keys.auth,
    )


def vapid_pair() -> tuple[str, str]:
    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return b64urlencode(public), b64urlencode(private)
