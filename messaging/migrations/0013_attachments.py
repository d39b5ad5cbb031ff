"""Uploaded files (Attachment) and the message that carries one (Message.attachment).

The column is added by hand so that neither database copies the million-row message
table: a nullable column without a foreign-key constraint is an instant ALTER on MariaDB
and a plain ADD COLUMN on SQLite (Django would rebuild the table on SQLite for a unique
column, dropping the search triggers, and MariaDB copies the table to add a foreign key
with checks on). The unique index is then built on its own, online.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

INDEX = "message_attachment_unique"


def add_attachment_column(apps, schema_editor):
    table = schema_editor.quote_name("messaging_message")
    column_type = "bigint" if schema_editor.connection.vendor == "mysql" else "integer"
    schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN attachment_id {column_type} NULL")
    schema_editor.execute(f"CREATE UNIQUE INDEX {INDEX} ON {table} (attachment_id)")


def drop_attachment_column(apps, schema_editor):
    table = schema_editor.quote_name("messaging_message")
    if schema_editor.connection.vendor == "mysql":
        schema_editor.execute(f"ALTER TABLE {table} DROP INDEX {INDEX}")
    else:
        schema_editor.execute(f"DROP INDEX {INDEX}")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN attachment_id")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0012_moderation_log_conversation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Attachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("storage_name", models.CharField(max_length=255)),
                ("original_name", models.CharField(max_length=255)),
                ("content_type", models.CharField(max_length=50)),
                ("size", models.PositiveBigIntegerField()),
                ("width", models.PositiveIntegerField(blank=True, null=True)),
                ("height", models.PositiveIntegerField(blank=True, null=True)),
                ("thumbnail_name", models.CharField(blank=True, max_length=255)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "uploader",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(add_attachment_column, drop_attachment_column),
            ],
            state_operations=[
                migrations.AddField(
                    model_name="message",
                    name="attachment",
                    field=models.OneToOneField(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="message",
                        to="messaging.attachment",
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="attachment",
            index=models.Index(fields=["created_at"], name="attachment_age"),
        ),
    ]
