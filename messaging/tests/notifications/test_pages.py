"""Muting from a conversation's menu, on the one-to-one page and on a group's page."""

from http import HTTPStatus

from messaging import services
from messaging.models import Participant
from messaging.tests.factories import TEST_PASSWORD, send


def _logged_in(client, member):
    client.login(email=member.email, password=TEST_PASSWORD)
    return client


def test_mute_and_unmute_from_the_conversation_menu(client, user, other_user):
    conversation = send(other_user, user, "hello").conversation
    _logged_in(client, user)

    page = client.get(f"/messages/{other_user.pk}")
    assert b"Mute notifications" in page.content

    response = client.post(
        f"/messages/conversations/{conversation.pk}/mute", {"muted": "1"}, follow=True
    )
    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain[-1][0] == f"/messages/{other_user.pk}"
    assert b"Unmute notifications" in response.content
    assert Participant.objects.get(conversation=conversation, user=user).muted

    client.post(f"/messages/conversations/{conversation.pk}/mute", {"muted": "0"})
    assert not Participant.objects.get(conversation=conversation, user=user).muted


def test_mute_a_group_from_its_page(client, user, other_user, third_user):
    group = services.create_group(
        creator=other_user, member_ids=[user.pk, third_user.pk], title="Reunion"
    )
    _logged_in(client, user)

    response = client.post(f"/messages/conversations/{group.pk}/mute", {"muted": "1"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/messages/c/{group.pk}"
    assert b"Unmute notifications" in response.content
    assert Participant.objects.get(conversation=group, user=user).muted


def test_muting_someone_elses_conversation_is_a_404(client, user, other_user, third_user):
    conversation = send(other_user, third_user, "private").conversation
    _logged_in(client, user)

    response = client.post(f"/messages/conversations/{conversation.pk}/mute", {"muted": "1"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Participant.objects.filter(conversation=conversation, muted=True).exists()
