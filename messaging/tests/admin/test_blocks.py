"""Blocks in the admin: listed, added and removed through the block services, logged."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from messaging import services
from messaging.exceptions import BlockedError
from messaging.models import Block, ModerationLogEntry

from .helpers import change_url, changelist_url, run_action

BLOCKS = changelist_url("block")


def add_block(client, blocker, blocked):
    return client.post(BLOCKS + "add/", {"blocker": str(blocker.pk), "blocked": str(blocked.pk)})


def test_add_a_block_for_a_member(staff_client, staff, user, other_user):
    response = add_block(staff_client, user, other_user)

    assert response.status_code == HTTPStatus.FOUND
    block = Block.objects.get()
    assert (block.blocker, block.blocked) == (user, other_user)
    with pytest.raises(BlockedError):
        services.send_message(sender=other_user, recipient_id=user.pk, text="hi")
    entry = ModerationLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_type, entry.target_id) == (
        staff,
        "add_block",
        "block",
        str(block.pk),
    )
    assert list(staff_client.get(BLOCKS).context["cl"].result_list) == [block]


def test_a_member_cannot_be_made_to_block_themselves_or_twice(staff_client, user, other_user):
    to_self = add_block(staff_client, user, user)
    assert to_self.status_code == HTTPStatus.OK
    assert to_self.context["adminform"].form.errors

    add_block(staff_client, user, other_user)
    again = add_block(staff_client, user, other_user)
    assert again.status_code == HTTPStatus.OK
    assert again.context["adminform"].form.errors

    assert Block.objects.count() == 1
    assert ModerationLogEntry.objects.count() == 1


def test_remove_a_block(staff_client, staff, user, other_user):
    block = services.block_user(blocker=user, blocked_user_id=other_user.pk)

    response = staff_client.post(
        reverse("admin:messaging_block_delete", args=[block.pk]), {"post": "yes"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert not Block.objects.exists()
    services.send_message(sender=other_user, recipient_id=user.pk, text="hi again")
    entry = ModerationLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (staff, "remove_block", str(block.pk))


def test_remove_several_blocks_at_once(staff_client, user, other_user, third_user):
    blocks = [
        services.block_user(blocker=user, blocked_user_id=other_user.pk),
        services.block_user(blocker=third_user, blocked_user_id=user.pk),
    ]

    run_action(staff_client, BLOCKS, "delete_selected", blocks, post="yes")

    assert not Block.objects.exists()
    assert ModerationLogEntry.objects.filter(action="remove_block").count() == 2


def test_blocks_are_never_edited(staff_client, user, other_user, third_user):
    block = services.block_user(blocker=user, blocked_user_id=other_user.pk)

    response = staff_client.post(
        change_url(block), {"blocker": str(user.pk), "blocked": str(third_user.pk)}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    block.refresh_from_db()
    assert block.blocked == other_user


def test_member_autocomplete_works_for_moderators(moderator_client, other_user):
    response = moderator_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "messaging", "model_name": "block", "field_name": "blocker", "term": "grace"},
    )

    assert response.status_code == HTTPStatus.OK
    assert [item["id"] for item in response.json()["results"]] == [str(other_user.pk)]
