"""The path as a graph: a node per row the viewer may see, in four lanes (sessions, ideas,
transfers, observed changes), and the edges between shown nodes; and the same path as an
outline, for the list beside the picture.

Every label is built from the row's own fields: a session's title and date, an idea's title and
state, a transfer's official, means and date, a change's who-changed and kind. Never a speaker,
a carrier, an id or a count: nothing that is not the node itself."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from enum import IntEnum

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trackii.timezones import day_text, localised

from .selectors import DialoguePath

Key = tuple[str, int]  # a node's kind and primary key: for the edges, never drawn
KINDS = ("session", "idea", "transfer", "change")  # by lane


class Lane(IntEnum):
    SESSIONS = 0
    IDEAS = 1
    TRANSFERS = 2
    CHANGES = 3


LANE_TITLES = {
    Lane.SESSIONS: gettext_lazy("Sessions"),
    Lane.IDEAS: gettext_lazy("Ideas"),
    Lane.TRANSFERS: gettext_lazy("Transfers to officials"),
    Lane.CHANGES: gettext_lazy("Observed changes"),
}


@dataclass(frozen=True)
class Node:
    key: Key
    label: str  # the first line, in full
    detail: str  # the second line, in full
    described: str  # the whole node in words: hover text and the list's
    href: str | None  # the node's own page


@dataclass(frozen=True)
class Edge:
    source: Key
    target: Key
    direct: bool = False  # an idea straight to a change, past the transfers' lane


@dataclass(frozen=True)
class TransferBranch:
    node: Node
    changes: tuple[Node, ...]


@dataclass(frozen=True)
class IdeaBranch:
    node: Node
    alone: str  # the address of this idea's path alone
    sessions: tuple[Node, ...]
    transfers: tuple[TransferBranch, ...]
    changes: tuple[Node, ...]  # linked to the idea itself


@dataclass(frozen=True)
class Graph:
    lanes: tuple[tuple[Node, ...], ...]  # one per ``Lane``, each in the order drawn
    edges: tuple[Edge, ...]
    ideas: tuple[IdeaBranch, ...]  # the outline
    unlinked_changes: tuple[Node, ...]  # changes linked to no idea or transfer shown

    @property
    def empty(self) -> bool:
        return not any(self.lanes)


def _url(name: str, *args: int) -> str:
    return reverse(f"dialogues:{name}", args=args)


def _session_node(session, dialogue_id: int) -> Node:
    zone = zoneinfo.ZoneInfo(session.time_zone)
    day = day_text(localised(session.start, zone).date())
    return Node(
        ("session", session.pk),
        session.title,
        day,
        _("Session: %(title)s, %(day)s") % {"title": session.title, "day": day},
        _url("session_detail", dialogue_id, session.pk),
    )


def _idea_node(idea, dialogue_id: int) -> Node:
    state = idea.get_state_display()
    return Node(
        ("idea", idea.pk),
        idea.title,
        state,
        _("Idea: %(title)s (%(state)s)") % {"title": idea.title, "state": state},
        _url("idea_detail", dialogue_id, idea.pk),
    )


def _transfer_node(transfer, dialogue_id: int) -> Node:
    # The official's name: whoever may see the transfer may see to whom it went (rule 10).
    # Never who carried it.
    name, means, day = (
        transfer.official.name,
        transfer.get_means_display(),
        day_text(transfer.occurred_on),
    )
    return Node(
        ("transfer", transfer.pk),
        name,
        f"{day} · {means}",
        _("Transfer to %(official)s: %(means)s, %(day)s")
        % {"official": name, "means": means, "day": day},
        _url("transfer_detail", dialogue_id, transfer.pk),
    )


def _change_node(change, dialogue_id: int) -> Node:
    kind = change.get_kind_display()
    return Node(
        ("change", change.pk),
        change.who_changed,
        kind,
        _("Observed change: %(who)s (%(kind)s), %(day)s")
        % {"who": change.who_changed, "kind": kind, "day": day_text(change.observed_on)},
        _url("change_detail", dialogue_id, change.pk),
    )


def graph_of(path: DialoguePath, *, dialogue_id: int) -> Graph:
    """The nodes in their lanes, each lane packed in an order that follows the one before it
    (so edges cross little), and the edges between shown nodes."""
    sessions = {("session", s.pk): _session_node(s, dialogue_id) for s in path.sessions}
    session_row = {key: row for row, key in enumerate(sessions)}
    idea_sessions: dict[Key, list[Key]] = {("idea", i.pk): [] for i in path.ideas}
    for session_id, idea_id in path.session_ideas:
        idea_sessions[("idea", idea_id)].append(("session", session_id))
    for keys in idea_sessions.values():
        keys.sort(key=session_row.__getitem__)

    def first_row(keys, rows) -> int:
        return min((rows[k] for k in keys), default=len(rows))

    ordered = sorted(
        path.ideas, key=lambda i: first_row(idea_sessions[("idea", i.pk)], session_row)
    )
    ideas = {("idea", i.pk): _idea_node(i, dialogue_id) for i in ordered}
    idea_row = {key: row for row, key in enumerate(ideas)}
    by_idea = sorted(path.transfers, key=lambda t: idea_row[("idea", t.idea_id)])
    transfers = {("transfer", t.pk): _transfer_node(t, dialogue_id) for t in by_idea}
    transfer_idea = {("transfer", t.pk): ("idea", t.idea_id) for t in path.transfers}
    transfer_row = {key: row for row, key in enumerate(transfers)}

    linked: dict[Key, list[Key]] = {("change", c.pk): [] for c in path.changes}
    for change_id, idea_id in path.change_ideas:
        linked[("change", change_id)].append(("idea", idea_id))
    for change_id, transfer_id in path.change_transfers:
        linked[("change", change_id)].append(("transfer", transfer_id))
    rows = idea_row | transfer_row
    for keys in linked.values():
        keys.sort(key=lambda k: (k[0] != "idea", rows[k]))

    by_link = sorted(path.changes, key=lambda c: first_row(linked[("change", c.pk)], rows))
    changes = {("change", c.pk): _change_node(c, dialogue_id) for c in by_link}

    edges = [Edge(s, i) for i in ideas for s in idea_sessions[i]]
    edges += [Edge(transfer_idea[t], t) for t in transfers]
    edges += [Edge(k, c, direct=k[0] == "idea") for c in changes for k in linked[c]]
    # Drawn lane by lane, top to bottom: the same order whatever else exists.
    row = session_row | rows | {key: n for n, key in enumerate(changes)}
    edges.sort(key=lambda e: (KINDS.index(e.source[0]), e.direct, row[e.source], row[e.target]))

    def changes_of(key: Key) -> tuple[Node, ...]:
        return tuple(node for c, node in changes.items() if key in linked[c])

    outline = tuple(
        IdeaBranch(
            node,
            f"{_url('path', dialogue_id)}?idea={key[1]}",
            tuple(sessions[s] for s in idea_sessions[key]),
            tuple(
                TransferBranch(transfers[t], changes_of(t))
                for t in transfers
                if transfer_idea[t] == key
            ),
            changes_of(key),
        )
        for key, node in ideas.items()
    )
    return Graph(
        lanes=(
            tuple(sessions.values()),
            tuple(ideas.values()),
            tuple(transfers.values()),
            tuple(changes.values()),
        ),
        edges=tuple(edges),
        ideas=outline,
        unlinked_changes=tuple(node for c, node in changes.items() if not linked[c]),
    )
