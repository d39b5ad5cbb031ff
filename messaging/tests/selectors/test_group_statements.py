"""The group statements and the anchored pages, compiled once (alumunity.prepared): the
same SQL as the querysets they replaced, to the character, and the same results."""

import functools
import itertools
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from messaging import selectors, services
from messaging.exceptions import NotFound
from messaging.models import Conversation, Participant
from messaging.selectors import groups, history
from messaging.selectors.reactions import load_reactions
from messaging.services import messages as sending
from messaging.tests.factories import UserFactory, send

pytestmark = pytest.mark.django_db


def _run(fetch):
    with CaptureQueriesContext(connection) as captured:
        found = fetch()
    return found, [query["sql"] for query in captured.captured_queries]


def _fields(instance) -> dict:
    return {name: value for name, value in vars(instance).items() if name != "_state"}


@pytest.fixture
def group(user, other_user, third_user):
    """Ada's group: Grace joined before Ada's row (the creator still comes first), Alan
    and Katherine at one instant (the id orders them), Alan then left; messages from all."""
    alan = UserFactory(name="Alan Turing")
    group = services.create_group(
        creator=user, member_ids=[other_user.pk, alan.pk, third_user.pk], title="Class of 99"
    )
    rows = Participant.objects.filter(conversation=group)
    joined = rows.get(user=user).joined_at
    rows.filter(user=other_user).update(joined_at=joined - timedelta(minutes=1))
    rows.filter(user__in=[alan, third_user]).update(joined_at=joined + timedelta(minutes=1))
    for n, member in enumerate([user, other_user, alan, third_user] * 3):
        services.send_to_conversation(sender=member, conversation_id=group.pk, text=f"m{n}")
    services.remove_member(user=alan, conversation_id=group.pk, member_id=alan.pk)
    services.send_to_conversation(sender=user, conversation_id=group.pk, text="after Alan")
    group.alan = alan
    return group


def test_membership_is_the_querysets(group, user, other_user):
    for member, conversation_id in [(user, group.pk), (group.alan, group.pk), (user, 10**6)]:
        orm, orm_sql = _run(
            lambda m=member, c=conversation_id: (
                Participant.objects.select_related(
                    "conversation", "conversation__user_one", "conversation__user_two"
                )
                .filter(conversation_id=c, user=m)
                .first()
            )
        )
        try:
            ours, our_sql = _run(
                lambda m=member, c=conversation_id: groups.membership(user=m, conversation_id=c)
            )
        except NotFound:
            assert orm is None
            continue
        assert our_sql == orm_sql
        assert _fields(ours) == _fields(orm)
        assert _fields(ours.conversation) == _fields(orm.conversation)


def test_the_active_members_are_the_querysets(group, user, other_user, third_user):
    orm, orm_sql = _run(
        lambda: groups.sorted_members(
            Participant.objects.filter(conversation=group, left_at=None).select_related("user")
        )
    )
    ours, our_sql = _run(lambda: selectors.active_members(group))
    assert our_sql == orm_sql
    assert [_fields(m) for m in ours] == [_fields(m) for m in orm]
    assert [_fields(m.user) for m in ours] == [_fields(m.user) for m in orm]
    assert [m.user_id for m in ours] == [user.pk, other_user.pk, third_user.pk]


def test_member_cards_are_the_active_members_in_their_order(group):
    cards, sql = _run(lambda: selectors.member_cards(group.pk))
    members = selectors.active_members(group)
    assert cards == [selectors.MemberCard.of(member) for member in members]
    assert len(sql) == 1
    # Two more joining at one instant, ordered by their rows' ids.
    late = UserFactory.create_batch(2)
    services.add_members(
        user=members[0].user, conversation_id=group.pk, user_ids=[m.pk for m in late]
    )
    Participant.objects.filter(conversation=group, user__in=late).update(
        joined_at=members[-1].joined_at
    )
    cards = selectors.member_cards(group.pk)
    assert cards == [selectors.MemberCard.of(m) for m in selectors.active_members(group)]
    assert [card.user_id for card in cards[-3:]] == [members[-1].user_id, *(m.pk for m in late)]


def test_read_positions_are_the_querysets(group, user, other_user):
    other_user.show_read_receipts = False
    other_user.save()
    services.read_conversation(reader=user, conversation_id=group.pk)
    orm_rows, orm_sql = _run(
        lambda: list(
            Participant.objects.filter(conversation=group, left_at=None).values_list(
                "user_id", "last_read_id", "user__show_read_receipts"
            )
        )
    )
    positions, our_sql = _run(lambda: selectors.read_positions(group, viewer=user))
    assert our_sql == orm_sql
    assert positions == {member: at for member, at, shows in orm_rows if shows}
    assert positions[user.pk] > 0 and other_user.pk not in positions


def test_seen_counts_are_seen_by_for_each_message(group, user, other_user, third_user):
    page = selectors.conversation_messages(user=user, conversation_id=group.pk, limit=50)
    ids = [message.pk for message in page.messages]
    layouts = [
        {},
        {user.pk: ids[-1], other_user.pk: ids[3], third_user.pk: 0},
        {user.pk: ids[5], other_user.pk: ids[5], third_user.pk: ids[6], group.alan.pk: ids[0]},
        {other_user.pk: ids[-1]},
    ]
    for positions in layouts:
        assert selectors.seen_counts(page.messages, positions) == [
            selectors.seen_by(message, positions) for message in page.messages
        ]


