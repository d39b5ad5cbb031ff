import uuid

import pytest

from messaging import events, selectors, services
from messaging.exceptions import NotFound


def _typing(viewer, other) -> bool:
    return selectors.conversation_status(user=viewer, other_user_id=other.pk)["other_user_typing"]


def test_typing_shows_to_the_member_being_written_to_only(user, other_user):
    services.record_typing(user=user, to_user_id=str(other_user.pk))

    assert _typing(other_user, user) is True
    assert _typing(user, other_user) is False


def test_typing_event_goes_to_the_other_member(
    user, other_user, monkeypatch, django_capture_on_commit_callbacks
):
    deliveries = []
    monkeypatch.setattr(events, "_deliver", lambda ids, event: deliveries.append((ids, event)))

    with django_capture_on_commit_callbacks(execute=True):
        services.record_typing(user=user, to_user_id=other_user.pk)

    ((recipients, event),) = deliveries
    assert recipients == [other_user.pk]
    assert event["type"] == "typing"


@pytest.mark.parametrize("to_user_id", [str(uuid.uuid4()), "nope"])
def test_typing_to_an_unknown_member_is_not_found(user, to_user_id):
    with pytest.raises(NotFound):
        services.record_typing(user=user, to_user_id=to_user_id)


def test_the_typists_message_ends_their_typing(user, other_user):
    services.record_typing(user=user, to_user_id=other_user.pk)

    services.send_message(sender=user, recipient_id=other_user.pk, text="done typing")

    assert _typing(other_user, user) is False


def test_a_message_the_other_way_leaves_the_typist_typing(user, other_user):
    services.record_typing(user=user, to_user_id=other_user.pk)

    services.send_message(sender=other_user, recipient_id=user.pk, text="still there?")

    assert _typing(other_user, user) is True
