"""SQLite only: index each word once per participant, as `<word>_<member id>`.

FTS5 intersects the posting lists of a query's terms, and a busy member's owner token
(migrations 0004-0005) has one posting per message they ever exchanged: at a million
messages, decoding it took ~3 ms of every search, growing with the member's history. The
index is now a contentless FTS5 table of per-member terms (as on MariaDB, migration
0007), written by triggers through messaging_member_terms() (messaging/search.py,
registered on every SQLite connection), so a search reads only the member's own
postings of its words. Hidden messages get no terms.
"""

import importlib

from django.db import migrations

TERMS = "messaging_member_terms({row}.message_text, {row}.sender_id, {row}.recipient_id, {row}.is_hidden)"

# Either way the index is replaced whole: its triggers first, then the table.
DROP_INDEX = [
    "DROP TRIGGER IF EXISTS messaging_message_fts_insert",
    "DROP TRIGGER IF EXISTS messaging_message_fts_delete",
    "DROP TRIGGER IF EXISTS messaging_message_fts_update",
    "DROP TABLE IF EXISTS messaging_message_fts",
]

SQLITE_FORWARD = [
    *DROP_INDEX,
    # `_` joins a word to its member; unicode61 folds case and accents of the whole term.
    "CREATE VIRTUAL TABLE messaging_message_fts USING fts5(terms, content='', "
    "tokenize=\"unicode61 remove_diacritics 2 tokenchars '_'\")",
    "CREATE TRIGGER messaging_message_fts_insert AFTER INSERT ON messaging_message BEGIN "
    f"INSERT INTO messaging_message_fts (rowid, terms) VALUES (new.id, {TERMS.format(row='new')}); "
    "END",
    "CREATE TRIGGER messaging_message_fts_delete AFTER DELETE ON messaging_message BEGIN "
    "INSERT INTO messaging_message_fts (messaging_message_fts, rowid, terms) "
    f"VALUES ('delete', old.id, {TERMS.format(row='old')}); END",
    "CREATE TRIGGER messaging_message_fts_update AFTER UPDATE OF message_text, sender_id, "
    "recipient_id, is_hidden ON messaging_message BEGIN "
    "INSERT INTO messaging_message_fts (messaging_message_fts, rowid, terms) "
    f"VALUES ('delete', old.id, {TERMS.format(row='old')}); "
    f"INSERT INTO messaging_message_fts (rowid, terms) VALUES (new.id, {TERMS.format(row='new')}); "
    "END",
    "INSERT INTO messaging_message_fts (rowid, terms) "
    f"SELECT id, {TERMS.format(row='messaging_message')} FROM messaging_message",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    """Back to the owner-token index of migrations 0004-0005."""
    if schema_editor.connection.vendor != "sqlite":
        return
    owner_index = importlib.import_module("messaging.migrations.0004_message_full_text_search")
    hidden_aware = importlib.import_module("messaging.migrations.0005_search_index_skips_hidden")
    for statement in [
        *DROP_INDEX,
        *owner_index.SQLITE_FORWARD,
        *hidden_aware._sqlite_triggers(skip_hidden=True),
    ]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("messaging", "0007_innodb_search_terms")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
