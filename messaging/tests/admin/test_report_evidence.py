"""A report freezes its evidence (SPEC §9.3): the reported message and its neighbours as
they were when reported, so a later edit or delete for everyone erases nothing staff
need. The report page shows that copy beside the conversation as it is now."""

import pytest

from messaging import services
from messaging.models import Report
from messaging.payloads import iso
from messaging.tests.factories import send

from .helpers import change_url, file_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(user, other_user):
    """Grace writes to Ada, who reports the third message of five."""
    history = [
        send(other_user, user, "hello Ada"),
        send(user, other_user, "hi Grace"),
        send(other_user, user, "send me your password"),
        send(user, other_user, "no"),
        send(other_user, user, "you will regret it"),
    ]
    report = file_report(user, history[2], reason="threats")
    return report, history


def test_the_report_keeps_a_copy_of_the_message_and_its_neighbours(reported, user, other_user):
    report, history = reported
    report.refresh_from_db()
    assert report.evidence == [
        {
            "id": message.pk,
            "sender_id": str(message.sender_id),
            "sender_name": message.sender.name,
            "sent_at": iso(message.sent_at),
            "edited_at": None,
            "message_text": message.message_text,
            "attachment_url": None,
            "hidden": False,
            "deleted": False,
            "reported": message.pk == history[2].pk,
        }
        for message in history
    ]


def test_an_edit_or_delete_after_the_report_changes_nothing_in_the_copy(reported, user, other_user):
    report, history = reported
    before = Report.objects.get(pk=report.pk).evidence
    services.edit_message(editor=other_user, message_id=history[2].pk, text="hello again")
    services.delete_message(deleter=other_user, message_id=history[4].pk)
    report.refresh_from_db()
    assert report.evidence == before
    assert report.evidence[2]["message_text"] == "send me your password"
    assert report.evidence[4]["message_text"] == "you will regret it"


def test_a_message_deleted_before_the_report_is_copied_with_its_original(user, other_user):
    gone = send(other_user, user, "a nasty thing")
    services.delete_message(deleter=other_user, message_id=gone.pk)
    reported = send(other_user, user, "another nasty thing")
    report = file_report(user, reported, reason="abuse")
    report.refresh_from_db()
    assert [(entry["message_text"], entry["deleted"]) for entry in report.evidence] == [
        ("a nasty thing", True),
        ("another nasty thing", False),
    ]


def test_the_report_page_shows_the_copy_beside_the_current_state(
    staff_client, reported, user, other_user
):
    report, history = reported
    services.edit_message(editor=other_user, message_id=history[2].pk, text="just kidding")
    services.delete_message(deleter=other_user, message_id=history[4].pk)

    page = staff_client.get(change_url(report)).text

    assert "As reported (copy made with the report)" in page
    assert "send me your password" in page  # the copy
    assert "just kidding" in page  # the conversation now
    assert "you will regret it" in page
    assert "deleted by its sender" in page


def test_the_message_page_lists_earlier_texts_for_staff(staff_client, user, other_user):
    message = send(other_user, user, "first words")
    services.edit_message(editor=other_user, message_id=message.pk, text="second words")
    services.delete_message(deleter=other_user, message_id=message.pk)
    page = staff_client.get(change_url(message)).text
    assert "first words" in page and "second words" in page
    assert "deleted for everyone" in page
