"""Writes of papers: upload and delete. A paper's file is checked before anything is stored: its
size against ``DOCUMENT_MAX_UPLOAD_BYTES``, its type on its content (magic bytes, the member list
of a ZIP), never on the browser's word; the extension must agree with what the content is. The
file is written under private storage with a name that says nothing, and only once every check
has passed; a failure after that removes it again, so a refused upload leaves nothing behind."""

from __future__ import annotations

import codecs
import hashlib
import math
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from participants.selectors import roster_of
from trackii.audit.services import Action, audit_record

from ..confidentiality import floor_level
from ..models import AgendaItem, ConfidentialityLevel, Dialogue, Document, Session
from ..services import check_narrow_only, name_readers

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ACCEPTED_KINDS = gettext_lazy(
    "PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), OpenDocument text (.odt), "
    "plain text (.txt, .md), PNG and JPEG"
)
_CHUNK = 64 * 1024
_ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class FileType:
    """An accepted type: what it is called, and its extensions with the content type each is
    served with."""

    label: StrOrPromise  # marked, translated where a message names it
    extensions: dict[str, str]

    @property
    def suggestion(self) -> str:
        first, *others = self.extensions
        if not others:
            return first
        return _("%(extensions)s or %(last)s") % {
            "extensions": ", ".join((first, *others[:-1])),
            "last": others[-1],
        }


PDF = FileType(gettext_lazy("a PDF document"), {".pdf": "application/pdf"})
PNG = FileType(gettext_lazy("a PNG image"), {".png": "image/png"})
JPEG = FileType(gettext_lazy("a JPEG image"), {".jpg": "image/jpeg", ".jpeg": "image/jpeg"})
DOCX = FileType(
    gettext_lazy("a Word document"),
    {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
)
XLSX = FileType(
    gettext_lazy("an Excel workbook"),
    {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
)
PPTX = FileType(
    gettext_lazy("a PowerPoint presentation"),
    {".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
)
ODT = FileType(gettext_lazy("an OpenDocument text"), {".odt": _ODT_MIMETYPE.decode()})
TEXT = FileType(
    gettext_lazy("plain text"),
    {".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8"},
)

_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_OFFICE_MEMBERS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
# Refused types we can name, so the error says what the file is rather than "unknown".
_REFUSED_MAGIC = (
    (b"MZ", gettext_lazy("a Windows program")),
    (b"\x7fELF", gettext_lazy("a program")),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        gettext_lazy(
            "an older Microsoft Office file (.doc, .xls, .ppt); save it as .docx, .xlsx, .pptx "
            "or PDF"
        ),
    ),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"Rar!", gettext_lazy("a RAR archive")),
    (b"7z\xbc\xaf\x27\x1c", gettext_lazy("a 7-Zip archive")),
    (b"\x1f\x8b", gettext_lazy("a gzip archive")),
    (b"PK\x05\x06", gettext_lazy("an empty ZIP archive")),
)
# Bidirectional overrides and isolates let "gpj.exe" display as "exe.jpg"; they go with the
# control characters. Joiners (ZWJ, ZWNJ) stay: Persian and Indic names need them.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class CheckedFile:
    """What an upload turned out to be, from its content."""

    file_type: FileType
    original_name: str
    extension: str

    @property
    def content_type(self) -> str:
        return self.file_type.extensions[self.extension]


def size_text(size: int, *, round_up: bool = False) -> str:
    """A size as people read it: 31.2 MB, 12 KB, 800 bytes (a KB is 1024 bytes), in the
    reader's language (its decimal separator too)."""
    for unit, factor in ((_("%(size)s MB"), 1024 * 1024), (_("%(size)s KB"), 1024)):
        if size >= factor:
            tenths = size * 10 / factor
            tenths = math.ceil(tenths) if round_up else math.floor(tenths)
            shown = number_format(tenths / 10, decimal_pos=0 if tenths % 10 == 0 else 1)
            return unit % {"size": shown}
    return ngettext("%(size)s byte", "%(size)s bytes", size) % {"size": size}


def _not_accepted(looks_like: StrOrPromise) -> str:
    """The refusal of a file of a type papers may not have, saying what it looks like."""
    return _("Only %(kinds)s files are accepted; this file looks like %(what)s.") % {
        "kinds": ACCEPTED_KINDS,
        "what": looks_like,
    }


def _check_size(size: int) -> None:
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if size > limit:
        # The file's size rounds up and the limit down, so a refused file never reads as allowed.
        raise ValidationError(
            _("This file is %(size)s; the limit is %(limit)s.")
            % {"size": size_text(size, round_up=True), "limit": size_text(limit, round_up=False)},
            code="too_large",
        )
    if size == 0:
        raise ValidationError(_("This file is empty."), code="empty")


def clean_original_name(name: str) -> str:
    """The uploader's file name as it may be shown and offered back: its last path part only,
    no control characters, at most 255 characters (the extension kept)."""
    name = posixpath.basename((name or "").replace("\\", "/"))
    name = _BIDI_CONTROLS.sub("", name)
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cc").strip()
    if name in ("", ".", ".."):
        name = "paper"
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) < 16:
            name = f"{stem[: 254 - len(extension)]}.{extension}"
        else:
            name = name[:255]
    return name


