"""EMAIL_URL → Django's email settings; a URL it cannot read stops start-up."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from alumunity.email_url import email_settings

SMTP = "django.core.mail.backends.smtp.EmailBackend"


def test_console_is_the_console_backend():
    assert email_settings("console://") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }


def test_smtp_with_starttls_and_a_percent_encoded_password():
    assert email_settings("smtp://mailer%40example.org:p%40ss%2Fw@mail.example.org:587?tls=1") == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@example.org",
        "EMAIL_HOST_PASSWORD": "p@ss/w",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
        "EMAIL_TIMEOUT": 10.0,
    }


@pytest.mark.parametrize(
    ("url", "port", "ssl", "tls"),
    [
        ("smtp://relay", 25, False, False),
        ("smtps://relay", 465, True, False),
        ("submission://relay", 587, False, True),
    ],
)
def test_default_ports_and_security(url, port, ssl, tls):
    config = email_settings(url)
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        port,
        ssl,
        tls,
    )


@pytest.mark.parametrize(
    "url", ["smtp://", "mailgun://key@x", "smtp://host:notaport", "smtp://host?timeout=soon"]
)
def test_a_url_it_cannot_read_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        email_settings(url)
