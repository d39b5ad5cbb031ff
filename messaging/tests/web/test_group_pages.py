"""The group pages: "New group", a group's page and its actions, groups in the list."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.models import Participant
from messaging.tests.factories import UserFactory
from messaging.tests.web.helpers import browser_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(user, other_user, third_user):
    conversation = services.create_group(
        creator=user, member_ids=[other_user.pk, third_user.pk], title="Reunion <2027>"
    )
    services.send_to_conversation(sender=other_user, conversation_id=conversation.pk, text="Hi!")
    return conversation


def test_new_group_picks_people_by_name_and_creates_it(user, other_user, third_user):
    browser = browser_for(user)
    found = browser.get("/messages/new-group", {"q": "Grace"})
    assert other_user.name in found.text
    picked = browser.post(
        "/messages/new-group", {"q": "Katherine", "member_ids": [str(other_user.pk)], "find": "1"}
    )
    assert f'value="{other_user.pk}" checked' in picked.text
    assert third_user.name in picked.text
    created = browser.post(
        "/messages/new-group",
        {"title": "Chapter", "member_ids": [str(other_user.pk), str(third_user.pk)], "create": "1"},
    )
    assert created.status_code == HTTPStatus.FOUND
    page = browser.get(created.url)
    assert "Chapter" in page.text and "Ada Lovelace created the group Chapter" in page.text


def test_new_group_with_too_few_people_says_why(user, other_user):
    browser = browser_for(user)
    response = browser.post(
        "/messages/new-group",
        {"title": "Pair", "member_ids": [str(other_user.pk)], "create": "1"},
        follow=True,
    )
    assert "at least 2 other member" in response.text
    assert not Participant.objects.filter(conversation__kind="group").exists()


def test_group_page_shows_title_members_senders_system_lines_and_seen_by(group, user, other_user):
    services.send_to_conversation(sender=user, conversation_id=group.pk, text="Mine")
    services.read_conversation(reader=other_user, conversation_id=group.pk)
    page = browser_for(user).get(f"/messages/c/{group.pk}")
    assert page.status_code == HTTPStatus.OK
    assert "Reunion &lt;2027&gt;" in page.text
    assert 'class="sender-name">Grace Hopper<' in page.text
    assert 'class="system-line"' in page.text
    assert "Seen by 1" in page.text
    assert page.text.count('class="person-row"') == 3


def test_the_list_shows_groups_with_the_sender_in_the_preview(group, user):
    page = browser_for(user).get("/messages")
    assert f"/messages/c/{group.pk}" in page.text
    assert "Grace Hopper: </span>Hi!" in page.text


def test_rename_add_remove_and_leave_from_the_page(group, user, other_user, third_user):
    alan = UserFactory(name="Alan Turing")
    browser = browser_for(user)
    browser.post(f"/messages/c/{group.pk}/rename", {"title": "Renamed"})
    browser.post(f"/messages/c/{group.pk}/add", {"user_ids": [str(alan.pk)]})
    browser.post(f"/messages/c/{group.pk}/remove", {"user_id": str(third_user.pk)})
    page = browser.get(f"/messages/c/{group.pk}")
    assert "Renamed" in page.text and "Alan Turing" in page.text
    assert "Ada Lovelace removed Katherine Johnson" in page.text
    left = browser_for(other_user).post(
        f"/messages/c/{group.pk}/remove", {"user_id": str(other_user.pk)}
    )
    assert left.status_code == HTTPStatus.FOUND and left.url == "/messages"
    after = browser_for(other_user).get(f"/messages/c/{group.pk}")
    assert "You left this group" in after.text and "group-composer" not in after.text


def test_a_stranger_gets_404(group):
    assert browser_for(UserFactory()).get(f"/messages/c/{group.pk}").status_code == 404
    assert browser_for(UserFactory()).get("/messages/c/99999999999999999999").status_code == 404
