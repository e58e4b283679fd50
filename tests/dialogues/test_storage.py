"""Private files in the S3 bucket (dialogues.storage on SeaweedFS): papers and packs land under
random keys, download through our views only (checked, audited, streamed in chunks), the store
refuses anonymous requests, and no link to the store ever reaches a response or an e-mail. The
same downloads on local disk are tested in test_documents and test_briefing_views."""

import hashlib
import io
import os
import re
import subprocess
import sys
import tracemalloc
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogues.briefing.services import pack_files_sweep
from dialogues.http import STREAM_BLOCK_BYTES
from dialogues.models import BriefingPack, BriefingPackCopy, Document
from dialogues.storage import PrivateFileError, private_storage
from participants.models import Membership
from tests.conftest import bucket_objects
from tests.dialogues.test_documents import PDF, allow_out, download_url, form_data, paper
from tests.world import member_with_account, pack, recipient
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

# What a link to the store would carry: a presigned query (either signature version) or the
# store's own address.
PRESIGNED = re.compile(rb"X-Amz-|AWSAccessKeyId=|Signature=|x-amz-", re.IGNORECASE)


def leaks_store(bucket, *texts: bytes) -> list[bytes]:
    """The texts that name the store (its address, bucket, a signature or the access key)."""
    markers = [
        bucket["endpoint_url"].encode(),
        bucket["endpoint_url"].split("//", 1)[1].encode(),
        bucket["access_key_id"].encode(),
    ]
    return [
        text for text in texts if PRESIGNED.search(text) or any(mark in text for mark in markers)
    ]


