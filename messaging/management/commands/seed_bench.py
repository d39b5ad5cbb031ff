"""A large, realistic, deterministic data set for the benchmark.

    python manage.py seed_bench --users 10000 --messages 1000000 --hot-conversations 1200
        [--groups 2000 --hot-groups 100]

`bench-hot@example.org` has K conversations (one of them much busier than the rest);
the other members are `bench-<i>@example.org`; everyone's password is `bench-password`.
Texts are sentences drawn from a word list (with some accents and emoji), so full-text
search meets a realistic vocabulary. Every counter on a participant (message_count,
unread, last_message, last_message_at) is computed from the very messages
inserted, and read_at agrees with them. The same --seed gives the same data.
With --groups, groups of 3-50 members (their own messages, on top of --messages) come
too; the hot member created --hot-groups of them (see _bench_groups.py).

Speed: everything is generated in memory first, then written with executemany in
batches (SQLite: one transaction with foreign-key checks off for this connection;
MySQL/MariaDB: one transaction per batch with foreign-key and unique checks off for
this session). The members are written last (after the name index of member search,
the same rows User.save() would write), so an interrupted run never leaves a
half-seeded `bench-hot` behind; a run on a seeded database stops at once and says so.
"""

from __future__ import annotations

import importlib
import random
import uuid
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max
from tqdm import tqdm

from alumunity.users.models import NamePrefix
from alumunity.users.names import name_prefixes
from messaging.models import Conversation, Message, Participant

from ._bench_groups import GroupPlan, group_span, group_statements

User = get_user_model()

HOT_EMAIL = "bench-hot@example.org"
BENCH_PASSWORD = "bench-password"
BATCH = 20_000
# The search postings of MySQL / MariaDB: their triggers, procedures and backfill.
POSTINGS = importlib.import_module("messaging.migrations.0023_search_postings")


def _words(text: str) -> list[str]:
    return text.split()


WORDS = _words(
    """
alumni reunion campus class year graduate mentor mentoring career job offer interview
startup company team project research paper thesis professor lecture library coffee
lunch dinner weekend conference workshop meetup network networking chapter city travel
flight hotel train station airport schedule calendar meeting call video phone email
message reply question answer idea plan proposal budget funding scholarship donation
fund board committee volunteer event party celebration wedding baby family friends
football basketball soccer tennis running marathon hiking climbing skiing cycling
concert music band guitar piano theatre film movie book novel poetry history science
physics chemistry biology medicine engineering design architecture economics finance
marketing sales product software data analysis model machine learning cloud server
database security privacy policy law court justice politics election community garden
kitchen recipe bread pasta pizza salad soup wine tea breakfast morning afternoon
evening night today tomorrow yesterday monday tuesday wednesday thursday friday
saturday sunday january february march april june july august september october
november december spring summer autumn winter holiday vacation beach mountain lake
river forest island village harbour bridge museum gallery painting photo camera
picture album memory story news article blog podcast website newsletter update
draft review feedback comment note reminder deadline invoice contract agreement
introduction recommendation reference letter application admission semester course
exam grade homework assignment lab experiment result report presentation slides
keynote panel speaker audience ticket registration venue catering parking address
map direction neighbourhood apartment house office remote hybrid salary promotion
manager director founder investor partner client customer supplier colleague
classmate roommate teammate advisor coach student teacher parent sister brother
daughter son grandmother grandfather cousin neighbour dog cat garden bicycle car
bus weather rain snow sunshine storm warm cold great good nice happy excited sorry
thanks congratulations welcome please maybe definitely absolutely probably quickly
soon later again still already almost really very quite rather truly honestly
café résumé naïve fiancée rendezvous piñata jalapeño crème brûlée São Paulo Zürich
Málaga Kraków Montréal Köln Reykjavík Göteborg Curaçao Ångström über façade
"""
)
FILLERS = _words("the a to of and in for with on at from about our your my their this that")
EMOJI = ["🎉", "😀", "👍", "🙏", "☕", "🎓", "🚀", "❤️", "😂", "🦋"]
PUNCT = [".", ".", ".", "!", "?"]


