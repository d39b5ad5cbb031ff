"""The reports queue: a staff member handles a report end to end in the admin."""

from http import HTTPStatus

import pytest

from messaging import services
from messaging.exceptions import SuspendedError
from messaging.models import ModerationLogEntry, Report
from messaging.tests.factories import send

from .helpers import change_url, changelist_url, file_report, run_action

REPORTS = changelist_url("report")


@pytest.fixture
def reported(user, other_user):
    """Grace writes to Ada, who reports the third message of six."""
    history = [
        send(other_user, user, "hello Ada"),
        send(user, other_user, "hi Grace"),
        send(other_user, user, "buy cheap watches at spam.example"),
        send(user, other_user, "please stop"),
        send(other_user, user, "last chance"),
        send(user, other_user, "reporting you"),
    ]
    report = file_report(user, history[2], reason="unsolicited advertising")
    return report, history


def test_staff_handle_a_report_end_to_end(
    staff, staff_client, user, other_user, reported, published, django_capture_on_commit_callbacks
):
    report, history = reported
    message = history[2]

    # See it in the queue.
    queue = staff_client.get(REPORTS)
    assert queue.status_code == HTTPStatus.OK
    assert list(queue.context["cl"].result_list) == [report]
    assert "buy cheap watches" in queue.text

    # Read the context: the neighbours, and links to the conversation and both members.
    page = staff_client.get(change_url(report))
    assert page.status_code == HTTPStatus.OK
    for neighbour in history[:6]:
        assert neighbour.message_text in page.text
    assert change_url(message.conversation) in page.text
    assert change_url(user) in page.text
    assert change_url(other_user) in page.text
    assert change_url(message) in page.text
    assert "unsolicited advertising" in page.text

    # Hide the message, from the report's own page, with a reason.
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(
            staff_client,
            REPORTS + "?status=all",
            "hide_reported_messages",
            [report],
            reason="advertising",
            _from_change="1",
        )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == change_url(report)
    message.refresh_from_db()
    assert message.is_hidden

    # Suspend the sender.
    with django_capture_on_commit_callbacks(execute=True):
        run_action(staff_client, REPORTS, "suspend_reported_senders", [report], reason="spammer")
    other_user.refresh_from_db()
    assert other_user.messaging_suspended
    with pytest.raises(SuspendedError):
        services.send_message(sender=other_user, recipient_id=user.pk, text="again")

    # Resolve it: it leaves the open queue and shows among the resolved.
    run_action(staff_client, REPORTS, "resolve", [report], reason="handled")
    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert report.resolved_by == staff
    assert report.resolved_at is not None
    assert list(staff_client.get(REPORTS).context["cl"].result_list) == []
    resolved = staff_client.get(REPORTS + "?status=resolved")
    assert list(resolved.context["cl"].result_list) == [report]

    # Find every action in the log.
    log = staff_client.get(changelist_url("moderationlogentry"))
    assert log.status_code == HTTPStatus.OK
    entries = [
        (entry.actor, entry.action, entry.target_type, entry.target_id, entry.reason)
        for entry in log.context["cl"].result_list
    ]
    assert entries == [
        (staff, "resolve_report", "report", str(report.pk), "handled"),
        (staff, "suspend_user", "user", str(other_user.pk), "spammer"),
        (staff, "hide_message", "message", str(message.pk), "advertising"),
    ]

    # The members heard of it: the hidden message to both, the suspension to the sender.
    assert (
        str(user.pk),
        {
            "type": "message.hidden",
            "conversation_id": message.conversation_id,
            "message_id": message.pk,
        },
    ) in published
    assert (str(other_user.pk), {"type": "member.suspended"}) in published
    assert (str(user.pk), {"type": "member.suspended"}) not in published


