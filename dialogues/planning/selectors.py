"""Reads for the agenda editor: the published version to compare with (one query, and one for
its readers), what changed since it, and which items clash. The comparing and the clashes are
pure functions over rows the page has already fetched, so they cost no queries.

Changes are told against the version *as published*: a published copy's marking (``level``)
follows a stricter working level at once, but ``level_as_published`` and its readers never
change, so a raise, a reader taken off or a deletion that readers already feel still shows in
the list of what the next version changes."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from trackii.timezones import with_country

from ..confidentiality import Viewer, built_once, published_to_compare, visible
from ..models import AgendaItem, ConfidentialityLevel, Dialogue, PublishedAgendaItem, Session

if TYPE_CHECKING:
    # The name of what changed: translated when it is shown (a lazy string until then).
    from django.utils.functional import _StrOrPromise as ChangeName
else:
    ChangeName = str

# What a participant would notice, each with its name in a list of what changed (in the reader's
# language); the order is compared separately.
COMPARED_FIELDS: dict[str, ChangeName] = {
    "title": pgettext_lazy("changed", "title"),
    "start": pgettext_lazy("changed", "start"),
    "end": pgettext_lazy("changed", "end"),
    "room": pgettext_lazy("changed", "room"),
    "description": pgettext_lazy("changed", "description"),
    "kind": pgettext_lazy("changed", "kind"),
    "level_id": pgettext_lazy("changed", "level"),
    "moderator_id": pgettext_lazy("changed", "moderator"),
}
READERS_CHANGED: ChangeName = pgettext_lazy("changed", "readers")


# What the comparison reads of a working item and of a published copy.
_COMPARED_COLUMNS = ("id", "session_id", "order", *COMPARED_FIELDS)
_COMPARED_COPY_COLUMNS = (
    "id",
    "session_id",
    "source_id",
    "order",
    *(f for f in COMPARED_FIELDS if f != "level_id"),
    "level_as_published_id",
)

# A published copy's attribute holding the value as published, where it differs in name.
_AS_PUBLISHED = {"level_id": "level_as_published_id"}


def _value(obj: AgendaItem | PublishedAgendaItem, attr: str):
    if isinstance(obj, PublishedAgendaItem):
        attr = _AS_PUBLISHED.get(attr, attr)
    return getattr(obj, attr)


def fields_changed(
    *, now: AgendaItem | PublishedAgendaItem, before: PublishedAgendaItem
) -> tuple[ChangeName, ...]:
    """The labels of the compared fields in which ``now`` (a working item, or a copy in a newer
    version) differs from ``before`` as it was published."""
    return tuple(
        label
        for attr, label in COMPARED_FIELDS.items()
        if _value(now, attr) != _value(before, attr)
    )


def _names_readers(level: ConfidentialityLevel) -> bool:
    return level.audience == ConfidentialityLevel.Audience.NAMED


CHANGE_KINDS = {
    "added": gettext_lazy("Added"),
    "removed": gettext_lazy("Removed"),
    "changed": gettext_lazy("Changed"),
    "moved": gettext_lazy("Moved"),
}


@dataclass(frozen=True)
class AgendaChange:
    kind: str  # "added", "removed", "changed", "moved"
    title: str
    fields: tuple[ChangeName, ...] = field(default_factory=tuple)  # ``COMPARED_FIELDS``' names

    @property
    def kind_label(self) -> str:
        """The kind as a page shows it ("Added"), in the reader's language."""
        return str(CHANGE_KINDS[self.kind])


def published_agenda_to_compare(
    *, viewer: Viewer, session: Session
) -> QuerySet[PublishedAgendaItem]:
    """The session's current version as the convening team compares it with the working
    agenda: items withdrawn since publication included, each with its level and readers as
    published."""
    return published_to_compare(
        viewer,
        PublishedAgendaItem.objects.filter(version__number=session.published_version)
        .select_related("level_as_published")
        .prefetch_related("readers"),
        session=session,
    ).order_by("order", "id")


def _reader_ids(obj: AgendaItem | PublishedAgendaItem) -> set[int]:
    return {p.pk for p in obj.readers.all()}


def agenda_changes(
    *,
    working: list[AgendaItem],
    published: list[PublishedAgendaItem],
    reader_ids: Callable[[AgendaItem | PublishedAgendaItem], set[int]] = _reader_ids,
) -> list[AgendaChange]:
    """The working agenda against the published one, item by item. Named readers are compared
    where a level names them (working items with ``level`` and ``readers`` loaded, copies with
    ``level_as_published`` and ``readers``, as ``published_agenda_to_compare`` gives them; or
    ``reader_ids`` says whom each names)."""
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
        differing = fields_changed(now=item, before=before)
        named = _names_readers(item.level) or _names_readers(before.level_as_published)
        if named and reader_ids(item) != reader_ids(before):
            differing += (READERS_CHANGED,)
        if differing:
            changes.append(AgendaChange("changed", item.title, differing))
    shared_now = [i.pk for i in shared]
    shared_before = sorted(shared_now, key=lambda pk: published_rank[pk])
    if shared_now != shared_before:
        changes.append(AgendaChange("moved", _("The order of items")))
    for before in published:
        if before.source_id not in working_ids:
            changes.append(AgendaChange("removed", before.title))
    return changes


@dataclass(frozen=True)
class UnpublishedChanges:
    session: Session
    changes: list[AgendaChange]


