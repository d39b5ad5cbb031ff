"""PreparedInsert: the row and instance `create()` gives, with the ORM's own INSERT,
compiled once."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.compiler import SQLInsertCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alumunity.prepared import PreparedInsert
from messaging.models import Message
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db

COLUMNS = [field.attname for field in Message._meta.concrete_fields]


def _values(conversation, sender, recipient, text):
    return {
        "conversation": conversation,
        "sender": sender,
        "recipient": recipient,
        "message_text": text,
        "attachment_url": "",
        "attachment_type": "",
        "client_message_id": None,
        "attachment": None,
        "sent_at": timezone.now(),
    }


def _stored(pk):
    return Message.objects.filter(pk=pk).values_list(*COLUMNS).get()


def test_the_row_and_instance_are_create_s():
    ada, bob = UserFactory(), UserFactory()
    conversation = send(ada, bob).conversation
    insert = PreparedInsert(Message)
    by_orm = Message.objects.create(**_values(conversation, ada, bob, "by the orm"))
    prepared = insert.create(**_values(conversation, ada, bob, "prepared"))

    assert prepared.pk == by_orm.pk + 1
    assert not prepared._state.adding and prepared._state.db == by_orm._state.db
    assert prepared.conversation is conversation and prepared.sender is ada
    orm_row, prepared_row = _stored(by_orm.pk), _stored(prepared.pk)
    for column, ours, theirs in zip(COLUMNS, prepared_row, orm_row, strict=True):
        if column not in ("id", "message_text", "sent_at"):
            assert ours == theirs, column
    assert prepared_row[COLUMNS.index("message_text")] == "prepared"
    assert prepared_row[COLUMNS.index("sent_at")] == prepared.sent_at
    for column in COLUMNS:
        assert getattr(prepared, column) == getattr(Message.objects.get(pk=prepared.pk), column)


def test_the_sql_is_the_orms_and_is_compiled_once(monkeypatch):
    ada, bob = UserFactory(), UserFactory()
    conversation = send(ada, bob).conversation
    with CaptureQueriesContext(connection) as orm:
        Message.objects.create(**_values(conversation, ada, None, "group-like, no recipient"))
    compiled = []
    as_sql = SQLInsertCompiler.as_sql
    monkeypatch.setattr(
        SQLInsertCompiler, "as_sql", lambda self: compiled.append(1) or as_sql(self)
    )
    insert = PreparedInsert(Message)
    with CaptureQueriesContext(connection) as ours:
        insert.create(**_values(conversation, bob, ada, "one"))
        insert.create(**_values(conversation, ada, None, "two"))
    assert len(compiled) == 1
    [orm_sql] = [query["sql"].split(" VALUES")[0] for query in orm.captured_queries]
    our_sql = {query["sql"].split(" VALUES")[0] for query in ours.captured_queries}
    assert our_sql == {orm_sql}
    assert list(Message.objects.order_by("-pk").values_list("message_text", "recipient")[:2]) == [
        ("two", None),
        ("one", ada.pk),
    ]


def test_a_refused_insert_leaves_nothing_and_the_transaction_rolls_back():
    ada, bob = UserFactory(), UserFactory()
    conversation = send(ada, bob).conversation
    insert = PreparedInsert(Message)
    before = Message.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        insert.create(**_values(conversation, ada, bob, "kept?"))
        # The same client id twice from one sender: message_client_id_unique_per_sender.
        insert.create(**{**_values(conversation, ada, bob, "a"), "client_message_id": "c1"})
        insert.create(**{**_values(conversation, ada, bob, "b"), "client_message_id": "c1"})
    assert Message.objects.count() == before


def test_save_s_signals_are_sent_around_the_insert():
    ada, bob = UserFactory(), UserFactory()
    conversation = send(ada, bob).conversation
    heard = []

    def before(sender, instance, **kwargs):
        heard.append(("pre", instance.pk, kwargs["raw"], kwargs["update_fields"]))

    def after(sender, instance, created, **kwargs):
        heard.append(
            ("post", instance.pk, created, Message.objects.filter(pk=instance.pk).exists())
        )

    pre_save.connect(before, sender=Message, dispatch_uid="t-pre")
    post_save.connect(after, sender=Message, dispatch_uid="t-post")
    try:
        message = PreparedInsert(Message).create(**_values(conversation, ada, bob, "heard"))
    finally:
        pre_save.disconnect(sender=Message, dispatch_uid="t-pre")
        post_save.disconnect(sender=Message, dispatch_uid="t-post")
    assert heard == [("pre", None, False, None), ("post", message.pk, True, True)]
