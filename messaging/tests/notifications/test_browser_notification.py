"""What a desktop notification says (GET /messages/notification/<id>), through the test
client: the server decides, applying settings, mutes, blocks and visibility."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.tests.factories import TEST_PASSWORD, send


@pytest.fixture
def ada_client(client, user):
    client.login(email=user.email, password=TEST_PASSWORD)
    return client


def test_a_message_to_me_gives_sender_text_and_link(ada_client, user, other_user):
    message = send(other_user, user, "See you in June")

    response = ada_client.get(f"/messages/notification/{message.pk}")

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "title": "Grace Hopper",
        "body": "See you in June",
        "url": f"/messages/{other_user.pk}",
    }


def test_without_message_text_only_the_sender_is_said(ada_client, user, other_user):
    services.update_notification_settings(user=user, changes={"email_include_text": False})
    message = send(other_user, user, "secret")

    assert ada_client.get(f"/messages/notification/{message.pk}").json()["body"] == "New message"


def test_a_group_message_names_the_group(ada_client, user, other_user, third_user):
    group = services.create_group(
        creator=other_user, member_ids=[user.pk, third_user.pk], title="Reunion"
    )
    message = services.send_to_conversation(
        sender=third_user, conversation_id=group.pk, text="Hi all"
    ).message

    assert ada_client.get(f"/messages/notification/{message.pk}").json() == {
        "title": "Katherine Johnson in Reunion",
        "body": "Hi all",
        "url": f"/messages/c/{group.pk}",
    }


def test_nothing_for_my_own_muted_or_turned_off(ada_client, user, other_user):
    mine = send(user, other_user, "from me")
    assert ada_client.get(f"/messages/notification/{mine.pk}").status_code == 204

    services.set_muted(user=user, conversation_id=mine.conversation_id, muted=True)
    muted = send(other_user, user, "muted")
    assert ada_client.get(f"/messages/notification/{muted.pk}").status_code == 204

    services.set_muted(user=user, conversation_id=mine.conversation_id, muted=False)
    services.update_notification_settings(user=user, changes={"browser_notifications": False})
    off = send(other_user, user, "off")
    assert ada_client.get(f"/messages/notification/{off.pk}").status_code == 204


def test_someone_elses_message_is_a_404(ada_client, other_user, third_user):
    message = send(other_user, third_user, "private")

    assert ada_client.get(f"/messages/notification/{message.pk}").status_code == 404


def test_nothing_for_a_message_deleted_for_everyone(ada_client, user, other_user):
    message = send(other_user, user, "oops")
    services.delete_message(deleter=other_user, message_id=message.pk)

    assert ada_client.get(f"/messages/notification/{message.pk}").status_code == 204
