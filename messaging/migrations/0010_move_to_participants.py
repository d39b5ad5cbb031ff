"""Every direct conversation's per-side counters and markers move onto two participant
rows, ids kept, in batches of conversation ids (one INSERT … SELECT per side and batch,
so the rows never pass through Python). The read position is the newest message the
member has read."""

from django.db import migrations

BATCH = 5000

SIDE_SQL = """
    INSERT INTO {participant} (
        conversation_id, user_id, role, unread_count, last_read_id, cleared_through_id,
        cleared_count, muted, joined_at, left_at, first_message_id, last_message_id,
        last_message_at, message_count)
    SELECT c.id, c.user_{side}_id, 'member', c.unread_count_{side},
           COALESCE((SELECT MAX(m.id) FROM {message} m
                     WHERE m.conversation_id = c.id AND m.recipient_id = c.user_{side}_id
                       AND m.read_at IS NOT NULL), 0),
           c.cleared_through_id_{side}, c.cleared_count_{side}, %s, c.created_at, NULL, 0,
           c.last_message_id, c.last_message_at, c.message_count
    FROM {conversation} c
    WHERE c.id >= %s AND c.id < %s
"""


def forward(apps, schema_editor):
    Conversation = apps.get_model("messaging", "Conversation")
    tables = {
        "conversation": Conversation._meta.db_table,
        "participant": apps.get_model("messaging", "Participant")._meta.db_table,
        "message": apps.get_model("messaging", "Message")._meta.db_table,
    }
    statements = [SIDE_SQL.format(side=side, **tables) for side in ("one", "two")]
    last = Conversation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with schema_editor.connection.cursor() as cursor:
        for start in range(1, last + 1, BATCH):
            for statement in statements:
                cursor.execute(statement, [False, start, start + BATCH])


def backward(apps, schema_editor):
    """Back to the per-side columns (direct conversations only; groups cannot go back)."""
    Conversation = apps.get_model("messaging", "Conversation")
    Participant = apps.get_model("messaging", "Participant")
    for participant in Participant.objects.select_related("conversation").iterator():
        conversation = participant.conversation
        side = "one" if participant.user_id == conversation.user_one_id else "two"
        Conversation.objects.filter(pk=conversation.pk).update(
            **{
                f"unread_count_{side}": participant.unread_count,
                f"cleared_through_id_{side}": participant.cleared_through_id,
                f"cleared_count_{side}": participant.cleared_count,
                "last_message_id": participant.last_message_id,
                "last_message_at": participant.last_message_at,
                "message_count": participant.message_count,
            }
        )
    Participant.objects.all().delete()


class Migration(migrations.Migration):
    # Batches commit one by one on MariaDB (DDL there is never transactional anyway).
    atomic = False

    dependencies = [("messaging", "0009_participants")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
