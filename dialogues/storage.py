"""Private file storage: papers, packs and funders' reports. On one machine they live under
PRIVATE_STORAGE_ROOT, which nothing serves statically; on several, in an S3-compatible bucket
(PRIVATE_STORAGE_S3, from the S3_* environment) that grants nothing to anonymous requests.
Either way files leave only through views that ask the confidentiality module, and a private
file has no address of its own: ``url()`` refuses, so no presigned link to the store can reach a
browser, an e-mail or a log."""

from __future__ import annotations

import functools
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileError(Exception):
    """A private file was asked for its address; it has none."""


class _NoAddress:
    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise PrivateFileError(
            "private files have no URL (no presigned link either): serve them through a view "
            "that checks the reader (dialogues.http.private_file_response)"
        )


class PrivateFileSystemStorage(_NoAddress, FileSystemStorage):
    """One machine's private folder (``make run``, and the default without S3 settings)."""

    def open_stream(self, name: str) -> tuple[IO[bytes], int]:
        handle = self.open(name, "rb")
        return handle, handle.size


@functools.cache
def _s3_storage_class() -> type[Storage]:
    # boto3 takes half a second to import: only processes that use the bucket pay for it.
    from botocore.exceptions import ClientError
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    class PrivateS3Storage(_NoAddress, S3Storage):
        """The bucket of several machines. Objects are written with a private ACL (unless the
        bucket refuses ACLs) and read with the application's own credentials only."""

        def open_stream(self, name: str) -> tuple[IO[bytes], int]:
            """The object's body as the store sends it, read in chunks by whoever streams it
            (never loaded whole), and its size."""
            key = self._normalize_name(clean_name(name))
            try:
                answer = self.bucket.Object(key).get()
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    raise FileNotFoundError(name) from None
                raise
            return answer["Body"], answer["ContentLength"]

    return PrivateS3Storage


def s3_storage(options: dict[str, Any]) -> Storage:
    """A private S3 storage over ``options`` (the shape of ``PRIVATE_STORAGE_S3``)."""
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    return _s3_storage_class()(
        bucket_name=options["bucket"],
        endpoint_url=options.get("endpoint_url") or None,
        access_key=options.get("access_key_id") or None,
        secret_key=options.get("secret_access_key") or None,
        region_name=options.get("region_name") or None,
        default_acl=options.get("object_acl") or None,
        # No object gets an address (url() refuses); these two only make sure of it.
        querystring_auth=False,
        custom_domain=None,
        # Names are random already (the models' upload_to); never replace an object.
        file_overwrite=False,
        addressing_style=options.get("addressing_style") or "path",
        client_config=Config(retries={"max_attempts": 5, "mode": "standard"}),
        # One 8 MiB part at a time: storing a 25 MB paper adds about 9 MiB to the process, not
        # 30 (ten threads' parts), and takes no longer here (docs/measurements.md).
        transfer_config=TransferConfig(use_threads=False),
    )


def _build() -> Storage:
    options = getattr(settings, "PRIVATE_STORAGE_S3", None)
    if options:
        return s3_storage(options)
    # Owner and group only: the web server reads through its group (X-Accel-Redirect), nobody
    # else on the machine reads at all.
    return PrivateFileSystemStorage(
        location=settings.PRIVATE_STORAGE_ROOT,
        base_url=None,
        file_permissions_mode=0o640,
        directory_permissions_mode=0o750,
    )


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = _build()


_private = _PrivateStorage()


def private_storage() -> Storage:
    """The storage of every private file (the models' FileFields use it). Built from the
    settings on first use, and again after they change (a test switching to the bucket)."""
    return _private  # type: ignore[return-value]


def private_storage_is_s3() -> bool:
    return bool(getattr(settings, "PRIVATE_STORAGE_S3", None))


def private_storage_reset() -> None:
    _private._wrapped = empty


@receiver(setting_changed)
def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("PRIVATE_STORAGE_S3", "PRIVATE_STORAGE_ROOT"):
        private_storage_reset()


def private_file_stream(stored_file) -> tuple[IO[bytes], int]:
    """An open stream over a stored private file (a FieldFile) and its size; FileNotFoundError
    if the store has no such file."""
    storage = stored_file.storage
    if hasattr(storage, "open_stream"):
        return storage.open_stream(stored_file.name)
    handle = storage.open(stored_file.name, "rb")  # a plain Django storage (tests swap one in)
    return handle, handle.size
