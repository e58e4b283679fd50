"""Private file storage: papers and packs live under PRIVATE_STORAGE_ROOT, which nothing serves
statically. Files leave only through views that ask the confidentiality module."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    # No base_url: a private file has no public address.
    # Owner and group only: the web server reads through its group (X-Accel-Redirect), nobody
    # else on the machine reads at all.
    return FileSystemStorage(
        location=settings.PRIVATE_STORAGE_ROOT,
        base_url=None,
        file_permissions_mode=0o640,
        directory_permissions_mode=0o750,
    )
