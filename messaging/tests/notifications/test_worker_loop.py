"""The worker's loop: it sends what is due, removes unsent uploads on its schedule, and
stops when asked."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from messaging.models import Attachment, Participant
from messaging.tests.factories import AttachmentFactory, send
from messaging.worker import run_forever


@pytest.mark.django_db(transaction=True)
def test_the_loop_sends_due_emails_and_removes_old_unsent_uploads(smtp, settings, user, other_user):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "POLL_SECONDS": 0.05}
    old = AttachmentFactory(uploader=user)
    Attachment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    fresh = AttachmentFactory(uploader=user)
    send(other_user, user, "from the loop")
    Participant.objects.filter(user=user).update(
        email_pending_since=timezone.now() - timedelta(minutes=6)
    )
    stop = threading.Event()
    batches = []

    def on_batch(result):
        batches.append(result)
        if sum(batch.sent for batch in batches) >= 1:
            stop.set()

    thread = threading.Thread(target=run_forever, kwargs={"stop": stop, "on_batch": on_batch})
    thread.start()
    thread.join(timeout=30)
    stop.set()

    assert not thread.is_alive()
    assert [message["To"] for message in smtp.messages] == [user.email]
    assert list(Attachment.objects.values_list("pk", flat=True)) == [fresh.pk]
