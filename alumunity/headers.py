"""Headers every dynamic response carries: `Cache-Control: no-store` (inboxes, messages
and tokens must not stay in a shared computer's cache or a proxy) and a
`Permissions-Policy` that turns off browser features the site never uses. Static files
keep whitenoise's long caching: they pass through here with their own Cache-Control."""

from django.conf import settings
from django.utils.deprecation import MiddlewareMixin


class ResponseHeadersMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        if "Cache-Control" not in response and not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