def test_queue_opens_on_open_reports_and_filters_by_status(
    staff_client, staff, user, other_user, third_user
):
    first = send(other_user, user, "one")
    second = send(other_user, user, "two")
    third = send(third_user, user, "three")
    open_report = file_report(user, first)
    resolved = file_report(user, second)
    dismissed = file_report(user, third)
    services.close_report(actor=staff, report=resolved)
    services.close_report(actor=staff, report=dismissed, dismiss=True)

    def listed(query=""):
        return list(staff_client.get(REPORTS + query).context["cl"].result_list)

    assert listed() == [open_report]
    assert listed("?status=open") == [open_report]
    assert listed("?status=resolved") == [resolved]
    assert listed("?status=dismissed") == [dismissed]
    assert set(listed("?status=all")) == {open_report, resolved, dismissed}


def test_dismiss_closes_without_touching_the_message(staff_client, staff, user, other_user):
    message = send(other_user, user, "a joke taken badly")
    report = file_report(user, message)

    response = run_action(staff_client, REPORTS, "dismiss", [report], reason="banter")

    assert response.status_code == HTTPStatus.FOUND
    report.refresh_from_db()
    message.refresh_from_db()
    other_user.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert report.resolved_by == staff
    assert not message.is_hidden
    assert not other_user.messaging_suspended
    entry = ModerationLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id, entry.reason) == (
        staff,
        ModerationLogEntry.Action.DISMISS_REPORT,
        str(report.pk),
        "banter",
    )


def test_closing_a_closed_report_changes_and_logs_nothing(staff_client, staff, user, other_user):
    report = file_report(user, send(other_user, user, "x"))
    services.close_report(actor=staff, report=report)
    logged = ModerationLogEntry.objects.count()

    run_action(staff_client, REPORTS + "?status=all", "dismiss", [report])

    report.refresh_from_db()
    assert report.status == Report.Status.RESOLVED
    assert ModerationLogEntry.objects.count() == logged


def test_reports_on_one_message_hide_it_once(staff_client, staff, user, other_user):
    message = send(other_user, user, "x")
    first = file_report(user, message, "spam")
    second = file_report(other_user, message, "I regret it")

    run_action(staff_client, REPORTS, "hide_reported_messages", [first, second])

    assert ModerationLogEntry.objects.filter(action="hide_message").count() == 1


def test_reports_cannot_be_added_edited_or_deleted(staff_client, user, other_user):
    report = file_report(user, send(other_user, user, "x"), "spam")

    assert staff_client.get(changelist_url("report") + "add/").status_code == HTTPStatus.FORBIDDEN
    assert staff_client.get(change_url(report) + "../delete/").status_code == HTTPStatus.FORBIDDEN
    staff_client.post(change_url(report), {"reason": "rewritten", "status": "dismissed"})
    report.refresh_from_db()
    assert (report.reason, report.status) == ("spam", Report.Status.OPEN)


@pytest.mark.parametrize("rows", [3, 30])
def test_report_queue_queries_do_not_grow_with_rows(
    rows, moderator_client, user, other_user, assert_database_query_count
):
    for index in range(rows):
        file_report(user, send(other_user, user, f"message {index}"))

    # session, member, two permission lookups, count, page, senders and reporters (prefetched)
    with assert_database_query_count(8):
        response = moderator_client.get(REPORTS)

    assert len(response.context["cl"].result_list) == rows


def test_member_text_is_escaped_on_the_report_page(staff_client, user, other_user):
    report = file_report(user, send(other_user, user, "<script>alert(1)</script>"), "<b>x</b>")

    page = staff_client.get(change_url(report))

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<b>x</b>" not in page.text


def test_unhide_from_the_queue_restores_the_message(staff_client, staff, user, other_user):
    message = send(other_user, user, "not so bad after all")
    report = file_report(user, message)
    run_action(staff_client, REPORTS, "hide_reported_messages", [report])

    run_action(staff_client, REPORTS, "unhide_reported_messages", [report], reason="appeal")

    message.refresh_from_db()
    assert not message.is_hidden
    assert [(entry.action, entry.reason) for entry in ModerationLogEntry.objects.all()] == [
        ("unhide_message", "appeal"),
        ("hide_message", ""),
    ]
