"""Backups when private files live in the S3 bucket (SeaweedFS): the archive holds the bucket's
objects (and not the local folder's files), a restore puts them back under the same keys, and
the papers download again through the views. The disk's own round trips are in test_backup."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from dialogues.models import Document
from dialogues.papers.services import document_upload
from dialogues.storage import private_storage
from participants.models import Membership
from tests.conftest import bucket_objects, enable_mfa, sign_in
from tests.factories import level
from tests.ops.test_backup import SENTINEL, make_archive, private_root, snapshot_rows
from tests.world import dialogue, member_with_account
from trackii.ops import backup


def papers_in_the_bucket():
    """A convenor and two papers stored in the bucket: one over several of the archive's
    encrypted chunks (random text), one holding the sentinel."""
    salt_river = dialogue(title="Salt River")
    convenor = member_with_account(
        dialogue=salt_river, role=Membership.Role.CONVENOR, clearance="Restricted"
    )
    contents = {
        "Large.txt": os.urandom(2 * backup.CHUNK_SIZE + 9).hex().encode(),
        "Sentinel.txt": SENTINEL * 40,
    }
    for name, content in contents.items():
        document_upload(
            dialogue=salt_river,
            session=None,
            agenda_item=None,
            uploaded_by=convenor.person.user,
            title=name,
            kind=Document.Kind.BACKGROUND_PAPER,
            level=level("Programme"),
            readers=(),
            upload=SimpleUploadedFile(name, content),
        )
    return convenor.person.user, contents


def download(user, document) -> bytes:
    client = Client()
    enable_mfa(user)
    sign_in(client, user)
    response = client.get(
        reverse("dialogues:document_download", args=[document.dialogue_id, document.pk])
    )
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def empty_the_bucket(bucket) -> None:
    for name in bucket_objects(bucket):
        private_storage().delete(name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_brings_the_buckets_objects_back(
    reference_data, backup_tools, key, s3_bucket, tmp_path
):
    user, contents = papers_in_the_bucket()
    # A file in the local folder is not the installation's: the bucket is.
    private_root().mkdir(parents=True, exist_ok=True)
    on_disk = private_root() / "ops-test-bucket-stray"
    on_disk.write_bytes(b"not in the bucket")
    try:
        objects, rows = bucket_objects(s3_bucket), snapshot_rows()
        assert sorted(objects.values(), key=len) == sorted(contents.values(), key=len)

        out = io.StringIO()
        call_command("backup", output_dir=str(tmp_path / "backups"), stdout=out)
        [archive] = (tmp_path / "backups").glob("trackii-*.tar.enc")
        assert "2 private files" in out.getvalue(), out.getvalue()
        assert SENTINEL not in archive.read_bytes()

        # The disaster: the database emptied, the bucket's objects gone.
        call_command("flush", interactive=False, verbosity=0)
        empty_the_bucket(s3_bucket)
        assert backup.database_content() == {}
        assert bucket_objects(s3_bucket) == {}

        call_command("restore", str(archive), stdout=io.StringIO())
        assert bucket_objects(s3_bucket) == objects
        assert snapshot_rows() == rows
        for document in Document.objects.all():
            assert (
                download(user.__class__.objects.get(pk=user.pk), document)
                == (contents[document.original_name])
            )
    finally:
        on_disk.unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_bucket_in_use_unless_forced(
    reference_data, backup_tools, key, s3_bucket, tmp_path
):
    archive = make_archive(tmp_path / "backups")  # a new installation's
    call_command("flush", interactive=False, verbosity=0)  # the database is not in the way
    private_storage().save("documents/" + "cd" * 16, io.BytesIO(b"in use"))

    with pytest.raises(CommandError, match=r"^the private storage holds 1 files already"):
        call_command("restore", str(archive))

    # Forced: the object the archive does not hold stays.
    out = io.StringIO()
    call_command("restore", str(archive), force=True, stdout=out)
    assert bucket_objects(s3_bucket) == {"documents/" + "cd" * 16: b"in use"}
