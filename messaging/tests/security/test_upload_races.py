"""An upload is carried by one message only, and is either sent or cleaned up, even when
the requests arrive at the same instant (committed transactions, one connection each)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import services
from messaging.exceptions import NotFound
from messaging.models import Attachment, Message
from messaging.tests.factories import AttachmentFactory, UserFactory

from .test_concurrency import _needs_separate_connections, together  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


def send_or_refusal(sender, recipient, attachment_id):
    def action():
        try:
            return services.send_message(
                sender=sender, recipient_id=recipient.pk, text="", attachment_id=attachment_id
            ).message.pk
        except NotFound:
            return "not found"

    return action


def test_two_sends_of_one_upload_make_one_message():
    ada, grace, katherine = UserFactory(), UserFactory(), UserFactory()
    upload = AttachmentFactory(uploader=ada)
    results = together(
        [send_or_refusal(ada, grace, upload.pk), send_or_refusal(ada, katherine, upload.pk)]
    )
    assert sorted(results, key=str).count("not found") == 1
    assert Message.objects.filter(attachment=upload).count() == 1


def test_a_send_and_the_cleanup_at_once_leave_it_sent_or_gone():
    ada, grace = UserFactory(), UserFactory()
    upload = AttachmentFactory(uploader=ada)
    Attachment.objects.filter(pk=upload.pk).update(created_at=timezone.now() - timedelta(hours=30))
    sent, removed = together(
        [send_or_refusal(ada, grace, upload.pk), lambda: services.remove_unsent_uploads()]
    )
    if removed:
        assert sent == "not found" and not Attachment.objects.exists()
        assert not Message.objects.exists()
    else:
        assert Message.objects.get().attachment_id == upload.pk
