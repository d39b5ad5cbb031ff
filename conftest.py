"""Fixtures shared by the whole suite."""

import os
import socket

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from messaging.tests.factories import UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _isolated_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Each test stores uploads in its own empty folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def user(db):
    return UserFactory(name="Ada Lovelace", email="ada@example.org")


@pytest.fixture
def other_user(db):
    return UserFactory(name="Grace Hopper", email="grace@example.org")


@pytest.fixture
def third_user(db):
    return UserFactory(name="Katherine Johnson", email="katherine@example.org")


def free_port() -> int:
    """A loopback port nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def client_for(member) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(member).access_token}")
    return client


@pytest.fixture
def api_client(user) -> APIClient:
    return client_for(user)


@pytest.fixture
def other_client(other_user) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def anon_client() -> APIClient:
    return APIClient()


@pytest.fixture
def assert_database_query_count():
    """assert_database_query_count(n): exactly n queries, the test's savepoints aside;
    on a mismatch the failure lists them (messaging/tests/queries.py)."""
    from messaging.tests.queries import assert_database_query_count

    return assert_database_query_count


@pytest.fixture
def assert_cache_call_count():
    """assert_cache_call_count(n): exactly n calls to the cache, listed on a mismatch."""
    from messaging.tests.queries import assert_cache_call_count

    return assert_cache_call_count
