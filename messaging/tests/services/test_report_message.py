import pytest

from messaging import services
from messaging.exceptions import Conflict, InvalidInput, NotFound
from messaging.models import Report
from messaging.tests.factories import send


@pytest.mark.parametrize("who", ["sender", "recipient"])
def test_a_participant_can_report_a_message(user, other_user, who):
    message = send(other_user, user, "rude words")
    reporter = other_user if who == "sender" else user

    report = services.report_message(reporter=reporter, message_id=message.pk, reason="  spam  ")

    stored = Report.objects.get()
    assert (stored.pk, stored.message_id, stored.reporter_id, stored.reason, stored.status) == (
        report.pk,
        message.pk,
        reporter.pk,
        "spam",
        Report.Status.OPEN,
    )


def test_a_third_party_gets_the_same_not_found_as_a_missing_message(user, other_user, third_user):
    message = send(other_user, user, "private")

    with pytest.raises(NotFound) as not_yours:
        services.report_message(reporter=third_user, message_id=message.pk, reason="spam")
    with pytest.raises(NotFound) as missing:
        services.report_message(reporter=third_user, message_id=message.pk + 1000, reason="spam")

    assert not_yours.value.message == missing.value.message
    assert not Report.objects.exists()


@pytest.mark.parametrize("reason", ["", "   \n", None])
def test_an_empty_reason_is_rejected(user, other_user, reason):
    message = send(other_user, user, "hi")

    with pytest.raises(InvalidInput) as error:
        services.report_message(reporter=user, message_id=message.pk, reason=reason)

    assert "reason" in error.value.errors
    assert not Report.objects.exists()


def test_a_reason_with_a_nul_character_is_rejected(user, other_user):
    message = send(other_user, user, "hi")

    with pytest.raises(InvalidInput):
        services.report_message(reporter=user, message_id=message.pk, reason="spam\x00")

    assert not Report.objects.exists()


def test_reporting_again_is_refused_and_keeps_the_first_reason(user, other_user):
    message = send(other_user, user, "buy my course")
    first = services.report_message(reporter=user, message_id=message.pk, reason="spam")

    with pytest.raises(Conflict) as refused:
        services.report_message(
            reporter=user, message_id=message.pk, reason="spam, and a scam link"
        )

    assert refused.value.message == (
        "You already reported this message. The moderators will look at it."
    )
    assert list(Report.objects.values_list("pk", "reason")) == [(first.pk, "spam")]


def test_each_participant_has_their_own_report(user, other_user):
    message = send(other_user, user, "heated")

    services.report_message(reporter=user, message_id=message.pk, reason="abusive")
    services.report_message(reporter=other_user, message_id=message.pk, reason="sent by mistake")

    assert Report.objects.filter(message=message).count() == 2


def test_a_report_after_the_last_one_was_closed_opens_a_new_one(user, other_user, third_user):
    message = send(other_user, user, "again")
    closed = services.report_message(reporter=user, message_id=message.pk, reason="spam")
    services.close_report(actor=third_user, report=closed, dismiss=True)

    reopened = services.report_message(reporter=user, message_id=message.pk, reason="still spam")

    assert reopened.pk != closed.pk
    assert Report.objects.filter(status=Report.Status.OPEN).get().pk == reopened.pk


def test_a_message_before_the_reporters_delete_marker_is_not_found(user, other_user):
    message = send(other_user, user, "gone for me")
    services.delete_conversation(user=user, conversation_id=message.conversation_id)

    with pytest.raises(NotFound):
        services.report_message(reporter=user, message_id=message.pk, reason="spam")

    assert not Report.objects.exists()
