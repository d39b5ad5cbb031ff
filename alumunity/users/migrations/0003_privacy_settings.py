"""Privacy settings on the member row (show_read_receipts, show_presence,
message_requests).

The columns are added by hand, with their defaults kept in the database: on SQLite
Django would rebuild the member table for a NOT NULL column, and on MariaDB an ADD
COLUMN with a constant default is an instant ALTER. Rows written by raw inserts (the
bench seed) get the defaults from the database too.
"""

from django.db import migrations, models

COLUMNS = (
    ("show_read_receipts", "NOT NULL DEFAULT 1"),
    ("show_presence", "NOT NULL DEFAULT 1"),
    ("message_requests", "NULL"),
)


def add_columns(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("users", "User")._meta.db_table)
    for name, rest in COLUMNS:
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {name} bool {rest}")


def drop_columns(apps, schema_editor):
    table = schema_editor.quote_name(apps.get_model("users", "User")._meta.db_table)
    for name, _ in COLUMNS:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {name}")


class Migration(migrations.Migration):
    dependencies = [("users", "0002_name_prefix")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField(
                    model_name="user",
                    name="show_read_receipts",
                    field=models.BooleanField(db_default=True, default=True),
                ),
                migrations.AddField(
                    model_name="user",
                    name="show_presence",
                    field=models.BooleanField(db_default=True, default=True),
                ),
                migrations.AddField(
                    model_name="user",
                    name="message_requests",
                    field=models.BooleanField(blank=True, null=True),
                ),
            ],
        ),
    ]
