"""A handful of members and conversations for trying the pages."""

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from messaging import services
from messaging.models import Message, Participant

DEMO_PASSWORD = "alumunity-demo"
DEMO_EMAIL_DELAY_MINUTES = 1

# Ada, the first login, is in the first group, so her list shows a group beside her
# one-to-one conversations.
GROUPS = [
    (
        "grace@example.org",
        ["ada@example.org", "alan@example.org", "katherine@example.org", "linus@example.org"],
        "Reunion 2027",
        [
            ("grace@example.org", "Shall we meet in June? The old hall is free on the 14th."),
            ("alan@example.org", "Count me in. I can bring the slides from 1952."),
            ("ada@example.org", "I will bring the Analytical Engine notes."),
            ("katherine@example.org", "June works. Who books the dinner?"),
        ],
    ),
    (
        "katherine@example.org",
        ["grace@example.org", "linus@example.org"],
        "Mentoring committee",
        [("katherine@example.org", "Three new mentors signed up this week.")],
    ),
]
MEMBERS = [
    ("ada@example.org", "Ada Lovelace", "Class of 1835, Mathematics"),
    ("grace@example.org", "Grace Hopper", "Class of 1934, Yale PhD"),
    ("alan@example.org", "Alan Turing", "Class of 1934, King's College"),
    ("katherine@example.org", "Katherine Johnson", "Class of 1937, West Virginia State"),
    ("linus@example.org", "Linus Pauling", "Class of 1922, Oregon State"),
]

# Each conversation: its two members and its messages, alternating between them, each
# with how many hours ago it was sent (the first conversation spans three days, so the
# messaging page shows its day separators).
CONVERSATIONS = [
    (
        "ada@example.org",
        "grace@example.org",
        [
            (50, "Grace! Are you coming to the reunion in June?"),
            (26, "Wouldn't miss it. Are you giving the talk on the Analytical Engine again?"),
            (5.5, "Only if you tell the moth story afterwards 🦋"),
            (5.3, "Deal. I'll bring the logbook page."),
        ],
    ),
    (
        "alan@example.org",
        "ada@example.org",
        [
            (4.8, "Ada, could I borrow your notes on Bernoulli numbers for the mentoring session?"),
            (4.5, "Of course — note G is the one you want."),
        ],
    ),
    (
        "katherine@example.org",
        "ada@example.org",
        [(3.9, "Hello Ada! The alumni board asked me to reach out about the scholarship fund.")],
    ),
    (
        "grace@example.org",
        "alan@example.org",
        [(3.5, "Alan, your paper on computable numbers is on the reading list this term.")],
    ),
]


class Command(BaseCommand):
    help = "Create demo members and conversations, and print their logins."

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(email=MEMBERS[0][0]).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with transaction.atomic():
                self._create(User)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        # `make run` serves on PORT (8000 unless set) and passes it on.
        port = os.environ.get("PORT") or "8000"
        self.stdout.write(f"\nLog in at http://127.0.0.1:{port}/accounts/login/ as any of:")
        for email, name, _ in MEMBERS:
            self.stdout.write(f"  {email:<24} {DEMO_PASSWORD}   ({name})")
        self.stdout.write(f"  {'admin@example.org':<24} {DEMO_PASSWORD}   (staff, /admin/)")

    def _create_groups(self, members: dict) -> None:
        """Two groups, made and used through the services as members would."""
        for creator, others, title, lines in GROUPS:
            group = services.create_group(
                creator=members[creator],
                member_ids=[members[email].pk for email in others],
                title=title,
            )
            for email, text in lines:
                # Replying from the open group, which has read what came before.
                services.read_conversation(reader=members[email], conversation_id=group.pk)
                services.send_to_conversation(
                    sender=members[email], conversation_id=group.pk, text=text
                )

    def _create(self, User):
        members = {
            email: User.objects.create_user(email=email, name=name, password=DEMO_PASSWORD)
            for email, name, _ in MEMBERS
        }
        User.objects.create_superuser(
            email="admin@example.org", name="Site Admin", password=DEMO_PASSWORD
        )
        # A one-minute email delay, so `make run` shows a missed-message email (printed
        # by the console backend) a minute after the demo is loaded.
        for member in members.values():
            services.update_notification_settings(
                user=member, changes={"email_delay_minutes": DEMO_EMAIL_DELAY_MINUTES}
            )
        now = timezone.now()
        timeline = sorted(
            (
                (hours_ago, members[pair[index % 2]], members[pair[(index + 1) % 2]], text)
                for *pair, messages in CONVERSATIONS
                for index, (hours_ago, text) in enumerate(messages)
            ),
            key=lambda entry: -entry[0],
        )
        # Sent oldest first, so ids follow send time as they do in real use. Each member
        # replies as the page lets them: from the open conversation, which has read what
        # the other sent (so no list shows "You: ..." beside an unread badge).
        for hours_ago, sender, recipient, text in timeline:
            services.open_conversation(reader=sender, other_user_id=recipient.pk, limit=50)
            message = services.send_message(
                sender=sender, recipient_id=recipient.pk, text=text
            ).message
            sent_at = now - timedelta(hours=hours_ago)
            Message.objects.filter(pk=message.pk).update(sent_at=sent_at)
            # What the reply read was read then, not now.
            Message.objects.filter(
                conversation_id=message.conversation_id, recipient=sender, read_at__gt=sent_at
            ).update(read_at=sent_at)
            Participant.objects.filter(conversation_id=message.conversation_id).update(
                last_message_at=sent_at
            )
        self._create_groups(members)
