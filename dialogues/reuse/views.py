"""The reuse page of a session's agenda: the dialogue's other sessions and templates to copy
from, a preview of what a copy would add (times placed on this session's days, each item's
level, no readers) and the forms that copy, save this agenda as a template and delete one. For
the convening team only (``convening_team_only``); everyone else gets 404, and so does a
session or template the viewer may not see.

The page is recorded in the audit trail as the session it is for; a preview reads another
session's agenda (or a template), which is recorded as well (``listed``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from .. import selectors as core
from ..confidentiality import listed, noted
from ..forms import add_service_error
from ..http import convening_team_only, isolated
from ..models import AgendaTemplate, Session
from . import selectors, services
from .drafts import place
from .forms import ReuseChoiceForm, TemplateSaveForm


def _reuse_url(session: Session) -> str:
    return reverse("dialogues:agenda_reuse", args=[session.dialogue_id, session.pk])


def _chosen(viewer, session: Session, form: ReuseChoiceForm):
    """The session or the template a valid form names; 404 if the viewer may not see it."""
    source_id, template_id = form.cleaned_data["source"], form.cleaned_data["template"]
    if source_id:
        return selectors.source_for(viewer=viewer, session=session, source_id=source_id), None
    template = selectors.template_for(
        viewer=viewer, dialogue_id=session.dialogue_id, template_id=template_id
    )
    return None, template


def _render_page(
    request,
    viewer,
    session: Session,
    *,
    source: Session | None = None,
    template: AgendaTemplate | None = None,
    choice: ReuseChoiceForm | None = None,
    template_form: TemplateSaveForm | None = None,
    status: int = 200,
):
    dialogue_id = session.dialogue_id
    drafts = None
    if source is not None:
        drafts = selectors.session_drafts(viewer=viewer, session=source)
        listed(source, dialogue_id=dialogue_id, reuse="preview")
    elif template is not None:
        drafts = selectors.template_drafts(template)
        listed(template, dialogue_id=dialogue_id, reuse="preview")
    noted(session, dialogue_id=dialogue_id)  # the page is this session's
    preview = place(drafts, session) if drafts is not None else None
    kept, left_out = services.kept_in_template(
        selectors.session_drafts(viewer=viewer, session=session)
    )
    context = {
        "dialogue": session.dialogue,
        "session": session,
        "source": source,
        "template": template,
        "preview": preview,
        "refused": any(item.problems for item in preview or []),
        "sources": selectors.reuse_sources(viewer=viewer, session=session),
        "templates": list(selectors.templates_of(viewer=viewer, dialogue_id=dialogue_id)),
        "choice": choice,
        "template_form": template_form or TemplateSaveForm(),
        "kept": len(kept),
        "left_out": left_out,
    }
    response = render(request, "dialogues/reuse/agenda_reuse.html", context)
    response.status_code = status
    return response


@require_GET
@convening_team_only
def agenda_reuse(request, session_id: int, dialogue, viewer):
    session = core.session_for(viewer=viewer, dialogue_id=dialogue.pk, session_id=session_id)
    source = template = None
    if "source" in request.GET or "template" in request.GET:
        form = ReuseChoiceForm(request.GET)
        if not form.is_valid():
            raise Http404
        source, template = _chosen(viewer, session, form)
    return _render_page(request, viewer, session, source=source, template=template)


@require_POST
@convening_team_only
def agenda_reuse_copy(request, session_id: int, dialogue, viewer):
    session = core.session_for(viewer=viewer, dialogue_id=dialogue.pk, session_id=session_id)
    form = ReuseChoiceForm(request.POST)
    if not form.is_valid():
        return _render_page(request, viewer, session, choice=form, status=400)
    source, template = _chosen(viewer, session, form)
    try:
        if source is not None:
            created = services.agenda_copy_from_session(
                viewer=viewer, session=session, source=source, by=request.user
            )
        else:
            created = services.agenda_copy_from_template(
                viewer=viewer, session=session, template=template, by=request.user
            )
    except ValidationError as error:
        add_service_error(form, error)
        return _render_page(
            request, viewer, session, source=source, template=template, choice=form, status=400
        )
    count = len(created)
    if source is not None:
        copied = ngettext(
            "%(count)s item copied from “%(title)s”: check them below.",
            "%(count)s items copied from “%(title)s”: check them below.",
            count,
        )
        done = isolated(copied, count=count, title=source.title)
    else:
        copied = ngettext(
            "%(count)s item copied from the template “%(title)s”: check them below.",
            "%(count)s items copied from the template “%(title)s”: check them below.",
            count,
        )
        done = isolated(copied, count=count, title=template.name)
    messages.success(request, done)
    return redirect("dialogues:agenda_edit", session.dialogue_id, session.pk)


@require_POST
@convening_team_only
def agenda_template_save(request, session_id: int, dialogue, viewer):
    session = core.session_for(viewer=viewer, dialogue_id=dialogue.pk, session_id=session_id)
    form = TemplateSaveForm(request.POST)
    if form.is_valid():
        try:
            template, left_out = services.agenda_template_save(
                viewer=viewer, session=session, name=form.cleaned_data["name"], by=request.user
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            saved = isolated(_("Template “%(name)s” saved."), name=template.name)
            if left_out:
                note = ngettext(
                    "%(count)s item for named readers is not kept in templates.",
                    "%(count)s items for named readers are not kept in templates.",
                    left_out,
                ) % {"count": left_out}
                saved = format_html("{} {}", saved, note)
            messages.success(request, saved)
            return redirect(_reuse_url(session))
    return _render_page(request, viewer, session, template_form=form, status=400)


@require_POST
@convening_team_only
def agenda_template_delete(request, session_id: int, template_id: int, dialogue, viewer):
    session = core.session_for(viewer=viewer, dialogue_id=dialogue.pk, session_id=session_id)
    template = selectors.template_for(
        viewer=viewer, dialogue_id=session.dialogue_id, template_id=template_id
    )
    services.agenda_template_delete(template=template, by=request.user)
    messages.success(request, isolated(_("Template “%(name)s” deleted."), name=template.name))
    return redirect(_reuse_url(session))
