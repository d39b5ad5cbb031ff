"""Full-text search on message text, one index per backend (selectors.search_messages).

Each indexed row also carries two "owner" tokens, u<sender hex> and u<recipient hex>, so
a search is the intersection of the words' postings with the searching member's own
posting list: other members' messages are never read, only skipped in the index.

- MySQL / MariaDB: a stored generated column `search_owners` and an InnoDB FULLTEXT
  index on (message_text, search_owners). InnoDB adds rows to the index at commit.
- SQLite: an FTS5 table with external content (messaging_message), kept in sync by
  triggers that also write the owner tokens (FTS5 only reads the content table to
  return column values, and searches select rowids only, so `owners` needs no column
  there; do not use the 'rebuild' command, re-insert as the last statement below does).
  Accents are folded (remove_diacritics 2), so "cafe" finds "café". Django remakes a
  SQLite table for some schema changes, which drops its triggers: a later migration
  that remakes messaging_message must re-create the three triggers.

Other backends get nothing and search falls back to a bounded scan.
"""

from django.db import migrations

MYSQL_FORWARD = [
    "ALTER TABLE messaging_message ADD COLUMN search_owners varchar(80) AS "
    "(CONCAT('u', REPLACE(sender_id, '-', ''), ' u', REPLACE(recipient_id, '-', ''))) STORED",
    "ALTER TABLE messaging_message ADD FULLTEXT INDEX message_text_fulltext "
    "(message_text, search_owners)",
]
MYSQL_BACKWARD = [
    "ALTER TABLE messaging_message DROP INDEX message_text_fulltext",
    "ALTER TABLE messaging_message DROP COLUMN search_owners",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE messaging_message_fts USING fts5(message_text, owners, "
    "content='messaging_message', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER messaging_message_fts_insert AFTER INSERT ON messaging_message BEGIN "
    "INSERT INTO messaging_message_fts (rowid, message_text, owners) VALUES "
    "(new.id, new.message_text, 'u' || new.sender_id || ' u' || new.recipient_id); END",
    "CREATE TRIGGER messaging_message_fts_delete AFTER DELETE ON messaging_message BEGIN "
    "INSERT INTO messaging_message_fts (messaging_message_fts, rowid, message_text, owners) "
    "VALUES ('delete', old.id, old.message_text, "
    "'u' || old.sender_id || ' u' || old.recipient_id); END",
    "CREATE TRIGGER messaging_message_fts_update AFTER UPDATE OF message_text, sender_id, "
    "recipient_id ON messaging_message BEGIN "
    "INSERT INTO messaging_message_fts (messaging_message_fts, rowid, message_text, owners) "
    "VALUES ('delete', old.id, old.message_text, "
    "'u' || old.sender_id || ' u' || old.recipient_id); "
    "INSERT INTO messaging_message_fts (rowid, message_text, owners) VALUES "
    "(new.id, new.message_text, 'u' || new.sender_id || ' u' || new.recipient_id); END",
    # Rows written before this migration.
    "INSERT INTO messaging_message_fts (rowid, message_text, owners) SELECT id, message_text, "
    "'u' || sender_id || ' u' || recipient_id FROM messaging_message",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS messaging_message_fts_update",
    "DROP TRIGGER IF EXISTS messaging_message_fts_delete",
    "DROP TRIGGER IF EXISTS messaging_message_fts_insert",
    "DROP TABLE IF EXISTS messaging_message_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # MySQL cannot run DDL inside a transaction.
    atomic = False

    dependencies = [("messaging", "0003_moderators_group")]

    operations = [
        migrations.RunPython(
            _run({"mysql": MYSQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"mysql": MYSQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        )
    ]
