"""``manage.py bucket_ready`` (trackii.ops.bucket) on SeaweedFS: it creates a missing bucket,
leaves an existing one as it is, and refuses a bucket that answers without credentials."""

import io
import secrets

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import bucket_objects
from trackii.ops import bucket


def ready() -> str:
    out = io.StringIO()
    call_command("bucket_ready", stdout=out)
    return out.getvalue().strip()


def test_bucket_ready_creates_a_missing_bucket_then_finds_it(s3_bucket, settings):
    name = f"trackii-test-{secrets.token_hex(6)}"
    settings.PRIVATE_STORAGE_S3 = {**settings.PRIVATE_STORAGE_S3, "bucket": name}
    try:
        assert ready() == (
            f"Bucket {name} created; requests without credentials are refused (HTTP 403, 403)."
        )
        assert ready() == (
            f"Bucket {name} exists; requests without credentials are refused (HTTP 403, 403)."
        )
        assert bucket_objects({**s3_bucket, "bucket": name}) == {}
    finally:
        s3_bucket["client"].delete_bucket(Bucket=name)


def test_bucket_ready_refuses_a_bucket_open_to_anonymous_requests(s3_bucket, monkeypatch):
    # The store's answer to a request without credentials, as a public bucket would give it.
    monkeypatch.setattr(bucket, "_anonymous_status", lambda url: 200)
    with pytest.raises(CommandError, match=r"answers requests without credentials \(HTTP \(200"):
        ready()


def test_bucket_ready_does_nothing_on_local_disk():
    assert ready() == "S3_BUCKET is not set: private files are on local disk."
