"""A handful of members and conversations for trying the pages (SPEC §7)."""

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from messaging import services
from messaging.models import Conversation, Message

DEMO_PASSWORD = "alumunity-demo"

MEMBERS = [
    ("ada@example.org", "Ada Lovelace", "Class of 1835, Mathematics"),
    ("grace@example.org", "Grace Hopper", "Class of 1934, Yale PhD"),
    ("alan@example.org", "Alan Turing", "Class of 1934, King's College"),
    ("katherine@example.org", "Katherine Johnson", "Class of 1937, West Virginia State"),
    ("linus@example.org", "Linus Pauling", "Class of 1922, Oregon State"),
]

CONVERSATIONS = [
    (
        "ada@example.org",
        "grace@example.org",
        [
            "Grace! Are you coming to the reunion in June?",
            "Wouldn't miss it. Are you giving the talk on the Analytical Engine again?",
            "Only if you tell the moth story afterwards 🦋",
            "Deal. I'll bring the logbook page.",
        ],
    ),
    (
        "alan@example.org",
        "ada@example.org",
        [
            "Ada, could I borrow your notes on Bernoulli numbers for the mentoring session?",
            "Of course — note G is the one you want.",
        ],
    ),
    (
        "katherine@example.org",
        "ada@example.org",
        ["Hello Ada! The alumni board asked me to reach out about the scholarship fund."],
    ),
    (
        "grace@example.org",
        "alan@example.org",
        ["Alan, your paper on computable numbers is on the reading list this term."],
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

    def _create(self, User):
        members = {
            email: User.objects.create_user(email=email, name=name, password=DEMO_PASSWORD)
            for email, name, _ in MEMBERS
        }
        User.objects.create_superuser(
            email="admin@example.org", name="Site Admin", password=DEMO_PASSWORD
        )
        start = timezone.now() - timedelta(hours=6)
        step = 0
        for first, second, texts in CONVERSATIONS:
            speakers = (members[first], members[second])
            for index, text in enumerate(texts):
                sender, recipient = speakers[index % 2], speakers[(index + 1) % 2]
                message = services.send_message(
                    sender=sender, recipient_id=recipient.pk, text=text
                ).message
                step += 1
                # Spread the demo history over the afternoon instead of one instant.
                sent_at = start + timedelta(minutes=7 * step)
                Message.objects.filter(pk=message.pk).update(sent_at=sent_at)
                Conversation.objects.filter(pk=message.conversation_id).update(
                    last_message_at=sent_at
                )
