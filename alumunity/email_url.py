"""EMAIL_URL → Django's email settings, so one variable configures the mail server.

    console://                      the console backend (printed to standard output)
    smtp://user:pass@host:25        SMTP, plain (a local relay)
    smtp://user:pass@host:587?tls=1 SMTP with STARTTLS (also: submission://host:587)
    smtps://user:pass@host:465      SMTP over TLS
    locmem:// / dummy://            Django's test and no-op backends

User and password are percent-decoded; `timeout=` sets the socket timeout (seconds,
default 10). Anything else is an error at start-up, not a silent default."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
}
_TRUE = {"1", "true", "yes", "on"}


def email_settings(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _BACKENDS:
        raise ImproperlyConfigured(
            f"EMAIL_URL: unknown scheme {scheme!r} (use one of {', '.join(sorted(_BACKENDS))})."
        )
    config: dict[str, Any] = {"EMAIL_BACKEND": _BACKENDS[scheme]}
    if _BACKENDS[scheme].endswith("smtp.EmailBackend"):
        if not parts.hostname:
            raise ImproperlyConfigured("EMAIL_URL: an SMTP URL needs a host.")
        options = dict(parse_qsl(parts.query))
        try:
            port = parts.port
            timeout = float(options.get("timeout", 10))
        except ValueError as exc:
            raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from None
        default_port = {"smtps": 465, "submission": 587}.get(scheme, 25)
        config.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or default_port,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps",
            EMAIL_USE_TLS=scheme == "submission" or options.get("tls", "").lower() in _TRUE,
            EMAIL_TIMEOUT=timeout,
        )
    return config
