"""Migrations 0009-0011 move version-1 conversations onto participant rows: every id,
counter and marker kept, in batches, and every invariant holds afterwards."""

import importlib
import uuid
from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from messaging import selectors, services
from messaging.models import Conversation, Message, Participant
from messaging.tests.invariants import assert_unread_counters_exact
from messaging.tests.migrations.steps import migrate_to

V1 = [("messaging", "0008_sqlite_member_terms"), ("users", "0002_name_prefix")]
MOVE = importlib.import_module("messaging.migrations.0010_move_to_participants")

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    return migrate_to(targets).loader.project_state(targets).apps


class _V1:
    """Writes version-1 rows as version 1's services did: one conversation per pair,
    per-side counters and markers kept in step with the messages."""

    def __init__(self, apps):
        self.User = apps.get_model("users", "User")
        self.Conversation = apps.get_model("messaging", "Conversation")
        self.Message = apps.get_model("messaging", "Message")
        self.now = timezone.now() - timedelta(days=1)

    def member(self, name):
        return self.User.objects.create(
            id=uuid.uuid4(), email=f"{name.lower()}@example.org", name=name, password="!"
        )

    def conversation(self, first, second):
        one, two = sorted((first, second), key=lambda member: member.pk)
        found = self.Conversation.objects.filter(user_one=one, user_two=two).first()
        return found or self.Conversation.objects.create(user_one=one, user_two=two)

    def side(self, conversation, member):
        return "one" if member.pk == conversation.user_one_id else "two"

    def send(self, sender, recipient, text):
        conversation = self.conversation(sender, recipient)
        self.now += timedelta(minutes=1)
        message = self.Message.objects.create(
            conversation=conversation,
            sender=sender,
            recipient=recipient,
            message_text=text,
            sent_at=self.now,
        )
        side = self.side(conversation, recipient)
        self.Conversation.objects.filter(pk=conversation.pk).update(
            last_message=message,
            last_message_at=message.sent_at,
            message_count=F("message_count") + 1,
            **{f"unread_count_{side}": F(f"unread_count_{side}") + 1},
        )
        return message

    def read(self, message):
        conversation = self.Conversation.objects.get(pk=message.conversation_id)
        side = self.side(conversation, message.recipient)
        self.Message.objects.filter(pk=message.pk).update(read_at=self.now)
        self.Conversation.objects.filter(pk=conversation.pk).update(
            **{f"unread_count_{side}": F(f"unread_count_{side}") - 1}
        )

    def delete_for(self, member, other):
        conversation = self.conversation(member, other)
        side = self.side(conversation, member)
        self.Conversation.objects.filter(pk=conversation.pk).update(
            **{
                f"cleared_through_id_{side}": F("last_message_id"),
                f"cleared_count_{side}": F("message_count"),
                f"unread_count_{side}": 0,
            }
        )


def _version_one_data(apps):
    v1 = _V1(apps)
    ada, grace, alan, edsger = (v1.member(name) for name in ("Ada", "Grace", "Alan", "Edsger"))
    first = v1.send(ada, grace, "hello grace")
    v1.send(grace, ada, "hello ada")
    v1.read(first)
    v1.send(ada, grace, "unread one")
    v1.send(ada, grace, "unread two")
    v1.send(alan, ada, "old news")
    v1.delete_for(ada, alan)
    v1.send(alan, ada, "after the delete")
    v1.send(edsger, grace, "structured")
    v1.delete_for(edsger, grace)
    v1.conversation(alan, edsger)  # a conversation without messages
    return v1


def test_every_conversation_counter_and_marker_moves_onto_participants(monkeypatch):
    monkeypatch.setattr(MOVE, "BATCH", 2)  # several batches, one conversation split
    v1 = _version_one_data(_migrate(V1))
    before = {
        row["id"]: row
        for row in v1.Conversation.objects.values(
            "id",
            "user_one_id",
            "user_two_id",
            "last_message_id",
            "last_message_at",
            "message_count",
            "unread_count_one",
            "unread_count_two",
            "cleared_through_id_one",
            "cleared_through_id_two",
            "cleared_count_one",
            "cleared_count_two",
        )
    }
    messages_before = set(v1.Message.objects.values_list("id", "conversation_id", "recipient_id"))

    migrate_to()

    assert set(Conversation.objects.values_list("pk", flat=True)) == set(before)
    assert set(Message.objects.values_list("id", "conversation_id", "recipient_id")) == (
        messages_before
    )
    for pk, row in before.items():
        for side in ("one", "two"):
            participant = Participant.objects.get(conversation_id=pk, user_id=row[f"user_{side}_id"])
            assert (
                participant.unread_count,
                participant.cleared_through_id,
                participant.cleared_count,
                participant.last_message_id,
                participant.last_message_at,
                participant.message_count,
                participant.left_at,
                participant.first_message_id,
            ) == (
                row[f"unread_count_{side}"],
                row[f"cleared_through_id_{side}"],
                row[f"cleared_count_{side}"],
                row["last_message_id"],
                row["last_message_at"],
                row["message_count"],
                None,
                0,
            )
    assert Participant.objects.count() == 2 * len(before)
    assert set(Conversation.objects.values_list("kind", flat=True)) == {"direct"}
    assert set(Message.objects.values_list("kind", flat=True)) == {"text"}
    assert_unread_counters_exact()


def test_read_position_is_the_newest_message_read():
    v1 = _version_one_data(_migrate(V1))
    grace = v1.User.objects.get(name="Grace")
    newest_read = v1.Message.objects.filter(recipient=grace, read_at__isnull=False).latest("id")

    migrate_to()

    assert Participant.objects.get(
        conversation_id=newest_read.conversation_id, user_id=grace.pk
    ).last_read_id == newest_read.pk


def test_the_migrated_data_works_through_the_services():
    v1 = _version_one_data(_migrate(V1))
    ids = {name: v1.User.objects.get(name=name).pk for name in ("Ada", "Grace", "Alan")}

    migrate_to()

    from alumunity.users.models import User

    ada = User.objects.get(pk=ids["Ada"])
    assert selectors.unread_total(user=ada) == 2  # "hello ada" and "after the delete"
    page = services.open_conversation(reader=ada, other_user_id=ids["Alan"], limit=50)
    assert [message.message_text for message in page.messages] == ["after the delete"]
    assert page.total == 1
    services.send_message(sender=ada, recipient_id=ids["Grace"], text="after the move")
    assert selectors.unread_total(user=ada) == 1
    assert_unread_counters_exact()
