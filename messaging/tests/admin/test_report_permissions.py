"""Reporting from the member side (POST /api/messages/report), as the queue receives it:
only a participant reports, a repeat is refused while the first is open, and the reported
member never learns who reported them."""

from http import HTTPStatus

from conftest import client_for
from messaging import services
from messaging.models import Report
from messaging.tests.factories import send

REPORT = "/api/messages/report"


def test_only_a_participant_can_report(user, other_user, third_user):
    message = send(other_user, user, "x")

    outsider = client_for(third_user).post(
        REPORT, {"message_id": message.pk, "reason": "nosy"}, format="json"
    )
    missing = client_for(user).post(
        REPORT, {"message_id": message.pk + 1000, "reason": "?"}, format="json"
    )

    assert outsider.status_code == HTTPStatus.NOT_FOUND
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert outsider.json()["message"] == missing.json()["message"]
    assert not Report.objects.exists()


def test_a_repeat_is_refused_while_the_first_report_is_open(user, other_user, staff):
    message = send(other_user, user, "x")
    api = client_for(user)

    first = api.post(REPORT, {"message_id": message.pk, "reason": "spam"}, format="json")
    repeat = api.post(REPORT, {"message_id": message.pk, "reason": "spam, twice"}, format="json")

    assert first.status_code == HTTPStatus.CREATED
    assert repeat.status_code == HTTPStatus.CONFLICT
    assert repeat.json()["success"] is False
    report = Report.objects.get()
    assert first.json()["data"]["id"] == report.pk
    assert (report.reason, report.status) == ("spam", Report.Status.OPEN)

    services.close_report(actor=staff, report=report)
    after_close = api.post(REPORT, {"message_id": message.pk, "reason": "again"}, format="json")
    assert after_close.status_code == HTTPStatus.CREATED
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 1


def test_the_reported_member_never_learns_who_reported(
    user, other_user, published, django_capture_on_commit_callbacks
):
    message = send(other_user, user, "x")
    reported = client_for(other_user)

    def what_the_reported_member_sees():
        conversation = reported.get(f"/api/messages/conversation/{user.pk}").json()
        inbox = reported.get("/api/messages/inbox").json()
        for summary in inbox["data"]:
            summary.pop("other_user_status")  # the reporter was just active: online
        return conversation, inbox

    before = what_the_reported_member_sees()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user).post(
            REPORT, {"message_id": message.pk, "reason": "spam"}, format="json"
        )

    assert response.status_code == HTTPStatus.CREATED
    assert what_the_reported_member_sees() == before
    assert published == []  # no event to anyone, the reported member least of all
