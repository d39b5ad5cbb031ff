"""Prepared statements: the ORM's own SQL and results, compiled once."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count, F, Value
from django.db.models.sql import Query
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from alumunity import prepared
from alumunity.prepared import Prepared, update_query
from alumunity.users.models import User
from messaging.models import Message, Participant
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db


def _messages(*, sender_id, sent_after):
    return (
        Message.objects.select_related("conversation", "sender")
        .filter(sender_id=sender_id, sent_at__gt=sent_after)
        .annotate(doubled=F("id") * 2)
        .order_by("id")
    )


_MESSAGES = Prepared(
    _messages,
    sender_id=Message._meta.get_field("sender"),
    sent_after=Message._meta.get_field("sent_at"),
)


def _run(fetch):
    with CaptureQueriesContext(connection) as captured:
        found = fetch()
    return found, [query["sql"] for query in captured.captured_queries]


def test_instances_and_sql_are_the_orms_for_every_set_of_values():
    ada, bob, cy = UserFactory(), UserFactory(), UserFactory()
    send(ada, bob, "one")
    send(ada, cy, "two")
    send(bob, ada, "three")
    early = datetime(2000, 1, 1, tzinfo=UTC)
    for sender in (ada, bob, cy):
        orm, orm_sql = _run(lambda s=sender: list(_messages(sender_id=s.pk, sent_after=early)))
        ours, our_sql = _run(
            lambda s=sender: _MESSAGES.instances(Message, sender_id=s.pk, sent_after=early)
        )
        assert our_sql == orm_sql
        assert [m.__dict__.keys() for m in ours] == [m.__dict__.keys() for m in orm]
        for mine, theirs in zip(ours, orm, strict=True):
            assert (mine.pk, mine.message_text, mine.sent_at, mine.doubled) == (
                theirs.pk,
                theirs.message_text,
                theirs.sent_at,
                theirs.doubled,
            )
            # select_related came along: no query to reach them.
            with CaptureQueriesContext(connection) as more:
                assert mine.sender == theirs.sender
                assert mine.conversation.pk == theirs.conversation.pk
            assert len(more.captured_queries) == 0
            assert mine._state.adding is False and mine._state.db == "default"
    later = datetime(2100, 1, 1, tzinfo=UTC)
    assert _MESSAGES.instances(Message, sender_id=ada.pk, sent_after=later) == []


def test_a_statement_is_compiled_once(monkeypatch):
    ada, bob = UserFactory(), UserFactory()
    send(ada, bob)
    early = datetime(2000, 1, 1, tzinfo=UTC)
    statement = Prepared(
        _messages,
        sender_id=Message._meta.get_field("sender"),
        sent_after=Message._meta.get_field("sent_at"),
    )
    assert len(statement.instances(Message, sender_id=ada.pk, sent_after=early)) == 1

    def no_more_compiling(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(Query, "get_compiler", no_more_compiling)
    assert len(statement.instances(Message, sender_id=ada.pk, sent_after=early)) == 1
    assert statement.instances(Message, sender_id=bob.pk, sent_after=early) == []


def test_rows_are_converted_as_values_list_converts_them():
    ada, bob = UserFactory(), UserFactory()
    send(ada, bob)
    send(ada, bob)

    def build(*, user_id):
        return (
            Participant.objects.filter(user_id=user_id)
            .annotate(n=Count("pk"))
            .values_list("user_id", "last_message_at", "n")
        )

    statement = Prepared(build, user_id=User._meta.pk)
    assert statement.rows(Participant, user_id=bob.pk) == list(build(user_id=bob.pk))
    assert statement.rows(Participant, user_id=bob.pk)[0][0] == bob.pk


def test_raw_rows_are_the_drivers_rows_of_the_orms_statement():
    ada, bob = UserFactory(), UserFactory()
    send(ada, bob, "one")
    send(ada, bob, "two")

    def build(*, sender_id):
        return (
            Message.objects.filter(sender_id=sender_id)
            .order_by("-id")
            .values_list("id", "sender_id", "sent_at", "is_hidden")
        )

    statement = Prepared(build, sender_id=Message._meta.get_field("sender"))
    for _ in range(2):
        raw, our_sql = _run(lambda: statement.raw(Message, sender_id=ada.pk))
        orm, orm_sql = _run(lambda: list(build(sender_id=ada.pk)))
        assert our_sql == orm_sql
        sql, params = build(sender_id=ada.pk).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            assert [tuple(row) for row in raw] == [tuple(row) for row in cursor.fetchall()]
        assert [row[0] for row in raw] == [row[0] for row in orm]
    assert statement.raw(Message, sender_id=bob.pk) == []


def test_update_changes_what_queryset_update_changes():
    ada, bob, cy = UserFactory(), UserFactory(), UserFactory()
    send(ada, bob)
    send(ada, cy)
    statement = Prepared(
        lambda *, user_id, bump: update_query(
            Participant.objects.filter(user_id=user_id),
            unread_count=F("unread_count") + bump,
            email_request_id=Value("seen"),
        ),
        user_id=User._meta.pk,
        bump=Participant._meta.get_field("unread_count"),
    )
    assert statement.update(Participant, user_id=bob.pk, bump=5) == 1
    assert statement.update(Participant, user_id=ada.pk, bump=2) == 2
    rows = dict(Participant.objects.values_list("user_id", "unread_count"))
    assert rows[bob.pk] == 6 and rows[cy.pk] == 1 and rows[ada.pk] == 2
    changed = Participant.objects.filter(user__in=[ada, bob])
    assert set(changed.values_list("email_request_id", flat=True)) == {"seen"}
    assert Participant.objects.get(user=cy).email_request_id != "seen"


def test_a_statement_whose_sql_depends_on_a_value_is_refused():
    # The limit is written into the SQL, not passed as a parameter.
    statement = Prepared(
        lambda *, n: User.objects.order_by("pk")[: abs(n)],
        n=Participant._meta.get_field("unread_count"),
    )
    with pytest.raises(ImproperlyConfigured):
        statement.instances(User, n=3)


def test_a_condition_on_an_integer_expression_is_kept():
    # F("id") + 0 compares as a 32-bit integer on MariaDB: a marker outside that range
    # made Django drop the condition from the compiled SQL.
    ada, bob = UserFactory(), UserFactory()
    first, second = send(ada, bob), send(ada, bob)
    statement = Prepared(
        lambda *, after: Message.objects.alias(_id=F("id") + 0).filter(_id__gt=after),
        after=Message._meta.pk,
    )
    assert [m.pk for m in statement.instances(Message, after=first.pk)] == [second.pk]
    assert statement.instances(Message, after=second.pk) == []


def test_none_is_refused():
    with pytest.raises(ValueError):
        _MESSAGES.instances(Message, sender_id=None, sent_after=datetime(2000, 1, 1, tzinfo=UTC))


def test_an_id_of_zero_finds_nothing_on_every_database():
    # The ORM compares with 0 (MariaDB refuses 0 only as a value to save).
    assert _ACCESS_ZERO.instances(Message, message_id=0) == []


_ACCESS_ZERO = Prepared(
    lambda *, message_id: Message.objects.filter(pk=message_id), message_id=Message._meta.pk
)


def test_how_rows_are_read_is_worked_out_once(monkeypatch):
    ada, bob = UserFactory(), UserFactory()
    send(ada, bob)
    early = datetime(2000, 1, 1, tzinfo=UTC)
    statement = Prepared(
        _messages,
        sender_id=Message._meta.get_field("sender"),
        sent_after=Message._meta.get_field("sent_at"),
    )
    first = statement.instances(Message, sender_id=ada.pk, sent_after=early)

    def no_more_working_out(*args, **kwargs):
        raise AssertionError("worked out again")

    monkeypatch.setattr(SQLCompiler, "get_converters", no_more_working_out)
    monkeypatch.setattr(prepared, "get_related_populators", no_more_working_out)
    again = statement.instances(Message, sender_id=ada.pk, sent_after=early)
    assert [(m.pk, m.sent_at, m.sender, m.conversation.pk, m.doubled) for m in again] == [
        (m.pk, m.sent_at, m.sender, m.conversation.pk, m.doubled) for m in first
    ]
    assert statement.instances(Message, sender_id=bob.pk, sent_after=early) == []