def unpublished_changes_of(*, viewer: Viewer, dialogue: Dialogue) -> list[UnpublishedChanges]:
    """The dialogue's sessions whose working agenda differs from what participants read, each
    with what its editor lists as changed (``agenda_changes``), in the order they are held, as
    far as this viewer may see: a session or an item the viewer may not see counts for nothing
    (no count betrays it). A session never published counts each of its items as added; a
    cancelled one cannot be published, so it is left out. Two queries whatever the number of
    sessions and items (the working items and the published ones to compare, each with its
    session, whose rule the same query asks), and two more for the named readers of the items
    whose level names them, if any."""
    live = ~Q(session__status=Session.Status.CANCELLED)
    # Only the compared columns, each level taken from the viewer's scale (the rule has
    # already asked for it by id), the session's title and start from the working query only:
    # the overview runs this on every visit, and most of its cost is the ORM's building of
    # queries and rows. Sorted here, not by the database (an ORDER BY costs more to build).
    levels = viewer.levels
    by_place = attrgetter("session_id", "order", "id")
    sessions: dict[int, Session] = {}
    working: dict[int, list[AgendaItem]] = defaultdict(list)
    rows = built_once(
        viewer,
        dialogue_id=dialogue.pk,
        name="unpublished: working",
        build=lambda: visible(
            viewer,
            AgendaItem.objects.filter(live, session__dialogue_id=dialogue.pk)
            .select_related("session")
            .only(*_COMPARED_COLUMNS, "session", "session__title", "session__start"),
            dialogue_id=dialogue.pk,
        ).order_by(),
    )
    for item in sorted(rows, key=by_place):
        item.level = levels[item.level_id]
        sessions.setdefault(item.session_id, item.session)
        working[item.session_id].append(item)
    published: dict[int, list[PublishedAgendaItem]] = defaultdict(list)
    copies = built_once(
        viewer,
        dialogue_id=dialogue.pk,
        name="unpublished: published",
        build=lambda: published_to_compare(
            viewer,
            PublishedAgendaItem.objects.filter(
                live, version__number=F("session__published_version")
            ).only(*_COMPARED_COPY_COLUMNS),
            dialogue_id=dialogue.pk,
        ).order_by(),
    )
    for copy in sorted(copies, key=by_place):
        copy.level_as_published = levels[copy.level_as_published_id]
        published[copy.session_id].append(copy)
    missing = published.keys() - sessions.keys()
    if missing:
        # Sessions whose every working item is gone: their published copies name them.
        sessions.update(Session.objects.only("title", "start").in_bulk(sorted(missing)))
    reader_ids = _named_readers(
        [i for items in working.values() for i in items],
        [c for copies in published.values() for c in copies],
    )
    found = []
    for session in sorted(sessions.values(), key=lambda s: (s.start, s.pk)):
        changes = agenda_changes(
            working=working[session.pk], published=published[session.pk], reader_ids=reader_ids
        )
        if changes:
            found.append(UnpublishedChanges(session, changes))
    return found


def _named_readers(
    items: list[AgendaItem], copies: list[PublishedAgendaItem]
) -> Callable[[AgendaItem | PublishedAgendaItem], set[int]]:
    """Whom each working item and published copy names, fetched (as ids) only for the pairs
    ``agenda_changes`` compares them for: where the item's level or the copy's level as
    published names its readers. Nothing is asked when no level names anyone."""
    named = {i.pk for i in items if _names_readers(i.level)} | {
        c.source_id for c in copies if _names_readers(c.level_as_published)
    }
    named.discard(None)
    found: dict[tuple[type, int], set[int]] = defaultdict(set)
    if named:
        for item_id, person_id in AgendaItem.readers.through.objects.filter(
            agendaitem_id__in=sorted(named)
        ).values_list("agendaitem_id", "person_id"):
            found[(AgendaItem, item_id)].add(person_id)
        copy_ids = sorted(c.pk for c in copies if c.source_id in named)
        if copy_ids:
            for copy_id, person_id in PublishedAgendaItem.readers.through.objects.filter(
                publishedagendaitem_id__in=copy_ids
            ).values_list("publishedagendaitem_id", "person_id"):
                found[(PublishedAgendaItem, copy_id)].add(person_id)
    return lambda obj: found.get((type(obj), obj.pk), set())


def _overlap(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def overlapping_items(items: list[AgendaItem]) -> dict[int, list[AgendaItem]]:
    """Items booked in the same room at overlapping times: item id -> the items it clashes with."""
    timed = [(i, i.start, i.end) for i in items if i.room.strip() and i.start and i.end]
    clashes: dict[int, list[AgendaItem]] = {}
    for n, (a, a_start, a_end) in enumerate(timed):
        for b, b_start, b_end in timed[n + 1 :]:
            same_room = a.room.strip().casefold() == b.room.strip().casefold()
            if same_room and _overlap(a_start, a_end, b_start, b_end):
                clashes.setdefault(a.pk, []).append(b)
                clashes.setdefault(b.pk, []).append(a)
    return clashes


def likely_session_zones(*, dialogue_id: int, session: Session | None, own_zone: str) -> list[str]:
    """The time zones a session's venue is likely in, likeliest first: a planned session's own
    zone (no query); for a new one, the zones of the dialogue's sessions, latest first (one
    query); then the planner's own zone, then the other zones of the first one's country."""
    if session is not None:
        zones = [session.time_zone]
    else:
        earlier = (
            Session.objects.filter(dialogue_id=dialogue_id)
            .order_by("-start", "-id")
            .values_list("time_zone", flat=True)
        )
        zones = list(dict.fromkeys(earlier))
    first = zones[:1] or [own_zone]
    return list(dict.fromkeys([*zones, own_zone, *with_country(first)]))
