"""Who uses the admin: a superuser, a moderator (staff, in the "Moderators" group, not a
superuser) and a plain member, each with a logged-in Django test client."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from messaging.tests.factories import UserFactory


def logged_in(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def superuser(db):
    return UserFactory(
        name="Root Admin", email="root@example.org", is_staff=True, is_superuser=True
    )


@pytest.fixture
def moderator(db):
    member = UserFactory(name="Mo Derator", email="mod@example.org", is_staff=True)
    member.groups.add(Group.objects.get(name="Moderators"))
    return member


@pytest.fixture
def superuser_client(superuser) -> Client:
    return logged_in(superuser)


@pytest.fixture
def moderator_client(moderator) -> Client:
    return logged_in(moderator)


@pytest.fixture
def member_client(user) -> Client:
    return logged_in(user)


@pytest.fixture(params=["superuser", "moderator"])
def staff(request):
    """Each admin test that takes `staff` runs once as a superuser, once as a moderator."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def staff_client(staff) -> Client:
    return logged_in(staff)


@pytest.fixture
def published(monkeypatch):
    """Every real-time event delivered after commit, as (member id, event) pairs."""
    from messaging import events

    delivered = []

    def record(user_ids, event):
        delivered.extend((str(user_id), event) for user_id in user_ids)

    monkeypatch.setattr(events, "_deliver", record)
    return delivered
