"""WebSocket routes."""

from django.urls import path

from .consumer import MessagingConsumer

websocket_urlpatterns = [
    path("ws/messages/", MessagingConsumer.as_asgi()),
]
