"""Each thread parses with one instance per input serializer (api.views.parse): nothing
of one request's parse reaches the next, valid or refused, and threads do not share."""

import threading
from http import HTTPStatus

import pytest
from rest_framework.exceptions import ValidationError

from messaging.api import serializers as io
from messaging.api.views import parse
from messaging.tests.factories import send


def test_each_request_is_parsed_on_its_own(api_client, user, other_user):
    for n in range(5):
        send(other_user, user, f"message {n}")
    path = f"/api/messages/conversation/{other_user.pk}"
    newest = api_client.get(f"{path}?limit=3").json()["data"]
    assert len(newest) == 3

    refused = api_client.get(f"{path}?limit=0&before=x").json()
    assert set(refused["errors"]) == {"limit", "before"}
    # The next request's errors are its own.
    refused = api_client.get(f"{path}?after=-1").json()
    assert set(refused["errors"]) == {"after"}
    # And a valid one after them gets its own values and the defaults, nothing kept.
    before = api_client.get(f"{path}?before={newest[0]['id']}").json()["data"]
    assert [m["message_text"] for m in before] == ["message 0", "message 1"]
    assert len(api_client.get(path).json()["data"]) == 5
    both = api_client.get(f"{path}?before={newest[0]['id']}&after=1")
    assert both.status_code == HTTPStatus.BAD_REQUEST


def test_a_refused_parse_leaves_nothing_for_the_next():
    with pytest.raises(ValidationError) as refused:
        parse(io.HistoryParams, {"limit": "500", "around": "x"})
    assert set(refused.value.detail) == {"limit", "around"}
    assert parse(io.HistoryParams, {"before": "7"}) == {"limit": 50, "before": 7}
    assert parse(io.HistoryParams, {}) == {"limit": 50}


def test_threads_parse_with_their_own_instances():
    results: dict[int, list] = {}

    def run(n: int) -> None:
        results[n] = [parse(io.PageParams, {"limit": str(n), "offset": str(i)}) for i in range(200)]

    threads = [threading.Thread(target=run, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for n, parsed in results.items():
        assert parsed == [{"limit": n, "offset": i} for i in range(200)]
