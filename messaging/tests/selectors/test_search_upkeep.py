"""The SQLite search index is merged a few steps at a time (messaging.search_upkeep):
the merge does work while there are several segments, stops once there is one, and
searches find exactly what they found before. MySQL / MariaDB have nothing to merge."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from conftest import client_for
from messaging import search_upkeep, services
from messaging.search import FTS_TABLE
from messaging.search_upkeep import merge_search_index
from messaging.tests.factories import send
from messaging.worker import loop

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")


@pytest.fixture
def unmerged_index(transactional_db):
    """FTS5 merges on its own as segments pile up (automerge, crisismerge), so whether a
    handful of writes leaves one segment or several depends on their count: here it
    merges nothing by itself while the test writes, and is set back afterwards."""

    def configure(automerge: int, crisismerge: int) -> None:
        with connection.cursor() as cursor:
            for name, value in (("automerge", automerge), ("crisismerge", crisismerge)):
                cursor.execute(
                    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES(%s, %s)", [name, value]
                )

    configure(0, 1000)
    yield
    configure(4, 16)  # FTS5's defaults


def _search(member, query: str) -> tuple[list[int], int]:
    body = client_for(member).get("/api/messages/search", {"q": query, "limit": "100"}).json()
    return [message["id"] for message in body["data"]], body["total"]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_the_merge_works_until_one_segment_and_searches_find_the_same(
    unmerged_index, user, other_user, third_user
):
    # Each send commits on its own, and FTS5 writes every commit as a new segment.
    for number in range(12):
        send(user, other_user, f"garden party number {number}")
        send(other_user, user, f"reply about the garden {number}")
    group = services.create_group(
        creator=user, member_ids=[str(other_user.pk), str(third_user.pk)], title="Reunion"
    )
    for number in range(6):
        services.send_to_conversation(
            sender=third_user, conversation_id=group.pk, text=f"garden in the group {number}"
        )
    before = {member: _search(member, "garden") for member in (user, other_user, third_user)}

    assert merge_search_index(max_steps=1000) > 0
    assert merge_search_index(max_steps=1000) == 0  # one segment: nothing left to do

    after = {member: _search(member, "garden") for member in (user, other_user, third_user)}
    assert after == before
    assert before[user][1] == 30 and before[third_user][1] == 6


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_max_steps_bounds_the_work_of_one_call(unmerged_index, monkeypatch, user, other_user):
    for number in range(12):
        send(user, other_user, f"coffee {number}")
    monkeypatch.setattr(search_upkeep, "MERGE_PAGES", 1)
    assert merge_search_index(max_steps=1) == 1
    while merge_search_index(max_steps=10):
        pass
    assert merge_search_index(max_steps=10) == 0
    assert _search(user, "coffee")[1] == 12


@pytest.mark.skipif(connection.vendor == "sqlite", reason="InnoDB keeps its own index")
@pytest.mark.django_db
def test_nothing_to_merge_on_mysql(user, other_user):
    send(user, other_user, "garden")
    assert merge_search_index(max_steps=10) == 0


@pytest.mark.django_db(transaction=True)
def test_the_command_merges_everything(capsys, user, other_user):
    for number in range(5):
        send(user, other_user, f"meeting {number}")
    call_command("merge_search_index")
    assert "Merged the search index in" in capsys.readouterr().out
    assert merge_search_index(max_steps=10) == 0
    assert _search(user, "meeting")[1] == 5


@pytest.mark.django_db(transaction=True)
def test_the_worker_loop_merges_on_its_schedule(monkeypatch, settings):
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "POLL_SECONDS": 0.01,
        "SEARCH_MERGE_SECONDS": 3600,
        "SEARCH_MERGE_STEPS": 7,
    }
    calls = []
    monkeypatch.setattr(loop, "merge_search_index", lambda *, max_steps: calls.append(max_steps))
    stop = threading.Event()
    rounds = []

    def on_batch(result):
        rounds.append(result)
        if len(rounds) >= 5:
            stop.set()

    loop.run_forever(stop=stop, on_batch=on_batch)
    assert calls == [7]  # once at start, then not again within the hour
