"""MySQL / MariaDB only: search reads a B-tree of postings instead of InnoDB FULLTEXT.

InnoDB's FULLTEXT search decodes every posting of each term it is asked for before
anything can be sorted or limited (about 5 µs a match: a word in 3,000 of a member's
messages took 16-22 ms to count alone), so a common word was 20-30 times a plain
request at a million messages. The words now go to `messaging_search_posting`, one row
per (scope, word, message), in a primary key that a search reads newest first and stops
at the page or at the total's cap:

- the scope is whose messages they are: a direct message's words once for each member
  (their whole 32-hex id), a group message's once for its conversation (`c<id>`), as
  the terms of migrations 0007 and 0014 were;
- the word is every `\\w+` run of the text, its first WORD_LENGTH characters, in the
  `utf8mb4_unicode_ci` collation, which folds case and accents as the FULLTEXT index
  did (`cafe` finds "Café"); a word twice in a message is one posting;
- the conversation rides along, so a member's window in it can be checked without
  reading the message.

Two procedures write and remove a message's postings, and triggers on the message table
call them, so every write (a send, an edit, delete for everyone, moderation, the admin)
keeps the index exact and in the same transaction: a search sees its own transaction's
messages, which FULLTEXT (written at commit) did not. A hidden message has no postings.
The rows there are backfilled in batches of BATCH messages, each its own statement, and
the FULLTEXT index and its stored generated column are dropped. SQLite keeps FTS5.
"""

import importlib

from django.db import migrations

POSTINGS = "messaging_search_posting"
MESSAGES = "messaging_message"
WORD_LENGTH = 100
BATCH = 20000

CREATE_TABLE = (
    f"CREATE TABLE {POSTINGS} ("
    "scope varchar(33) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, "
    f"word varchar({WORD_LENGTH}) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL, "
    "message_id bigint NOT NULL, "
    "conversation_id bigint NOT NULL, "
    "PRIMARY KEY (scope, word, message_id)"
    ") ENGINE=InnoDB"
)


def _words(text: str) -> str:
    """The words of `text` as a table `w` (one row per `\\w+` run): the runs of anything
    else become single spaces, and the words a JSON array (a word holds no quote)."""
    return (
        "JSON_TABLE(CONCAT('[\"', REPLACE(TRIM(REGEXP_REPLACE("
        f"{text}, '\\\\W+', ' ')), ' ', '\",\"'), '\"]'), '$[*]' COLUMNS ("
        "word varchar(5000) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci PATH '$')) w"
    )


def _scopes(row: str) -> list[str]:
    """Whose postings a message's words are, as SQL over the message `row`: the
    sender's scope (a group message's conversation), then the recipient's (NULL for a
    group message)."""
    return [
        f"IF({row}recipient_id IS NULL, CONCAT('c', {row}conversation_id), "
        f"REPLACE({row}sender_id, '-', ''))",
        f"REPLACE({row}recipient_id, '-', '')",
    ]


def _post(message: str, conversation: str, scope: str, source: str) -> str:
    return (
        f"INSERT IGNORE INTO {POSTINGS} (scope, word, message_id, conversation_id) "
        f"SELECT {scope}, LEFT(w.word, {WORD_LENGTH}), {message}, {conversation} "
        f"FROM {source} WHERE w.word <> ''"
    )


# One scope a call: with the scope a plain parameter, each posting is reached by its
# whole key (the words first, STRAIGHT_JOIN), never by scanning a scope.
_ARGUMENTS = (
    "IN message bigint, IN body longtext CHARACTER SET utf8mb4, IN conversation bigint, "
    "IN owner varchar(33) CHARACTER SET ascii"
)
CREATE_POST = f"CREATE PROCEDURE messaging_search_post({_ARGUMENTS}) " + _post(
    "message", "conversation", "owner", _words("body")
)
CREATE_UNPOST = (
    f"CREATE PROCEDURE messaging_search_unpost({_ARGUMENTS}) "
    f"DELETE p FROM {_words('body')} STRAIGHT_JOIN {POSTINGS} p "
    f"ON p.scope = owner AND p.word = LEFT(w.word, {WORD_LENGTH}) AND p.message_id = message"
)


