"""Uploads nobody sent within a day go, file and row; sent ones and fresh ones stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from messaging import services
from messaging.models import Attachment
from messaging.tests.factories import AttachmentFactory

pytestmark = pytest.mark.django_db


def aged(attachment, hours: float):
    Attachment.objects.filter(pk=attachment.pk).update(
        created_at=timezone.now() - timedelta(hours=hours)
    )
    return attachment


def files_of(attachment) -> list[str]:
    return [name for name in (attachment.storage_name, attachment.thumbnail_name) if name]


def test_only_old_unsent_uploads_are_removed_with_their_files(user, other_user):
    old = aged(AttachmentFactory(uploader=user), 25)
    fresh = aged(AttachmentFactory(uploader=user), 23)
    sent = AttachmentFactory(uploader=user)
    services.send_message(sender=user, recipient_id=other_user.pk, text="", attachment_id=sent.pk)
    aged(sent, 48)
    storage = storages["default"]

    assert services.remove_unsent_uploads() == 1

    assert set(Attachment.objects.values_list("pk", flat=True)) == {fresh.pk, sent.pk}
    assert not any(storage.exists(name) for name in files_of(old))
    assert all(storage.exists(name) for name in files_of(fresh) + files_of(sent))


def test_removal_goes_in_batches_until_none_is_left(user):
    for _ in range(5):
        aged(AttachmentFactory(uploader=user), 30)
    assert services.remove_unsent_uploads(batch_size=2) == 5
    assert not Attachment.objects.exists()


def test_the_command_removes_and_reports(user):
    aged(AttachmentFactory(uploader=user), 30)
    out = StringIO()
    call_command("remove_unsent_uploads", stdout=out)
    assert out.getvalue() == "Removed 1 unsent upload(s).\n"
    assert not Attachment.objects.exists()


def test_a_file_already_gone_does_not_stop_the_cleanup(user):
    attachment = aged(AttachmentFactory(uploader=user), 30)
    storages["default"].delete(attachment.storage_name)
    assert services.remove_unsent_uploads() == 1
    assert not Attachment.objects.exists()
