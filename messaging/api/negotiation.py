"""Content negotiation: DRF's, answered without parsing for a client that takes anything."""

from rest_framework.negotiation import DefaultContentNegotiation


def _plain(media_type: str) -> bool:
    """A media type with no parameters and no wildcard: `*/*` matches it, and DRF then
    answers with it exactly as the renderer spells it."""
    return ";" not in media_type and "*" not in media_type


class Negotiation(DefaultContentNegotiation):
    """DRF's DefaultContentNegotiation. A request that accepts anything (no Accept header,
    or exactly `*/*`) and asks for no format (no suffix, no `?format=`) gets the first
    renderer and its media type, DRF's own answer for it, without the header and query
    string being parsed on every request; every other request is negotiated by DRF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            renderers
            and not format_suffix
            and _plain(renderers[0].media_type)
            and request.META.get("HTTP_ACCEPT", "*/*") == "*/*"
            and not self._format_asked(request)
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)

    def _format_asked(self, request) -> bool:
        if not request.META.get("QUERY_STRING"):
            return False
        return bool(request.query_params.get(self.settings.URL_FORMAT_OVERRIDE))
