"""Uploaded files (Attachment) and the message that carries one (Message.attachment).

On SQLite, adding a column with a foreign key rebuilds the message table, which drops
the triggers that keep the search index (migration 0008) up to date; they are created
again here. The index itself is keyed by message id, which the rebuild keeps.
"""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models



def recreate_search_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    member_terms = importlib.import_module("messaging.migrations.0008_sqlite_member_terms")
    for statement in member_terms.SQLITE_FORWARD:
        if statement.startswith(("DROP TRIGGER", "CREATE TRIGGER")):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0012_moderation_log_conversation'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Unapplying rebuilds the table again: the triggers come back last then too.
        migrations.RunPython(migrations.RunPython.noop, recreate_search_triggers, elidable=False),
        migrations.CreateModel(
            name='Attachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('storage_name', models.CharField(max_length=255)),
                ('original_name', models.CharField(max_length=255)),
                ('content_type', models.CharField(max_length=50)),
                ('size', models.PositiveBigIntegerField()),
                ('width', models.PositiveIntegerField(blank=True, null=True)),
                ('height', models.PositiveIntegerField(blank=True, null=True)),
                ('thumbnail_name', models.CharField(blank=True, max_length=255)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('uploader', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attachments', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddField(
            model_name='message',
            name='attachment',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='message', to='messaging.attachment'),
        ),
        migrations.AddIndex(
            model_name='attachment',
            index=models.Index(fields=['created_at'], name='attachment_age'),
        ),
        migrations.RunPython(recreate_search_triggers, migrations.RunPython.noop, elidable=False),
    ]