def _extension(name: str) -> str:
    _, dot, extension = name.rpartition(".")
    return f".{extension.lower()}" if dot and extension else ""


def _sniff_zip(upload) -> FileType:
    upload.seek(0)
    try:
        # Only the central directory is read, and at most a few bytes of one member: nothing is
        # decompressed in bulk, so a ZIP bomb stays harmless.
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise ValidationError(
                    _(
                        "This file carries macros (program code), which papers may not: save it "
                        "without macros (as .docx, .xlsx or .pptx) and upload it again."
                    ),
                    code="macros",
                )
            for member, file_type in _OFFICE_MEMBERS:
                if member in names:
                    return file_type
            if "mimetype" in names:
                with archive.open("mimetype") as stored:
                    if stored.read(len(_ODT_MIMETYPE) + 1).strip() == _ODT_MIMETYPE:
                        return ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as error:
        raise ValidationError(
            _(
                "This file starts like a ZIP archive (as Word, Excel, PowerPoint and "
                "OpenDocument files do) but is damaged: it cannot be opened as one."
            ),
            code="invalid_zip",
        ) from error
    except (NotImplementedError, RuntimeError) as error:  # encrypted or exotic compression
        raise ValidationError(
            _(
                "Only %(kinds)s files are accepted; this file looks like an encrypted or "
                "unreadable ZIP archive."
            )
            % {"kinds": ACCEPTED_KINDS},
            code="unsupported_type",
        ) from error
    raise ValidationError(
        _(
            "Only %(kinds)s files are accepted; this file looks like a ZIP archive, not a Word, "
            "Excel, PowerPoint or OpenDocument text file."
        )
        % {"kinds": ACCEPTED_KINDS},
        code="unsupported_type",
    )


