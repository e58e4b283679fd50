"""Downloads rendered from what the viewer may see: the agenda as a PDF. The session is looked up
through the confidentiality module (404 for anyone who may not see it, and for an agenda not yet
published); the file is rendered in the request (an agenda is a few pages) and never cached.
Every download is recorded in the audit trail (``trackii.audit.reads``)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from trackii.audit import reads

from .. import exporters, selectors
from ..confidentiality import viewer_of


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
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
