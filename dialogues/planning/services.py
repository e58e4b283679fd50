"""Writes of the planner: sessions (created, edited without lost edits, who attends, cancelled
and reinstated) and their agenda (items created, updated, deleted, reordered; publishing). The
working agenda is the convening team's; ``agenda_publish`` freezes it into a numbered version,
which is what everyone else reads. Attendees are told of a new version, and of a session called
off or back on, by e-mail once the change is committed (``planning.tasks``).

Tightening a working item (a higher level, a reader taken off, deleting it) changes what
readers of the published version see at once: ``dialogues.confidentiality`` (rule 5) judges
each published copy by its working item as well. Here, ``agenda_item_update`` keeps the copies'
marking (``PublishedAgendaItem.level``) the stricter of their level as published and the working
item's, in the same transaction, so pages, PDFs, feeds and the outbound rule show the level
readers are held to."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from participants.models import Membership
from trackii.audit.services import Action, audit_record

from ..concurrency import save_with_revision
from ..confidentiality import published_marking
from ..models import (
    AgendaItem,
    AgendaVersion,
    Dialogue,
    PublishedAgendaItem,
    Session,
    SessionAttendance,
)
from ..services import check_narrow_only, name_readers
from ..viewers import memberships_changed
from . import tasks

# -- sessions -------------------------------------------------------------------------------------


@transaction.atomic
def session_create(*, dialogue: Dialogue, created_by=None, readers=(), **fields) -> Session:
    """Create a session; whoever creates it is named on it, so it stays theirs when it is
    restricted to named people."""
    session = Session(dialogue=dialogue, created_by=created_by, **fields)
    session.full_clean()
    session.save()
    name_readers(session, readers=readers, created_by=created_by)
    return session


@transaction.atomic
def session_attendance_add(*, session: Session, membership: Membership) -> SessionAttendance:
    if membership.dialogue_id != session.dialogue_id:
        raise ValidationError(_("Only members of the session's dialogue can attend it."))
    attendance, _created = SessionAttendance.objects.get_or_create(
        session=session, membership=membership
    )
    return attendance


@transaction.atomic
def session_update(
    *, session: Session, expected_revision: int, values: dict[str, Any], readers=(), by=None
) -> Session:
    session = save_with_revision(
        instance=session, expected_revision=expected_revision, values=values
    )
    name_readers(session, readers=readers, created_by=session.created_by)
    audit_record(
        action=Action.CHANGED,
        obj=session,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"edit_revision": session.edit_revision},
    )
    return session


@transaction.atomic
def session_attendance_set(*, session: Session, memberships: list[Membership], by=None) -> None:
    """Make exactly these members the session's attendees."""
    if any(m.dialogue_id != session.dialogue_id for m in memberships):
        raise ValidationError(_("Only members of the session's dialogue can attend it."))
    wanted = {m.pk for m in memberships}
    current = set(session.attendances.values_list("membership_id", flat=True))
    SessionAttendance.objects.filter(session=session, membership_id__in=current - wanted).delete()
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=session, membership_id=pk) for pk in wanted - current
    )
    # Written in bulk, unseen by the signals: the new attendees' viewers are built afresh.
    memberships_changed(membership_ids=wanted - current)
    if wanted != current:
        audit_record(
            action=Action.CHANGED,
            obj=session,
            actor=by,
            dialogue_id=session.dialogue_id,
            detail={"attendees": len(wanted)},
        )


def _status_set(session: Session, status: str, *, by) -> Session:
    """Save the new status (the row is locked by the caller), audit it, and tell the attendees
    once it is committed (ids only to the task)."""
    session.status = status
    session.save(update_fields=["status", "updated_at"])
    audit_record(
        action=Action.DECIDED,
        obj=session,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"status": status},
    )
    session_id = session.pk
    transaction.on_commit(
        lambda: tasks.session_status_notify.delay(session_id=session_id, status=status)
    )
    return session


@transaction.atomic
def session_cancel(*, session: Session, by=None) -> Session:
    """Call off a published session: it stays where its attendees see it, marked cancelled (in
    their calendars too), and they are told by e-mail. A draft is known to the convening team
    only, so there is nothing to call off (and cancelling it would show it to everyone cleared);
    a session already held cannot be undone."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.DRAFT:
        raise ValidationError(
            _("A draft session is known to the convening team only: there is nothing to cancel.")
        )
    if session.status == Session.Status.HELD:
        raise ValidationError(_("This session has been held: it cannot be cancelled."))
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("This session is already cancelled."))
    return _status_set(session, Session.Status.CANCELLED, by=by)


@transaction.atomic
def session_reinstate(*, session: Session, by=None) -> Session:
    """Put a cancelled session back on, as published (the nightly task marks it held once its
    end has passed); its attendees are told."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.CANCELLED:
        raise ValidationError(_("Only a cancelled session can be reinstated."))
    return _status_set(session, Session.Status.PUBLISHED, by=by)


