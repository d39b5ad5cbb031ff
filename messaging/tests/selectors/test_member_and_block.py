"""member_and_block: the member a send or a typing signal names, and whether a block
stands between them and the actor, in one query."""

import pytest

from messaging import selectors
from messaging.exceptions import NotFound
from messaging.tests.factories import BlockFactory, UserFactory


def test_a_member_with_no_block_between(user, other_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        member, blocked = selectors.member_and_block(member_id=str(other_user.pk), other_id=user.pk)
    assert (member, blocked) == (other_user, False)


@pytest.mark.parametrize("direction", ["actor blocked them", "they blocked the actor"])
def test_a_block_either_way_stands_between(user, other_user, direction):
    if direction == "actor blocked them":
        BlockFactory(blocker=user, blocked=other_user)
    else:
        BlockFactory(blocker=other_user, blocked=user)
    assert selectors.member_and_block(member_id=other_user.pk, other_id=user.pk)[1] is True


def test_blocks_with_others_do_not_count(user, other_user):
    stranger = UserFactory()
    BlockFactory(blocker=stranger, blocked=other_user)
    BlockFactory(blocker=user, blocked=stranger)
    assert selectors.member_and_block(member_id=other_user.pk, other_id=user.pk)[1] is False


@pytest.mark.parametrize("member_id", ["not-a-uuid", "6f1c2b1e-0000-4000-8000-000000000000", None])
def test_an_unknown_or_malformed_id_is_not_found(user, member_id):
    with pytest.raises(NotFound):
        selectors.member_and_block(member_id=member_id, other_id=user.pk)


def test_an_inactive_member_is_not_found(user):
    gone = UserFactory(is_active=False)
    with pytest.raises(NotFound):
        selectors.member_and_block(member_id=gone.pk, other_id=user.pk)
