"""MySQL / MariaDB only: index each word once per participant, as `<word>_<member>`.

InnoDB's FULLTEXT search decodes the whole posting list of every term it is given, and
a busy member's owner token (migration 0004) has one posting per message they ever
exchanged: at a million messages that alone cost ~150 ms per search. A stored generated
column now writes every word of a visible message twice, suffixed with the first 12 hex
digits of the sender's and of the recipient's id (`coffee_cd613e30d8f1`), so a search
reads only the postings of that member's own messages with that word. The suffix also
makes every word long enough for innodb_ft_min_token_size and never a stopword, so short
words and stopwords are searchable as on SQLite. Hidden messages get no terms.
"""

from django.db import migrations

OWNERS_SQL = "CONCAT('u', REPLACE(sender_id, '-', ''), ' u', REPLACE(recipient_id, '-', ''))"
TERMS_SQL = (
    "IF(is_hidden, '', REGEXP_REPLACE(message_text, '(\\\\w+)', CONCAT("
    "'\\\\1_', LEFT(REPLACE(sender_id, '-', ''), 12), "
    "' \\\\1_', LEFT(REPLACE(recipient_id, '-', ''), 12))))"
)

MYSQL_FORWARD = [
    "ALTER TABLE messaging_message DROP INDEX message_text_fulltext",
    "ALTER TABLE messaging_message DROP COLUMN search_owners",
    f"ALTER TABLE messaging_message ADD COLUMN search_terms longtext AS ({TERMS_SQL}) STORED",
    # COPY: MariaDB's in-place build over a stored generated column leaves it empty.
    "ALTER TABLE messaging_message ADD FULLTEXT INDEX message_text_fulltext (search_terms), "
    "ALGORITHM=COPY",
]
MYSQL_BACKWARD = [
    "ALTER TABLE messaging_message DROP INDEX message_text_fulltext",
    "ALTER TABLE messaging_message DROP COLUMN search_terms",
    "ALTER TABLE messaging_message ADD COLUMN search_owners varchar(80) AS "
    f"(IF(is_hidden, '', {OWNERS_SQL})) STORED",
    "ALTER TABLE messaging_message ADD FULLTEXT INDEX message_text_fulltext "
    "(message_text, search_owners), ALGORITHM=COPY",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "mysql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    # MySQL cannot run DDL inside a transaction.
    atomic = False

    dependencies = [("messaging", "0006_message_hidden_index")]

    operations = [migrations.RunPython(_run(MYSQL_FORWARD), _run(MYSQL_BACKWARD), elidable=False)]
