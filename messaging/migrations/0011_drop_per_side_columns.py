"""The per-side columns of version 1 go: participant rows hold every per-member fact."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("messaging", "0010_move_to_participants")]

    operations = [
        migrations.RemoveIndex(
            model_name='conversation',
            name='conversation_one_inbox',
        ),
        migrations.RemoveIndex(
            model_name='conversation',
            name='conversation_two_inbox',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='cleared_count_one',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='cleared_count_two',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='cleared_through_id_one',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='cleared_through_id_two',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='last_message',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='last_message_at',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='message_count',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='unread_count_one',
        ),
        migrations.RemoveField(
            model_name='conversation',
            name='unread_count_two',
        ),
    ]
