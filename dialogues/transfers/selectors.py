"""Reads of transfers and observed changes (rule 10): each only as far as the confidentiality
module shows it (its own level, and every idea and transfer behind it), with what its page
shows fetched up front, so a page's queries do not grow with its rows. Also what the forms
offer: the register's briefed officials, the convening team who carry ideas, the pack copies
sent, the ideas and transfers to link, the levels a record may be held at, the people to name."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from participants.models import Membership, Person

from ..confidentiality import (
    TEAM_ROLES,
    Viewer,
    listed,
    readable_levels,
    record_floor,
    resolve,
    visible,
)
from ..models import (
    BriefingPackCopy,
    ConfidentialityLevel,
    Dialogue,
    Idea,
    ObservedChange,
    Official,
    Transfer,
)

NEWEST_FIRST = ("-occurred_on", "-id")
OBSERVED_NEWEST_FIRST = ("-observed_on", "-id")


def _transfers() -> QuerySet[Transfer]:
    return Transfer.objects.select_related(
        "level", "idea", "official", "carried_by__person", "pack_copy"
    )


def _changes() -> QuerySet[ObservedChange]:
    return ObservedChange.objects.select_related("level")


def _each_listed(rows, *, dialogue_id: int) -> list:
    found = list(rows)
    for row in found:
        listed(row, dialogue_id=dialogue_id)
    return found


# -- what pages show ------------------------------------------------------------------------------


def transfers_of_idea(*, viewer: Viewer, idea: Idea) -> list[Transfer]:
    """The transfers of ``idea`` the viewer may see, newest first, each recorded as listed."""
    rows = visible(viewer, _transfers().filter(idea=idea), dialogue_id=idea.dialogue_id)
    return _each_listed(rows.order_by(*NEWEST_FIRST), dialogue_id=idea.dialogue_id)


def changes_listed(
    *,
    viewer: Viewer,
    dialogue_id: int,
    idea: Idea | None = None,
    transfer: Transfer | None = None,
) -> list[ObservedChange]:
    """The dialogue's observed changes the viewer may see, newest first, each recorded as
    listed; with ``idea``, only those linked to it or to one of its transfers; with
    ``transfer``, only those linked to it."""
    rows = _changes().filter(dialogue_id=dialogue_id)
    if idea is not None:
        by_idea = ObservedChange.ideas.through.objects.filter(idea=idea)
        by_transfer = ObservedChange.transfers.through.objects.filter(transfer__idea=idea)
        rows = rows.filter(
            Q(pk__in=by_idea.values("observedchange_id"))
            | Q(pk__in=by_transfer.values("observedchange_id"))
        )
    if transfer is not None:
        rows = rows.filter(transfers=transfer)
    rows = visible(viewer, rows, dialogue_id=dialogue_id)
    return _each_listed(rows.order_by(*OBSERVED_NEWEST_FIRST), dialogue_id=dialogue_id)


def idea_to_transfer(*, viewer: Viewer, dialogue_id: int, idea_id: int) -> Idea:
    """The idea a transfer is logged for, if the viewer may see it (noted as the page's
    subject), or 404."""
    try:
        return resolve(
            viewer,
            Idea.objects.filter(dialogue_id=dialogue_id).select_related("level", "dialogue"),
            pk=idea_id,
            dialogue_id=dialogue_id,
        )
    except Idea.DoesNotExist:
        raise Http404 from None


def transfer_for(*, viewer: Viewer, dialogue_id: int, transfer_id: int) -> Transfer:
    """A transfer the viewer may see (noted as the page's subject), or 404."""
    try:
        return resolve(
            viewer,
            _transfers().select_related("dialogue", "idea__level").filter(dialogue_id=dialogue_id),
            pk=transfer_id,
            dialogue_id=dialogue_id,
        )
    except Transfer.DoesNotExist:
        raise Http404 from None


def change_for(*, viewer: Viewer, dialogue_id: int, change_id: int) -> ObservedChange:
    """An observed change the viewer may see (noted as the page's subject), or 404."""
    try:
        return resolve(
            viewer,
            _changes().select_related("dialogue").filter(dialogue_id=dialogue_id),
            pk=change_id,
            dialogue_id=dialogue_id,
        )
    except ObservedChange.DoesNotExist:
        raise Http404 from None


def links_of(*, viewer: Viewer, change: ObservedChange) -> tuple[list[Idea], list[Transfer]]:
    """The ideas and transfers ``change`` is linked to, as the viewer sees them (all of them,
    when the viewer sees the change: rule 10), each recorded as listed."""
    dialogue_id = change.dialogue_id
    ideas = visible(
        viewer,
        Idea.objects.filter(observed_changes=change).select_related("level"),
        dialogue_id=dialogue_id,
    ).order_by("title", "id")
    transfers = visible(
        viewer, _transfers().filter(observed_changes=change), dialogue_id=dialogue_id
    ).order_by(*NEWEST_FIRST)
    return (
        _each_listed(ideas, dialogue_id=dialogue_id),
        _each_listed(transfers, dialogue_id=dialogue_id),
    )


# -- what forms offer -----------------------------------------------------------------------------


def officials_briefed(*, dialogue: Dialogue) -> QuerySet[Official]:
    """The register's officials still briefed (not retired), by name."""
    return Official.objects.filter(dialogue=dialogue, retired_at__isnull=True).order_by(
        "name", "pk"
    )


def carriers(*, dialogue: Dialogue) -> QuerySet[Membership]:
    """Who may carry an idea to an official: the accepted members of the convening team
    (convenors, facilitators, rapporteurs), by name."""
    return (
        Membership.objects.filter(
            dialogue=dialogue, state=Membership.State.ACCEPTED, role__in=TEAM_ROLES
        )
        .select_related("person")
        .order_by("person__full_name", "pk")
    )


def copies_sent(*, dialogue: Dialogue, idea: Idea) -> QuerySet[BriefingPackCopy]:
    """The copies of the dialogue's packs whose link went to a briefed official of its
    register, newest pack first; none already logged as carrying ``idea``."""
    return (
        BriefingPackCopy.objects.filter(
            pack__dialogue=dialogue,
            official__dialogue=dialogue,
            official__retired_at__isnull=True,
            link_issued_at__isnull=False,
        )
        .exclude(transfers__idea=idea)
        .select_related("pack", "official")
        .order_by("-pack__requested_at", "pack_id", "number")
    )


def ideas_to_link(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[Idea]:
    """The dialogue's ideas the viewer may see, newest first: what a change may be linked to."""
    return visible(
        viewer,
        Idea.objects.filter(dialogue=dialogue).select_related("level"),
        dialogue_id=dialogue.pk,
    ).order_by("-created_at", "-id")


def transfers_to_link(*, viewer: Viewer, dialogue: Dialogue) -> QuerySet[Transfer]:
    """The dialogue's transfers the viewer may see, newest first."""
    return visible(
        viewer, _transfers().filter(dialogue=dialogue), dialogue_id=dialogue.pk
    ).order_by(*NEWEST_FIRST)


def record_levels(
    *, viewer: Viewer, dialogue_id: int, at_least: ConfidentialityLevel | None = None
) -> QuerySet[ConfidentialityLevel]:
    """The levels a transfer or a change may be held at: those the viewer may read at
    (``readable_levels``), no lower than the convening team's (``record_floor``) nor than
    ``at_least`` (a transfer's idea), lowest first."""
    lowest = max(
        (level.rank for level in (record_floor(), at_least) if level is not None), default=None
    )
    allowed = [
        level.pk
        for level in readable_levels(viewer, dialogue_id)
        if lowest is None or level.rank >= lowest
    ]
    return ConfidentialityLevel.objects.filter(pk__in=allowed).order_by("rank", "pk")


def people_to_name(*, dialogue: Dialogue) -> QuerySet[Person]:
    """Whom a record may name as its readers: the people of the dialogue's roster, but those
    rejected or who declined."""
    on_roster = Membership.objects.filter(dialogue=dialogue).exclude(
        state__in=[Membership.State.REJECTED, Membership.State.DECLINED]
    )
    return Person.objects.filter(pk__in=on_roster.values("person_id")).order_by("full_name", "pk")