def _call(procedure: str, row: str) -> str:
    """The procedure for each scope of a visible message `row` (NEW or OLD)."""
    sender, recipient = _scopes(f"{row}.")
    arguments = f"{row}.id, {row}.message_text, {row}.conversation_id"
    return (
        f"IF NOT {row}.is_hidden THEN CALL {procedure}({arguments}, {sender}); "
        f"IF {row}.recipient_id IS NOT NULL THEN CALL {procedure}({arguments}, {recipient}); "
        "END IF; END IF;"
    )


_CHANGED = " OR ".join(
    f"NOT (OLD.{column} <=> NEW.{column})"
    for column in ("message_text", "sender_id", "recipient_id", "conversation_id", "is_hidden")
)
TRIGGERS = [
    f"CREATE TRIGGER {MESSAGES}_search_insert AFTER INSERT ON {MESSAGES} FOR EACH ROW "
    f"BEGIN {_call('messaging_search_post', 'NEW')} END",
    f"CREATE TRIGGER {MESSAGES}_search_update AFTER UPDATE ON {MESSAGES} FOR EACH ROW "
    f"BEGIN IF {_CHANGED} THEN {_call('messaging_search_unpost', 'OLD')} "
    f"{_call('messaging_search_post', 'NEW')} END IF; END",
    f"CREATE TRIGGER {MESSAGES}_search_delete AFTER DELETE ON {MESSAGES} FOR EACH ROW "
    f"BEGIN {_call('messaging_search_unpost', 'OLD')} END",
]
DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {MESSAGES}_search_{event}" for event in ("insert", "update", "delete")
]
# The postings of the visible messages with ids in (%s, %s], each scope in set form.
BACKFILL = [
    _post(
        "m.id", "m.conversation_id", scope, f"{MESSAGES} m STRAIGHT_JOIN {_words('m.message_text')}"
    )
    + f" AND {scope} IS NOT NULL AND NOT m.is_hidden AND m.id > %s AND m.id <= %s"
    for scope in _scopes("m.")
]

DROP_FULLTEXT = [
    f"ALTER TABLE {MESSAGES} DROP INDEX message_text_fulltext",
    f"ALTER TABLE {MESSAGES} DROP COLUMN search_terms",
]


def install(cursor) -> None:
    """The postings' procedures and triggers (also used by seed_bench, which drops the
    triggers for a bulk load and backfills after it)."""
    for statement in (CREATE_POST, CREATE_UNPOST, *TRIGGERS):
        cursor.execute(statement)


def uninstall(cursor) -> None:
    for statement in (
        *DROP_TRIGGERS,
        "DROP PROCEDURE IF EXISTS messaging_search_post",
        "DROP PROCEDURE IF EXISTS messaging_search_unpost",
    ):
        cursor.execute(statement)


def backfill(cursor, progress=None) -> None:
    """Every visible message's postings, BATCH messages a statement (each its own
    transaction outside a caller's, so the undo log stays small)."""
    cursor.execute(f"SELECT COALESCE(MIN(id), 1) - 1, COALESCE(MAX(id), 0) FROM {MESSAGES}")
    low, high = cursor.fetchone()
    for start in range(low, high, BATCH):
        for statement in BACKFILL:
            cursor.execute(statement, [start, start + BATCH])
        if progress is not None:
            progress(min(BATCH, high - start))


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
        install(cursor)
        backfill(cursor)
        for statement in DROP_FULLTEXT:
            cursor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "mysql":
        return
    group_terms = importlib.import_module("messaging.migrations.0014_group_search_terms")
    with schema_editor.connection.cursor() as cursor:
        uninstall(cursor)
        cursor.execute(f"DROP TABLE {POSTINGS}")
        cursor.execute(
            f"ALTER TABLE {MESSAGES} ADD COLUMN search_terms longtext "
            f"AS ({group_terms.TERMS_SQL}) STORED, "
            "ADD FULLTEXT INDEX message_text_fulltext (search_terms), ALGORITHM=COPY"
        )


class Migration(migrations.Migration):
    # MySQL cannot run DDL inside a transaction.
    atomic = False

    dependencies = [("messaging", "0022_participant_inbox_page_index")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
