"""Editing, delete for everyone and reactions (SPEC §9.3): three message columns, the
revisions table (earlier texts, and the original of a deleted message for staff), the
reactions table and a report's frozen evidence.

The message columns are added by hand. On SQLite, nullable columns and a NOT NULL column
with a constant default are plain ADD COLUMNs that copy nothing (Django would rebuild
the table for the default, dropping the search triggers). On MariaDB the FULLTEXT index
rules out an instant ADD COLUMN, so the three columns come in one ALTER: one in-place
rebuild of the message table (reads go on; writes wait for it, as the FULLTEXT index
needs a shared lock). The search index is not touched: it follows message_text, which
an edit rewrites and a delete empties.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

COLUMNS = ("edited_at", "deleted_at", "reaction_count")


def add_message_columns(apps, schema_editor):
    table = schema_editor.quote_name("messaging_message")
    if schema_editor.connection.vendor == "mysql":
        moment, counter = "datetime(6) NULL", "integer UNSIGNED NOT NULL DEFAULT 0"
        definitions = zip(COLUMNS, (moment, moment, counter), strict=True)
        added = ", ".join(f"ADD COLUMN {column} {definition}" for column, definition in definitions)
        schema_editor.execute(f"ALTER TABLE {table} {added}")
        return
    moment = "datetime NULL"
    counter = 'integer unsigned NOT NULL DEFAULT 0 CHECK ("reaction_count" >= 0)'
    for column, definition in zip(COLUMNS, (moment, moment, counter), strict=True):
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")


def drop_message_columns(apps, schema_editor):
    table = schema_editor.quote_name("messaging_message")
    if schema_editor.connection.vendor == "mysql":
        dropped = ", ".join(f"DROP COLUMN {column}" for column in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {table} {dropped}")
        return
    for column in reversed(COLUMNS):
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0014_group_search_terms"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(add_message_columns, drop_message_columns),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="message",
                    name="edited_at",
                    field=models.DateTimeField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="message",
                    name="deleted_at",
                    field=models.DateTimeField(blank=True, null=True),
                ),
                migrations.AddField(
                    model_name="message",
                    name="reaction_count",
                    field=models.PositiveIntegerField(default=0),
                ),
            ],
        ),
        migrations.AddField(
            model_name="report",
            name="evidence",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name="MessageRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message_text", models.TextField(blank=True)),
                ("written_at", models.DateTimeField()),
                ("replaced_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("deleted", models.BooleanField(default=False)),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="messaging.message",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["message", "id"], name="revision_history")],
            },
        ),
        migrations.CreateModel(
            name="Reaction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("emoji", models.CharField(max_length=32)),
                ("emoji_key", models.CharField(max_length=224)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to="messaging.message",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reactions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("message", "emoji_key", "user"), name="reaction_unique"
                    )
                ],
            },
        ),
    ]