def _text_problem(upload) -> str | None:
    """Why the content is not UTF-8 text without NUL bytes, or None if it is."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    try:
        for chunk in upload.chunks(_CHUNK):
            if b"\x00" in chunk:
                return "nul"
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "not_utf8"
    return None


def _sniff(upload, extension: str) -> FileType:
    upload.seek(0)
    head = upload.read(16)
    for magic, file_type in _MAGIC:
        if head.startswith(magic):
            return file_type
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(upload)
    problem = _text_problem(upload)
    if problem is None:
        return TEXT
    for magic, label in _REFUSED_MAGIC:
        if head.startswith(magic):
            raise ValidationError(_not_accepted(label), code="unsupported_type")
    if extension in TEXT.extensions and problem == "not_utf8":
        raise ValidationError(
            _(
                "Plain text (%(extension)s) must be UTF-8; this file is not valid UTF-8 text. "
                "Save it as UTF-8 and upload it again."
            )
            % {"extension": extension},
            code="not_utf8",
        )
    if extension in TEXT.extensions:
        raise ValidationError(
            _(
                "Only %(kinds)s files are accepted; this file looks like binary data (it "
                "contains NUL bytes), not plain text."
            )
            % {"kinds": ACCEPTED_KINDS},
            code="unsupported_type",
        )
    raise ValidationError(
        _("Only %(kinds)s files are accepted; this file looks like binary data of an unknown type.")
        % {"kinds": ACCEPTED_KINDS},
        code="unsupported_type",
    )


def document_file_check(upload) -> CheckedFile:
    """Check an upload's size and type (on its content) and clean its name; raises a
    ``ValidationError`` with one message that says what is wrong."""
    _check_size(upload.size)
    original_name = clean_original_name(upload.name)
    extension = _extension(original_name)
    file_type = _sniff(upload, extension)
    if extension not in file_type.extensions:
        values = {
            "extension": extension,
            "kind": file_type.label,
            "suggestion": file_type.suggestion,
        }
        if extension:
            message = _(
                "The file name ends in “%(extension)s” but its content is %(kind)s; give it the "
                "extension %(suggestion)s (or upload the file you meant)."
            )
        else:
            message = _(
                "The file name has no extension but its content is %(kind)s; give it the "
                "extension %(suggestion)s (or upload the file you meant)."
            )
        raise ValidationError(message % values, code="extension_mismatch")
    upload.seek(0)
    return CheckedFile(file_type=file_type, original_name=original_name, extension=extension)


def _digest(upload) -> tuple[str, int]:
    sha256 = hashlib.sha256()
    size = 0
    upload.seek(0)
    for chunk in upload.chunks(_CHUNK):
        sha256.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return sha256.hexdigest(), size


def _check_containers(
    *, dialogue: Dialogue, session: Session | None, agenda_item: AgendaItem | None
) -> None:
    if agenda_item is not None:
        if session is None:
            raise ValidationError(
                _("A paper on an agenda item belongs to that item's session too.")
            )
        if agenda_item.session_id != session.pk:
            raise ValidationError(_("This agenda item is not part of that session."))
    if session is not None and session.dialogue_id != dialogue.pk:
        raise ValidationError(_("This session is not part of that dialogue."))


def _check_readers(*, dialogue: Dialogue, readers) -> None:
    on_roster = set(roster_of(dialogue_id=dialogue.pk).values_list("person_id", flat=True))
    if any(person.pk not in on_roster for person in readers):
        raise ValidationError({"readers": _("Only people on this dialogue's roster can be named.")})


def document_upload(
    *,
    dialogue: Dialogue,
    session: Session | None = None,
    agenda_item: AgendaItem | None = None,
    uploaded_by,
    title: str,
    kind: str,
    level: ConfidentialityLevel,
    readers=(),
    upload,
) -> Document:
    """Store a paper in a dialogue, a session or an agenda item. Never below its container's
    effective level (a dialogue-wide paper may take any level); the uploader is named on it."""
    _check_containers(dialogue=dialogue, session=session, agenda_item=agenda_item)
    floor = floor_level(session, agenda_item)
    if floor is not None:
        check_narrow_only(level=level, container_level=floor)
    readers = list(readers)
    _check_readers(dialogue=dialogue, readers=readers)
    try:
        checked = document_file_check(upload)
        sha256, size = _digest(upload)
        _check_size(size)  # the bytes read, whatever the upload claimed
    except ValidationError as error:
        raise ValidationError({"file": error.error_list}) from error

    document = Document(
        dialogue=dialogue,
        session=session,
        agenda_item=agenda_item,
        kind=kind,
        title=title,
        level=level,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=size,
        sha256=sha256,
        uploaded_by=uploaded_by,
    )
    # Everything but the file is validated before a byte is written.
    document.full_clean(exclude=["file"])
    stored_name = None
    try:
        with transaction.atomic():
            document.file.save("paper", File(upload), save=False)
            stored_name = document.file.name
            document.save()
            name_readers(document, readers=readers, created_by=uploaded_by)
            audit_record(
                action=Action.CREATED,
                obj=document,
                actor=uploaded_by,
                dialogue_id=dialogue.pk,
                detail=_ids(document),
            )
    except BaseException:
        if stored_name is not None:
            document.file.storage.delete(stored_name)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, by) -> None:
    """Delete a paper; its file goes once the deletion is committed (a rollback keeps both)."""
    audit_record(
        action=Action.DELETED,
        obj=document,
        actor=by,
        dialogue_id=document.dialogue_id,
        detail=_ids(document),
    )
    storage, stored_name = document.file.storage, document.file.name
    document.delete()
    if stored_name:  # every paper has its file; nothing to delete otherwise
        transaction.on_commit(lambda: storage.delete(stored_name))


def _ids(document: Document) -> dict:
    return {
        "session_id": document.session_id,
        "agenda_item_id": document.agenda_item_id,
        "level_id": document.level_id,
    }
