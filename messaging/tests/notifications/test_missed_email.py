"""Missed-message email end to end: a send leaves the recipient pending, the worker's
batch claims what is due and a real SMTP server receives the email."""

from messaging import services
from messaging.models import Participant
from messaging.tests.factories import send
from messaging.worker import run_batch

from .conftest import html_part, later, text_part


def test_an_email_goes_after_the_delay_and_only_once(smtp, user, other_user):
    send(other_user, user, "Are you coming to the reunion?")

    assert run_batch(now=later(4)).sent == 0
    assert smtp.messages == []

    result = run_batch(now=later(6))

    assert result.sent == 1
    [message] = smtp.messages
    assert message["To"] == user.email
    assert message["Subject"] == "1 new message from Grace Hopper"
    assert "Are you coming to the reunion?" in text_part(message)
    assert run_batch(now=later(60)).sent == 0
    assert len(smtp.messages) == 1
    row = Participant.objects.get(user=user)
    assert row.email_pending_since is None
    assert row.emailed_through_message_id == row.last_message_id


def test_one_email_per_member_covers_every_due_conversation_newest_first(
    smtp, user, other_user, third_user
):
    send(other_user, user, "first from Grace")
    for number in range(7):
        send(third_user, user, f"note {number} from Katherine")

    assert run_batch(now=later(6)).sent == 1

    [message] = smtp.messages
    assert message["Subject"] == "8 new messages in 2 conversations"
    body = text_part(message)
    # Newest conversation first; at most five messages each, newest first, then the rest.
    assert body.index("Katherine Johnson") < body.index("Grace Hopper")
    assert "note 6 from Katherine" in body and "note 2 from Katherine" in body
    assert "note 1 from Katherine" not in body
    assert "and 2 more" in body
    assert "first from Grace" in body
    assert f"https://alumni.example.org/messages/{other_user.pk}" in body
    assert f"https://alumni.example.org/messages/{third_user.pk}" in body


def test_messages_read_before_the_delay_send_nothing(smtp, user, other_user):
    message = send(other_user, user, "quick question")
    services.mark_read(reader=user, message_id=message.pk)

    assert run_batch(now=later(6)).sent == 0
    assert smtp.messages == []
    assert Participant.objects.get(user=user).email_pending_since is None


def test_only_what_is_still_unread_is_emailed(smtp, user, other_user):
    first = send(other_user, user, "already seen")
    services.mark_read(reader=user, message_id=first.pk)
    send(other_user, user, "still waiting")

    run_batch(now=later(6))

    [message] = smtp.messages
    assert "still waiting" in text_part(message)
    assert "already seen" not in text_part(message)


def test_a_member_with_an_open_socket_gets_nothing(smtp, user, other_user):
    send(other_user, user, "you are online")
    services.open_socket(user=user)

    result = run_batch(now=later(6))

    assert (result.sent, result.skipped) == (0, 1)
    assert smtp.messages == []


def test_muted_conversations_never_notify(smtp, user, other_user, third_user):
    conversation = send(other_user, user, "before muting").conversation
    services.set_muted(user=user, conversation_id=conversation.pk, muted=True)
    send(other_user, user, "after muting")
    send(third_user, user, "not muted")

    run_batch(now=later(6))

    [message] = smtp.messages
    assert "not muted" in text_part(message)
    assert "muting" not in text_part(message)


def test_messages_from_a_blocked_member_are_dropped(smtp, user, other_user):
    send(other_user, user, "please answer")
    services.block_user(blocker=user, blocked_user_id=other_user.pk)

    assert run_batch(now=later(6)).sent == 0
    assert smtp.messages == []


def test_hidden_messages_are_dropped(smtp, user, other_user, staff_member):
    hidden = send(other_user, user, "something nasty")
    send(other_user, user, "sorry about that")
    services.set_message_hidden(actor=staff_member, message=hidden, hidden=True)

    run_batch(now=later(6))

    [message] = smtp.messages
    assert "sorry about that" in text_part(message)
    assert "nasty" not in text_part(message)
    assert message["Subject"] == "1 new message from Grace Hopper"


