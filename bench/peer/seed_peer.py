"""Copies a seeded benchmark database of the project into django-postman's tables, so
the peer holds the very same members, conversations and messages (bench/peer.py runs
it with the peer's Python). Members become auth users (username = email, same password
hash); a conversation becomes a postman thread: its first message is the root, each
message's parent is the one before it. Prints, as one JSON line, the thread of the hot
member with bench-1 and a message the hot member received to reply to.

    PEER_DATABASE_URL=... SOURCE=<sqlite file or MySQL database name> python seed_peer.py
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_site.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

HOT = "bench-hot@example.org"

USERS = """
INSERT INTO auth_user (id, password, is_superuser, username, first_name, last_name, email,
                       is_staff, is_active, date_joined)
SELECT ROW_NUMBER() OVER (ORDER BY u.email), u.password, 0, u.email, '', '', u.email, 0, 1,
       u.date_joined
FROM {src}users_user u
"""
MEMBER_MAP = """
CREATE TABLE peer_member_map AS
SELECT u.id AS uuid, a.id AS n FROM {src}users_user u JOIN auth_user a ON a.username = u.email
"""
MEMBER_MAP_INDEX = "CREATE INDEX peer_member_map_uuid ON peer_member_map (uuid)"
MESSAGES = """
INSERT INTO postman_message (id, subject, body, email, sender_id, recipient_id, parent_id,
    thread_id, sent_at, read_at, replied_at, sender_archived, recipient_archived,
    sender_deleted_at, recipient_deleted_at, moderation_status, moderation_by_id,
    moderation_date, moderation_reason)
SELECT m.id, SUBSTR(m.message_text, 1, 60), m.message_text, '', s.n, r.n,
    LAG(m.id) OVER (PARTITION BY m.conversation_id ORDER BY m.id),
    CASE WHEN COUNT(*) OVER (PARTITION BY m.conversation_id) > 1
         THEN MIN(m.id) OVER (PARTITION BY m.conversation_id) END,
    m.sent_at, m.read_at, NULL, 0, 0, NULL, NULL, 'a', NULL, m.sent_at, ''
FROM {src}messaging_message m
JOIN peer_member_map s ON s.uuid = m.sender_id
JOIN peer_member_map r ON r.uuid = m.recipient_id
"""
TARGETS = """
SELECT MIN(m.thread_id) FROM postman_message m
JOIN auth_user a ON a.id = m.sender_id JOIN auth_user b ON b.id = m.recipient_id
WHERE (a.username = %s AND b.username = %s) OR (a.username = %s AND b.username = %s)
"""
# The newest message the hot member received, from bench-2 (whom our send writes to)
# when there is one.
REPLY_TO = """
SELECT m.id FROM postman_message m
JOIN auth_user a ON a.id = m.sender_id JOIN auth_user b ON b.id = m.recipient_id
WHERE b.username = %s ORDER BY CASE WHEN a.username = %s THEN 0 ELSE 1 END, m.id DESC
LIMIT 1
"""


def targets(cursor) -> dict:
    busiest, partner = "bench-1@example.org", "bench-2@example.org"
    cursor.execute(TARGETS, [HOT, busiest, busiest, HOT])
    thread = cursor.fetchone()[0]
    cursor.execute(REPLY_TO, [HOT, partner])
    return {"thread": thread, "reply_to": cursor.fetchone()[0]}


def main() -> None:
    source = os.environ["SOURCE"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM postman_message")
        if cursor.fetchone()[0]:
            print(json.dumps(targets(cursor)))
            return
        if connection.vendor == "sqlite":
            cursor.execute("ATTACH DATABASE %s AS src", [source])
            src = "src."
        else:
            src = f"`{source}`."
        with transaction.atomic():
            for statement in (USERS, MEMBER_MAP, MEMBER_MAP_INDEX, MESSAGES):
                cursor.execute(statement.format(src=src))
            cursor.execute("DROP TABLE peer_member_map")
        print(json.dumps(targets(cursor)))


if __name__ == "__main__":
    main()
