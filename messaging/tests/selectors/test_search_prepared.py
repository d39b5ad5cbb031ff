"""Search's statements compiled once (alumunity.prepared) are the ORM's: the same SQL
and the same rows as the querysets they are built from, for every page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging import search_scopes, services
from messaging.models import Message, Participant
from messaging.selectors import search as pages
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db


def _run(fetch):
    with CaptureQueriesContext(connection) as captured:
        found = fetch()
    return found, [query["sql"] for query in captured.captured_queries]


def test_the_windows_are_the_orms(user, other_user, third_user):
    services.create_group(
        creator=user, member_ids=[str(other_user.pk), str(third_user.pk)], title="Club"
    )
    first = send(other_user, user, "hello")
    services.delete_conversation(user=user, conversation_id=first.conversation_id)

    for member in (user, other_user, UserFactory()):
        orm, orm_sql = _run(lambda m=member: list(search_scopes.windows_query(m.pk)))
        ours, our_sql = _run(lambda m=member: search_scopes.WINDOWS.rows(Participant, user=m.pk))
        assert (ours, our_sql) == (orm, orm_sql)
    assert len(search_scopes.member_windows(user)) == 2


def test_every_page_size_is_the_orms(user, other_user, third_user):
    messages = [send(other_user, user, f"page {n}") for n in range(4)]
    messages += [send(user, third_user, f"page {n}") for n in range(4, 7)]
    ids = sorted((message.pk for message in messages), reverse=True)

    for size in range(1, len(ids) + 1):
        chosen = {f"id{n}": pk for n, pk in enumerate(ids[:size])}
        orm, orm_sql = _run(lambda s=size, c=chosen: list(pages._page_query(s, **c)))
        ours, our_sql = _run(
            lambda s=size, c=chosen: pages._statement("messages", s).instances(Message, **c)
        )
        assert our_sql == orm_sql
        assert [(m.pk, m.sender, m.recipient, m.conversation.pk) for m in ours] == [
            (m.pk, m.sender, m.recipient, m.conversation.pk) for m in orm
        ]
        orm_rows, orm_sql = _run(lambda s=size, c=chosen: list(pages._hits_query(s, **c)))
        our_rows, our_sql = _run(
            lambda s=size, c=chosen: pages._statement("hits", s).rows(Message, **c)
        )
        assert (our_rows, our_sql) == (orm_rows, orm_sql)
    assert pages._statement("messages", 3) is pages._statement("messages", 3)
    assert pages._statement("hits", 3) is pages._statement("hits", 3)
