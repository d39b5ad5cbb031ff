"""The primary/replica routing decisions (alumunity/db_router.py)."""

from types import SimpleNamespace
from uuid import uuid4

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connections
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import SimpleLazyObject

from alumunity import db_router
from alumunity.db_router import PrimaryReplicaRouter, ReadYourWritesMiddleware, pin_key
from messaging.models import Conversation, Message

router = PrimaryReplicaRouter()


def member():
    return SimpleNamespace(pk=uuid4(), is_authenticated=True)


def run_request(user=None, *, view=lambda request: None):
    """Runs `view(request)` inside the middleware, as Django would; returns what the
    view returned."""
    request = RequestFactory().get("/api/messages/inbox")
    if user is not None:
        request.user = user
    seen = {}

    def get_response(request):
        seen["result"] = view(request)
        return HttpResponse()

    ReadYourWritesMiddleware(get_response)(request)
    return seen["result"]


def test_writes_always_go_to_the_primary():
    assert router.db_for_write(Message) == "default"
    assert run_request(member(), view=lambda r: router.db_for_write(Message)) == "default"


def test_reads_outside_a_request_go_to_the_primary():
    assert router.db_for_read(Message) == "default"


def test_a_members_plain_read_goes_to_the_replica():
    assert run_request(member(), view=lambda r: router.db_for_read(Conversation)) == "replica"


def test_reads_before_authentication_go_to_the_replica():
    assert run_request(view=lambda r: router.db_for_read(Conversation)) == "replica"
    assert run_request(AnonymousUser(), view=lambda r: router.db_for_read(Message)) == "replica"


def test_an_unevaluated_session_user_is_not_evaluated_by_the_router():
    def explode():
        raise AssertionError("the router must not trigger authentication")

    lazy = SimpleLazyObject(explode)
    assert run_request(lazy, view=lambda r: router.db_for_read(Message)) == "replica"


def test_reads_after_a_write_in_the_same_request_go_to_the_primary():
    def view(request):
        before = router.db_for_read(Message)
        router.db_for_write(Message)
        return before, router.db_for_read(Message)

    assert run_request(member(), view=view) == ("replica", "default")


def test_a_member_who_wrote_reads_from_the_primary_in_the_next_request():
    writer, other = member(), member()

    run_request(writer, view=lambda r: router.db_for_write(Message))

    assert cache.get(pin_key(writer.pk)) is True
    assert run_request(writer, view=lambda r: router.db_for_read(Conversation)) == "default"
    assert run_request(other, view=lambda r: router.db_for_read(Conversation)) == "replica"


def test_the_pin_expires_with_its_cache_key(settings):
    writer = member()
    settings.REPLICA_PIN_SECONDS = 7
    run_request(writer, view=lambda r: router.db_for_write(Message))
    cache.delete(pin_key(writer.pk))

    assert run_request(writer, view=lambda r: router.db_for_read(Message)) == "replica"


def test_pin_uses_the_configured_window(settings, monkeypatch):
    settings.REPLICA_PIN_SECONDS = 7
    calls = []
    monkeypatch.setattr(db_router.cache, "set", lambda *a, **k: calls.append((a, k)))

    writer = member()
    run_request(writer, view=lambda r: router.db_for_write(Message))

    assert calls == [((pin_key(writer.pk), True), {"timeout": 7})]


def test_a_read_only_request_pins_nobody():
    reader = member()
    run_request(reader, view=lambda r: router.db_for_read(Message))

    assert cache.get(pin_key(reader.pk)) is None


def test_an_anonymous_write_pins_nobody(monkeypatch):
    calls = []
    monkeypatch.setattr(db_router.cache, "set", lambda *a, **k: calls.append(a))

    run_request(view=lambda r: router.db_for_write(Message))

    assert calls == []


@pytest.mark.django_db
def test_reads_inside_a_transaction_on_the_primary_stay_there():
    assert connections["default"].in_atomic_block
    assert run_request(member(), view=lambda r: router.db_for_read(Message)) == "default"


def test_only_the_primary_is_migrated():
    assert router.allow_migrate("default", "messaging") is True
    assert router.allow_migrate("replica", "messaging") is False


def test_settings_wire_the_router_only_when_a_replica_is_configured(tmp_path):
    import json
    import os
    import subprocess
    import sys

    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([sorted(s.DATABASES), s.DATABASE_ROUTERS, "
        "'alumunity.db_router.ReadYourWritesMiddleware' in s.MIDDLEWARE, "
        "s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR')]))"
    )

    def settings_with(**extra):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alumunity.test_settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'primary.sqlite3'}",
            **extra,
        }
        if not extra:
            env.pop("DATABASE_REPLICA_URL", None)
        output = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
        ).stdout
        return json.loads(output.strip().splitlines()[-1])

    assert settings_with() == [["default"], [], False, None]
    assert settings_with(DATABASE_REPLICA_URL=f"sqlite:///{tmp_path / 'replica.sqlite3'}") == [
        ["default", "replica"],
        ["alumunity.db_router.PrimaryReplicaRouter"],
        True,
        "default",
    ]
