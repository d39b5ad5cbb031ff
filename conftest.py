"""Fixtures shared by the whole suite."""

import os

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


@pytest.fixture
def user(db):
    return UserFactory(name="Ada Lovelace", email="ada@example.org")


@pytest.fixture
def other_user(db):
    return UserFactory(name="Grace Hopper", email="grace@example.org")


@pytest.fixture
def third_user(db):
    return UserFactory(name="Katherine Johnson", email="katherine@example.org")


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
