"""SQLite only: the words of group messages as postings beside FTS5.

A member's search of their groups asked FTS5 for one term per group (migration 0014),
each term a lookup in the full-text index: a member of 100 groups paid 1.2-3.6 ms before
the first match. `messaging_search_posting` (the table of migration 0023 on MySQL /
MariaDB, where it holds every message's words) now holds the group messages' words on
SQLite too: one row per (`c<conversation id>`, folded word, message), with the
conversation, in a primary key that the search reads as one range per group
(messaging/search_group_postings.py). Direct messages stay in FTS5 alone, and FTS5 keeps
the groups' terms for phrases.

Triggers write a message's postings through messaging_group_words() (a Python function
registered on every SQLite connection) in the message's own transaction, on the same
changes as FTS5's triggers: insert, delete, and an update of its text, sender,
recipient, conversation or hidden flag. A hidden message has none. The rows of the
group messages already there are written by one INSERT … SELECT. MySQL / MariaDB: no
change (their postings have held the groups' words since 0023).
"""

from django.db import migrations

POSTINGS = "messaging_search_posting"
MESSAGES = "messaging_message"

CREATE_TABLE = (
    f"CREATE TABLE {POSTINGS} ("
    "scope text NOT NULL, word text NOT NULL, message_id integer NOT NULL, "
    "conversation_id integer NOT NULL, PRIMARY KEY (scope, word, message_id)"
    ") WITHOUT ROWID"
)


def _post(row: str) -> str:
    return (
        f"INSERT OR IGNORE INTO {POSTINGS} (scope, word, message_id, conversation_id) "
        f"SELECT 'c' || {row}.conversation_id, w.value, {row}.id, {row}.conversation_id "
        f"FROM json_each(messaging_group_words({row}.message_text)) w "
        f"WHERE {row}.recipient_id IS NULL AND NOT {row}.is_hidden;"
    )


def _unpost(row: str) -> str:
    # Uses index: the primary key, one lookup of the whole key per word.
    return (
        f"DELETE FROM {POSTINGS} WHERE {row}.recipient_id IS NULL "
        f"AND scope = 'c' || {row}.conversation_id AND message_id = {row}.id "
        f"AND word IN (SELECT value FROM json_each(messaging_group_words({row}.message_text)));"
    )


TRIGGERS = [
    # A direct message (it has a recipient) has no postings here: its trigger does nothing.
    f"CREATE TRIGGER {POSTINGS}_insert AFTER INSERT ON {MESSAGES} "
    f"WHEN new.recipient_id IS NULL BEGIN {_post('new')} END",
    f"CREATE TRIGGER {POSTINGS}_delete AFTER DELETE ON {MESSAGES} "
    f"WHEN old.recipient_id IS NULL BEGIN {_unpost('old')} END",
    f"CREATE TRIGGER {POSTINGS}_update AFTER UPDATE OF message_text, sender_id, "
    f"recipient_id, conversation_id, is_hidden ON {MESSAGES} "
    "WHEN old.recipient_id IS NULL OR new.recipient_id IS NULL "
    f"BEGIN {_unpost('old')} {_post('new')} END",
]
DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {POSTINGS}_{event}" for event in ("insert", "delete", "update")
]
# Every visible group message's postings, in one statement.
BACKFILL = (
    f"INSERT OR IGNORE INTO {POSTINGS} (scope, word, message_id, conversation_id) "
    f"SELECT 'c' || m.conversation_id, w.value, m.id, m.conversation_id "
    f"FROM {MESSAGES} m, json_each(messaging_group_words(m.message_text)) w "
    "WHERE m.recipient_id IS NULL AND NOT m.is_hidden"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        cursor.execute(BACKFILL)
        for statement in TRIGGERS:
            cursor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP_TRIGGERS:
            cursor.execute(statement)
        cursor.execute(f"DROP TABLE {POSTINGS}")


class Migration(migrations.Migration):
    dependencies = [("messaging", "0025_conversation_member_count")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
