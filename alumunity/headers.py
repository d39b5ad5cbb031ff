"""Headers every dynamic response carries: `Cache-Control: no-store` (inboxes, messages
and tokens must not stay in a shared computer's cache or a proxy) and a
`Permissions-Policy` that turns off browser features the site never uses. Static files
keep whitenoise's long caching: they pass through here with their own Cache-Control."""

from django.conf import settings


class ResponseHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.static_url = settings.STATIC_URL
        self.permissions_policy = settings.PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and not request.path.startswith(self.static_url):
            response["Cache-Control"] = "no-store"
        response.setdefault("Permissions-Policy", self.permissions_policy)
        return response