def whole(response) -> bytes:
    """Headers and body of a response, as bytes (a streamed body read to its end)."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    headers = "".join(f"{name}: {value}\n" for name, value in response.items()).encode()
    return headers + body


def anonymous_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (our test server)
            return answer.status, answer.read()
    except urllib.error.HTTPError as refusal:
        return refusal.code, refusal.read()


def test_a_paper_uploaded_lands_in_the_bucket_under_a_random_key_and_downloads(
    login, world, s3_bucket
):
    allow_out(world)
    content = b"%PDF-1.7\n" + b"SENTINEL-bucket-paper " * 50
    client = login(world["convenor"])
    upload = client.post(
        reverse("dialogues:document_upload", args=[world["dialogue"].pk]),
        form_data(upload=SimpleUploadedFile("Lakeside talks.pdf", content)),
    )
    assert upload.status_code == 302
    document = Document.objects.get()

    # The object holds the paper, under a key that says nothing (no name, title or id).
    assert bucket_objects(s3_bucket) == {document.file.name: content}
    assert re.fullmatch(r"documents/[0-9a-f]{32}", document.file.name)

    participant = login(world["participant"])
    response = participant.get(download_url(document))
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == 'attachment; filename="Lakeside talks.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response
    text = whole(response)
    assert text.endswith(content)
    assert leaks_store(s3_bucket, text, whole(upload)) == []
    # Audited as on disk; the page that lists it names no store either.
    assert list(
        AuditEntry.objects.filter(action="downloaded").values_list("actor", "object_id")
    ) == [(world["participant"].person.user.pk, str(document.pk))]
    papers = participant.get(reverse("dialogues:documents", args=[world["dialogue"].pk]))
    assert papers.status_code == 200
    assert document.title.encode() in papers.content  # positive control: the paper is listed
    assert leaks_store(s3_bucket, papers.content) == []


def test_a_paper_in_the_bucket_is_refused_to_readers_without_the_clearance(login, world, s3_bucket):
    document = paper(world, "Quiet", "Facilitators")
    assert set(bucket_objects(s3_bucket)) == {document.file.name}
    for who in ("participant", "outsider"):
        response = login(world[who]).get(download_url(document))
        assert response.status_code == 404, who
        assert b"%PDF" not in whole(response)
    assert AuditEntry.objects.filter(action="downloaded").count() == 0


def test_an_anonymous_request_to_the_store_is_refused(world, s3_bucket):
    document = paper(world, "Background", "Programme")
    endpoint, name = s3_bucket["endpoint_url"], s3_bucket["bucket"]
    # Positive control: the object is there, for the application's credentials.
    assert bucket_objects(s3_bucket) == {document.file.name: PDF}

    for url in (
        f"{endpoint}/{name}/{document.file.name}",  # the object
        f"{endpoint}/{name}",  # the bucket's listing
        f"{endpoint}/{name}?list-type=2",
        f"{endpoint}/",  # the list of buckets
    ):
        status, body = anonymous_get(url)
        assert status == 403, url
        assert b"AccessDenied" in body, url
        assert PDF not in body
        assert document.file.name.split("/")[-1].encode() not in body or url.endswith(
            document.file.name
        )


def test_private_files_have_no_url_on_either_storage(world, s3_bucket, settings):
    document = paper(world, "Background", "Programme")
    with pytest.raises(PrivateFileError):
        document.file.url  # noqa: B018 (the property is the call under test)
    with pytest.raises(PrivateFileError):
        private_storage().url(document.file.name)
    settings.PRIVATE_STORAGE_S3 = None  # back on local disk
    with pytest.raises(PrivateFileError):
        private_storage().url("documents/anything")


def test_a_large_paper_streams_from_the_bucket_in_blocks(login, world, s3_bucket):
    allow_out(world)
    size = 24 * 1024 * 1024 + 5
    content = os.urandom(size)
    name = private_storage().save("documents/" + "ab" * 16, ContentFile(content))
    document = paper(world, "Large", "Programme")
    private_storage().delete(document.file.name)
    Document.objects.filter(pk=document.pk).update(
        file=name, size=size, sha256=hashlib.sha256(content).hexdigest()
    )
    document.refresh_from_db()
    client = login(world["participant"])
    response = client.get(download_url(document))
    assert response.status_code == 200
    assert response["Content-Length"] == str(size)

    digest, received, largest = hashlib.sha256(), 0, 0
    tracemalloc.start()
    try:
        for block in response.streaming_content:
            digest.update(block)
            received += len(block)
            largest = max(largest, len(block))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (received, digest.hexdigest()) == (size, hashlib.sha256(content).hexdigest())
    assert largest <= STREAM_BLOCK_BYTES
    # Held at once: a few blocks and the client's buffers, never the 24 MB object.
    assert peak < 4 * 1024 * 1024, peak


# -- briefing packs -----------------------------------------------------------------------------


def test_a_pack_stored_in_the_bucket_downloads_through_both_doors_and_the_email_names_no_store(
    login, world, s3_bucket, django_capture_on_commit_callbacks
):
    world["facilitator"] = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    official = recipient(
        "Amal Haddad", "amal@ministry.example", "Programme", position="Envoy"
    ).official_of(world["dialogue"])
    convenor = login(world["convenor"])
    with django_capture_on_commit_callbacks(execute=True):
        requested = convenor.post(
            reverse("dialogues:pack_request", args=[world["dialogue"].pk]),
            {"note": "For Thursday.", "officials": [official.pk]},
        )
    assert requested.status_code == 302
    pack = BriefingPack.objects.get()
    copy = pack.copies.get()
    assert copy.state == "ready"

    stored = bucket_objects(s3_bucket)
    assert set(stored) == {copy.file.name}
    assert re.fullmatch(r"packs/[0-9a-f]{32}\.pdf", copy.file.name)
    assert hashlib.sha256(stored[copy.file.name]).hexdigest() == copy.sha256

    team_download = convenor.get(
        reverse("dialogues:copy_download", args=[world["dialogue"].pk, pack.pk, copy.pk])
    )
    assert team_download.status_code == 200
    team_bytes = whole(team_download)
    assert team_bytes.endswith(stored[copy.file.name])

    facilitator = login(world["facilitator"])
    with django_capture_on_commit_callbacks(execute=True):
        released = facilitator.post(
            reverse("dialogues:pack_release", args=[world["dialogue"].pk, pack.pk])
        )
    assert released.status_code == 302
    [message] = mail.outbox
    token = re.search(r"http://\S+/packs/(\S+)/", message.body).group(1)
    official_client = Client()
    page = official_client.get(reverse("pack_link", args=[token]))
    link_download = official_client.get(reverse("pack_link_download", args=[token]))
    assert link_download.status_code == 200
    link_bytes = whole(link_download)
    assert link_bytes.endswith(stored[copy.file.name])

    email = (message.subject + message.body).encode()
    alternatives = getattr(message, "alternatives", [])  # a plain-text message has none
    email += b"".join(str(alternative[0]).encode() for alternative in alternatives)
    assert (
        leaks_store(
            s3_bucket, team_bytes, link_bytes, whole(page), whole(requested), whole(released), email
        )
        == []
    )
    assert list(
        AuditEntry.objects.filter(action="downloaded", object_id=str(copy.pk))
        .order_by("id")
        .values_list("detail__via", flat=True)
    ) == ["convening_team", "link"]


def test_a_missing_object_answers_404(login, world, s3_bucket):
    document = paper(world, "Gone", "Programme")
    private_storage().delete(document.file.name)
    assert bucket_objects(s3_bucket) == {}
    assert login(world["participant"]).get(download_url(document)).status_code == 404


def test_the_leak_check_finds_a_presigned_link(s3_bucket):
    """The check the tests above rely on can fail: a presigned URL made by boto3 (which
    Trackii never makes) is caught."""
    presigned = s3_bucket["client"].generate_presigned_url(
        "get_object", Params={"Bucket": s3_bucket["bucket"], "Key": "documents/x"}
    )
    assert leaks_store(s3_bucket, presigned.encode(), io.BytesIO(b"clean").read()) == [
        presigned.encode()
    ]


# What a process of the production settings does with the bucket, at LOG_LEVEL=DEBUG.
STORE_AND_READ = (
    "import logging; logging.getLogger('trackii.check').debug('CONTROL-debug-line'); "
    "from django.core.files.base import ContentFile; "
    "from dialogues.storage import private_storage as p; "
    "name = p().save('documents/' + 'ef' * 16, ContentFile(b'logged?')); "
    "print(p().open(name).read()); p().delete(name)"
)


def test_debug_logging_names_no_signature_nor_key(s3_bucket):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "S3_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="trackii.settings.production",
        SECRET_KEY="x7Hq2Lm9Vb4Nc8Rt1Yw6Zp3Ks5Dj0Fg_a-Qe2Wr9Ty4Ui7Op1As3Df6Gh8Jk0Lz",
        DATABASE_URL="sqlite:////tmp/unused.sqlite3",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="trackii.example.org",
        LOG_LEVEL="DEBUG",
        S3_BUCKET=s3_bucket["bucket"],
        S3_ENDPOINT_URL=s3_bucket["endpoint_url"],
        S3_ACCESS_KEY_ID=s3_bucket["access_key_id"],
        S3_SECRET_ACCESS_KEY=s3_bucket["secret_access_key"],
        S3_REGION_NAME=s3_bucket["region_name"],
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", STORE_AND_READ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"b'logged?'"  # the store was used
    assert b" DEBUG trackii.check CONTROL-debug-line" in done.stderr  # debug lines are written
    assert leaks_store(s3_bucket, done.stdout, done.stderr) == []
    assert b"Authorization" not in done.stderr


def test_the_sweeper_deletes_pack_objects_no_copy_names_once_old_enough(world, s3_bucket):
    assert pack_files_sweep() == 0  # an empty bucket: nothing to do
    requested = pack(
        of=world["dialogue"],
        by=world["convenor"].person.user,
        recipients=[recipient("Amal Official", "amal@ministry.example", "Programme")],
    )
    named = private_storage().save("packs/" + "1a" * 16 + ".pdf", ContentFile(b"%PDF named"))
    BriefingPackCopy.objects.filter(pk=requested.copies.get().pk).update(file=named)
    orphan = private_storage().save("packs/" + "2b" * 16 + ".pdf", ContentFile(b"%PDF orphan"))
    paper_name = paper(world, "Not a pack", "Programme").file.name
    limit = timedelta(seconds=settings.BRIEFING_STALE_RENDERING_SECONDS)

    # Objects stored just now are left alone (a render may be under way); once older than the
    # limit, the one no copy names goes.
    assert pack_files_sweep() == 0
    assert pack_files_sweep(now=timezone.now() + limit + timedelta(seconds=5)) == 1
    assert set(bucket_objects(s3_bucket)) == {named, paper_name}
    assert orphan not in bucket_objects(s3_bucket)