def sentence(rng: random.Random) -> str:
    count = rng.randint(3, 16)
    words = rng.choices(WORDS, k=count)
    for _ in range(count // 3):
        words.insert(rng.randrange(len(words)), rng.choice(FILLERS))
    text = " ".join(words)
    text = text[0].upper() + text[1:] + rng.choice(PUNCT)
    if rng.random() < 0.03:
        text += " " + rng.choice(EMOJI)
    if rng.random() < 0.15:
        text += " " + sentence_short(rng)
    return text


def sentence_short(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(2, 6))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(PUNCT)


class Command(BaseCommand):
    help = "Create a large deterministic data set for the benchmark."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=10_000)
        parser.add_argument("--messages", type=int, default=1_000_000)
        parser.add_argument("--hot-conversations", type=int, default=1_200)
        parser.add_argument("--groups", type=int, default=0)
        parser.add_argument("--hot-groups", type=int, default=100)
        parser.add_argument(
            "--group-messages",
            type=int,
            default=None,
            help="messages in the groups (default: 3 per group or 5%% of --messages)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-progress", action="store_true", help="Hide the progress bar.")

    def handle(self, *args, **options):
        users, messages, hot = options["users"], options["messages"], options["hot_conversations"]
        if users < 3 or messages < 1 or hot < 1:
            raise CommandError("Need --users >= 3, --messages >= 1 and --hot-conversations >= 1.")
        if hot >= users:
            raise CommandError("--hot-conversations must be smaller than --users.")
        if messages < hot:
            raise CommandError("--messages must be at least --hot-conversations.")
        if User.objects.filter(email=HOT_EMAIL).exists():
            self.stdout.write(
                f"Already seeded: {HOT_EMAIL} exists ({Message.objects.count():,} messages in "
                "the database). Nothing to do; use a fresh database to seed again."
            )
            return
        if User.objects.filter(email__startswith="bench-", email__endswith="@example.org").exists():
            raise CommandError(
                "bench-<i>@example.org members exist without bench-hot (an interrupted run?). "
                "Use a fresh database."
            )
        self.progress = not options["no_progress"]
        groups = self._group_plan(options, users=users, messages=messages)
        plan = Plan(
            users=users,
            messages=messages,
            hot=hot,
            seed=options["seed"],
            group_days=group_span(options["groups"]),
        )
        plan.groups = groups
        self.write(plan)
        in_groups = (
            f" and {groups.groups:,} groups ({groups.message_count:,} messages)" if groups else ""
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {users:,} members, {len(plan.conversations):,} conversations"
                f"{in_groups} and {messages:,} messages. "
                f"Log in as {HOT_EMAIL} / {BENCH_PASSWORD} ({hot:,} conversations)."
            )
        )

    @staticmethod
    def _group_plan(options: dict, *, users: int, messages: int) -> GroupPlan | None:
        groups, hot_groups = options["groups"], options["hot_groups"]
        if not groups:
            return None
        if groups < 0 or not 0 <= hot_groups <= groups:
            raise CommandError("Need --groups >= 0 and 0 <= --hot-groups <= --groups.")
        in_groups = options["group_messages"]
        if in_groups is None:
            in_groups = max(3 * groups, messages // 20)
        if in_groups < groups:
            raise CommandError("--group-messages must be at least --groups (one each).")
        return GroupPlan(
            groups=groups,
            hot_groups=hot_groups,
            messages=in_groups,
            users=users,
            seed=options["seed"],
        )

    # --- writing -----------------------------------------------------------------------

    def write(self, plan: Plan) -> None:
        statements = self._statements(plan)
        bar = tqdm(
            total=sum(len(rows) for _sql, rows in statements),
            unit="row",
            unit_scale=True,
            desc="seed_bench",
            disable=not self.progress,
        )
        if connection.vendor == "sqlite":
            self._write_sqlite(statements, bar)
        else:
            self._write_mysql(statements, bar)
        bar.close()

    @staticmethod
    def _statements(plan: Plan) -> list[tuple[str, list]]:
        """Each table's INSERT with its rows, in the order they are written."""
        first_message_id = (Message.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        first_conversation_id = (Conversation.objects.aggregate(top=Max("id"))["top"] or 0) + 1
        uuid_field = User._meta.pk
        db_uuid = [uuid_field.get_db_prep_value(pk, connection) for pk in plan.user_ids]
        # The messages first: building them sets each conversation's last message.
        message_rows = plan.message_rows(first_message_id, first_conversation_id, db_uuid)
        conversation_rows = plan.conversation_rows(first_message_id, first_conversation_id, db_uuid)
        participant_rows = plan.participant_rows(first_conversation_id, db_uuid)
        user_rows = plan.user_rows(db_uuid, make_password(BENCH_PASSWORD))
        groups = Command._groups(plan, first_message_id, first_conversation_id, db_uuid, user_rows)
        # Member search reads names through this index (User.save() writes it for
        # members saved one at a time).
        prefix_rows = [
            (pk, prefix, name)
            for pk, _, _, _, name, *_ in user_rows
            for prefix in name_prefixes(name)
        ]
        # Uses index: none; plain inserts, the primary keys given.
        return [
            (
                f"INSERT INTO {Conversation._meta.db_table} (id, user_one_id, user_two_id, "
                "created_at, kind, title, created_by_id, member_count) "
                "VALUES (%s, %s, %s, %s, 'direct', '', NULL, 2)",
                conversation_rows,
            ),
            *groups[:1],
            (
                f"INSERT INTO {Message._meta.db_table} (id, conversation_id, sender_id, "
                "recipient_id, message_text, attachment_url, attachment_type, sent_at, "
                "read_at, client_message_id, is_hidden, kind) "
                "VALUES (%s, %s, %s, %s, %s, '', '', %s, %s, NULL, %s, 'text')",
                message_rows,
            ),
            *groups[1:2],
            (
                f"INSERT INTO {Participant._meta.db_table} (conversation_id, user_id, role, "
                "unread_count, last_read_id, cleared_through_id, cleared_count, muted, "
                "joined_at, left_at, first_message_id, last_message_id, last_message_at, "
                "message_count) VALUES (%s, %s, 'member', %s, 0, 0, 0, FALSE, %s, NULL, 0, "
                "%s, %s, %s)",
                participant_rows,
            ),
            *groups[2:],
            (
                f"INSERT INTO {NamePrefix._meta.db_table} (user_id, prefix, name) "
                "VALUES (%s, %s, %s)",
                prefix_rows,
            ),
            (
                f"INSERT INTO {User._meta.db_table} (id, password, last_login, is_superuser, "
                "email, name, avatar_url, is_active, is_staff, messaging_suspended, "
                "date_joined) VALUES (%s, %s, NULL, %s, %s, %s, '', %s, %s, %s, %s)",
                user_rows,
            ),
        ]

    @staticmethod
    def _groups(
        plan: Plan, first_message_id: int, first_conversation_id: int, db_uuid: list, users: list
    ) -> list[tuple[str, list]]:
        """The groups' INSERTs (none without --groups), ids after the direct ones."""
        if plan.groups is None:
            return []
        return group_statements(
            plan.groups,
            first_message_id=first_message_id + len(plan.owner),
            first_conversation_id=first_conversation_id + len(plan.conversations),
            db_uuid=db_uuid,
            names=[row[4] for row in users],
            end=plan.end,
            sentence=sentence,
        )

    def _write_sqlite(self, statements: list[tuple[str, list]], bar: tqdm) -> None:
        # One transaction; foreign keys are checked by construction, not per row.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("PRAGMA cache_size = -262144")
        try:
            with transaction.atomic():
                for sql, rows in statements:
                    self._batches(sql, rows, bar)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA foreign_keys = ON")

    def _write_mysql(self, statements: list[tuple[str, list]], bar: tqdm) -> None:
        with connection.cursor() as cursor:
            # The search postings' triggers write a message's words row by row; writing
            # them after the load, in one pass per batch of messages, is several times
            # faster. (Not inside a caller's transaction: DDL would commit it.)
            bulk = not connection.in_atomic_block
            if bulk:
                POSTINGS.uninstall(cursor)
            # Unique checks off only with the triggers off: with checks off and triggers on, in a
            # caller's transaction, MariaDB 10.11 kept 3 of 900 seeded messages (InnoDB
            # loads an empty table in bulk without unique checks, and the triggers write
            # to a second table from that load).
            unique_checks = 0 if bulk else 1
            cursor.execute(
                "SET SESSION foreign_key_checks = 0, unique_checks = %s", [unique_checks]
            )
        try:
            for sql, rows in statements:
                for start in range(0, len(rows), BATCH):
                    with transaction.atomic():
                        self._batches(sql, rows[start : start + BATCH], bar)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1")
                if bulk:
                    bar.set_description("seed_bench: writing the search postings")
                    POSTINGS.backfill(cursor)
                    POSTINGS.install(cursor)

    @staticmethod
    def _batches(sql: str, rows: list, bar) -> None:
        with connection.cursor() as cursor:
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                cursor.executemany(sql, chunk)
                bar.update(len(chunk))


class Plan:
    """The whole data set, decided in memory from one random generator."""

    def __init__(self, *, users: int, messages: int, hot: int, seed: int, group_days: timedelta):
        rng = random.Random(seed)
        self.groups: GroupPlan | None = None
        self.rng = rng
        self.users = users
        self.user_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(users)]
        # Member 0 is bench-hot; members 1..hot are its partners.
        pairs = [(0, partner) for partner in range(1, hot + 1)]
        hot_messages = min(messages, max(hot + 200, messages // 10))
        other_messages = messages - hot_messages
        seen: set[tuple[int, int]] = set()
        if other_messages and users > 2:
            wanted = max(1, min(other_messages // 40, (users - 1) * (users - 2) // 2))
            while len(seen) < wanted:
                a, b = rng.randrange(1, users), rng.randrange(1, users)
                if a != b:
                    seen.add((min(a, b), max(a, b)))
        others = sorted(seen)
        if not others:
            hot_messages = messages
            other_messages = 0
        self.conversations = pairs + others

        # Which conversation each message belongs to: every hot conversation gets one,
        # the first is the busiest, the rest spread at random.
        busiest = min(hot_messages - hot, max(200, hot_messages // 10))
        owner = list(range(hot)) + [0] * busiest
        owner += [rng.randrange(hot) for _ in range(hot_messages - len(owner))]
        if other_messages:
            owner += [hot + rng.randrange(len(others)) for _ in range(other_messages)]
        rng.shuffle(owner)
        self.owner = owner

        # Each conversation keeps its newest few messages unread.
        self.unread_tail = [rng.choice((0, 0, 0, 1, 2, 3, 5)) for _ in self.conversations]
        self.sizes = [0] * len(self.conversations)
        for index in owner:
            self.sizes[index] += 1
        self.end = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None)
        self.start = self.end - timedelta(days=365)
        # The groups' messages, if any, take the end of the year.
        self.direct_end = self.end - group_days

    def message_rows(self, first_id: int, first_conversation_id: int, db_uuid: list) -> list:
        rng = self.rng
        step = (self.direct_end - self.start) / max(1, len(self.owner))
        seen = [0] * len(self.conversations)
        self.last: list[tuple[int, datetime] | None] = [None] * len(self.conversations)
        self.unread = [[0, 0] for _ in self.conversations]
        rows = []
        for position, index in enumerate(self.owner):
            a, b = self.conversations[index]
            if rng.random() < 0.5:
                sender, recipient = a, b
            else:
                sender, recipient = b, a
            sent_at = self.start + step * position
            seen[index] += 1
            unread = self.sizes[index] - seen[index] < self.unread_tail[index]
            message_id = first_id + position
            if unread:
                one, two = self._canonical(index)
                self.unread[index][0 if recipient == one else 1] += 1
                read_at = None
            else:
                read_at = str(sent_at + timedelta(seconds=90))
            self.last[index] = (message_id, sent_at)
            rows.append(
                (
                    message_id,
                    first_conversation_id + index,
                    db_uuid[sender],
                    db_uuid[recipient],
                    sentence(rng),
                    str(sent_at),
                    read_at,
                    rng.random() < 0.0005,
                )
            )
        return rows

    def _canonical(self, index: int) -> tuple[int, int]:
        a, b = self.conversations[index]
        return (a, b) if self.user_ids[a] < self.user_ids[b] else (b, a)

    def conversation_rows(self, first_id: int, first_conversation_id: int, db_uuid: list) -> list:
        rows = []
        for index in range(len(self.conversations)):
            one, two = self._canonical(index)
            rows.append(
                (first_conversation_id + index, db_uuid[one], db_uuid[two], str(self.start))
            )
        return rows

    def participant_rows(self, first_conversation_id: int, db_uuid: list) -> list:
        """Both members of every conversation, each with their unread counter and the
        conversation's last message and count."""
        rows = []
        for index in range(len(self.conversations)):
            last = self.last[index]
            for member, unread in zip(self._canonical(index), self.unread[index], strict=True):
                rows.append(
                    (
                        first_conversation_id + index,
                        db_uuid[member],
                        unread,
                        str(self.start),
                        last[0] if last else None,
                        str(last[1]) if last else None,
                        self.sizes[index],
                    )
                )
        return rows

    def user_rows(self, db_uuid: list, password_hash: str) -> list:
        rng = random.Random(self.users)
        first_names = _words(
            "Ada Grace Alan Katherine Linus Margaret Edsger Barbara Donald Frances"
        )
        last_names = _words("Lovelace Hopper Turing Johnson Pauling Hamilton Dijkstra Liskov Knuth")
        rows = []
        joined = str(self.start - timedelta(days=30))
        for index, pk in enumerate(db_uuid):
            email = HOT_EMAIL if index == 0 else f"bench-{index}@example.org"
            name = (
                "Bench Hot"
                if index == 0
                else f"{rng.choice(first_names)} {rng.choice(last_names)} {index}"
            )
            rows.append((pk, password_hash, False, email, name, True, False, False, joined))
        return rows
