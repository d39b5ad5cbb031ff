"""Web Push end to end: a send leaves a subscribed recipient pending, the worker's push
batch claims what is due and a real HTTP server acting as the push service receives the
encrypted push, which the browser's keys decrypt."""

import json

from django.core.cache import cache

from messaging import services
from messaging.models import Participant, PushSubscription
from messaging.selectors.presence import socket_count_key
from messaging.tests.factories import UserFactory, send
from messaging.tests.queries import capture_queries
from messaging.worker import run_push_batch

from .conftest import seconds_later
from .push_service import BrowserKeys, b64url, subscribe


def _claims(push) -> dict:
    token = push.headers["authorization"].split("t=", 1)[1].split(",", 1)[0]
    middle = token.split(".")[1]
    return json.loads(__import__("base64").urlsafe_b64decode(middle + "=" * (-len(middle) % 4)))


def test_a_push_goes_after_a_few_seconds_encrypted_for_that_browser(
    push_service, vapid, user, other_user
):
    keys = BrowserKeys.generate()
    subscribe(user, push_service, "ada", keys)
    send(other_user, user, "See you in June")

    assert run_push_batch(now=seconds_later(5)).sent == 0
    result = run_push_batch(now=seconds_later(15))

    assert result.sent == 1
    [push] = push_service.to("/push/ada")
    assert keys.decrypt(push) == {
        "title": "Grace Hopper",
        "body": "See you in June",
        "url": f"/messages/{other_user.pk}",
        "tag": f"conversation-{Participant.objects.get(user=user).conversation_id}",
        "conversation_id": Participant.objects.get(user=user).conversation_id,
        "message_id": Participant.objects.get(user=user).last_message_id,
    }
    assert push.headers["content-encoding"] == "aes128gcm"
    assert b"See you in June" not in push.body
    assert push.headers["authorization"].startswith("vapid t=")
    assert f"k={vapid}" in push.headers["authorization"]
    claims = _claims(push)
    assert claims["aud"] == push_service.url
    assert claims["sub"] == "mailto:notifications@alumni.example.org"
    # At most once: nothing more however often the worker looks again.
    assert run_push_batch(now=seconds_later(120)).sent == 0
    assert len(push_service.received) == 1
    row = Participant.objects.get(user=user)
    assert row.push_pending_since is None
    assert row.pushed_through_message_id == row.last_message_id


def test_one_push_per_conversation_and_browser_with_the_count(
    push_service, user, other_user, third_user
):
    laptop, phone = BrowserKeys.generate(), BrowserKeys.generate()
    subscribe(user, push_service, "laptop", laptop)
    subscribe(user, push_service, "phone", phone)
    for text in ("one", "two", "three"):
        send(other_user, user, text)
    send(third_user, user, "hello from Katherine")

    assert run_push_batch(now=seconds_later(15)).sent == 4

    for name, keys in (("laptop", laptop), ("phone", phone)):
        bodies = {
            keys.decrypt(push)["title"]: keys.decrypt(push)["body"]
            for push in push_service.to(f"/push/{name}")
        }
        assert bodies == {
            "Grace Hopper": "three (and 2 more)",
            "Katherine Johnson": "hello from Katherine",
        }


def test_without_message_text_only_the_sender_is_said(push_service, user, other_user):
    keys = BrowserKeys.generate()
    subscribe(user, push_service, "ada", keys)
    services.update_notification_settings(user=user, changes={"email_include_text": False})
    send(other_user, user, "a secret")

    run_push_batch(now=seconds_later(15))

    [push] = push_service.received
    assert keys.decrypt(push)["body"] == "New message"
    assert keys.decrypt(push)["title"] == "Grace Hopper"


def test_a_group_push_names_the_group_and_opens_it(push_service, user, other_user, third_user):
    keys = BrowserKeys.generate()
    subscribe(user, push_service, "ada", keys)
    group = services.create_group(
        creator=other_user, member_ids=[user.pk, third_user.pk], title="Reunion"
    )
    services.send_to_conversation(sender=third_user, conversation_id=group.pk, text="Hi all")

    run_push_batch(now=seconds_later(15))

    [push] = push_service.received
    payload = keys.decrypt(push)
    assert (payload["title"], payload["url"]) == (
        "Katherine Johnson in Reunion",
        f"/messages/c/{group.pk}",
    )


