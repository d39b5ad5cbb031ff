"""WebSocket routes. The consumer at /ws/messages/ arrives with the real-time work."""

websocket_urlpatterns: list = []