def test_a_conversation_deleted_for_me_is_dropped(smtp, user, other_user):
    conversation = send(other_user, user, "old news").conversation
    services.delete_conversation(user=user, conversation_id=conversation.pk)

    assert run_batch(now=later(6)).sent == 0


def test_the_delay_is_each_members_own(smtp, user, other_user, api_client):
    api_client.put("/api/notifications/settings", {"email_delay_minutes": 30}, format="json")
    send(other_user, user, "in half an hour")

    assert run_batch(now=later(20)).sent == 0
    assert run_batch(now=later(31)).sent == 1


def test_email_turned_off_sends_nothing(smtp, user, other_user, api_client):
    api_client.put("/api/notifications/settings", {"email_missed_messages": False}, format="json")
    send(other_user, user, "hello")

    assert run_batch(now=later(6)).sent == 0
    assert smtp.messages == []


def test_without_message_text_the_email_names_only_the_sender(smtp, user, other_user, api_client):
    api_client.put("/api/notifications/settings", {"email_include_text": False}, format="json")
    send(other_user, user, "my secret plans")

    run_batch(now=later(6))

    [message] = smtp.messages
    assert "secret" not in text_part(message)
    assert "secret" not in html_part(message)
    assert "Grace Hopper sent a message" in text_part(message)


def test_html_escapes_member_text_and_headers_follow_rfc_8058(smtp, user, other_user):
    send(other_user, user, "<script>alert(1)</script> & <b>bold</b>")

    run_batch(now=later(6))

    [message] = smtp.messages
    html = html_part(message)
    assert "<script>" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in text_part(message)
    # A long header is folded onto a second line; readers unfold it.
    unsubscribe = str(message["List-Unsubscribe"]).strip()
    assert unsubscribe.startswith("<https://alumni.example.org/notifications/unsubscribe/")
    assert unsubscribe.endswith(">")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_group_email_names_the_group(smtp, user, other_user, third_user):
    group = services.create_group(
        creator=other_user, member_ids=[user.pk, third_user.pk], title="Reunion 2027"
    )
    services.send_to_conversation(sender=other_user, conversation_id=group.pk, text="Who is in?")
    services.send_to_conversation(sender=third_user, conversation_id=group.pk, text="Me!")

    run_batch(now=later(6))

    to_ada = smtp.to(user.email)
    assert [message["Subject"] for message in to_ada] == [
        "2 new messages from Katherine Johnson in Reunion 2027"
    ]
    assert f"https://alumni.example.org/messages/c/{group.pk}" in text_part(to_ada[0])
    assert "Who is in?" in text_part(to_ada[0])
    # Katherine's email holds Grace's message only, never her own.
    [to_katherine] = smtp.to(third_user.email)
    assert "Who is in?" in text_part(to_katherine)
    assert "Me!" not in text_part(to_katherine)


def test_a_message_after_the_email_makes_the_member_pending_again(smtp, user, other_user):
    send(other_user, user, "one")
    run_batch(now=later(6))
    send(other_user, user, "two")

    assert run_batch(now=later(12)).sent == 1

    assert "two" in text_part(smtp.messages[1])
    assert "one" not in text_part(smtp.messages[1]).replace("Open the conversation", "")


def test_an_edited_message_is_emailed_as_it_reads_now_and_a_deleted_one_not_at_all(
    smtp, user, other_user
):
    edited = send(other_user, user, "see you at 7")
    deleted = send(other_user, user, "something I regret")
    services.edit_message(editor=other_user, message_id=edited.pk, text="see you at 8")
    services.delete_message(deleter=other_user, message_id=deleted.pk)

    run_batch(now=later(6))

    [message] = smtp.messages
    body = text_part(message)
    assert "see you at 8" in body
    assert "at 7" not in body
    assert "regret" not in body and "deleted" not in body
    assert message["Subject"] == "1 new message from Grace Hopper"
