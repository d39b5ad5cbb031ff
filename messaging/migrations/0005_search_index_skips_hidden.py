"""A hidden message loses its owner tokens in the full-text index, so no member's search
can match it and the index alone can count a member's matches (selectors search).

- MySQL / MariaDB: `search_owners` becomes '' while is_hidden is set (the generated
  column follows the flag; InnoDB re-indexes the row when it changes).
- SQLite: the triggers write the owner tokens only for visible messages, and also fire
  when is_hidden changes; the index is rebuilt once for the rows already there.
"""

from django.db import migrations

OWNERS_SQL = "CONCAT('u', REPLACE(sender_id, '-', ''), ' u', REPLACE(recipient_id, '-', ''))"

MYSQL_FORWARD = [
    "ALTER TABLE messaging_message DROP INDEX message_text_fulltext",
    "ALTER TABLE messaging_message DROP COLUMN search_owners",
    "ALTER TABLE messaging_message ADD COLUMN search_owners varchar(80) AS "
    f"(IF(is_hidden, '', {OWNERS_SQL})) STORED",
    "ALTER TABLE messaging_message ADD FULLTEXT INDEX message_text_fulltext "
    "(message_text, search_owners)",
]
MYSQL_BACKWARD = [
    "ALTER TABLE messaging_message DROP INDEX message_text_fulltext",
    "ALTER TABLE messaging_message DROP COLUMN search_owners",
    f"ALTER TABLE messaging_message ADD COLUMN search_owners varchar(80) AS ({OWNERS_SQL}) STORED",
    "ALTER TABLE messaging_message ADD FULLTEXT INDEX message_text_fulltext "
    "(message_text, search_owners)",
]


def _owners(row: str, *, skip_hidden: bool) -> str:
    tokens = f"'u' || {row}.sender_id || ' u' || {row}.recipient_id"
    return f"CASE WHEN {row}.is_hidden THEN '' ELSE {tokens} END" if skip_hidden else tokens


def _sqlite_triggers(*, skip_hidden: bool) -> list[str]:
    new, old = _owners("new", skip_hidden=skip_hidden), _owners("old", skip_hidden=skip_hidden)
    columns = "message_text, sender_id, recipient_id" + (", is_hidden" if skip_hidden else "")
    return [
        "DROP TRIGGER IF EXISTS messaging_message_fts_insert",
        "DROP TRIGGER IF EXISTS messaging_message_fts_delete",
        "DROP TRIGGER IF EXISTS messaging_message_fts_update",
        "CREATE TRIGGER messaging_message_fts_insert AFTER INSERT ON messaging_message BEGIN "
        "INSERT INTO messaging_message_fts (rowid, message_text, owners) VALUES "
        f"(new.id, new.message_text, {new}); END",
        "CREATE TRIGGER messaging_message_fts_delete AFTER DELETE ON messaging_message BEGIN "
        "INSERT INTO messaging_message_fts (messaging_message_fts, rowid, message_text, owners) "
        f"VALUES ('delete', old.id, old.message_text, {old}); END",
        f"CREATE TRIGGER messaging_message_fts_update AFTER UPDATE OF {columns} "
        "ON messaging_message BEGIN "
        "INSERT INTO messaging_message_fts (messaging_message_fts, rowid, message_text, owners) "
        f"VALUES ('delete', old.id, old.message_text, {old}); "
        "INSERT INTO messaging_message_fts (rowid, message_text, owners) VALUES "
        f"(new.id, new.message_text, {new}); END",
        "INSERT INTO messaging_message_fts (messaging_message_fts) VALUES ('delete-all')",
        "INSERT INTO messaging_message_fts (rowid, message_text, owners) "
        f"SELECT id, message_text, {_owners('messaging_message', skip_hidden=skip_hidden)} "
        "FROM messaging_message",
    ]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # MySQL cannot run DDL inside a transaction.
    atomic = False

    dependencies = [("messaging", "0004_message_full_text_search")]

    operations = [
        migrations.RunPython(
            _run({"mysql": MYSQL_FORWARD, "sqlite": _sqlite_triggers(skip_hidden=True)}),
            _run({"mysql": MYSQL_BACKWARD, "sqlite": _sqlite_triggers(skip_hidden=False)}),
            elidable=False,
        )
    ]
