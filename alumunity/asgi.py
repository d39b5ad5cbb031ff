"""ASGI entry point: HTTP through Django, WebSocket through Channels."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")

# Django must be set up before anything imports models.
django_http = get_wsgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from alumunity.middleware import AsgiBodySizeLimit, AsgiConcurrencyLimit  # noqa: E402
from alumunity.wsgi_bridge import WsgiOverAsgi  # noqa: E402
from messaging.realtime.auth import socket_auth_stack  # noqa: E402
from messaging.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The 1 MB body limit, also for chunked uploads, then at most
        # MAX_CONCURRENT_REQUESTS requests (and database connections) at once, each run
        # whole by Django's WSGI handler in one of as many threads that keep their
        # connection (alumunity/wsgi_bridge.py says why).
        "http": AsgiBodySizeLimit(
            AsgiConcurrencyLimit(
                WsgiOverAsgi(django_http, threads=settings.MAX_CONCURRENT_REQUESTS)
            )
        ),
        "websocket": socket_auth_stack(URLRouter(websocket_urlpatterns)),
    }
)
