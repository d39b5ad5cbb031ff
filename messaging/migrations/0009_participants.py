"""Conversations gain a kind, a title and participant rows; messages a kind, and a
recipient only in direct conversations. The v1 per-side columns stay until 0010 has
moved them onto the participants; 0011 removes them."""

import importlib

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

SEARCH_INDEX = importlib.import_module("messaging.migrations.0008_sqlite_member_terms")


def _foreign_key_checks(on):
    """MySQL / MariaDB: making a foreign-key column nullable drops and re-adds its
    constraint, and re-adding it with checks on copies the whole table again (with its
    FULLTEXT index; at a million messages that copy alone took several minutes). The rows
    already satisfy the constraint, so it is re-added without checking them."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "mysql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(f"SET SESSION foreign_key_checks = {1 if on else 0}")

    return run


def restore_sqlite_search_triggers(apps, schema_editor):
    """SQLite rebuilds messaging_message to make `recipient` nullable, and dropping the old
    table drops its triggers; the index rows keep their ids, so only the triggers return."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in SEARCH_INDEX.SQLITE_FORWARD:
        if statement.startswith("CREATE TRIGGER"):
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0008_sqlite_member_terms'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Going back rebuilds messaging_message once more, last of all.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_search_triggers),
        migrations.CreateModel(
            name='Participant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('creator', 'Creator'), ('member', 'Member')], default='member', max_length=8)),
                ('unread_count', models.PositiveIntegerField(default=0)),
                ('last_read_id', models.BigIntegerField(default=0)),
                ('cleared_through_id', models.BigIntegerField(default=0)),
                ('cleared_count', models.PositiveIntegerField(default=0)),
                ('muted', models.BooleanField(default=False)),
                ('joined_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('left_at', models.DateTimeField(blank=True, null=True)),
                ('first_message_id', models.BigIntegerField(default=0)),
                ('last_message_at', models.DateTimeField(blank=True, null=True)),
                ('message_count', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='conversation',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='conversation',
            name='kind',
            field=models.CharField(choices=[('direct', 'Direct'), ('group', 'Group')], default='direct', max_length=8),
        ),
        migrations.AddField(
            model_name='conversation',
            name='title',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='message',
            name='kind',
            field=models.CharField(choices=[('text', 'Text'), ('system', 'System')], default='text', max_length=8),
        ),
        migrations.RunPython(_foreign_key_checks(False), _foreign_key_checks(True)),
        migrations.AlterField(
            model_name='conversation',
            name='user_one',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='conversation',
            name='user_two',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='message',
            name='recipient',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='received_messages', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(_foreign_key_checks(True), _foreign_key_checks(False)),
        migrations.AddField(
            model_name='participant',
            name='conversation',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='messaging.conversation'),
        ),
        migrations.AddField(
            model_name='participant',
            name='last_message',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='messaging.message'),
        ),
        migrations.AddField(
            model_name='participant',
            name='user',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participations', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='participant',
            index=models.Index(fields=['user', '-last_message_at'], name='participant_inbox'),
        ),
        migrations.AddConstraint(
            model_name='participant',
            constraint=models.UniqueConstraint(fields=('conversation', 'user'), name='participant_unique'),
        ),
            migrations.RunPython(restore_sqlite_search_triggers, migrations.RunPython.noop),
    ]
