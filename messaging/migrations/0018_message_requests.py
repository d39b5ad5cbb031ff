"""Message requests: Participant.is_request, the member's side of a conversation a
stranger started.

Added by hand with its default kept in the database, as 0013 does for the message
table: an instant ALTER on MariaDB, a plain ADD COLUMN on SQLite (Django would rebuild
the participant table there), and every existing row is simply not a request.
"""

from django.db import migrations, models


def add_column(apps, schema_editor):
    table = schema_editor.quote_name("messaging_participant")
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN is_request bool NOT NULL DEFAULT 0")


def drop_column(apps, schema_editor):
    table = schema_editor.quote_name("messaging_participant")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN is_request")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0017_notifications"),
        ("users", "0003_privacy_settings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField(
                    model_name="participant",
                    name="is_request",
                    field=models.BooleanField(db_default=False, default=False),
                ),
            ],
        ),
    ]
