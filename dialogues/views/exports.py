"""Downloads rendered from what the viewer may see: the agenda as a PDF. The session is looked up
through the confidentiality module (404 for anyone who may not see it, and for an agenda not yet
published); the file is rendered in the request (an agenda is a few pages) and never cached.
Every download is recorded in the audit trail (``trackii.audit.reads``)."""

import re
import unicodedata
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from trackii.audit import reads

from .. import exporters, selectors
from ..confidentiality import viewer_of


def attachment_disposition(filename: str) -> str:
    """``Content-Disposition`` for a download (RFC 6266): the exact name as UTF-8
    (``filename*``, RFC 8187) for clients that read it, and a plain ASCII name for those that do
    not. Our names are slugs; anything but letters, digits, dot, dash and underscore is dropped
    from the ASCII one, so no quote, backslash or line break can reach the header."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "", ascii_name)
    ascii_name = re.sub(r"-{2,}", "-", ascii_name).strip("-.") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


@require_GET
@login_required
def agenda_pdf(request, dialogue_id: int, session_id: int):
    viewer = viewer_of(request)
    session = selectors.session_for(viewer=viewer, dialogue_id=dialogue_id, session_id=session_id)
    if not session.published_version:
        raise Http404
    pdf, filename = exporters.agenda_pdf(viewer=viewer, user=request.user, session=session)
    # The trail records the download (the session, noted by its lookup) and which version it was.
    reads.describe(version=session.published_version)
    response = HttpResponse(pdf, content_type=exporters.AGENDA_PDF_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
