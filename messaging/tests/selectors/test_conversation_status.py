from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Presence


def test_status_shows_presence_last_seen_and_typing(user, other_user):
    seen = timezone.now() - timedelta(seconds=90)
    Presence.objects.create(user=other_user, last_seen_at=seen)
    services.record_typing(user=other_user, to_user_id=user.pk)

    assert selectors.conversation_status(user=user, other_user_id=other_user.pk) == {
        "other_user_status": "away",
        "other_user_last_seen_at": seen,
        "other_user_typing": True,
    }


def test_a_member_never_seen_is_offline_and_not_typing(user, other_user):
    assert selectors.conversation_status(user=user, other_user_id=str(other_user.pk)) == {
        "other_user_status": "offline",
        "other_user_last_seen_at": None,
        "other_user_typing": False,
    }


def test_do_not_disturb_chosen_by_the_member_is_shown(user, other_user):
    services.set_presence_mode(user=other_user, mode=Presence.Mode.DO_NOT_DISTURB)

    status = selectors.conversation_status(user=user, other_user_id=other_user.pk)

    assert status["other_user_status"] == "do_not_disturb"


@pytest.mark.parametrize("who", ["self", "unknown", "malformed"])
def test_yourself_or_an_unknown_member_is_not_found(user, who):
    other_user_id = {"self": user.pk, "unknown": "00000000-0000-0000-0000-000000000001"}.get(
        who, "nope"
    )

    with pytest.raises(NotFound):
        selectors.conversation_status(user=user, other_user_id=other_user_id)
