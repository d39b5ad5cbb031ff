"""ASGI entry point: HTTP through Django, WebSocket through Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alumunity.settings")

# Django must be set up before anything imports models.
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from alumunity.middleware import AsgiBodySizeLimit, AsgiConcurrencyLimit  # noqa: E402
from messaging.realtime.auth import socket_auth_stack  # noqa: E402
from messaging.realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        # The 1 MB body limit, also for chunked uploads, then at most
        # MAX_CONCURRENT_REQUESTS requests (and database connections) at once.
        "http": AsgiBodySizeLimit(AsgiConcurrencyLimit(django_http)),
        "websocket": socket_auth_stack(URLRouter(websocket_urlpatterns)),
    }
)