def test_group_sends_lock_and_audience_are_the_querysets(group, user, other_user, third_user):
    with transaction.atomic():
        _, orm_lock = _run(
            lambda: Conversation.objects.select_for_update().filter(pk=group.pk).first()
        )
        locked, our_lock = _run(
            lambda: sending._LOCKED_GROUP.instances(
                Conversation, for_write=True, conversation_id=group.pk
            )
        )
    assert our_lock == orm_lock and [c.pk for c in locked] == [group.pk]
    orm, orm_sql = _run(
        lambda: list(
            Participant.objects.filter(conversation=group, left_at=None).values_list(
                "user_id", flat=True
            )
        )
    )
    ours, our_sql = _run(lambda: sending._AUDIENCE.rows(Participant, conversation_id=group.pk))
    assert our_sql == orm_sql
    assert [row[0] for row in ours] == orm
    assert set(orm) == {user.pk, other_user.pk, third_user.pk}


def _orm_page(participant: Participant, **anchor) -> list:
    """page_for's page through the ORM's querysets (history._page), reactions loaded."""
    marker = max(participant.cleared_through_id, participant.first_message_id - 1)
    visible = history._visible(
        conversation_id=participant.conversation_id,
        left_through=participant.last_message_id or 0,
        marker=marker,
        left=participant.left_at is not None,
        marked=bool(marker),
    )
    page = history._page(visible, **{"before": None, "after": None, "around": None, **anchor})
    load_reactions(page)
    return page


def _readers(group, user, other_user):
    """Members whose windows differ: whole history, left the group, a delete-for-me
    marker, and one side of a direct conversation."""
    services.delete_conversation(user=other_user, conversation_id=group.pk)
    for n in range(4):
        services.send_to_conversation(sender=user, conversation_id=group.pk, text=f"later {n}")
    for n in range(6):
        send(user, other_user, f"direct {n}")
    direct = selectors.conversation_between(user=user, other_user_id=other_user.pk)[1]
    return [
        selectors.membership(user=member, conversation_id=group.pk)
        for member in (user, group.alan, other_user)
    ] + [direct]


def test_after_and_around_pages_are_the_querysets(group, user, other_user):
    for participant in _readers(group, user, other_user):
        history_ids = [m.pk for m in _orm_page(participant, limit=100)]
        anchors = [history_ids[0], history_ids[len(history_ids) // 2], history_ids[-1]]
        for anchor, kind, limit in itertools.product(
            anchors, ("after", "around", "before"), (1, 2, 3, 50)
        ):
            given = {"limit": limit, kind: anchor}
            orm, orm_sql = _run(functools.partial(_orm_page, participant, **given))
            ours, our_sql = _run(functools.partial(history.page_for, participant, **given))
            assert our_sql == orm_sql, given
            assert [_fields(m) for m in ours] == [_fields(m) for m in orm]


def test_an_anchor_outside_the_window_is_not_found(group, user, other_user):
    _, alan, grace, _ = _readers(group, user, other_user)
    newest = selectors.conversation_messages(user=user, conversation_id=group.pk, limit=1)
    oldest = selectors.conversation_messages(user=user, conversation_id=group.pk, limit=100)
    # Alan left before the newest message; Grace cleared everything before "later 0".
    for reader, message in ((alan, newest.messages[0]), (grace, oldest.messages[0])):
        for kind in ("after", "around"):
            with pytest.raises(NotFound):
                history.page_for(reader, limit=5, **{kind: message.pk})


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_an_anchored_page_seeks_the_history_index_to_its_anchor(group, user):
    """Not a walk from either end of the conversation to the anchor: the sent_at bound
    makes it a range of the history index."""
    page = selectors.conversation_messages(user=user, conversation_id=group.pk, limit=5)
    anchor = page.messages[2]
    for kind, bound in (("before", "sent_at<?"), ("after", "sent_at>?"), ("from", "sent_at>?")):
        query = history._page_query(
            kind,
            limit=5,
            left=False,
            marked=False,
            anchor_id=anchor.pk,
            anchor_sent_at=anchor.sent_at,
            conversation_id=group.pk,
            left_through=0,
            marker=0,
        )
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert f"message_history (conversation_id=? AND {bound})" in plan, (kind, plan)


def test_a_page_before_an_id_seeks_the_history_index_with_its_anchor_read_once(group, user):
    """The anchor's time is a subquery of the page's statement: both databases read it
    by primary key once and then seek the history index to it, as to a time given."""
    page = selectors.conversation_messages(user=user, conversation_id=group.pk, limit=5)
    query = history._page_query(
        "before_id",
        limit=5,
        left=False,
        marked=False,
        anchor_id=page.messages[2].pk,
        anchor_sent_at=None,
        conversation_id=group.pk,
        left_through=0,
        marker=0,
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = [str(row[-1]) for row in cursor.fetchall()]
            assert "message_history (conversation_id=? AND sent_at<?)" in plan[0], plan
            assert all("SCAN" not in step for step in plan), plan
        else:
            cursor.execute(f"EXPLAIN {sql}", params)
            steps = {row[2]: (row[1], row[3], row[5]) for row in cursor.fetchall()}
            assert steps["messaging_message"][1:] == ("range", "message_history"), steps
            assert steps["U0"][1:] == ("const", "PRIMARY"), steps
    older = selectors.conversation_messages(
        user=user, conversation_id=group.pk, limit=5, before=page.messages[2].pk
    )
    assert [m.pk for m in query] == [m.pk for m in older.messages][::-1]
    assert [m.pk for m in older.messages][-2:] == [m.pk for m in page.messages[:2]]
