"""POST /api/messages/report: a message goes to the staff moderation queue."""

from http import HTTPStatus

import pytest

from messaging.models import Report
from messaging.tests.factories import send

from .helpers import assert_error, ok_body, utc

REPORT = "/api/messages/report"


def test_report_is_201_and_lands_in_the_queue(api_client, user, other_user):
    message = send(other_user, user, "buy my course")
    response = api_client.post(
        REPORT, {"message_id": message.pk, "reason": " spam "}, format="json"
    )
    body = ok_body(response, HTTPStatus.CREATED)
    report = Report.objects.get()
    assert (report.message_id, report.reporter_id, report.reason) == (message.pk, user.pk, "spam")
    assert body == {
        "success": True,
        "data": {
            "id": report.pk,
            "message_id": message.pk,
            "status": "open",
            "created_at": utc(report.created_at),
        },
        "message": "Report sent to the moderators.",
    }


def test_reporting_again_is_409_and_keeps_the_first_reason(api_client, user, other_user):
    message = send(other_user, user)
    ok_body(
        api_client.post(REPORT, {"message_id": message.pk, "reason": "spam"}, format="json"),
        HTTPStatus.CREATED,
    )
    again = api_client.post(REPORT, {"message_id": message.pk, "reason": "abuse"}, format="json")
    assert_error(
        again,
        HTTPStatus.CONFLICT,
        "You already reported this message. The moderators will look at it.",
    )
    assert list(Report.objects.values_list("reason", flat=True)) == ["spam"]


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"reason": "   "}, "reason", "This field may not be blank."),
        ({"reason": "x" * 1001}, "reason", "Ensure this field has no more than 1000 characters."),
        ({"reason": "a\x00b"}, "reason", "Null characters are not allowed."),
        ({"reason": 5}, "reason", "Not a valid string."),
        ({"message_id": "abc", "reason": "spam"}, "message_id", "A valid integer is required."),
        ({"message_id": None, "reason": "spam"}, "message_id", "This field may not be null."),
    ],
    ids=["blank", "1001-chars", "nul", "number", "id-not-int", "id-null"],
)
def test_bad_report_input_is_400(api_client, user, other_user, fields, field, reason):
    message = send(other_user, user)
    response = api_client.post(REPORT, {"message_id": message.pk, **fields}, format="json")
    assert_error(response, HTTPStatus.BAD_REQUEST, f"{field}: {reason}", {field: [reason]})
    assert not Report.objects.exists()


def test_reporting_a_missing_message_is_404(api_client):
    response = api_client.post(REPORT, {"message_id": 987654321, "reason": "spam"}, format="json")
    assert_error(response, HTTPStatus.NOT_FOUND, "Message not found.")
