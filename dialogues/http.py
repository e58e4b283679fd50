"""What the features' views share, written once: the convening team's gate, the response that
hands a private file to its reader, the form shown again after an edit conflict, and a
translated sentence with what people wrote isolated in it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.html import escape, format_html
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString

from . import selectors
from .confidentiality import viewer_of
from .storage import private_file_stream

# Read and sent 64 KiB at a time: a download holds one block in memory, whatever its size.
STREAM_BLOCK_BYTES = 64 * 1024


def convening_team_only(view):
    """A view of one dialogue for its convening team only: the signed-out are sent to sign in,
    everyone else who is not of the team gets 404 (the dialogue's existence does not leak). The
    view is called with ``dialogue`` (resolved through the confidentiality module, so noted for
    the audit trail) and ``viewer`` instead of the URL's ``dialogue_id``."""

    @login_required
    @wraps(view)
    def wrapper(request, dialogue_id: int, *args, **kwargs):
        viewer = viewer_of(request)
        dialogue = selectors.planned_dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
        return view(request, *args, dialogue=dialogue, viewer=viewer, **kwargs)

    return wrapper


def private_file_response(stored_file, *, filename: str, content_type: str) -> HttpResponse:
    """A private file (a paper, a pack copy) as a download, once the caller has decided its
    reader may have it. On local disk with ``PRIVATE_STORAGE_X_ACCEL_PREFIX``, nginx streams it
    from an internal location; otherwise Django streams it, from the disk or from the bucket's
    object body in chunks (never a link to the store). Never cached, never sniffed."""
    prefix = settings.PRIVATE_STORAGE_X_ACCEL_PREFIX
    if prefix and isinstance(stored_file.storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix}{quote(stored_file.name)}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        try:
            stream, size = private_file_stream(stored_file)
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(
            stream, as_attachment=True, filename=filename, content_type=content_type
        )
        response.block_size = STREAM_BLOCK_BYTES
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def form_after_conflict(request, conflict, build: Callable):
    """The edit form shown again after ``conflict`` (``dialogues.concurrency.EditConflict``):
    this editor's values, at the revision now saved, so that saving again is a decision taken
    with the differences in view. ``build(data)`` makes the bound form."""
    data = request.POST.copy()
    data["edit_revision"] = str(conflict.current.edit_revision)
    form = build(data)
    form.is_valid()
    return form


def isolated(message: str, **values: object) -> SafeString:
    """``message`` (already translated, with ``%(name)s`` placeholders) with ``values`` put in:
    the sentence escaped, each value escaped and, but for numbers, wrapped in ``<bdi>``, so
    that a name or a title people wrote keeps its own direction inside a sentence of another
    script (docs/i18n.md). For messages, labels and warnings built in Python."""
    filled = {
        name: value if isinstance(value, int) else format_html("<bdi>{}</bdi>", value)
        for name, value in values.items()
    }
    return SafeString(escape(message) % filled)
