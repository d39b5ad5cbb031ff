from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import selectors
from messaging.models import Presence

NOW = timezone.now()


def _presence(seconds_ago, mode=Presence.Mode.AUTO) -> Presence:
    last_seen_at = None if seconds_ago is None else NOW - timedelta(seconds=seconds_ago)
    return Presence(mode=mode, last_seen_at=last_seen_at)


@pytest.mark.parametrize(
    "seconds_ago, status",
    [(0, "online"), (60, "online"), (61, "away"), (300, "away"), (301, "offline")],
)
def test_status_follows_the_last_activity(seconds_ago, status):
    assert selectors.effective_status(_presence(seconds_ago), now=NOW) == status


def test_windows_come_from_settings(settings):
    settings.MESSAGING = {
        **settings.MESSAGING,
        "ONLINE_WINDOW_SECONDS": 10,
        "AWAY_WINDOW_SECONDS": 20,
    }

    assert [
        selectors.effective_status(_presence(seconds), now=NOW) for seconds in (10, 11, 20, 21)
    ] == ["online", "away", "away", "offline"]


def test_do_not_disturb_is_shown_whatever_the_activity():
    for seconds_ago in (0, 120, 3600):
        presence = _presence(seconds_ago, Presence.Mode.DO_NOT_DISTURB)
        assert selectors.effective_status(presence, now=NOW) == "do_not_disturb"


def test_never_seen_is_offline():
    assert selectors.effective_status(None, now=NOW) == "offline"
    assert selectors.effective_status(_presence(None), now=NOW) == "offline"
    assert selectors.effective_status(_presence(None, Presence.Mode.DO_NOT_DISTURB)) == "offline"


def test_defaults_to_the_current_time(db, user):
    presence = Presence.objects.create(user=user, last_seen_at=timezone.now())

    assert selectors.effective_status(presence) == "online"
