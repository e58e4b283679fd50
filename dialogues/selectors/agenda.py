"""Reads for the agenda editor: what changed since the last published version, and which items
clash. Pure functions over rows the page has already fetched, so they cost no queries."""

from dataclasses import dataclass, field
from datetime import datetime

from ..models import AgendaItem, PublishedAgendaItem

# What a participant would notice; the order is compared separately.
COMPARED_FIELDS = {
    "title": "title",
    "start": "start",
    "end": "end",
    "room": "room",
    "description": "description",
    "kind": "kind",
    "level_id": "level",
    "moderator_id": "moderator",
}


@dataclass(frozen=True)
class AgendaChange:
    kind: str  # "added", "removed", "changed", "moved"
    title: str
    fields: tuple[str, ...] = field(default_factory=tuple)


def agenda_changes(
    *, working: list[AgendaItem], published: list[PublishedAgendaItem]
) -> list[AgendaChange]:
    """The working agenda against the published one, item by item."""
    by_source = {p.source_id: p for p in published if p.source_id is not None}
    changes: list[AgendaChange] = []
    working_ids = set()
    published_rank = {p.source_id: n for n, p in enumerate(published) if p.source_id}
    shared = [i for i in working if i.pk in by_source]
    for item in working:
        working_ids.add(item.pk)
        before = by_source.get(item.pk)
        if before is None:
            changes.append(AgendaChange("added", item.title))
            continue
        differing = tuple(
            label
            for attr, label in COMPARED_FIELDS.items()
            if getattr(item, attr) != getattr(before, attr)
        )
        if differing:
            changes.append(AgendaChange("changed", item.title, differing))
    shared_now = [i.pk for i in shared]
    shared_before = sorted(shared_now, key=lambda pk: published_rank[pk])
    if shared_now != shared_before:
        changes.append(AgendaChange("moved", "The order of items"))
    for before in published:
        if before.source_id not in working_ids:
            changes.append(AgendaChange("removed", before.title))
    return changes


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def overlapping_items(items: list[AgendaItem]) -> dict[int, list[AgendaItem]]:
    """Items booked in the same room at overlapping times: item id -> the items it clashes with."""
    timed = [i for i in items if i.room.strip() and i.start and i.end]
    clashes: dict[int, list[AgendaItem]] = {}
    for n, a in enumerate(timed):
        for b in timed[n + 1 :]:
            same_room = a.room.strip().casefold() == b.room.strip().casefold()
            if same_room and _overlap(a.start, a.end, b.start, b.end):
                clashes.setdefault(a.pk, []).append(b)
                clashes.setdefault(b.pk, []).append(a)
    return clashes
