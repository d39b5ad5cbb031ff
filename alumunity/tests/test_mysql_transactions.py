"""MySQL / MariaDB transactions through alumunity.db.mysql: the same transactions as
Django's backend (atomic, isolated, rolled back whole, savepoints, manual autocommit),
sent as START TRANSACTION … COMMIT with the server left in autocommit, and nothing sent
for a transaction that runs no statement. The server's own counters of this session's
statements (SHOW SESSION STATUS) show what was sent."""

import pytest
from django.db import connection, connections, transaction

from messaging.tests.factories import UserFactory

pytestmark = [
    pytest.mark.skipif(connection.vendor != "mysql", reason="the MySQL / MariaDB backend"),
    pytest.mark.django_db(transaction=True),
]

_SENT = ("Com_begin", "Com_commit", "Com_rollback", "Com_set_option")


def _sent() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS WHERE Variable_name IN %s", [_SENT])
        return {name: int(value) for name, value in cursor.fetchall()}


def _since(before: dict[str, int]) -> dict[str, int]:
    after = _sent()
    return {name: after[name] - before[name] for name in _SENT if after[name] != before[name]}


def _seen_by_another_connection(email: str) -> bool:
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM users_user WHERE email = %s", [email])
            return cursor.fetchone()[0] == 1
    finally:
        other.close()


def test_a_write_transaction_is_start_transaction_then_commit():
    _sent()  # the connection is open
    before = _sent()
    with transaction.atomic():
        UserFactory(email="one@example.org")
    # Django's backend sent SET autocommit=0, COMMIT and SET autocommit=1.
    assert _since(before) == {"Com_begin": 1, "Com_commit": 1}
    assert _seen_by_another_connection("one@example.org")


def test_a_transaction_that_runs_no_statement_sends_nothing():
    before = _sent()
    with transaction.atomic():
        pass
    with pytest.raises(RuntimeError), transaction.atomic():
        raise RuntimeError
    assert _since(before) == {}


def test_what_a_transaction_writes_is_hidden_from_others_until_it_commits():
    with transaction.atomic():
        UserFactory(email="pending@example.org")
        assert not _seen_by_another_connection("pending@example.org")
    assert _seen_by_another_connection("pending@example.org")


def test_a_failed_transaction_leaves_nothing():
    before = _sent()
    with pytest.raises(RuntimeError), transaction.atomic():
        UserFactory(email="lost@example.org")
        raise RuntimeError
    assert _since(before) == {"Com_begin": 1, "Com_rollback": 1}
    assert not _seen_by_another_connection("lost@example.org")


def test_a_savepoint_rolls_back_only_its_part():
    with transaction.atomic():
        UserFactory(email="kept@example.org")
        with pytest.raises(RuntimeError), transaction.atomic():
            UserFactory(email="dropped@example.org")
            raise RuntimeError
    assert _seen_by_another_connection("kept@example.org")
    assert not _seen_by_another_connection("dropped@example.org")


def test_outside_a_transaction_each_statement_commits_on_its_own():
    UserFactory(email="alone@example.org")
    assert _seen_by_another_connection("alone@example.org")
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@autocommit")
        assert cursor.fetchone()[0] == 1


def test_manual_autocommit_off_begins_anew_after_each_commit():
    transaction.set_autocommit(False)
    try:
        UserFactory(email="first@example.org")
        transaction.commit()
        UserFactory(email="second@example.org")
        assert not _seen_by_another_connection("second@example.org")
        transaction.rollback()
    finally:
        transaction.set_autocommit(True)
    assert _seen_by_another_connection("first@example.org")
    assert not _seen_by_another_connection("second@example.org")


def test_a_new_connection_turns_the_servers_autocommit_on():
    connection.close()
    UserFactory(email="fresh@example.org")
    assert _seen_by_another_connection("fresh@example.org")
