"""Reads of the officials register. Callers decided the register is the viewer's to see (the
convening team: ``dialogues.http.convening_team_only``)."""

from __future__ import annotations

from typing import cast

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from trackii.lists import Sort, both_ways, search_terms

from ..confidentiality import noted
from ..models import Dialogue, Official

ACTIVE = "active"
RETIRED = "retired"
OFFICIAL_STATES = [(ACTIVE, _("Briefed")), (RETIRED, _("Retired"))]

_BY_NAME = (Lower("name"), "pk")
# The sorts' labels are translated when a page shows them (``Sort.label`` is typed ``str``).
OFFICIAL_SORTS: dict[str, Sort] = {
    **both_ways("name", cast(str, _("Name, A to Z")), cast(str, _("Name, Z to A")), *_BY_NAME),
    **both_ways(
        "institution",
        cast(str, _("Institution")),
        cast(str, _("Institution, Z to A")),
        Lower("institution"),
        *_BY_NAME,
    ),
}


def officials_of(*, dialogue: Dialogue) -> QuerySet[Official]:
    return Official.objects.filter(dialogue=dialogue).select_related("clearance")


def officials_listed(
    *,
    dialogue: Dialogue,
    search: str = "",
    state: str = "",
    ordering=OFFICIAL_SORTS["name"].ordering,
) -> QuerySet[Official]:
    """The register as its list shows it: ``search`` in the names and institutions, ``state``
    (``ACTIVE`` or ``RETIRED``; empty means both), each with its clearance, sorted by name
    unless told otherwise."""
    officials = officials_of(dialogue=dialogue)
    terms = search_terms(search)
    if terms:
        officials = officials.filter(Q(name__icontains=terms) | Q(institution__icontains=terms))
    if state == ACTIVE:
        officials = officials.filter(retired_at__isnull=True)
    elif state == RETIRED:
        officials = officials.filter(retired_at__isnull=False)
    return officials.order_by(*ordering)


def official_for(*, dialogue: Dialogue, official_id: int) -> Official:
    """One official of the dialogue's register (noted as the page's subject), or 404."""
    try:
        official = officials_of(dialogue=dialogue).get(pk=official_id)
    except Official.DoesNotExist:
        raise Http404 from None
    return noted(official, dialogue_id=dialogue.pk)
