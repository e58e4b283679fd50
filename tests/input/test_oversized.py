"""Bodies and uploads larger than the limits are refused with a clear message, never a server
error, and nothing is saved.

- A form whose fields hold more than ``DATA_UPLOAD_MAX_MEMORY_SIZE``, more than
  ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields, or more than ``DATA_UPLOAD_MAX_NUMBER_FILES`` files:
  Django refuses it before any view runs; the answer is the 400 page (``templates/400.html``).
- A paper over ``DOCUMENT_MAX_UPLOAD_BYTES`` or a designation list over
  ``DESIGNATION_MAX_UPLOAD_BYTES``: the form says so beside the field, with the size and the
  limit.
- In production nginx answers first: a body over its ``client_max_body_size`` never reaches
  Django (nginx's own 413). Its limit must leave room for the largest upload the settings accept.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dialogues.models import Dialogue, Document
from participants.models import DesignationList, DesignationListVersion, User
from tests.conftest import sign_in
from tests.input.support import build_world, changed_tables, snapshot

pytestmark = pytest.mark.django_db

REFUSED_PAGE = "This request was refused"
NGINX_CONF = Path(settings.BASE_DIR) / "docker" / "nginx" / "trackii.conf"


@pytest.fixture
def w(db):
    return build_world()


def signed_in(client, w, who):
    sign_in(client, User.objects.get(pk=w[who]))
    return client


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def assert_refused_page(response) -> None:
    assert response.status_code == 400
    html = response.content.decode()
    assert REFUSED_PAGE in html
    assert "Nothing was saved." in html
    assert "too large" in html


@pytest.mark.parametrize("encoding", ["urlencoded", "multipart"])
def test_a_form_with_too_much_text_gets_the_400_page_and_nothing_is_saved(client, w, encoding):
    url = reverse("dialogues:dialogue_edit", args=[w["dialogue"]])
    dialogue = Dialogue.objects.get(pk=w["dialogue"])
    fields = {
        "title": "Renamed",
        "track": "2",
        "aim": "manage",
        "status": "active",
        "default_level": w["levels"]["Programme"],
        "cover_name": "Lakeside meetings",
        "edit_revision": dialogue.edit_revision,
        "context": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
    }
    client = signed_in(client, w, "convenor_user")
    before = snapshot({"audit.AuditEntry": {"*"}})
    if encoding == "urlencoded":
        response = client.post(
            url, urlencode(fields), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(url, fields)
    assert_refused_page(response)
    assert changed_tables(before, snapshot({"audit.AuditEntry": {"*"}})) == []
    assert Dialogue.objects.get(pk=w["dialogue"]).title == "Salt River"


def test_just_under_the_text_limit_is_accepted(client, w):
    # A control: the same form, with the same field as large as allowed, is saved.
    dialogue = Dialogue.objects.get(pk=w["dialogue"])
    fields = {
        "title": "Renamed",
        "track": "2",
        "aim": "manage",
        "status": "active",
        "default_level": w["levels"]["Programme"],
        "cover_name": "Lakeside meetings",
        "edit_revision": dialogue.edit_revision,
    }
    room = settings.DATA_UPLOAD_MAX_MEMORY_SIZE - len(urlencode(fields)) - len("&context=")
    fields["context"] = "x" * room
    response = signed_in(client, w, "convenor_user").post(
        reverse("dialogues:dialogue_edit", args=[w["dialogue"]]),
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 302
    assert len(Dialogue.objects.get(pk=w["dialogue"]).context) == room


def test_too_many_fields_get_the_400_page_and_nothing_is_saved(client, w):
    fields = [("summary", "A joint commission"), ("kind", "idea"), ("attribution", "on_record")]
    fields += [("level", str(w["levels"]["Public"]))]
    fields += [(f"f{n}", "1") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)]
    client = signed_in(client, w, "convenor_user")
    before = snapshot({"audit.AuditEntry": {"*"}})
    response = client.post(
        reverse("dialogues:outcome_create", args=[w["dialogue"], w["session"]]),
        urlencode(fields),
        content_type="application/x-www-form-urlencoded",
    )
    assert_refused_page(response)
    assert changed_tables(before, snapshot({"audit.AuditEntry": {"*"}})) == []


def test_too_many_files_get_the_400_page_and_nothing_is_imported(client, w):
    files = [
        SimpleUploadedFile(f"part{n}.csv", b"name,reference\nA,1\n")
        for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    versions = DesignationListVersion.objects.count()
    response = signed_in(client, w, "staff_user").post(
        reverse("vetting:designation_lists"),
        {"designation_list": w["designation_list"], "files": files},
    )
    assert_refused_page(response)
    assert DesignationListVersion.objects.count() == versions


def test_a_paper_over_the_limit_is_refused_beside_its_field_and_nothing_is_stored(
    client, w, settings
):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 64 * 1024
    private = Path(settings.PRIVATE_STORAGE_ROOT)
    files_before = files_under(private)
    client = signed_in(client, w, "convenor_user")
    before = snapshot({"audit.AuditEntry": {"*"}})
    response = client.post(
        reverse("dialogues:document_upload", args=[w["dialogue"]]),
        {
            "title": "Concept note",
            "kind": "concept_note",
            "level": w["levels"]["Participants"],
            "file": SimpleUploadedFile("big.txt", b"a" * (64 * 1024 + 1)),
        },
    )
    assert response.status_code == 200
    assert "This file is 64.1 KB; the limit is 64 KB." in response.content.decode()
    assert Document.objects.count() == 0
    assert changed_tables(before, snapshot({"audit.AuditEntry": {"*"}})) == []
    assert files_under(private) == files_before


def test_a_paper_over_the_limit_spooled_to_disk_is_refused_too(client, w, settings):
    # Above FILE_UPLOAD_MAX_MEMORY_SIZE the upload goes to a temporary file: same answer.
    settings.DOCUMENT_MAX_UPLOAD_BYTES = settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    size = settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 1
    response = signed_in(client, w, "convenor_user").post(
        reverse("dialogues:document_upload", args=[w["dialogue"]]),
        {
            "title": "Concept note",
            "kind": "concept_note",
            "level": w["levels"]["Participants"],
            "file": SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"a" * (size - 9)),
        },
    )
    assert response.status_code == 200
    assert "the limit is 2.5 MB" in response.content.decode()
    assert Document.objects.count() == 0


def test_a_designation_list_over_the_limit_is_refused_beside_its_field(client, w, settings):
    settings.DESIGNATION_MAX_UPLOAD_BYTES = 10 * 1024
    versions = DesignationListVersion.objects.count()
    lists = DesignationList.objects.count()
    content = b"name,aliases,date_of_birth,nationality,reference,note\n" + (
        b"Omar Haddad,,1970,IQ,OWN.1,\n" * 1000
    )
    response = signed_in(client, w, "staff_user").post(
        reverse("vetting:designation_lists"),
        {
            "new_name": "Our watch list",
            "format": "csv",
            "files": SimpleUploadedFile("own.csv", content),
        },
    )
    assert response.status_code == 200
    assert "own.csv: 27.4 KB is over the limit of 10.0 KB" in response.content.decode()
    assert DesignationListVersion.objects.count() == versions
    assert DesignationList.objects.count() == lists


# -- nginx answers first in production -----------------------------------------------------------


def nginx_body_limit() -> int:
    match = re.search(r"^\s*client_max_body_size\s+(\d+)([kmg]?);", NGINX_CONF.read_text(), re.M)
    assert match, "client_max_body_size is not set in docker/nginx/trackii.conf"
    number, unit = int(match.group(1)), match.group(2)
    return number * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def test_nginx_lets_the_largest_paper_through_to_django():
    # A paper at the limit, with the form's other fields: Django, not nginx, must refuse more.
    assert nginx_body_limit() >= settings.DOCUMENT_MAX_UPLOAD_BYTES + 64 * 1024


def test_nginx_lets_the_largest_designation_list_through_to_django():
    assert nginx_body_limit() >= settings.DESIGNATION_MAX_UPLOAD_BYTES + 64 * 1024
