"""Group messages in the search index, once per conversation: `<word>_c<conversation id>`.

A group message has no recipient, so migrations 0007-0008 indexed it for its sender
only. Its members change while its messages do not, so its words are now indexed once,
suffixed with the conversation (`coffee_c42`), and a search asks for the member's own
terms and for those of the groups they are or were in, each match checked against the
member's window in that group (messaging/search.py). Direct messages keep their
per-member terms, so a one-to-one search reads exactly what it read before.

- SQLite: only the group messages' index rows change (a contentless FTS5 row is deleted
  by giving back exactly the terms it was written with), and the triggers call
  messaging_search_terms(), which also takes the conversation.
- MySQL / MariaDB: the stored generated column gets the new expression; the table is
  copied once, with its FULLTEXT index, in a single ALTER (see 0007 for why COPY).
"""

import importlib

from django.db import migrations, transaction

MEMBER_TERMS = importlib.import_module("messaging.migrations.0008_sqlite_member_terms")
INNODB_TERMS = importlib.import_module("messaging.migrations.0007_innodb_search_terms")

OLD = "messaging_member_terms({row}.message_text, {row}.sender_id, {row}.recipient_id, {row}.is_hidden)"
NEW = (
    "messaging_search_terms({row}.message_text, {row}.sender_id, {row}.recipient_id, "
    "{row}.conversation_id, {row}.is_hidden)"
)
_TABLE = "messaging_message"
_FTS = "messaging_message_fts"

DROP_TRIGGERS = [
    f"DROP TRIGGER IF EXISTS {_FTS}_insert",
    f"DROP TRIGGER IF EXISTS {_FTS}_delete",
    f"DROP TRIGGER IF EXISTS {_FTS}_update",
]


def _sqlite_triggers(terms):
    return [
        f"CREATE TRIGGER {_FTS}_insert AFTER INSERT ON {_TABLE} BEGIN "
        f"INSERT INTO {_FTS} (rowid, terms) VALUES (new.id, {terms.format(row='new')}); END",
        f"CREATE TRIGGER {_FTS}_delete AFTER DELETE ON {_TABLE} BEGIN "
        f"INSERT INTO {_FTS} ({_FTS}, rowid, terms) "
        f"VALUES ('delete', old.id, {terms.format(row='old')}); END",
        f"CREATE TRIGGER {_FTS}_update AFTER UPDATE OF message_text, sender_id, "
        f"recipient_id, conversation_id, is_hidden ON {_TABLE} BEGIN "
        f"INSERT INTO {_FTS} ({_FTS}, rowid, terms) "
        f"VALUES ('delete', old.id, {terms.format(row='old')}); "
        f"INSERT INTO {_FTS} (rowid, terms) VALUES (new.id, {terms.format(row='new')}); "
        "END",
    ]


def _reindex_groups(old_terms, new_terms):
    """Group messages only (no recipient): out with the terms they were written with,
    in with the new ones."""
    return [
        f"INSERT INTO {_FTS} ({_FTS}, rowid, terms) SELECT 'delete', id, "
        f"{old_terms.format(row=_TABLE)} FROM {_TABLE} WHERE recipient_id IS NULL",
        f"INSERT INTO {_FTS} (rowid, terms) SELECT id, {new_terms.format(row=_TABLE)} "
        f"FROM {_TABLE} WHERE recipient_id IS NULL",
    ]


SQLITE_FORWARD = [*DROP_TRIGGERS, *_reindex_groups(OLD, NEW), *_sqlite_triggers(NEW)]
SQLITE_BACKWARD = [
    *DROP_TRIGGERS,
    *_reindex_groups(NEW, OLD),
    *(s for s in MEMBER_TERMS.SQLITE_FORWARD if s.startswith("CREATE TRIGGER")),
]

# A direct message (it has a recipient) keeps 0007's per-member terms.
TERMS_SQL = (
    "IF(is_hidden, '', IF(recipient_id IS NULL, "
    "REGEXP_REPLACE(message_text, '(\\\\w+)', CONCAT('\\\\1_c', conversation_id)), "
    "REGEXP_REPLACE(message_text, '(\\\\w+)', CONCAT("
    "'\\\\1_', LEFT(REPLACE(sender_id, '-', ''), 12), "
    "' \\\\1_', LEFT(REPLACE(recipient_id, '-', ''), 12)))))"
)


def _innodb_alter(terms_sql):
    # One statement, one copy of the table: the column's new expression and its
    # FULLTEXT index rebuilt from it.
    return [
        f"ALTER TABLE {_TABLE} DROP INDEX message_text_fulltext, "
        f"MODIFY COLUMN search_terms longtext AS ({terms_sql}) STORED, "
        "ADD FULLTEXT INDEX message_text_fulltext (search_terms), ALGORITHM=COPY"
    ]


def _run(sqlite_statements, mysql_statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor == "mysql":
            for statement in mysql_statements:
                schema_editor.execute(statement)
        elif vendor == "sqlite":
            # SQLite runs DDL in a transaction: the index changes whole or not at all.
            with transaction.atomic(using=schema_editor.connection.alias):
                for statement in sqlite_statements:
                    schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # MySQL cannot run DDL inside a transaction.
    atomic = False

    dependencies = [("messaging", "0013_attachments")]

    operations = [
        migrations.RunPython(
            _run(SQLITE_FORWARD, _innodb_alter(TERMS_SQL)),
            _run(SQLITE_BACKWARD, _innodb_alter(INNODB_TERMS.TERMS_SQL)),
            elidable=False,
        )
    ]
