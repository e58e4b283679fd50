"""The Path tab: every member sees the dialogue's path drawn from what they may see, the whole
of it or one idea's (``?idea=``, 404 for an idea they may not see)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import selectors as core
from ..confidentiality import viewer_of
from .graph import graph_of
from .selectors import path_of
from .svg import picture_svg


def _idea_asked(request) -> int | None:
    asked = request.GET.get("idea", "")
    if not asked:
        return None
    if not asked.isascii() or not asked.isdigit() or len(asked) > 18:
        raise Http404
    return int(asked)


@require_GET
@login_required
def path_view(request, dialogue_id: int):
    viewer = viewer_of(request)
    dialogue = core.dialogue_for(viewer=viewer, dialogue_id=dialogue_id)
    path = path_of(viewer=viewer, dialogue=dialogue, idea_id=_idea_asked(request))
    graph = graph_of(path, dialogue_id=dialogue.pk)
    one = graph.ideas[0].node if path.idea_id is not None else None
    if one:
        title = _("The path of “%(idea)s”") % {"idea": one.label}
    else:
        title = _("The path of %(dialogue)s") % {"dialogue": dialogue.title}
    context = {
        "dialogue": dialogue,
        "graph": graph,
        "one": one,
        "picture": None if graph.empty else picture_svg(graph, title=title),
    }
    return render(request, "dialogues/path/page.html", context)