# -- the agenda -----------------------------------------------------------------------------------

ITEM_FIELDS = ("start", "end", "room", "title", "description", "kind", "moderator", "level")


def _check_moderator(*, session: Session, moderator) -> None:
    if moderator is not None and moderator.dialogue_id != session.dialogue_id:
        raise ValidationError({"moderator": _("The moderator must be on this dialogue's roster.")})


def _check_times(*, session: Session, start, end) -> None:
    errors = {}
    if start and end and end <= start:
        errors["end"] = _("The item must end after it starts.")
    for name, value in (("start", start), ("end", end)):
        if value and not (session.start <= value <= session.end):
            errors[name] = _("Agenda times must fall within the session.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agenda_item_create(*, session: Session, created_by=None, readers=(), **fields) -> AgendaItem:
    check_narrow_only(level=fields["level"], container_level=session.level)
    _check_moderator(session=session, moderator=fields.get("moderator"))
    _check_times(session=session, start=fields.get("start"), end=fields.get("end"))
    if "order" not in fields:
        last = session.agenda_items.aggregate(last=Max("order"))["last"]
        fields["order"] = (last or 0) + 1
    item = AgendaItem(session=session, created_by=created_by, **fields)
    item.full_clean()
    item.save()
    name_readers(item, readers=readers, created_by=created_by)
    return item


@transaction.atomic
def agenda_item_update(
    *, item: AgendaItem, expected_revision: int, values: dict[str, Any], readers=(), by=None
) -> AgendaItem:
    """Save an edit, refused with what changed if someone saved the item meanwhile."""
    session = item.session
    check_narrow_only(level=values["level"], container_level=session.level)
    _check_moderator(session=session, moderator=values.get("moderator"))
    _check_times(session=session, start=values.get("start"), end=values.get("end"))
    item = save_with_revision(instance=item, expected_revision=expected_revision, values=values)
    name_readers(item, readers=readers, created_by=item.created_by)
    detail = {"edit_revision": item.edit_revision}
    remarked = _mark_published_copies(item=item)
    if remarked:
        detail["published_copies_marked"] = remarked
    audit_record(
        action=Action.CHANGED, obj=item, actor=by, dialogue_id=session.dialogue_id, detail=detail
    )
    return item


@transaction.atomic
def agenda_item_retime(*, item: AgendaItem, start, end, room: str | None = None, by=None):
    """Move or resize an item on the timetable (and, dropped in a room's column, into that
    room): the times checked as the item's form checks them, the item locked meanwhile, its
    revision raised (an edit form open elsewhere then sees the change)."""
    session = item.session
    _check_times(session=session, start=start, end=end)
    if start is None or end is None:
        raise ValidationError({"start": _("An item on the timetable has a start and an end.")})
    current = AgendaItem.objects.select_for_update().get(pk=item.pk)
    values: dict[str, Any] = {"start": start, "end": end}
    if room is not None and room.strip() != current.room.strip():
        values["room"] = room.strip()
    before = {name: getattr(current, name) for name in values}
    for name, value in values.items():
        setattr(current, name, value)
    current.edit_revision += 1
    current.full_clean()
    current.save(update_fields=[*values, "edit_revision", "updated_at"])
    audit_record(
        action=Action.CHANGED,
        obj=current,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={
            "moved": {
                name: [str(before[name]), str(values[name])]
                for name in values
                if before[name] != values[name]
            }
        },
    )
    return current


@transaction.atomic
def agenda_item_duplicate(*, item: AgendaItem, by=None) -> AgendaItem:
    """A copy of the item straight after it: same length, room, kind, level, moderator,
    description and named readers, titled as a copy; placed when the item ends if the session
    still runs then, else at the same times (the grid shows the overlap)."""
    session = item.session
    start, end = item.start, item.end
    if start and end and end + (end - start) <= session.end:
        start, end = end, end + (end - start)
    ids = list(session.agenda_items.order_by("order", "id").values_list("pk", flat=True))
    copy = agenda_item_create(
        session=session,
        created_by=by,
        readers=list(item.readers.all()),
        title=(_("%(title)s (copy)") % {"title": item.title})[
            : AgendaItem._meta.get_field("title").max_length
        ],
        start=start,
        end=end,
        room=item.room,
        kind=item.kind,
        moderator=item.moderator,
        level=item.level,
        description=item.description,
    )
    ids.insert(ids.index(item.pk) + 1, copy.pk)
    _renumber(session=session, ordered_ids=ids)
    audit_record(
        action=Action.CREATED,
        obj=copy,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"copy_of": item.pk},
    )
    return copy


