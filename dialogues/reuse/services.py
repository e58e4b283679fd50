"""Writes of reuse: copying an earlier session's agenda or a template onto a session's working
agenda, and saving and deleting templates. Each takes the viewer whose sight decides what is
copied or kept (``dialogues.reuse.selectors``), and is audited.

A copy is all or nothing: every item is placed first (``drafts.place``), and if any would be
refused (a day the session does not have, a time outside it, a level below the session's) the
copy is refused naming each such item, and nothing is written. Otherwise each item is added
after the existing ones through ``planning.services.agenda_item_create``, which enforces the
agenda's rules again (narrow-only, times within the session, the moderator on the roster),
inside one transaction. No reader is copied: as with every new item, whoever copies is named on
each copy (so a copy at a level for named people stays theirs alone)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from trackii.audit.services import Action, audit_record

from ..confidentiality import Viewer
from ..models import AgendaItem, AgendaTemplate, AgendaTemplateItem, Session
from ..planning.services import agenda_item_create
from .drafts import ItemDraft, place, template_slot
from .selectors import session_drafts, template_drafts

NOTHING_TO_COPY = gettext_lazy("There is nothing to copy: no item of that agenda is yours to see.")


def _copy(*, session: Session, drafts: list[ItemDraft], by) -> list[AgendaItem]:
    # Locked, and read again: the session's days and level as they are now.
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("level").get(pk=session.pk)
    )
    if not drafts:
        raise ValidationError(NOTHING_TO_COPY)
    placed = place(drafts, session)
    problems = [problem for item in placed for problem in item.problems]
    if problems:
        raise ValidationError(problems)
    created = []
    for item in placed:
        try:
            copy = agenda_item_create(session=session, created_by=by, **item.item_fields())
        except ValidationError as error:
            raise ValidationError(
                [
                    _("“%(title)s”: %(message)s") % {"title": item.title, "message": message}
                    for message in error.messages
                ]
            ) from error
        kind, origin_id = item.draft.origin or ("", 0)
        audit_record(
            action=Action.CREATED,
            obj=copy,
            actor=by,
            dialogue_id=session.dialogue_id,
            detail={"reused": kind, f"from_{kind}": origin_id} if kind else {"reused": True},
        )
        created.append(copy)
    return created


@transaction.atomic
def agenda_copy_from_session(
    *, viewer: Viewer, session: Session, source: Session, by=None
) -> list[AgendaItem]:
    """Copy what the viewer sees of ``source``'s working agenda onto ``session``'s (both of one
    dialogue; ``source`` found by ``selectors.source_for``)."""
    if source.dialogue_id != session.dialogue_id or source.pk == session.pk:
        raise ValidationError(_("Only another session of the same dialogue can be copied."))
    return _copy(session=session, drafts=session_drafts(viewer=viewer, session=source), by=by)


@transaction.atomic
def agenda_copy_from_template(
    *, viewer: Viewer, session: Session, template: AgendaTemplate, by=None
) -> list[AgendaItem]:
    """Place the template's items the viewer may see (``template`` found by
    ``selectors.template_for`` for this viewer) on ``session``'s days."""
    if template.dialogue_id != session.dialogue_id:
        raise ValidationError(_("Only a template of the same dialogue can be applied."))
    return _copy(session=session, drafts=template_drafts(template), by=by)


def kept_in_template(drafts: list[ItemDraft]) -> tuple[list[ItemDraft], int]:
    """What a template keeps of these drafts, and how many it leaves out (those for named
    readers: a template names nobody)."""
    kept = [d for d in drafts if not d.names_readers]
    return kept, len(drafts) - len(kept)


@transaction.atomic
def agenda_template_save(
    *, viewer: Viewer, session: Session, name: str, by=None
) -> tuple[AgendaTemplate, int]:
    """Save what the viewer sees of the session's working agenda as a template of its dialogue
    (each item's day, times on the venue's clock, level; no readers, no moderator). Returns the
    template and how many items for named readers it left out."""
    name = name.strip()
    if AgendaTemplate.objects.filter(dialogue_id=session.dialogue_id, name__iexact=name).exists():
        raise ValidationError({"name": _NAME_TAKEN % {"name": name}})
    kept, left_out = kept_in_template(session_drafts(viewer=viewer, session=session))
    if not kept:
        if left_out:
            raise ValidationError(
                ngettext(
                    "This agenda has no item a template can keep (%(count)s for named readers "
                    "is not kept in templates).",
                    "This agenda has no item a template can keep (%(count)s for named readers "
                    "are not kept in templates).",
                    left_out,
                )
                % {"count": left_out}
            )
        raise ValidationError(_("This agenda has no item a template can keep."))
    template = AgendaTemplate(dialogue_id=session.dialogue_id, name=name, created_by=by)
    template.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():  # a template saved meanwhile under the same name
            template.save()
    except IntegrityError:
        raise ValidationError({"name": _NAME_TAKEN % {"name": name}}) from None
    AgendaTemplateItem.objects.bulk_create(
        AgendaTemplateItem(
            template=template,
            order=order,
            room=draft.room,
            title=draft.title,
            description=draft.description,
            kind=draft.kind,
            level=draft.level,
            **template_slot(draft),
        )
        for order, draft in enumerate(kept, start=1)
    )
    audit_record(
        action=Action.CREATED,
        obj=template,
        actor=by,
        dialogue_id=session.dialogue_id,
        detail={"from_session": session.pk, "items": len(kept), "left_out_named": left_out},
    )
    return template, left_out


_NAME_TAKEN = gettext_lazy(
    "This dialogue already has a template called “%(name)s”: choose another name."
)


@transaction.atomic
def agenda_template_delete(*, template: AgendaTemplate, by=None) -> None:
    """Delete a template of the dialogue (its items with it). Any member of the convening team
    may, even one who sees only part of it: refusing them would tell them that it holds items
    above their clearance. The agendas it was made from or applied to are untouched, and the
    deletion is in the audit trail."""
    audit_record(
        action=Action.DELETED,
        obj=template,
        actor=by,
        dialogue_id=template.dialogue_id,
        detail={"items": template.items.count()},
    )
    template.delete()