def test_404_and_410_delete_the_subscription_and_the_rest_still_get_it(
    push_service, user, other_user
):
    gone = subscribe(user, push_service, "gone", BrowserKeys.generate())
    expired = subscribe(user, push_service, "expired", BrowserKeys.generate())
    kept = subscribe(user, push_service, "kept", BrowserKeys.generate())
    push_service.answers.update({"/push/gone": 410, "/push/expired": 404})
    send(other_user, user, "hello")

    result = run_push_batch(now=seconds_later(15))

    assert (result.sent, result.removed, result.retried) == (1, 2, 0)
    assert list(PushSubscription.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not PushSubscription.objects.filter(pk__in=[gone.pk, expired.pk]).exists()
    assert Participant.objects.get(user=user).push_pending_since is None


def test_a_failing_push_service_is_retried_with_backoff_then_given_up(
    push_service, settings, user, other_user, caplog
):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_TRIES": 2, "BACKOFF_SECONDS": 30}
    keys = BrowserKeys.generate()
    subscription = subscribe(user, push_service, "ada", keys)
    push_service.answers["/push/ada"] = 503
    send(other_user, user, "hello")

    first = run_push_batch(now=seconds_later(15))

    assert (first.sent, first.retried) == (0, 1)
    assert "Web Push to member" in caplog.text and "will retry" in caplog.text
    row = Participant.objects.get(user=user)
    assert row.push_attempts == 1 and row.push_pending_since is not None
    # Not before its backoff is over; then it goes.
    assert run_push_batch(now=seconds_later(30)).claimed is False
    push_service.answers["/push/ada"] = 201
    assert run_push_batch(now=seconds_later(50)).sent == 1
    assert keys.decrypt(push_service.received[-1])["body"] == "hello"
    assert Participant.objects.get(user=user).push_attempts == 0

    push_service.answers["/push/ada"] = 500
    send(other_user, user, "again")
    assert run_push_batch(now=seconds_later(70)).retried == 1
    given_up = run_push_batch(now=seconds_later(200))
    assert given_up.given_up == 1
    assert "given up" in caplog.text
    assert Participant.objects.get(user=user).push_pending_since is None
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_muted_read_hidden_requests_online_off_and_blocked_get_no_push(
    push_service, user, other_user, third_user, staff_member
):
    subscribe(user, push_service, "ada", BrowserKeys.generate())
    first = send(other_user, user, "hello")
    run_push_batch(now=seconds_later(15))
    push_service.received.clear()

    services.set_muted(user=user, conversation_id=first.conversation_id, muted=True)
    muted = send(other_user, user, "muted")
    assert (
        Participant.objects.get(user=user, conversation_id=first.conversation_id).push_pending_since
        is None
    )
    assert run_push_batch(now=seconds_later(20)).claimed is False
    services.mark_read(reader=user, message_id=muted.pk)
    services.set_muted(user=user, conversation_id=first.conversation_id, muted=False)

    read = send(other_user, user, "read at once")
    services.mark_read(reader=user, message_id=read.pk)
    hidden = send(third_user, user, "hidden by staff")
    services.set_message_hidden(actor=staff_member, message=hidden, hidden=True)
    assert run_push_batch(now=seconds_later(30)).sent == 0

    Participant.objects.filter(user=user, conversation_id=first.conversation_id).update(
        is_request=True
    )
    send(other_user, user, "a message request")
    assert run_push_batch(now=seconds_later(45)).sent == 0
    Participant.objects.filter(user=user).update(is_request=False)

    cache.set(socket_count_key(user.pk), 1)
    send(third_user, user, "while online")
    assert run_push_batch(now=seconds_later(60)).sent == 0
    cache.delete(socket_count_key(user.pk))

    services.update_notification_settings(user=user, changes={"browser_notifications": False})
    send(third_user, user, "turned off")
    assert run_push_batch(now=seconds_later(75)).sent == 0
    services.update_notification_settings(user=user, changes={"browser_notifications": True})

    send(third_user, user, "from someone Ada then blocks")
    services.block_user(blocker=user, blocked_user_id=third_user.pk)
    assert run_push_batch(now=seconds_later(90)).sent == 0
    assert push_service.received == []
    assert not Participant.objects.filter(push_pending_since__isnull=False).exists()


def test_no_subscription_leaves_nothing_pending_and_no_keys_means_no_push(
    push_service, settings, user, other_user
):
    send(other_user, user, "nobody subscribed")
    assert not Participant.objects.filter(push_pending_since__isnull=False).exists()

    subscribe(user, push_service, "ada", BrowserKeys.generate())
    send(other_user, user, "subscribed now")
    settings.VAPID_PRIVATE_KEY = ""
    assert run_push_batch(now=seconds_later(15)).claimed is False
    assert push_service.received == []


def test_two_workers_never_claim_the_same_row(push_service, user, other_user):
    subscribe(user, push_service, "ada", BrowserKeys.generate())
    send(other_user, user, "hello")
    from datetime import timedelta

    from messaging import selectors

    now = seconds_later(15)
    due = selectors.due_push_rows(now=now, limit=10)
    assert services.claim_push(row_ids=due, now=now, lease=timedelta(minutes=5)) is not None
    assert services.claim_push(row_ids=due, now=now, lease=timedelta(minutes=5)) is None
    assert run_push_batch(now=now).claimed is False


def _batch_queries(service, members: int, other_user) -> int:
    for number in range(members):
        member = UserFactory()
        subscribe(member, service, f"{members}-{number}", BrowserKeys.generate())
        send(other_user, member, f"hello {number}")
        send(other_user, member, f"again {number}")
    with capture_queries() as captured:
        result = run_push_batch(now=seconds_later(15))
    assert result.sent == members
    return len(captured)


def test_a_batch_costs_the_same_queries_for_2_and_for_12_members(push_service, other_user):
    small = _batch_queries(push_service, 2, other_user)
    large = _batch_queries(push_service, 12, other_user)

    assert small == large == 6


def test_payload_keys_are_base64url(user):
    keys = BrowserKeys.generate()
    assert len(keys.auth) == len(b64url(b"x" * 16))


def test_a_message_request_is_pushed_once_without_its_text(push_service, user, other_user):
    keys = BrowserKeys.generate()
    subscribe(user, push_service, "ada", keys)
    services.update_privacy_settings(user=user, message_requests=True)
    send(other_user, user, "Buy my course, cheap!")
    send(other_user, user, "Second pitch")
    assert Participant.objects.get(user=user).is_request

    assert run_push_batch(now=seconds_later(15)).sent == 1
    [push] = push_service.received
    payload = keys.decrypt(push)
    assert payload["title"] == "Message request from Grace Hopper"
    assert "Buy my course" not in payload["body"] and "pitch" not in payload["body"]
    assert payload["url"] == f"/messages/{other_user.pk}"

    send(other_user, user, "Third pitch")
    assert Participant.objects.get(user=user).push_pending_since is None
    assert run_push_batch(now=seconds_later(60)).sent == 0
