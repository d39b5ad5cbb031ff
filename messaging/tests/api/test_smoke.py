from http import HTTPStatus

from messaging.tests.factories import send


def test_send_then_inbox(api_client, user, other_user):
    response = api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "message_text": " hi "},
        format="json",
    )
    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    assert body["data"]["message_text"] == "hi"
    send(other_user, user, "back")
    inbox = api_client.get("/api/messages/inbox").json()
    assert inbox["total"] == 1
    assert inbox["data"][0]["unread_count"] == 1
    conv = api_client.get(f"/api/messages/conversation/{other_user.pk}").json()
    assert [m["message_text"] for m in conv["data"]] == ["hi", "back"]
    assert conv["data"][1]["read"] is True
    assert api_client.get("/api/messages/unread-count").json()["data"] == {"unread_count": 0}
    assert api_client.get("/api/messages/search?q=back").json()["total"] == 1
    assert api_client.get("/api/schema/").status_code == 200
