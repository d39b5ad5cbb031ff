"""Uploads on an S3-compatible bucket: a real S3 server (moto in server mode, on a free
loopback port) answering HTTP, reached through django-storages and boto3 exactly as in
production. Nothing is mocked inside the client."""

import io
from datetime import timedelta
from http import HTTPStatus

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image

from alumunity.settings import file_storage
from conftest import free_port
from messaging import services
from messaging.models import Attachment
from messaging.tests.files import image_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

BUCKET = "alumunity-test-uploads"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test-key", "AWS_SECRET_ACCESS_KEY": "test-secret"}


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings):
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(Bucket=BUCKET)
    environment = {
        "STORAGE_URL": f"s3://{BUCKET}?endpoint_url={s3_endpoint}&region=us-east-1",
        **CREDENTIALS,
    }
    settings.STORAGES = {**settings.STORAGES, "default": file_storage(environment)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client) -> set[str]:
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_a_picture_is_stored_in_the_bucket_and_served_to_the_other_member(
    bucket, api_client, other_client, other_user
):
    response = api_client.post(
        "/api/attachments",
        {"file": io.BytesIO(image_bytes((1000, 500)))},
        format="multipart",
    )
    assert response.status_code == HTTPStatus.CREATED
    attachment = Attachment.objects.get()
    assert keys(bucket) == {attachment.storage_name, attachment.thumbnail_name}
    api_client.post(
        "/api/messages/send",
        {"recipient_id": str(other_user.pk), "attachment_id": attachment.pk},
        format="json",
    )
    download = other_client.get(f"/api/attachments/{attachment.pk}/thumbnail")
    assert download.status_code == HTTPStatus.OK
    body = b"".join(download.streaming_content)
    assert Image.open(io.BytesIO(body)).size == (480, 240)


def test_the_cleanup_empties_the_bucket_of_unsent_uploads(bucket, user):
    content = pdf_bytes()
    services.upload_attachment(
        uploader=user, file=io.BytesIO(content), name="a.pdf", size=len(content)
    )
    assert len(keys(bucket)) == 1
    assert services.remove_unsent_uploads(older_than=timedelta(0)) == 1
    assert keys(bucket) == set()


def test_the_storage_comes_from_the_environment():
    assert file_storage({}) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert file_storage(
        {"STORAGE_URL": "s3://files?endpoint_url=http://minio:9000&region=eu-west-3", **CREDENTIALS}
    ) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "default_acl": None,
            "file_overwrite": False,
            "bucket_name": "files",
            "endpoint_url": "http://minio:9000",
            "region_name": "eu-west-3",
            "access_key": "test-key",
            "secret_key": "test-secret",
        },
    }
    assert file_storage({"AWS_STORAGE_BUCKET_NAME": "files"})["OPTIONS"]["bucket_name"] == "files"