def _mark_published_copies(*, item: AgendaItem) -> int:
    """Mark the item's published copies (every version) with the stricter of their level as
    published and the item's now; returns how many changed. The item's row is locked by the
    save, so two edits of it mark its copies one after the other."""
    copies = list(
        PublishedAgendaItem.objects.filter(source=item).select_related("level_as_published")
    )
    changed = []
    for copy in copies:
        marking = published_marking(as_published=copy.level_as_published, working=item.level)
        if copy.level_id != marking.pk:
            copy.level = marking
            changed.append(copy)
    PublishedAgendaItem.objects.bulk_update(changed, ["level"])
    return len(changed)


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by=None) -> None:
    """Delete a working item. Its published copies stay (the versions are history) but are
    withdrawn from their readers at once (their ``source`` is emptied; rule 5), and the next
    version's change list shows the item as removed."""
    session = item.session
    audit_record(action=Action.DELETED, obj=item, actor=by, dialogue_id=session.dialogue_id)
    item.delete()
    _renumber(session=session, ordered_ids=list(session.agenda_items.values_list("pk", flat=True)))


def _renumber(*, session: Session, ordered_ids: list[int]) -> None:
    # Positions are unique per session: park everything out of the way first, then renumber.
    items = {i.pk: i for i in AgendaItem.objects.select_for_update().filter(session=session)}
    offset = max((i.order for i in items.values()), default=0) + len(items) + 1
    for n, pk in enumerate(ordered_ids):
        AgendaItem.objects.filter(pk=pk).update(order=offset + n)
    for n, pk in enumerate(ordered_ids, start=1):
        AgendaItem.objects.filter(pk=pk).update(order=n)


@transaction.atomic
def agenda_reorder(*, session: Session, ordered_ids: list[int], by=None) -> None:
    """Put the session's items in the given order (every item named exactly once)."""
    current = set(AgendaItem.objects.filter(session=session).values_list("pk", flat=True))
    if len(ordered_ids) != len(set(ordered_ids)) or set(ordered_ids) != current:
        raise ValidationError(_("The new order must name every item of this agenda exactly once."))
    _renumber(session=session, ordered_ids=ordered_ids)
    audit_record(
        action=Action.CHANGED,
        obj=session,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"reordered": len(ordered_ids)},
    )


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, direction: str, by=None) -> None:
    """Move an item one place up or down."""
    ids = list(item.session.agenda_items.order_by("order", "id").values_list("pk", flat=True))
    at = ids.index(item.pk)
    to = at - 1 if direction == "up" else at + 1
    if direction not in ("up", "down") or not 0 <= to < len(ids):
        return
    ids[at], ids[to] = ids[to], ids[at]
    agenda_reorder(session=item.session, ordered_ids=ids, by=by)


@transaction.atomic
def agenda_publish(*, session: Session, by=None) -> AgendaVersion:
    """Freeze the working agenda as the next numbered version; participants read it from now."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(_("A cancelled session's agenda cannot be published."))
    version = AgendaVersion.objects.create(
        session=session, number=session.published_version + 1, published_by=by
    )
    items = list(session.agenda_items.prefetch_related("readers").order_by("order", "id"))
    published = PublishedAgendaItem.objects.bulk_create(
        PublishedAgendaItem(
            version=version,
            session=session,
            source=item,
            order=item.order,
            level_as_published=item.level,
            **{name: getattr(item, name) for name in ITEM_FIELDS},
        )
        for item in items
    )
    Through = PublishedAgendaItem.readers.through
    Through.objects.bulk_create(
        Through(publishedagendaitem_id=copy.pk, person_id=reader.pk)
        for copy, item in zip(published, items, strict=True)
        for reader in item.readers.all()
    )
    session.published_version = version.number
    if session.status == Session.Status.DRAFT:
        session.status = Session.Status.PUBLISHED
    session.save(update_fields=["published_version", "status", "updated_at"])
    audit_record(
        action=Action.DECIDED,
        obj=session,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"published_version": version.number, "items": len(items)},
    )
    # Attendees hear of it once the new version is committed (ids only to the task).
    number = version.number
    transaction.on_commit(
        lambda: tasks.agenda_published_notify.delay(session_id=session.pk, version=number)
    )
    return version
