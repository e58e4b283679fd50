"""Publishing you can trust: before a new version of an agenda goes out, the planner sees what
changed and who will be told what; publishing then does exactly that, or nothing.

The preview is made by publishing for real inside a transaction that is then rolled back (the
version, its copies, the audit entry and the e-mails queued for after the commit all vanish):
what it shows is what ``agenda_publish`` and ``agenda_published_messages`` do, not a second
account of them. It shows only what the planner may see: each group is the attendees who would
read the same items among those the planner sees, so a group never betrays an item the planner
may not know of. Its fingerprint, over the same, travels with the publish form; publishing
works it out again on the version it makes and, if the two differ (the agenda, the attendees
or what they may see changed meanwhile), rolls back and asks to look again."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from ..confidentiality import Viewer
from ..models import AgendaItem, AgendaVersion, PublishedAgendaItem, Session
from ..selectors import agenda_items_visible_to, published_agenda_visible_to
from . import services
from .notifications import agenda_published_messages, change_line
from .selectors import (
    COMPARED_FIELDS,
    AgendaChange,
    ChangeName,
    agenda_changes,
    fields_changed,
    overlapping_items,
    published_agenda_to_compare,
)

CHANGED_SINCE = gettext_lazy(
    "The agenda, its attendees or what they may see changed since your preview: look at the "
    "new preview before you publish."
)
CONFIRM_CLASHES = gettext_lazy("The agenda has room clashes: confirm that you publish it as it is.")
# How the preview marks an item the attendees will read.
NEW: ChangeName = pgettext_lazy("agenda item", "new")
CHANGED: ChangeName = pgettext_lazy("agenda item", "changed")


@dataclass(frozen=True)
class Group:
    """Attendees who will read the same items (of those the planner sees) and be told the
    same (each in their own language; the preview shows it in the planner's)."""

    people: list[str]
    reads: list[tuple[str, ChangeName]]  # (title, ``NEW`` / ``CHANGED`` / "")
    # The items the e-mail names, those the planner may see, with what changed.
    named: list[tuple[str, tuple[ChangeName, ...]]] = field(default_factory=list)

    @property
    def told(self) -> list[str]:
        """The e-mail's lines about the changed items the planner may see, in the active
        language."""
        return [change_line(title, changes) for title, changes in self.named]


@dataclass
class Preview:
    version: int
    changes: list[AgendaChange]
    clashes: list[tuple[AgendaItem, list[AgendaItem]]]
    groups: list[Group] = field(default_factory=list)
    not_told: list[str] = field(default_factory=list)  # attendees who hear nothing, and why
    fingerprint: str = ""


class _Undo(Exception):
    def __init__(self, preview: Preview):
        self.preview = preview


def _mark(copy: PublishedAgendaItem, before: dict[int, PublishedAgendaItem]) -> ChangeName:
    earlier = before.get(copy.source_id) if copy.source_id else None
    if earlier is None:
        return NEW
    return CHANGED if fields_changed(now=copy, before=earlier) else ""


def _outcome(*, session: Session, viewer: Viewer, version: AgendaVersion) -> Preview:
    """What the version just made inside the transaction does, as far as ``viewer`` sees."""
    mine = list(published_agenda_visible_to(viewer=viewer, session=session, version=version.number))
    seen = {copy.pk for copy in mine}
    titles = {copy.pk: copy.title for copy in mine}
    before = {
        p.source_id: p
        for p in PublishedAgendaItem.objects.filter(
            session=session, version__number=version.number - 1
        )
    }
    marks = {copy.pk: _mark(copy, before) for copy in mine}
    groups: dict[tuple, list[str]] = {}
    told = agenda_published_messages(session_id=session.pk, version=version.number)
    told_ids = set()
    for each in told:
        told_ids.add(each.membership.pk)
        reads = tuple(copy.pk for copy in each.reads if copy.pk in seen)
        may_see = {titles[pk] for pk in reads}
        named = tuple((title, changes) for title, changes in each.named if title in may_see)
        groups.setdefault((reads, named), []).append(each.membership.person.full_name)
    preview = Preview(version=version.number, changes=[], clashes=[])
    for (reads, named), people in sorted(groups.items(), key=lambda kv: sorted(kv[1])):
        preview.groups.append(
            Group(
                people=sorted(people),
                reads=[(titles[pk], marks[pk]) for pk in reads],
                named=list(named),
            )
        )
    for attendance in session.attendances.select_related("membership__person__user"):
        member = attendance.membership
        if member.pk in told_ids:
            continue
        if member.state != member.State.ACCEPTED:
            why = _("not yet a member who has accepted")
        elif member.person.user_id is None or not member.person.user.is_active:
            why = _("no active account")
        else:
            why = _("may not see this session yet (the ground rules, or its level)")
        preview.not_told.append(
            _("%(name)s: %(why)s") % {"name": member.person.full_name, "why": why}
        )
    preview.not_told.sort()
    preview.fingerprint = _fingerprint(version=version.number, mine=mine, groups=preview.groups)
    return preview


def _fingerprint(*, version: int, mine: list[PublishedAgendaItem], groups: list[Group]) -> str:
    """The same whatever language the planner reads the preview in (its words are written in
    the site's language here)."""
    items = [
        [copy.source_id, copy.order, *(str(getattr(copy, f)) for f in COMPARED_FIELDS)]
        for copy in mine
    ]
    with translation.override(settings.LANGUAGE_CODE):
        told = [[g.people, g.reads, g.told] for g in groups]
        text = json.dumps([version, items, told], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _working_view(*, session: Session, viewer: Viewer) -> tuple[list, list]:
    items = list(
        agenda_items_visible_to(viewer=viewer, session=session).prefetch_related("readers")
    )
    clashes = overlapping_items(items)
    changes = (
        agenda_changes(
            working=items,
            published=list(published_agenda_to_compare(viewer=viewer, session=session)),
        )
        if session.published_version
        else [AgendaChange("added", item.title) for item in items]
    )
    return changes, [(item, clashes[item.pk]) for item in items if item.pk in clashes]


def publish_preview(*, session: Session, viewer: Viewer) -> Preview:
    """What publishing the working agenda now would do, as far as ``viewer`` sees; nothing is
    kept. Refused (``ValidationError``) as publishing itself would be (a cancelled session)."""
    changes, clashes = _working_view(session=session, viewer=viewer)
    try:
        with transaction.atomic():
            version = services.agenda_publish(session=session, by=None)
            raise _Undo(_outcome(session=session, viewer=viewer, version=version))
    except _Undo as undone:
        preview = undone.preview
    session.refresh_from_db()
    preview.changes, preview.clashes = changes, clashes
    return preview


@transaction.atomic
def publish_as_previewed(
    *, session: Session, viewer: Viewer, fingerprint: str, clashes_confirmed: bool, by=None
) -> AgendaVersion:
    """Publish, if it does what the preview with ``fingerprint`` showed (else nothing is kept:
    ``ValidationError``), and if any room clash the planner sees was confirmed."""
    _changes, clashes = _working_view(session=session, viewer=viewer)
    if clashes and not clashes_confirmed:
        raise ValidationError({"confirm_clashes": str(CONFIRM_CLASHES)})
    version = services.agenda_publish(session=session, by=by)
    if _outcome(session=session, viewer=viewer, version=version).fingerprint != fingerprint:
        raise ValidationError(str(CHANGED_SINCE))
    return version
