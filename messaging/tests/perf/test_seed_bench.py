"""seed_bench: consistent counters, deterministic for a seed, safe to re-run."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count, Max, Q

from alumunity.users.models import NamePrefix
from alumunity.users.names import name_prefixes
from messaging import selectors
from messaging.models import Conversation, Message

User = get_user_model()

pytestmark = pytest.mark.django_db


def _seed(seed=7, users=40, messages=900, hot=12) -> str:
    out = StringIO()
    call_command(
        "seed_bench",
        users=users,
        messages=messages,
        hot_conversations=hot,
        seed=seed,
        no_progress=True,
        stdout=out,
    )
    return out.getvalue()


def _fingerprint() -> list[tuple]:
    emails = dict(User.objects.values_list("pk", "email"))
    return [
        (emails[sender], emails[recipient], text, read_at is None, hidden)
        for sender, recipient, text, read_at, hidden in Message.objects.order_by("id").values_list(
            "sender_id", "recipient_id", "message_text", "read_at", "is_hidden"
        )
    ]


def test_sizes_and_logins():
    _seed()

    hot = User.objects.get(email="bench-hot@example.org")
    assert User.objects.count() == 40
    assert Message.objects.count() == 900
    assert Conversation.objects.filter(Q(user_one=hot) | Q(user_two=hot)).count() == 12
    assert authenticate(email="bench-hot@example.org", password="bench-password") == hot
    assert authenticate(email="bench-39@example.org", password="bench-password") is not None
    assert User.objects.filter(email="bench-40@example.org").exists() is False


def test_every_counter_matches_the_messages():
    _seed()

    for conversation in Conversation.objects.annotate(
        rows=Count("messages"), newest=Max("messages__id")
    ):
        assert conversation.message_count == conversation.rows
        assert conversation.last_message_id == conversation.newest
        if conversation.newest:
            assert conversation.last_message_at == conversation.last_message.sent_at
        for side, member_id in (
            ("one", conversation.user_one_id),
            ("two", conversation.user_two_id),
        ):
            unread = conversation.messages.filter(recipient_id=member_id, read_at__isnull=True)
            assert getattr(conversation, f"unread_count_{side}") == unread.count()
        for message in conversation.messages.all():
            assert {message.sender_id, message.recipient_id} == {
                conversation.user_one_id,
                conversation.user_two_id,
            }
            assert message.read_at is None or message.read_at > message.sent_at

    hot = User.objects.get(email="bench-hot@example.org")
    unread_to_hot = Message.objects.filter(recipient=hot, read_at__isnull=True).count()
    assert unread_to_hot > 0
    assert selectors.unread_total(user=hot) == unread_to_hot


def test_texts_are_varied_sentences():
    _seed()

    texts = list(Message.objects.values_list("message_text", flat=True))
    assert len(set(texts)) > 0.95 * len(texts)
    assert all(text[0].isupper() and len(text.split()) >= 3 for text in texts)


def test_same_seed_same_data_other_seed_other_data():
    _seed(seed=3)
    first = _fingerprint()
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    User.objects.all().delete()
    _seed(seed=3)
    again = _fingerprint()
    Message.objects.all().delete()
    Conversation.objects.all().delete()
    User.objects.all().delete()
    _seed(seed=4)

    assert first == again
    assert _fingerprint() != first


def test_running_again_says_so_and_changes_nothing():
    _seed()
    before = Message.objects.count()

    output = _seed()

    assert "Already seeded" in output
    assert Message.objects.count() == before


def test_searchable_after_seeding():
    _seed()
    hot = User.objects.get(email="bench-hot@example.org")
    word = Message.objects.filter(recipient=hot).order_by("id").first().message_text.split()[0]

    results, total = selectors.search_messages(user=hot, query=word, limit=5)

    assert total >= 1 and results


def test_seeded_members_are_found_by_a_word_inside_their_name():
    _seed()
    hot = User.objects.get(email="bench-hot@example.org")
    member = User.objects.get(email="bench-7@example.org")
    _first, last, number = member.name.split()

    found, total = selectors.search_members(user=hot, query=f"{last[:4]} {number}", limit=50)

    assert member in found and total == len(found)
    assert set(found) <= set(User.objects.filter(name__contains=f" {last} "))
    indexed = NamePrefix.objects.filter(user=member).values_list("prefix", flat=True)
    assert sorted(indexed) == sorted(name_prefixes(member.name))
    assert NamePrefix.objects.count() == sum(
        len(name_prefixes(name)) for name in User.objects.values_list("name", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_seeded_messages_are_in_the_full_text_index():
    """Committed, as a real seed is: on MariaDB the postings' triggers are dropped for
    the load and the postings written afterwards, which must hold every message."""
    import re

    from django.db import connection

    from messaging import search

    _seed(users=40, messages=3000, hot=12)
    hot = User.objects.get(email="bench-hot@example.org")
    texts = Message.objects.filter(Q(sender=hot) | Q(recipient=hot), is_hidden=False)
    word = re.compile(r"\bmeeting\b", re.IGNORECASE)
    expected = sum(1 for text in texts.values_list("message_text", flat=True) if word.search(text))

    results, total = selectors.search_messages(user=hot, query="meeting", limit=5)

    assert search.full_text_condition(connection.vendor, hot, "meeting") is not None
    assert expected > 0
    assert (len(results), total) == (min(5, expected), expected)
