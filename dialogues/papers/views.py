"""Papers: the Papers tab (every paper the reader may download), upload and delete (the convening
team), download (whoever may see the paper). Every
lookup goes through the confidentiality module (which notes it for the audit trail: every
download is recorded); anything else answers 404, so neither a paper nor the place it sits in is
confirmed to anyone not cleared for it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from trackii.lists import page_of

from .. import selectors
from ..confidentiality import can_plan, floor_level, readable_levels, viewer_of
from ..forms import add_service_error
from ..http import convening_team_only, private_file_response
from . import services
from .exports import document_filename
from .forms import DocumentForm, DocumentPlaceForm, PapersFilterForm
from .selectors import document_for, documents_listed


def _page_of(*, dialogue_id: int, session_id: int | None) -> str:
    if session_id is not None:
        return reverse("dialogues:session_detail", args=[dialogue_id, session_id])
    return reverse("dialogues:documents", args=[dialogue_id])


def _place(request, viewer, dialogue):
    """The session and agenda item named in the query, each looked up as the viewer sees it."""
    place = DocumentPlaceForm(request.GET)
    if not place.is_valid():
        raise Http404
    session_id, item_id = place.cleaned_data["session"], place.cleaned_data["item"]
    if item_id is not None and session_id is None:
        raise Http404
    session = item = None
    if session_id is not None:
        session = selectors.session_for(
            viewer=viewer, dialogue_id=dialogue.pk, session_id=session_id
        )
    if item_id is not None:
        item = selectors.agenda_item_for(viewer=viewer, session=session, item_id=item_id)
    return session, item


@require_GET
@login_required
def document_list(request, dialogue_id: int):
    """The Papers tab: every paper of the dialogue the reader may download, 25 a page, searched
    by title and filtered by session and level (only those the reader may see are offered). The
    dialogue is what the page shows for the audit trail, as on the dialogue's page."""
    viewer = viewer_of(request)
    dialogue = selectors.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    filters = PapersFilterForm(
        request.GET,
        sessions=selectors.sessions_visible_to(viewer=viewer, dialogue=dialogue),
        levels=readable_levels(viewer, dialogue.pk),
    )
    chosen = filters.values()
    documents = page_of(
        request,
        documents_listed(
            viewer=viewer,
            dialogue_id=dialogue.pk,
            search=chosen["search"],
            session=chosen["in_session"],
            level=chosen["level"],
            ordering=filters.ordering,
        ),
    )
    context = {
        "dialogue": dialogue,
        "documents": list(documents.object_list),
        "page_obj": documents,
        "filters": filters,
        "sort": chosen["sort"],
        "can_plan": can_plan(viewer, dialogue.pk),
    }
    return render(request, "dialogues/papers/list.html", context)


@require_http_methods(["GET", "POST"])
@convening_team_only
def document_upload(request, dialogue, viewer):
    session, item = _place(request, viewer, dialogue)
    back = _page_of(dialogue_id=dialogue.pk, session_id=session.pk if session else None)
    posted = request.method == "POST"
    form = DocumentForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        dialogue=dialogue,
        floor=floor_level(session, item),
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_upload(
                dialogue=dialogue,
                session=session,
                agenda_item=item,
                uploaded_by=request.user,
                title=data["title"],
                kind=data["kind"],
                level=data["level"],
                readers=data["readers"],
                upload=data["file"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            # No title in the message: messages may travel in a cookie.
            messages.success(request, _("The paper was uploaded."))
            return redirect(back)
    context = {
        "dialogue": dialogue,
        "session": session,
        "item": item,
        "form": form,
        "back": back,
    }
    return render(request, "dialogues/papers/upload.html", context)


@require_http_methods(["GET"])
@login_required
def document_download(request, dialogue_id: int, document_id: int):
    document = document_for(
        viewer=viewer_of(request), dialogue_id=dialogue_id, document_id=document_id
    )
    return private_file_response(
        document.file, filename=document_filename(document), content_type=document.content_type
    )


@require_http_methods(["POST"])
@convening_team_only
def document_delete(request, document_id: int, dialogue, viewer):
    document = document_for(viewer=viewer, dialogue_id=dialogue.pk, document_id=document_id)
    back = _page_of(dialogue_id=dialogue.pk, session_id=document.session_id)
    services.document_delete(document=document, by=request.user)
    messages.success(request, _("The paper was deleted."))
    return redirect(back)
