"""The S3 bucket of several machines (PRIVATE_STORAGE_S3): made ready before the first upload,
and checked to refuse anonymous requests. ``manage.py bucket_ready`` is its thin shell, run by
the compose stack's migrate job and by the cluster check (docs/deploy.md, Object storage)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from dialogues.storage import private_storage, private_storage_is_s3


class BucketError(Exception):
    """The bucket cannot be used as it is; the message is meant for the operator."""


@dataclass(frozen=True)
class BucketState:
    bucket: str
    created: bool
    anonymous_statuses: tuple[int, ...]


def _anonymous_status(url: str) -> int:
    """The status a request without credentials gets (an unreachable store is an error)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (the store's own URL)
            return answer.status
    except urllib.error.HTTPError as refusal:
        return refusal.code
    except OSError as exc:
        raise BucketError(f"the object store does not answer at {url}: {exc}") from exc


def bucket_ready() -> BucketState:
    """Create the bucket if it does not exist, then make sure that neither its listing nor
    the bucket itself answers a request without credentials."""
    if not private_storage_is_s3():
        raise BucketError("S3_BUCKET is not set: private files are on local disk")
    storage = private_storage()
    client = storage.connection.meta.client
    name = storage.bucket_name
    from botocore.exceptions import ClientError

    created = False
    try:
        client.head_bucket(Bucket=name)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise BucketError(f"the bucket {name} cannot be reached: {exc}") from exc
        client.create_bucket(Bucket=name)
        created = True
    endpoint = client.meta.endpoint_url.rstrip("/")
    statuses = tuple(
        _anonymous_status(url) for url in (f"{endpoint}/{name}?list-type=2", f"{endpoint}/{name}")
    )
    if not set(statuses) <= {401, 403}:
        raise BucketError(
            f"the bucket {name} answers requests without credentials (HTTP {statuses}): "
            "remove any public policy or ACL, then run this again"
        )
    return BucketState(bucket=name, created=created, anonymous_statuses=statuses)
