"""Who may see what: the one module that decides it.

Every page, feed, export and PDF asks this module, and nothing else, whether a viewer may see a
dialogue, a session, an agenda item or a paper. The rules, written against a *viewer* (a member
with an account, or an official recipient of a briefing pack who has a clearance and no
account):

1. Nobody sees anything of a dialogue they are not an active (accepted) member of; an official
   sees only the dialogue their pack is drawn from.
2. An object is visible only if every container on its path is visible too (an agenda item needs
   its session): so its *effective* level is the strictest of its own and its containers', and a
   child can narrow access but never widen it.
3. At each node, by the audience of the node's level:
   - ``outside`` and ``programme``: clearance rank >= the level's rank;
   - ``attendees``: clearance as above, and the viewer attends the node's session, unless they
     are of the convening team (convenor, facilitator); for a node outside any session (a
     dialogue-wide paper) the clearance alone decides;
   - ``convening_team``: clearance as above, and the viewer is a convenor or facilitator;
   - ``named``: the viewer is named on that node (its creator is named automatically),
     whatever their role or clearance.
   An official's clearance stands for attendance and for the convening team (the pack was
   addressed to them at that clearance); no official is ever named.
4. A session in draft is known to the convening team only.
5. The working agenda (``AgendaItem``) is the convening team's; everyone else reads the agenda as
   last published (``PublishedAgendaItem`` of the session's current version), item by item under
   the rules above. Earlier published versions are for the convening team, to compare.
   Tightening takes effect at once, loosening waits for the next publication: a published
   item is read under two nodes at once, the item *as published* (its level as published, its
   readers) and its *working item as it is now*, so whoever reads it must be allowed by both.
   A level raised or a reader taken off hides it at once from those it no longer allows (the
   convening team included); a level lowered or a reader added lets in nobody the published
   version kept out; an edit undone before the next publication gives back the version as
   published, never more. A published item whose working item was deleted is withdrawn:
   nobody reads it any more; the convening team still finds it, as published, when comparing
   the working agenda with the published one (``published_to_compare``, the planner's list of
   changes). What a published item says, its level as published and its readers never
   change, so the next version's change list still shows what changed.
   Why the rule reads the working item rather than the services rewriting the copy: the
   decision stays in this module, whatever writes the working item; a change that crosses
   audiences (Facilitators to Restricted, say: a named reader who is no facilitator) is judged
   exactly, each node by its own audience, where a copy rewritten to one level and one list
   of readers could only approximate it; and each query stays one query (a join on the working
   item, no query more). A published item's ``level`` is its *marking*, the stricter of its
   level as published and its working item's now, kept by ``planning.services``: what pages,
   PDFs, feeds and the outbound rule show. The rule does not need it.
6. A paper (``Document``) sits in its dialogue, or in a session, or in an agenda item of a
   session; it needs the rule of each container on that path and its own. Papers and items
   follow the same rule: for the convening team, the item node is the working item; for
   everyone else it is the item as they read it in the current version, i.e. the paper needs
   the item's current published copy to be visible to them under rule 5 (a paper on an item
   raised or deleted since publication is hidden at once; one on an item lowered, or added
   after the last publication, waits for the next one).
7. A session's notes and outcomes (``Outcome``) need the session's rule and their own. Their
   attributed record (who said it) is for those who record (the convening team and
   rapporteurs) only. An official never reads an off-the-record outcome, whatever the
   clearance, and reads a Chatham House one without names.

8. Viewing as a member (issue 17): a member of a dialogue's convening team may view it as one
   of its accepted members (``viewer_as``), and then sees only what *both* may see, the
   member's grant limited to this one dialogue: every rule here is asked of each and allows
   only what both allow (``Viewer.parts``); decided sessions stay decided for both. What may
   be done in that mode (nothing but reading) is ``dialogues.viewas``'s.
9. Ideas (issue 18) are derived from outcomes, and derivation only narrows: an idea is seen
   only by whom its own level allows (a dialogue-wide node) and who may see every one of its
   sources under rule 7; its attribution is the strictest of its sources' (speakers accompany
   it only when every source is on the record).
10. Transfers (an idea reaching an official) and observed changes (what changed, in outcome
   harvesting) are held at the convening team's lowest level or stricter (``record_floor``),
   a transfer never below its idea. A transfer is seen only by whom its own level allows and
   who sees its idea; an observed change only by whom its own level allows and who sees every
   idea and transfer it is linked to. Officials never read them.
11. A funder (``viewer_for_funder``) is outside the programme: a clearance at most the
   dialogue's outbound level, attending nothing, named on nothing, on no team.
12. Non-papers (issue 19) are derived from ideas and narrow like them: a non-paper is seen only
   by whom its own level allows and who sees every one of its ideas under rule 9. Its versions
   follow it; the working and internal ones are the convening team's, the circulated ones are
   for everyone who sees the non-paper (an official at a clearance included, to be sent one).
   A caucus comment is seen with its version, and only by the convening team and by the
   members of the side it was written for (``Grant.caucus_side_id``: not the third party, not
   observers): members without a side, observers, other sides and officials see none.

The same definitions give the queryset filters (for lists, feeds, exports, PDFs) and the object
checks (single-object views); ``can_view`` is the filter asked about one row, so they agree.

Single objects are looked up through ``resolve`` (or, when a container's rule decided them,
``noted``), which also notes them as what the response shows: the audit trail records every read
from there (``trackii.audit.reads``), not view by view.

The module's vocabulary: a ``Viewer`` holds one ``Grant`` per dialogue, read with
``viewer.grant(dialogue_id)`` and nothing else; ``Scope`` says which rows of sessions' children a
query is about (every session's, or those outside any session) when it is not one decided
session's; ``Attends`` whether the viewer attends a node's session, when a query knows it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from participants.selectors import ActiveMembership, accepted_member, active_memberships_of
from trackii.audit import reads

from . import viewers
from .models import (
    AgendaItem,
    CaucusComment,
    ConfidentialityLevel,
    Dialogue,
    Document,
    Idea,
    NonPaper,
    NonPaperVersion,
    ObservedChange,
    Outcome,
    PublishedAgendaItem,
    Session,
    SessionAttendance,
    Transfer,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from .models import BriefingPackCopy

_M = TypeVar("_M", bound=models.Model)

__all__ = [
    "CONVENOR",
    "NOBODY",
    "TEAM_ROLES",
    "Grant",
    "Scope",
    "Viewer",
    "ViewingAs",
    "assignable_roles",
    "built_once",
    "can_change_membership",
    "can_change_scale",
    "can_confirm_outbound_raise",
    "can_confirm_scale_change",
    "can_plan",
    "can_read_copy",
    "can_record",
    "can_see_attendees",
    "can_see_roster",
    "can_view",
    "can_view_as",
    "caucus_side_of",
    "check_grantable",
    "check_membership_change",
    "check_narrow_only",
    "check_roster_add",
    "floor_level",
    "grantable_levels",
    "levels_at_or_above",
    "listed",
    "may_leave",
    "names_may_accompany",
    "noted",
    "outbound_levels",
    "outbound_rank",
    "outbound_title",
    "published_marking",
    "published_to_compare",
    "raises_outbound",
    "readable_levels",
    "record_floor",
    "reportable_levels",
    "resolve",
    "rule_key",
    "speakers_may_accompany",
    "strictest_attribution",
    "strictest_level",
    "view_as_for_request",
    "viewer_as",
    "viewer_for_funder",
    "viewer_for_official",
    "viewer_for_user",
    "viewer_of",
    "visible",
    "visible_in_session",
    "visible_session",
]

Audience = ConfidentialityLevel.Audience
_NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Grant:
    """What a viewer holds in one dialogue."""

    dialogue_id: int
    clearance_rank: int
    convening: bool = False
    recording: bool = False
    convenor: bool = False  # of the convening team, the convenor (the team's senior role)
    person_id: int | None = None
    attended_session_ids: frozenset[int] = frozenset()
    official: bool = False
    caucus_side_id: int | None = None  # the side whose caucus comments they read (rule 12)


@dataclass(frozen=True)
class ViewingAs:
    """Whom a member of a dialogue's convening team views it as (issue 17): the member's
    membership and person."""

    dialogue_id: int
    membership_id: int
    person_id: int


@dataclass(frozen=True)
class Viewer:
    """Someone who looks: the grants they hold, by dialogue id, and the organisation's scale of
    levels as it stood when the viewer was made (level id -> level). The rules below compare
    level ids taken from that scale instead of joining the level table in every query; a level
    added later is in no allowed set, so material at it stays hidden from this viewer.

    Viewing as a member (``viewer_as``): the viewer is the intersection of its ``parts``, the
    member (their grant in that one dialogue only) and the person viewing (theirs there). Every
    rule of this module asks each part and allows only what both allow; ``grants`` then holds,
    for code that reads a grant itself, the stricter of the two (``_meet``: the lower clearance,
    each role only if both hold it, the sessions both attend, and no person)."""

    grants: Mapping[int, Grant] = field(default_factory=dict)
    levels: Mapping[int, ConfidentialityLevel] = field(default_factory=dict)
    parts: tuple[Viewer, ...] = ()
    viewing_as: ViewingAs | None = None

    def grant(self, dialogue_id: int) -> Grant | None:
        """What the viewer holds in one dialogue (None: nothing): the one way to read it."""
        return self.grants.get(dialogue_id)

    def is_convening(self, dialogue_id: int) -> bool:
        return all(_holds_convening(one, dialogue_id) for one in _each(self))


def _holds_convening(one: Viewer, dialogue_id: int) -> bool:
    grant = one.grant(dialogue_id)
    return grant is not None and grant.convening


def _each(viewer: Viewer) -> tuple[Viewer, ...]:
    """The viewers whose answers make this viewer's: itself, or (viewing as a member) its two
    parts, each of which must allow."""
    return viewer.parts or (viewer,)


NOBODY = Viewer()


def _scale() -> dict[int, ConfidentialityLevel]:
    return {level.pk: level for level in ConfidentialityLevel.objects.all()}


def _grants_of(memberships: list[ActiveMembership]) -> dict[int, Grant]:
    """A grant for each membership, with the sessions it attends (one query)."""
    attended: dict[int, set[int]] = {m.id: set() for m in memberships}
    for membership_id, session_id in SessionAttendance.objects.filter(
        membership_id__in=attended.keys()
    ).values_list("membership_id", "session_id"):
        attended[membership_id].add(session_id)
    return {
        m.dialogue_id: Grant(
            dialogue_id=m.dialogue_id,
            clearance_rank=m.clearance_rank,
            convening=m.convening,
            recording=m.recording,
            convenor=m.convenor,
            person_id=m.person_id,
            attended_session_ids=frozenset(attended[m.id]),
            caucus_side_id=m.caucus_side_id,
        )
        for m in memberships
    }


def viewer_for_user(user) -> Viewer:
    """The viewer an account is: its accepted memberships and the sessions it attends. Built
    once and kept in the shared cache until one of the rows it holds changes
    (``dialogues.viewers``)."""
    if user is None or not user.is_authenticated:
        return NOBODY
    facts = viewers.remembered(user.pk, lambda: _facts_of(_viewer_built(user)), shape=_FACTS_SHAPE)
    return _viewer_from(facts)


# What is kept of a viewer (``dialogues.viewers``): plain values, no model instance, so that an
# entry never depends on how Django pickles a model; the shape (the fields of a grant and of a
# level) is part of the entry's key, so that code holding other fields never reads it.
_LEVEL_FACTS = ("id", "name", "rank", "audience", "description")
_FACTS_SHAPE = ",".join([*(f.name for f in fields(Grant)), *_LEVEL_FACTS])


def _facts_of(viewer: Viewer) -> tuple[list[dict[str, Any]], list[tuple]]:
    return (
        [asdict(grant) for grant in viewer.grants.values()],
        [tuple(getattr(level, name) for name in _LEVEL_FACTS) for level in viewer.levels.values()],
    )


def _viewer_from(facts: tuple[list[dict[str, Any]], list[tuple]]) -> Viewer:
    grants, levels = facts
    if not grants:
        return NOBODY
    return Viewer(
        grants={g["dialogue_id"]: Grant(**g) for g in grants},
        levels={
            row[0]: ConfidentialityLevel(**dict(zip(_LEVEL_FACTS, row, strict=True)))
            for row in levels
        },
    )


def _viewer_built(user) -> Viewer:
    memberships = list(active_memberships_of(user))
    if not memberships:
        return NOBODY
    return Viewer(grants=_grants_of(memberships), levels=_scale())


def can_view_as(viewer: Viewer, membership) -> bool:
    """Whether the viewer may view Trackii as this member (issue 17): a member of the convening
    team of the member's dialogue, not already viewing as someone, as an accepted member other
    than themselves (``membership``: a Membership row)."""
    from participants.models import Membership

    grant = viewer.grant(membership.dialogue_id)
    return (
        not viewer.parts
        and can_plan(viewer, membership.dialogue_id)
        and grant is not None
        and membership.state == Membership.State.ACCEPTED
        and membership.person_id != grant.person_id
    )


def _meet(a: Grant, b: Grant) -> Grant:
    """The stricter of two grants in one dialogue, for code that reads a grant itself (this
    module's rules ask each viewer instead): no person, so that nothing is named for it."""
    return Grant(
        dialogue_id=a.dialogue_id,
        clearance_rank=min(a.clearance_rank, b.clearance_rank),
        convening=a.convening and b.convening,
        recording=a.recording and b.recording,
        convenor=a.convenor and b.convenor,
        person_id=None,
        attended_session_ids=a.attended_session_ids & b.attended_session_ids,
        official=a.official and b.official,
        caucus_side_id=a.caucus_side_id if a.caucus_side_id == b.caucus_side_id else None,
    )


def viewer_as(real: Viewer, *, dialogue_id: int, membership_id: int) -> Viewer | None:
    """``real`` viewing one dialogue as one of its members (issue 17): a viewer that sees only
    what both may see there, the member's grant limited to this dialogue (their others are
    dropped) and the real person's too. A member who has not accepted the dialogue's current
    ground rules sees nothing of it yet, and so sees nothing here. None if ``real`` may not
    view as them (``can_view_as``: of the dialogue's convening team, an accepted member other
    than themselves, not already viewing as someone)."""
    own = real.grant(dialogue_id)
    if real.parts or own is None or not can_plan(real, dialogue_id):
        return None
    member = accepted_member(dialogue_id=dialogue_id, membership_id=membership_id)
    if member is None or member.place.person_id == own.person_id:
        return None
    member_grants = _grants_of([member.place]) if member.active else {}
    theirs = member_grants.get(dialogue_id)
    parts = (
        Viewer(grants=member_grants, levels=real.levels),
        Viewer(grants={dialogue_id: own}, levels=real.levels),
    )
    return Viewer(
        grants={} if theirs is None else {dialogue_id: _meet(theirs, own)},
        levels=real.levels,
        parts=parts,
        viewing_as=ViewingAs(dialogue_id, member.place.id, member.place.person_id),
    )


def viewer_for_official(*, dialogue_id: int, clearance: ConfidentialityLevel) -> Viewer:
    """An official recipient of a briefing pack: a clearance in one dialogue, and no account."""
    return Viewer(
        grants={
            dialogue_id: Grant(
                dialogue_id=dialogue_id, clearance_rank=clearance.rank, official=True
            )
        },
        levels=_scale(),
    )


def viewer_for_funder(*, dialogue: Dialogue, level: ConfidentialityLevel) -> Viewer:
    """A funder reading the report on a dialogue (rule 11): outside the programme, so at most
    the dialogue's outbound level; attends nothing, is named on nothing, is on no team.
    A level above the outbound level is refused (``ValueError``)."""
    if level.rank > outbound_rank(dialogue):
        raise ValueError("A funder's report is at most the dialogue's outbound level.")
    return Viewer(
        grants={dialogue.pk: Grant(dialogue_id=dialogue.pk, clearance_rank=level.rank)},
        levels=_scale(),
    )


def reportable_levels(dialogue: Dialogue) -> models.QuerySet[ConfidentialityLevel]:
    """The levels a funder's report on the dialogue may be written at: at most its outbound
    level."""
    return ConfidentialityLevel.objects.filter(rank__lte=outbound_rank(dialogue)).order_by("rank")


_REQUEST_VIEWER = "_trackii_viewer"


def viewer_of(request: HttpRequest) -> Viewer:
    """The viewer behind a request, computed once per request (viewing as a member once
    ``view_as_for_request`` said so)."""
    viewer = getattr(request, _REQUEST_VIEWER, None)
    if viewer is None:
        viewer = viewer_for_user(request.user)
        setattr(request, _REQUEST_VIEWER, viewer)
    return viewer


def view_as_for_request(
    request: HttpRequest, *, dialogue_id: int, membership_id: int
) -> Viewer | None:
    """For the rest of this request, its viewer is the account viewing the dialogue as this
    member (``viewer_as``), and that viewer is returned; None, the request's viewer left as it
    was, if the account may not (any more) view as them."""
    viewer = viewer_as(
        viewer_for_user(request.user), dialogue_id=dialogue_id, membership_id=membership_id
    )
    if viewer is not None:
        setattr(request, _REQUEST_VIEWER, viewer)
    return viewer


# -- the rule at one node ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """Where, from the model being filtered, one node of the path sits."""

    level: str  # lookup of the node's level, e.g. "level" or "session__level"
    session_id: str | None  # lookup of the node's session id, None outside any session
    readers_through: type[models.Model]
    readers_owner: str  # the through model's field naming the node
    node_ref: str  # lookup of the node's pk from the model being filtered
    draft_status: str | None = None  # lookup of a session's status, for sessions only


class Attends(Enum):
    """Whether the viewer attends a node's session: decided by the query row by row, or already
    known when the query is about one session."""

    ROW_BY_ROW = "decided by the query, row by row"
    YES = "attends"
    NO = "does not attend"


def _level_ids(viewer: Viewer, grant: Grant, audiences: Iterable[str]) -> list[int]:
    """The levels of the scale, at or below the grant's clearance, whose audience is one of
    ``audiences``."""
    wanted = set(audiences)
    return sorted(
        pk
        for pk, level in viewer.levels.items()
        if level.audience in wanted and level.rank <= grant.clearance_rank
    )


def _node_q(
    viewer: Viewer, grant: Grant, node: _Node, *, attends: Attends = Attends.ROW_BY_ROW
) -> Q:
    """Rule 3 at one node, and rule 4 at a session. ``attends``: whether the viewer attends the
    node's session (``Attends``); for a node outside any session an attendees level goes by
    clearance alone."""
    team = grant.convening or grant.official
    audiences = [Audience.OUTSIDE, Audience.PROGRAMME]
    if team:
        audiences += [Audience.ATTENDEES, Audience.CONVENING_TEAM]
    elif node.session_id is None or attends is Attends.YES:
        audiences.append(Audience.ATTENDEES)
    open_ids = _level_ids(viewer, grant, audiences)
    allowed = Q(**{f"{node.level}__in": open_ids}) if open_ids else _NOTHING

    if not team and node.session_id is not None and attends is Attends.ROW_BY_ROW:
        attendee_ids = _level_ids(viewer, grant, [Audience.ATTENDEES])
        if attendee_ids and grant.attended_session_ids:
            allowed |= Q(**{f"{node.level}__in": attendee_ids}) & Q(
                **{f"{node.session_id}__in": sorted(grant.attended_session_ids)}
            )

    if grant.person_id is not None and not grant.official:
        # Named readers, whatever their clearance.
        named_ids = sorted(
            pk for pk, level in viewer.levels.items() if level.audience == Audience.NAMED
        )
        if named_ids:
            # "Among the nodes naming this person", asked once, not row by row: cheaper for
            # the database and for the ORM to build. Never negated below, so a node with no
            # row (a paper on no agenda item) is simply not named.
            named = node.readers_through._default_manager.filter(person_id=grant.person_id).values(
                node.readers_owner
            )
            allowed |= Q(**{f"{node.level}__in": named_ids}) & Q(**{f"{node.node_ref}__in": named})

    # A session in draft is the convening team's working copy: nobody else learns of it yet.
    if node.draft_status and not grant.convening:
        allowed &= ~Q(**{node.draft_status: Session.Status.DRAFT})
    return allowed


def _session_node(prefix: str) -> _Node:
    """The session at ``prefix`` ("" for a session itself, "session__" from its children)."""
    return _Node(
        level=f"{prefix}level",
        session_id="session_id" if prefix else "pk",
        readers_through=Session.readers.through,
        readers_owner="session_id",
        node_ref="session_id" if prefix else "pk",
        draft_status=f"{prefix}status",
    )


def _item_node(prefix: str) -> _Node:
    """The agenda item at ``prefix`` ("" for an item itself, "agenda_item__" from a paper)."""
    return _Node(
        level=f"{prefix}level",
        session_id=f"{prefix}session_id",
        readers_through=AgendaItem.readers.through,
        readers_owner="agendaitem_id",
        node_ref=f"{prefix}id" if prefix else "pk",
    )


def _own_node(model: type[PublishedAgendaItem | Document | Outcome], owner: str) -> _Node:
    """A node that is the row itself, in a session (or, for a paper, possibly outside any)."""
    return _Node(
        level="level",
        session_id="session_id",
        readers_through=model.readers.through,
        readers_owner=owner,
        node_ref="pk",
    )


_SESSION = _session_node("")
_SESSION_OF_CHILD = _session_node("session__")
_AGENDA_ITEM = _item_node("")
_AGENDA_ITEM_OF_PAPER = _item_node("agenda_item__")
# A published item as published (its marking, ``level``, is not a node of the rule) ...
_PUBLISHED_ITEM = replace(
    _own_node(PublishedAgendaItem, "publishedagendaitem_id"), level="level_as_published"
)
# ... and its working item as it is now (in the same session, so attendance is the copy's).
_WORKING_ITEM_OF_PUBLISHED = _Node(
    level="source__level",
    session_id="session_id",
    readers_through=AgendaItem.readers.through,
    readers_owner="agendaitem_id",
    node_ref="source_id",
)
_DOCUMENT = _own_node(Document, "document_id")
_DIALOGUE_WIDE_DOCUMENT = replace(_DOCUMENT, session_id=None)
_OUTCOME = _own_node(Outcome, "outcome_id")


# -- the rules by kind ----------------------------------------------------------------------------
# Each rule gives, for one grant, the rows of its kind that the grant allows. ``session`` is the
# scope of the query: ``Scope.EVERY_SESSION`` (rows of every session, each container's rule
# applied), a Session the viewer was found to see by ``visible_session`` (only its rows; its rule
# is already decided), or ``Scope.OUTSIDE_SESSIONS`` (rows outside any session: dialogue-wide
# papers).


class Scope(Enum):
    """Which rows of sessions' children a query is about, when not one decided session's."""

    EVERY_SESSION = "every session"
    OUTSIDE_SESSIONS = "outside any session"


EVERY = Scope.EVERY_SESSION
OUTSIDE = Scope.OUTSIDE_SESSIONS


def _sessions_rule(viewer: Viewer, g: Grant, session) -> Q:
    return Q(dialogue_id=g.dialogue_id) & _node_q(viewer, g, _SESSION)


def _sessions_of_every_dialogue(viewer: Viewer, grants: Iterable[Grant]) -> Q:
    """``_sessions_rule`` asked of every grant at once (the home page, calendar feeds): one
    branch per *kind* of grant, not per dialogue, so that the query stays the same size however
    many dialogues the viewer is in. Grants alike in all that a session's node reads of them
    (clearance, team, official, person) give the same branch but for their dialogue and the
    sessions they attend: one branch for the dialogues of all of them, with the sessions any of
    them attends. Exactly the same rows as one branch per grant: a session belongs to one
    dialogue, so it is attended under a grant of its own dialogue or none."""
    kinds: dict[tuple, list[Grant]] = {}
    for grant in grants:
        kind = (grant.clearance_rank, grant.convening, grant.official, grant.person_id)
        kinds.setdefault(kind, []).append(grant)
    q = _NOTHING
    for alike in kinds.values():
        attended = frozenset().union(*(g.attended_session_ids for g in alike))
        merged = replace(alike[0], attended_session_ids=attended)
        dialogues = sorted(g.dialogue_id for g in alike)
        q |= Q(dialogue_id__in=dialogues) & _node_q(viewer, merged, _SESSION)
    return q


def _in_session(viewer: Viewer, g: Grant, session, node: _Node) -> Q:
    """A child of a session: the session's rule (unless already decided) and its own."""
    if session is EVERY:
        return (
            Q(session__dialogue_id=g.dialogue_id)
            & _node_q(viewer, g, _SESSION_OF_CHILD)
            & _node_q(viewer, g, node)
        )
    return Q(session_id=session.pk) & _child_q(viewer, g, session, node)


def _child_q(viewer: Viewer, g: Grant, session, node: _Node) -> Q:
    """One more node of a session's child, in the query's scope (attendance decided row by row,
    or already known for one session)."""
    if session is EVERY:
        return _node_q(viewer, g, node)
    attends = Attends.YES if session.pk in g.attended_session_ids else Attends.NO
    return _node_q(viewer, g, node, attends=attends)


def _agenda_items_rule(viewer: Viewer, g: Grant, session) -> Q:
    """The working agenda: the convening team's to edit. Others read published versions."""
    if not g.convening or session is OUTSIDE:
        return _NOTHING
    return _in_session(viewer, g, session, _AGENDA_ITEM)


def _published_agenda_items_rule(viewer: Viewer, g: Grant, session, *, comparing=False) -> Q:
    """Published agendas: the current version for everyone who may see each item; earlier
    versions for the convening team only (to compare). Each item as published and as its
    working item is now; an item whose working item is gone is withdrawn, except from the
    convening team ``comparing`` the working agenda with the published one."""
    if session is OUTSIDE or (comparing and not g.convening):
        return _NOTHING
    q = _in_session(viewer, g, session, _PUBLISHED_ITEM)
    now = Q(source__isnull=False) & _child_q(viewer, g, session, _WORKING_ITEM_OF_PUBLISHED)
    if comparing:
        return q & (Q(source__isnull=True) | now)
    if not g.convening:
        current = F("session__published_version") if session is EVERY else session.published_version
        q &= Q(version__number=current)
    return q & now


def _documents_rule(viewer: Viewer, g: Grant, session) -> Q:
    """A paper needs its own rule and its containers': session, and agenda item if any. A
    dialogue-wide paper at an attendees level goes by clearance alone (no session to attend)."""
    q = _NOTHING
    if session is EVERY or session is OUTSIDE:
        q |= Q(session__isnull=True) & _node_q(viewer, g, _DIALOGUE_WIDE_DOCUMENT)
    if session is not OUTSIDE:
        q |= (
            Q(session__isnull=False)
            & _in_session(viewer, g, session, _DOCUMENT)
            & (Q(agenda_item__isnull=True) | _paper_item_q(viewer, g, session))
        )
    return Q(dialogue_id=g.dialogue_id) & q


def _paper_item_q(viewer: Viewer, g: Grant, session) -> Q:
    """The agenda item a paper sits on, as the viewer reads that item: the working item for the
    convening team (its own session decides attendance here, row by row, as everywhere); for
    everyone else the item's copy in the current published version, under rule 5 (so a paper
    is hidden, and shown, exactly when its item is)."""
    if g.convening:
        return _node_q(viewer, g, _AGENDA_ITEM_OF_PAPER)
    copies = PublishedAgendaItem.objects.filter(source_id=OuterRef("agenda_item_id"))
    return Q(Exists(copies.filter(_published_agenda_items_rule(viewer, g, session))))


def _outcomes_rule(viewer: Viewer, g: Grant, session) -> Q:
    """Notes and outcomes: the session's rule and their own; never off the record for an
    official."""
    if session is OUTSIDE:
        return _NOTHING
    q = _in_session(viewer, g, session, _OUTCOME)
    if g.official:
        q &= ~Q(attribution=Outcome.Attribution.OFF_RECORD)
    return q


# An idea is dialogue-wide (no session of its own): an attendees level goes by clearance alone.
_IDEA = _Node(
    level="level",
    session_id=None,
    readers_through=Idea.readers.through,
    readers_owner="idea_id",
    node_ref="pk",
)


def _ideas_rule(viewer: Viewer, g: Grant, session) -> Q:
    """Ideas (rule 9): derivation only narrows. An idea is seen only by whom its own level
    allows and who may see every one of its sources, each as the outcome's own rule says (its
    session's, its own, never off the record for an official): an idea from one side's
    pre-consultation never reaches the other side, one from a note for named readers only
    them. Ideas belong to no session: asked about one, there are none."""
    if session is not EVERY:
        return _NOTHING
    seen = Outcome.objects.filter(_outcomes_rule(viewer, g, EVERY)).values("pk")
    unseen = Idea.sources.through.objects.filter(idea_id=OuterRef("pk")).exclude(
        outcome_id__in=seen
    )
    return Q(dialogue_id=g.dialogue_id) & _node_q(viewer, g, _IDEA) & ~Q(Exists(unseen))


# Transfers and observed changes are dialogue-wide nodes too.
_TRANSFER = replace(_IDEA, readers_through=Transfer.readers.through, readers_owner="transfer_id")
_CHANGE = replace(
    _IDEA, readers_through=ObservedChange.readers.through, readers_owner="observedchange_id"
)


def _seen_ideas(viewer: Viewer, g: Grant) -> models.QuerySet:
    return Idea.objects.filter(_ideas_rule(viewer, g, EVERY)).values("pk")


def _transfers_rule(viewer: Viewer, g: Grant, session) -> Q:
    """Transfers (rule 10): their own level, and their idea as rule 9 shows it. Never to an
    official; asked about one session, there are none."""
    if session is not EVERY or g.official:
        return _NOTHING
    return (
        Q(dialogue_id=g.dialogue_id)
        & _node_q(viewer, g, _TRANSFER)
        & Q(idea_id__in=_seen_ideas(viewer, g))
    )


def _observed_changes_rule(viewer: Viewer, g: Grant, session) -> Q:
    """Observed changes (rule 10): their own level, and every idea and transfer behind them."""
    if session is not EVERY or g.official:
        return _NOTHING
    through_ideas = ObservedChange.ideas.through.objects.filter(observedchange_id=OuterRef("pk"))
    through_transfers = ObservedChange.transfers.through.objects.filter(
        observedchange_id=OuterRef("pk")
    )
    seen_transfers = Transfer.objects.filter(_transfers_rule(viewer, g, EVERY)).values("pk")
    return (
        Q(dialogue_id=g.dialogue_id)
        & _node_q(viewer, g, _CHANGE)
        & ~Q(Exists(through_ideas.exclude(idea_id__in=_seen_ideas(viewer, g))))
        & ~Q(Exists(through_transfers.exclude(transfer_id__in=seen_transfers)))
    )


# Non-papers are dialogue-wide nodes too. Their versions and comments are asked through joins to
# their non-paper (not a subquery per container): SQLite's parser allows only so deep a query.


def _non_paper_q(viewer: Viewer, g: Grant, prefix: str) -> Q:
    """Rule 12 at a non-paper, from the model being filtered (``prefix``: "" for a non-paper,
    "non_paper__" from a version, "version__non_paper__" from a comment): its own node as a
    dialogue-wide node, and every idea it derives from as rule 9 shows it."""
    node = _Node(
        level=f"{prefix}level",
        session_id=None,
        readers_through=NonPaper.readers.through,
        readers_owner="nonpaper_id",
        node_ref=f"{prefix}id" if prefix else "pk",
    )
    unseen = NonPaper.ideas.through.objects.filter(
        nonpaper_id=OuterRef(f"{prefix}id" if prefix else "pk")
    ).exclude(idea_id__in=_seen_ideas(viewer, g))
    return (
        Q(**{f"{prefix}dialogue_id": g.dialogue_id}) & _node_q(viewer, g, node) & ~Q(Exists(unseen))
    )


def _non_papers_rule(viewer: Viewer, g: Grant, session) -> Q:
    """Non-papers (rule 12): their own level, and every idea they derive from as rule 9 shows
    it. Asked about one session, there are none."""
    if session is not EVERY:
        return _NOTHING
    return _non_paper_q(viewer, g, "")


def _version_q(viewer: Viewer, g: Grant, prefix: str) -> Q:
    """Rule 12 at a version (``prefix``: "" for a version, "version__" from a comment): its
    non-paper's rule; the working and internal ones for the convening team only."""
    q = _non_paper_q(viewer, g, f"{prefix}non_paper__")
    if not g.convening:
        q &= Q(**{f"{prefix}state": NonPaperVersion.State.CIRCULATED})
    return q


def _non_paper_versions_rule(viewer: Viewer, g: Grant, session) -> Q:
    """A non-paper's versions (rule 12): with their non-paper; the working and internal ones for
    the convening team only."""
    if session is not EVERY:
        return _NOTHING
    return _version_q(viewer, g, "")


def _caucus_comments_rule(viewer: Viewer, g: Grant, session) -> Q:
    """Caucus comments (rule 12): with their version; every side's for the convening team, one
    side's for its members (not the third party's, not observers'); none for anyone else."""
    if session is not EVERY or g.official:
        return _NOTHING
    q = _version_q(viewer, g, "version__")
    if not g.convening:
        if g.caucus_side_id is None:
            return _NOTHING
        q &= Q(side_id=g.caucus_side_id)
    return q


def record_floor() -> ConfidentialityLevel | None:
    """The lowest level a transfer or an observed change may be held at (rule 10): the lowest
    of the scale's levels for the convening team (Facilitators)."""
    return (
        ConfidentialityLevel.objects.filter(audience=Audience.CONVENING_TEAM)
        .order_by("rank")
        .first()
    )


_ATTRIBUTIONS = (
    Outcome.Attribution.ON_RECORD,
    Outcome.Attribution.CHATHAM_HOUSE,
    Outcome.Attribution.OFF_RECORD,
)


def strictest_attribution(attributions: Iterable[str]) -> str:
    """The strictest of the given attribution rules (off the record, then Chatham House, then
    on the record): what an idea derived from outcomes with these rules is held to. Nothing
    given: Chatham House."""
    given = [_ATTRIBUTIONS.index(a) for a in attributions]
    return _ATTRIBUTIONS[max(given)] if given else Outcome.Attribution.CHATHAM_HOUSE


def speakers_may_accompany(idea: Idea) -> bool:
    """An idea names who put it forward only when every one of its sources is on the record."""
    return idea.attribution == Outcome.Attribution.ON_RECORD


_RULES = {
    Idea: _ideas_rule,
    Transfer: _transfers_rule,
    ObservedChange: _observed_changes_rule,
    NonPaper: _non_papers_rule,
    NonPaperVersion: _non_paper_versions_rule,
    CaucusComment: _caucus_comments_rule,
    Session: _sessions_rule,
    AgendaItem: _agenda_items_rule,
    PublishedAgendaItem: _published_agenda_items_rule,
    Document: _documents_rule,
    Outcome: _outcomes_rule,
}


def _rule_q(viewer: Viewer, model: type[models.Model], grants: Iterable[Grant], session) -> Q:
    if model is Dialogue:
        ids = sorted(g.dialogue_id for g in grants)
        return Q(pk__in=ids) if ids else _NOTHING
    if model is Session and session is EVERY:
        return _sessions_of_every_dialogue(viewer, grants)
    rule = _RULES[model]
    q = _NOTHING
    for grant in grants:
        q |= rule(viewer, grant, session)
    return q


def visible(
    viewer: Viewer,
    queryset: models.QuerySet[_M] | type[_M],
    *,
    dialogue_id: int | None = None,
) -> models.QuerySet[_M]:
    """The rows of ``queryset`` (or of a model) that ``viewer`` may see; with ``dialogue_id``,
    only those of that dialogue (the same rule, asked for one grant instead of all)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    allowed = Q()
    for one in _each(viewer):  # viewing as a member: what both allow
        if dialogue_id is None:
            grants = list(one.grants.values())
        else:
            grant = one.grant(dialogue_id)
            grants = [] if grant is None else [grant]
        if not grants:
            return queryset.none()
        allowed &= _rule_q(one, queryset.model, grants, EVERY)
    return queryset.filter(allowed)


# -- queries built once -------------------------------------------------------------------------
# Building a rule's query costs the ORM about a millisecond, more than the database takes to
# answer it; what the rule asks depends only on the viewer's grant in the dialogue and on the
# scale. A page asked on every visit (the overview's "what needs action", its next session)
# keeps the query it built, in this process, for the next viewer holding the same: never the
# rows, which are asked again each time.

_BUILT_LIMIT = 512
_built: dict[Hashable, models.QuerySet] = {}


def rule_key(viewer: Viewer, dialogue_id: int) -> Hashable:
    """Everything the rules read of a viewer when asked about one dialogue's rows: the grant
    there (clearance, roles, person, sessions attended) and the scale as the viewer knows it
    (each level's id, rank and audience). Two viewers with the same key get the same query.
    Viewing as a member, the key says so and holds both parts' keys: never a key of one
    person's own."""
    if viewer.parts:
        return ("viewing as", tuple(rule_key(one, dialogue_id) for one in viewer.parts))
    scale = tuple((pk, level.rank, level.audience) for pk, level in sorted(viewer.levels.items()))
    return (viewer.grant(dialogue_id), scale)


def built_once(
    viewer: Viewer, *, dialogue_id: int, name: str, build: Callable[[], models.QuerySet[_M]]
) -> models.QuerySet[_M]:
    """A fresh copy of ``build()``, which is built once in this process for each ``name`` and
    ``rule_key``. ``build`` filters by this module's rules for ``viewer`` in ``dialogue_id`` and
    by nothing else that varies (no time, no other row): what varies is applied to the copy.
    The code of the rules is taken not to change while the process runs (a test that replaces
    a rule starts and ends with none kept: ``tests/conftest.py``)."""
    key = (name, dialogue_id, rule_key(viewer, dialogue_id))
    queryset = _built.get(key)
    if queryset is None:
        queryset = build()
        if len(_built) >= _BUILT_LIMIT:
            _built.clear()
        _built[key] = queryset
    return queryset.all()


def visible_session(viewer: Viewer, queryset: models.QuerySet, *, session_id: int) -> Session:
    """The session of ``queryset`` with this id if the viewer may see it (``Session.DoesNotExist``
    otherwise), marked as decided for this viewer: ``visible_in_session`` then filters its
    agenda, papers and outcomes by their own rules without asking the session's again."""
    session = visible(viewer, queryset).get(pk=session_id)
    session._trackii_visible_to = viewer
    return session


def visible_in_session(
    viewer: Viewer, queryset: models.QuerySet[_M], *, dialogue_id: int, session: Session | None
) -> models.QuerySet[_M]:
    """The rows of ``queryset`` (agenda items, published items, papers, outcomes) that sit in
    ``session`` and that the viewer may see; with ``session`` None, those of the dialogue
    outside any session (dialogue-wide papers). A session not found by ``visible_session`` for this
    same viewer has its own rule asked again, in the query."""
    scope: Session | Scope
    if session is None:
        scope, where = OUTSIDE, Q(session__isnull=True)
    elif session.dialogue_id != dialogue_id:
        return queryset.none()
    elif _decided_for(viewer, session):
        scope, where = session, Q(session_id=session.pk)
    else:
        scope, where = EVERY, Q(session_id=session.pk)
    for one in _each(viewer):  # viewing as a member: what both allow
        grant = one.grant(dialogue_id)
        if grant is None:
            return queryset.none()
        where &= _rule_q(one, queryset.model, [grant], scope)
    return queryset.filter(where)


def _decided_for(viewer: Viewer, session: Session) -> bool:
    """Whether ``visible_session`` found this session for this same viewer (viewing as a
    member: for both parts at once, so for each of them)."""
    return getattr(session, "_trackii_visible_to", None) is viewer


def published_to_compare(
    viewer: Viewer,
    queryset: models.QuerySet[PublishedAgendaItem],
    *,
    session: Session | None = None,
    dialogue_id: int | None = None,
) -> models.QuerySet[PublishedAgendaItem]:
    """The published items of ``session`` (``queryset`` of ``PublishedAgendaItem``) as the
    convening team compares them with the working agenda (the planner's list of changes): as
    ``visible_in_session``, and besides the items withdrawn since (their working item deleted),
    each as published. Nobody else compares: nothing for them.
    Without ``session``, those of every session of ``dialogue_id`` the viewer may see, each
    session's rule asked in the query (the dialogue's overview counts what each session's
    editor would list, in one query)."""
    scope: Session | Scope
    if session is not None:
        owner: int | None = session.dialogue_id
        scope = session if _decided_for(viewer, session) else EVERY
        where = Q(session_id=session.pk)
    else:
        owner, scope, where = dialogue_id, EVERY, Q()
    for one in _each(viewer):  # viewing as a member: what both allow
        grant = one.grant(owner) if owner is not None else None
        if grant is None:
            return queryset.none()
        where &= _published_agenda_items_rule(one, grant, scope, comparing=True)
    return queryset.filter(where)


def readable_levels(viewer: Viewer, dialogue_id: int) -> list[ConfidentialityLevel]:
    """The levels of the viewer's scale at which they may read anything of the dialogue, by
    rule 3's audiences (up to their clearance; the convening team's levels only for the team;
    a named level for anyone who may be named), in rank order: what a list of the dialogue's
    material offers to filter by, so that no filter names a level they could read nothing at.
    What each row shows is still decided by ``visible``. Viewing as a member: the levels both
    may read at."""
    ids: set[int] | None = None
    for one in _each(viewer):
        mine = _readable_level_ids(one, dialogue_id)
        ids = mine if ids is None else ids & mine
    return sorted((viewer.levels[pk] for pk in ids or ()), key=lambda lv: (lv.rank, lv.pk))


def _readable_level_ids(viewer: Viewer, dialogue_id: int) -> set[int]:
    grant = viewer.grant(dialogue_id)
    if grant is None:
        return set()
    audiences = [Audience.OUTSIDE, Audience.PROGRAMME, Audience.ATTENDEES]
    if grant.convening or grant.official:
        audiences.append(Audience.CONVENING_TEAM)
    ids = set(_level_ids(viewer, grant, audiences))
    if grant.person_id is not None and not grant.official:
        ids |= {pk for pk, level in viewer.levels.items() if level.audience == Audience.NAMED}
    return ids


def can_view(viewer: Viewer, obj: models.Model) -> bool:
    """The object check for single-object views: the queryset filter, asked about one row."""
    return visible(viewer, type(obj)).filter(pk=obj.pk).exists()


# -- looking up what a page shows (and noting it for the audit trail) ---------------------------


def resolve(
    viewer: Viewer,
    queryset: models.QuerySet[_M],
    *,
    pk: int,
    dialogue_id: int | None = None,
    session: Session | Scope | None = Scope.EVERY_SESSION,
    **detail,
) -> _M:
    """The object a single-object page is about: the row of ``queryset`` with this pk if the
    viewer may see it (the model's ``DoesNotExist`` otherwise), noted as what the response shows.
    The audit trail records it once the page has shown it (``trackii.audit.reads``).

    A session is decided once (``visible_session``). With ``session`` (a Session decided for this
    viewer, or None or ``Scope.OUTSIDE_SESSIONS`` for a dialogue's own papers), a row of it is
    filtered by its own rule only
    (``visible_in_session``); otherwise by ``visible``, for ``dialogue_id``'s grant if given.
    Rows that sit in a session and name no dialogue (agenda items, outcomes) need ``session``.
    ``detail``: ids or codes recorded with it."""
    model = queryset.model
    row: Any  # its dialogue is read below whatever the model
    owner: int | None
    if model is Session:
        row = visible_session(viewer, queryset, session_id=pk)
        owner = row.dialogue_id
    elif session is Scope.EVERY_SESSION:
        row = visible(viewer, queryset, dialogue_id=dialogue_id).get(pk=pk)
        owner = row.pk if model is Dialogue else row.dialogue_id
    else:
        one = None if session is Scope.OUTSIDE_SESSIONS else session
        owner = one.dialogue_id if one is not None else dialogue_id
        rows = (
            queryset.none()  # a dialogue's own papers, and no dialogue named
            if owner is None
            else visible_in_session(viewer, queryset, dialogue_id=owner, session=one)
        )
        row = rows.get(pk=pk)
    return noted(row, dialogue_id=owner, **detail)


def noted(obj: _M, *, dialogue_id: int | None, **detail) -> _M:
    """An object a page is about that a container's rule decided, not a rule of its own (a
    briefing pack of a dialogue the viewer plans, a copy of it, a member of its roster, the
    dialogue whose ground rules a member reads, the copy an official's link opens): noted for
    the audit trail like ``resolve``'s. Returns ``obj``."""
    reads.note(obj, dialogue_id=dialogue_id, **detail)
    return obj


def listed(obj: _M, *, dialogue_id: int | None, **detail) -> _M:
    """One of the objects a response lists without one subject (the dialogues of the home page,
    the sessions a calendar feed carries), found through ``visible``: each is recorded."""
    reads.note_listed(obj, dialogue_id=dialogue_id, **detail)
    return obj


# Each ``can_*`` below answers for both parts of a viewer viewing as a member (``_each``).


def can_see_roster(viewer: Viewer, dialogue: Dialogue) -> bool:
    """Who is in a dialogue is itself the secret: only its convening team sees the roster."""
    return viewer.is_convening(dialogue.pk)


def can_see_attendees(viewer: Viewer, session: Session) -> bool:
    """Who attends a session: the convening team always; its own attendees when the dialogue
    allows it; nobody else (not even members cleared to see the session)."""
    return all(_sees_attendees(one, session) for one in _each(viewer))


def _sees_attendees(viewer: Viewer, session: Session) -> bool:
    grant = viewer.grant(session.dialogue_id)
    if grant is None or grant.official:
        return False
    if grant.convening:
        return True
    return session.dialogue.attendance_visible and session.pk in grant.attended_session_ids


def can_plan(viewer: Viewer, dialogue_id: int) -> bool:
    """Planning (sessions, agendas, papers, roster) is for the dialogue's convening team."""
    return viewer.is_convening(dialogue_id)


def can_read_copy(viewer: Viewer, copy: BriefingPackCopy) -> bool:
    """A rendered copy of a briefing pack holds what its recipient's clearance allows: in
    Trackii, the dialogue's convening team reads it, each only up to their own clearance."""
    return all(_reads_copy(one, copy) for one in _each(viewer))


def _reads_copy(viewer: Viewer, copy: BriefingPackCopy) -> bool:
    grant = viewer.grant(copy.pack.dialogue_id)
    return (
        grant is not None
        and grant.convening
        and not grant.official
        and copy.clearance.rank <= grant.clearance_rank
    )


# -- rules inside the convening team --------------------------------------------------------------
# The convening team is not a team of equals. What a member of it may change follows their own
# clearance, and the convenor holds the roles that make the team: so a co-facilitator cannot
# demote the convenor, clear anyone above themselves, or widen what leaves Trackii on their own.


def _team_grant(viewer: Viewer, dialogue_id: int) -> Grant | None:
    grant = viewer.grant(dialogue_id)
    if grant is None or not grant.convening or grant.official:
        return None
    return grant


def _rank_of(viewer: Viewer, level_id: int | None) -> int | None:
    """A level's rank as the viewer's scale knows it; None for a level the scale does not hold
    (made after the viewer), which no rule below lets through."""
    level = viewer.levels.get(level_id) if level_id is not None else None
    return None if level is None else level.rank


def grantable_levels(
    viewer: Viewer, dialogue_id: int, *, keep: ConfidentialityLevel | None = None
) -> models.QuerySet[ConfidentialityLevel]:
    """The clearances a member of the convening team may give in their dialogue: none above
    their own, so nobody (themselves included) is cleared for what the granter may not read.
    ``keep``: a member's present clearance, which may stay as it is when other fields change.
    The same bound holds for the dialogue's outbound level (``outbound_levels``)."""
    allowed = Q()
    for one in _each(viewer):
        grant = _team_grant(one, dialogue_id)
        mine = Q(pk__in=[])
        if grant is not None:
            mine = Q(rank__lte=grant.clearance_rank)
        if keep is not None:
            mine |= Q(pk=keep.pk)
        allowed &= mine
    return ConfidentialityLevel.objects.filter(allowed)


def check_grantable(
    viewer: Viewer,
    *,
    dialogue_id: int,
    clearance: ConfidentialityLevel,
    keep: ConfidentialityLevel | None = None,
) -> None:
    """Refuse a clearance the viewer may not give (``grantable_levels``)."""
    if not grantable_levels(viewer, dialogue_id, keep=keep).filter(pk=clearance.pk).exists():
        raise ValidationError(
            {
                "clearance": f"“{clearance}” is above your own clearance in this dialogue: "
                "only someone cleared for it can give it."
            }
        )


def can_change_membership(viewer: Viewer, membership) -> bool:
    """Whether the viewer may change (or remove, or invite) this member of their dialogue: a
    member of the convening team only one cleared *below* their own clearance (never their own
    membership, nor a peer's or a senior's); a convenor any, except another convenor's cleared
    above their own (a junior convenor cannot demote a senior one). Within that,
    ``assignable_roles`` and ``grantable_levels`` bound what they may set."""
    return all(_changes_membership(one, membership) for one in _each(viewer))


def _changes_membership(viewer: Viewer, membership) -> bool:
    grant = _team_grant(viewer, membership.dialogue_id)
    if grant is None:
        return False
    rank = _rank_of(viewer, membership.clearance_id)
    if rank is None:
        return False
    if membership.role == CONVENOR:
        # A convenor's place is the convenor's or a fellow convenor's cleared as high.
        return grant.convenor and rank <= grant.clearance_rank
    if grant.convenor:
        return True
    return rank < grant.clearance_rank


CONVENOR = "convenor"
# Roles only a convenor gives or takes: those that make the convening team, and the rapporteur,
# who (with the team) reads the attributed record, who said what.
TEAM_ROLES = ("convenor", "facilitator", "rapporteur")


def assignable_roles(viewer: Viewer, dialogue_id: int, *, current: str | None = None) -> list[str]:
    """The roles the viewer may give in their dialogue: a convenor any; another member of the
    convening team none of ``TEAM_ROLES`` (convenor, facilitator, rapporteur). ``current``: a
    member's present role, which may stay, but such a role held by someone is only the
    convenor's to take away."""
    mine = [_assignable_roles(one, dialogue_id, current=current) for one in _each(viewer)]
    return [role for role in mine[0] if all(role in other for other in mine[1:])]


def _assignable_roles(viewer: Viewer, dialogue_id: int, *, current: str | None) -> list[str]:
    from participants.models import Membership

    grant = _team_grant(viewer, dialogue_id)
    if grant is None:
        return []
    roles = [value for value, _label in Membership.Role.choices]
    if grant.convenor:
        return roles
    if current in TEAM_ROLES:
        return [current]
    return [role for role in roles if role not in TEAM_ROLES]


def check_roster_add(
    viewer: Viewer, *, dialogue_id: int, role: str, clearance: ConfidentialityLevel
) -> None:
    """Refuse putting someone on the roster with a role or a clearance the viewer may not give."""
    errors: dict[str, str | list[str]] = {}
    if role not in assignable_roles(viewer, dialogue_id):
        errors["role"] = "Only a convenor gives the convenor, facilitator and rapporteur roles."
    try:
        check_grantable(viewer, dialogue_id=dialogue_id, clearance=clearance)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def check_membership_change(
    viewer: Viewer, *, membership, role: str, clearance: ConfidentialityLevel
) -> None:
    """Refuse a change of this membership the viewer may not make: the member is not theirs to
    change (``can_change_membership``), or the role or clearance is not theirs to give."""
    if not can_change_membership(viewer, membership):
        raise ValidationError(
            "Only the convenor changes the membership of someone cleared at or above your own "
            "clearance."
        )
    errors: dict[str, str | list[str]] = {}
    if role not in assignable_roles(viewer, membership.dialogue_id, current=membership.role):
        errors["role"] = (
            "Only a convenor gives or takes the convenor, facilitator and rapporteur roles."
        )
    try:
        check_grantable(
            viewer,
            dialogue_id=membership.dialogue_id,
            clearance=clearance,
            keep=membership.clearance,
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


def outbound_levels(viewer: Viewer, dialogue: Dialogue) -> models.QuerySet[ConfidentialityLevel]:
    """The outbound levels the viewer may choose for their dialogue: none above their own
    clearance (the present one may stay). Choosing one above the present level is a request
    that another member of the team confirms (``can_confirm_outbound_raise``)."""
    return grantable_levels(viewer, dialogue.pk, keep=dialogue.outbound_level)


def raises_outbound(dialogue: Dialogue, level: ConfidentialityLevel | None) -> bool:
    """Whether setting ``level`` (None: the lowest) would let more leave Trackii than now."""
    return level is not None and level.rank > outbound_rank(dialogue)


def can_confirm_outbound_raise(viewer: Viewer, raise_request) -> bool:
    """Who confirms a request to raise a dialogue's outbound level: another person than the one
    who asked, an accepted convenor or facilitator of that dialogue cleared at or above the new
    level (as their scale knows it)."""
    return all(_confirms_outbound_raise(one, raise_request) for one in _each(viewer))


def _confirms_outbound_raise(viewer: Viewer, raise_request) -> bool:
    grant = _team_grant(viewer, raise_request.dialogue_id)
    if grant is None or grant.person_id == raise_request.requester_id:
        return False
    rank = _rank_of(viewer, raise_request.to_level_id)
    return rank is not None and rank <= grant.clearance_rank


def can_change_scale(user) -> bool:
    """The confidentiality scale (its levels, their ranks and audiences) is the organisation's:
    staff ask for a change, and another member of staff confirms it."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_staff)


def can_confirm_scale_change(user, change) -> bool:
    """A change of the scale is confirmed by a member of staff other than the one who asked."""
    return can_change_scale(user) and change.requested_by_id != user.pk


def caucus_side_of(viewer: Viewer, dialogue_id: int) -> int | None:
    """The side whose caucus the viewer comments in on a non-paper (rule 12), or None if they
    may not comment: of the convening team (they reply in a side's thread instead), an official,
    an observer, a member without a side or on the third party; or viewing as a member (reading
    only)."""
    grant = viewer.grant(dialogue_id)
    if viewer.parts or grant is None or grant.official or grant.convening:
        return None
    return grant.caucus_side_id


def can_record(viewer: Viewer, dialogue_id: int) -> bool:
    """Writing a session's notes and outcomes: the convening team and rapporteurs."""
    return all(_records(one, dialogue_id) for one in _each(viewer))


def _records(viewer: Viewer, dialogue_id: int) -> bool:
    grant = viewer.grant(dialogue_id)
    return grant is not None and not grant.official and (grant.convening or grant.recording)


def names_may_accompany(outcome: Outcome) -> bool:
    """Whether, outside the room (a briefing pack), the speakers' names may stand next to this
    outcome: only when it is on the record. Under Chatham House the idea travels alone."""
    return outcome.attribution == Outcome.Attribution.ON_RECORD


def check_narrow_only(
    *, level: ConfidentialityLevel, container_level: ConfidentialityLevel
) -> None:
    """A child is never below its container: material can be narrowed, never widened."""
    if level.rank < container_level.rank:
        raise ValidationError(
            {
                "level": f"“{level}” is below its container's level “{container_level}”: "
                "material can be narrowed, never widened."
            }
        )


# -- what may leave Trackii ---------------------------------------------------------------------
# E-mail, calendar feeds, .ics files and file names leave our control. They carry nothing above
# the dialogue's outbound level; the dialogue's own title never leaves (its cover name does).


def outbound_rank(dialogue: Dialogue) -> int:
    """The highest level rank that may leave Trackii for this dialogue (default: the lowest
    level of the scale, Public)."""
    if dialogue.outbound_level is not None:  # no query when the dialogue has none
        return dialogue.outbound_level.rank
    lowest = ConfidentialityLevel.objects.order_by("rank").values_list("rank", flat=True).first()
    return lowest if lowest is not None else -1


class _Marked(Protocol):
    """What is marked with a level: a session, an agenda item (working or published), a paper,
    an outcome."""

    @property
    def level(self) -> ConfidentialityLevel: ...


class _MarkedTitled(_Marked, Protocol):
    @property
    def title(self) -> str: ...


def may_leave(dialogue: Dialogue, *path: _Marked | None, rank: int | None = None) -> bool:
    """Whether material on this path (session, agenda item...) may go out: its effective level
    (the strictest on the path) is at or below the outbound level."""
    limit = outbound_rank(dialogue) if rank is None else rank
    return max(node.level.rank for node in path if node is not None) <= limit


def outbound_title(dialogue: Dialogue, *path: _MarkedTitled, rank: int | None = None) -> str:
    """The title of the last object on the path if it may leave, otherwise the cover name."""
    if path and may_leave(dialogue, *path, rank=rank):
        return path[-1].title
    return dialogue.cover_name


def published_marking(
    *, as_published: ConfidentialityLevel, working: ConfidentialityLevel
) -> ConfidentialityLevel:
    """The level a published agenda item is marked with (pages, PDFs, feeds, what may leave):
    the stricter of the level it was published at and its working item's level now. A raise
    shows at once; a lowering waits for the next version."""
    return working if working.rank > as_published.rank else as_published


def levels_at_or_above(level: ConfidentialityLevel) -> Iterable[ConfidentialityLevel]:
    """The levels a child of ``level`` may take: the same or stricter (narrow-only)."""
    return ConfidentialityLevel.objects.filter(rank__gte=level.rank)


def strictest_level(objects: Iterable[_Marked]) -> ConfidentialityLevel | None:
    """The highest-ranked level among these objects' own: the classification a copy holding
    them all must carry (an item's effective level is its session's or its own, whichever is
    stricter, so a copy that holds the session and its items is marked by this)."""
    levels = [obj.level for obj in objects]
    return max(levels, key=lambda level: level.rank) if levels else None


def floor_level(*containers: _Marked | None) -> ConfidentialityLevel | None:
    """The strictest level among a new child's containers: the lowest level it may take."""
    levels = [c.level for c in containers if c is not None]
    return max(levels, key=lambda level: level.rank) if levels else None
