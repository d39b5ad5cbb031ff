"""The demo data is made through the services, so it shows only states members can reach."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from messaging import selectors
from messaging.models import Message

pytestmark = pytest.mark.django_db


def test_no_conversation_shows_my_reply_beside_an_unread_badge():
    call_command("seed_demo", stdout=StringIO())

    members = get_user_model().objects.filter(is_staff=False)
    for member in members:
        summaries, _ = selectors.list_conversations(user=member, limit=50, offset=0)
        for summary in summaries:
            assert not (summary["last_message_from_me"] and summary["unread_count"]), (
                member.email,
                summary["other_user_name"],
            )
    ada = members.get(email="ada@example.org")
    summaries, _ = selectors.list_conversations(user=ada, limit=50, offset=0)
    alan = next(s for s in summaries if s["other_user_name"] == "Alan Turing")
    assert (alan["last_message_from_me"], alan["unread_count"]) == (True, 0)


def test_a_message_was_read_before_the_reply_to_it():
    call_command("seed_demo", stdout=StringIO())

    for message in Message.objects.exclude(read_at=None):
        assert message.read_at >= message.sent_at
        reply = (
            Message.objects.filter(conversation=message.conversation, sender=message.recipient)
            .filter(pk__gt=message.pk)
            .order_by("pk")
            .first()
        )
        assert reply is not None and message.read_at <= reply.sent_at


def test_the_first_login_is_in_a_group():
    call_command("seed_demo", stdout=StringIO())

    ada = get_user_model().objects.get(email="ada@example.org")
    summaries, _ = selectors.list_conversations(user=ada, limit=50, offset=0)
    groups = [summary for summary in summaries if summary["kind"] == "group"]
    assert [group["title"] for group in groups] == ["Reunion 2027"]
    assert groups[0]["member_count"] == 5
