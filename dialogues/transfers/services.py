"""Writes of transfers (an idea reaching an official) and observed changes (outcome harvesting).
Each is held at the convening team's level or stricter (``record_floor``), a transfer never
below its idea; what it links to must be what its author may see, of the same dialogue. Each
write is recorded in the audit trail."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from participants.models import Membership
from trackii.audit.services import Action, audit_record

from ..concurrency import save_with_revision
from ..confidentiality import Viewer, record_floor, visible
from ..models import (
    BriefingPackCopy,
    ConfidentialityLevel,
    Dialogue,
    Idea,
    ObservedChange,
    Official,
    Transfer,
)
from ..services import name_readers


def _check_floor(level: ConfidentialityLevel, *, at_least: ConfidentialityLevel | None = None):
    floor = record_floor()
    if floor is not None and level.rank < floor.rank:
        raise ValidationError(
            {"level": _("Held at %(level)s or stricter.") % {"level": floor.label}}
        )
    if at_least is not None and level.rank < at_least.rank:
        raise ValidationError(
            {
                "level": _("Never below its idea's level: %(level)s or stricter.")
                % {"level": at_least.label}
            }
        )


def _check_official(official: Official, dialogue_id: int) -> None:
    if official.dialogue_id != dialogue_id:
        raise ValidationError({"official": _("Choose an official of this dialogue's register.")})


def _check_carrier(carried_by: Membership | None, dialogue_id: int) -> None:
    if carried_by is not None and (
        carried_by.dialogue_id != dialogue_id or carried_by.state != Membership.State.ACCEPTED
    ):
        raise ValidationError({"carried_by": _("Choose an accepted member of this dialogue.")})


@transaction.atomic
def transfer_log(
    *,
    idea: Idea,
    official: Official,
    means: str,
    occurred_on: date,
    level: ConfidentialityLevel,
    carried_by: Membership | None = None,
    pack_copy: BriefingPackCopy | None = None,
    reaction_kind: str = Transfer.Reaction.UNKNOWN,
    reaction: str = "",
    readers=(),
    by=None,
) -> Transfer:
    """Record that ``idea`` reached ``official``. A pack copy must be one sent to that
    official, of this dialogue."""
    _check_official(official, idea.dialogue_id)
    _check_carrier(carried_by, idea.dialogue_id)
    _check_floor(level, at_least=idea.level)
    if pack_copy is not None:
        if pack_copy.pack.dialogue_id != idea.dialogue_id or pack_copy.official_id != official.pk:
            raise ValidationError({"pack_copy": _("Choose a copy that went to this official.")})
        means = Transfer.Means.PACK
    transfer = Transfer(
        dialogue_id=idea.dialogue_id,
        idea=idea,
        official=official,
        means=means,
        occurred_on=occurred_on,
        pack_copy=pack_copy,
        carried_by=carried_by,
        reaction_kind=reaction_kind,
        reaction=reaction,
        level=level,
        created_by=by,
    )
    transfer.full_clean()
    transfer.save()
    name_readers(transfer, readers=readers, created_by=by)
    if idea.state in (Idea.State.RAISED, Idea.State.DEVELOPED, Idea.State.DRAFTED):
        Idea.objects.filter(pk=idea.pk).update(state=Idea.State.TRANSFERRED)
        idea.state = Idea.State.TRANSFERRED
    audit_record(
        action=Action.CREATED,
        obj=transfer,
        actor=by,
        dialogue_id=idea.dialogue_id,
        detail={"idea": idea.pk, "official": official.pk, "means": transfer.means},
    )
    return transfer


@transaction.atomic
def transfer_react(
    *, transfer: Transfer, reaction_kind: str, reaction: str, revision: int, by=None
) -> Transfer:
    """Record the official's reaction. ``revision`` is the one the form was read at: an edit
    made since is not overwritten (``EditConflict``, the project's edit-revision rule)."""
    if reaction_kind not in Transfer.Reaction.values:
        raise ValidationError({"reaction_kind": _("Choose one of the reactions.")})
    before = transfer.reaction_kind
    saved = save_with_revision(
        instance=transfer,
        expected_revision=revision,
        values={"reaction_kind": reaction_kind, "reaction": reaction},
    )
    audit_record(
        action=Action.CHANGED,
        obj=saved,
        actor=by,
        dialogue_id=saved.dialogue_id,
        detail={"reaction": [before, reaction_kind]},
    )
    return saved


def transfers_for_copy(*, copy: BriefingPackCopy, by=None) -> list[Transfer]:
    """Once a copy's link is issued, each idea it carries has reached its official: one transfer
    each (never twice for the same copy), carried by whoever issued the link, at the convening
    team's level or the idea's, whichever is stricter."""
    official = copy.official
    if official is None:
        return []
    made = []
    carrier = None
    if by is not None:
        carrier = Membership.objects.filter(
            dialogue_id=copy.pack.dialogue_id,
            person__user=by,
            state=Membership.State.ACCEPTED,
        ).first()
    floor = record_floor()
    already = set(Transfer.objects.filter(pack_copy=copy).values_list("idea_id", flat=True))
    for idea in copy.ideas.select_related("level").exclude(pk__in=already):
        level = idea.level if floor is None or idea.level.rank >= floor.rank else floor
        made.append(
            transfer_log(
                idea=idea,
                official=official,
                means=Transfer.Means.PACK,
                occurred_on=(copy.link_issued_at.date() if copy.link_issued_at else date.today()),
                level=level,
                carried_by=carrier,
                pack_copy=copy,
                by=by,
            )
        )
    return made


def _linked(*, viewer: Viewer, dialogue: Dialogue, model, chosen, field: str) -> list:
    ids = sorted({x.pk for x in chosen})
    if not ids:
        return []
    seen = list(visible(viewer, model.objects.filter(pk__in=ids), dialogue_id=dialogue.pk))
    if len(seen) != len(ids):
        raise ValidationError({field: _("Choose among what this dialogue shows you.")})
    return seen


@transaction.atomic
def change_record(
    *,
    dialogue: Dialogue,
    viewer: Viewer,
    kind: str,
    observed_on: date,
    who_changed: str,
    what_changed: str,
    significance: str,
    contribution: str,
    level: ConfidentialityLevel,
    substantiated_by: str = "",
    ideas=(),
    transfers=(),
    readers=(),
    by=None,
) -> ObservedChange:
    """Record an observed change, linked to ideas and transfers the recorder may see; held at
    the convening team's level or stricter, and never below what it links to."""
    linked_ideas = _linked(
        viewer=viewer, dialogue=dialogue, model=Idea, chosen=ideas, field="ideas"
    )
    linked_transfers = _linked(
        viewer=viewer, dialogue=dialogue, model=Transfer, chosen=transfers, field="transfers"
    )
    strictest = max(
        (x.level for x in [*linked_ideas, *linked_transfers]),
        key=lambda lvl: lvl.rank,
        default=None,
    )
    _check_floor(level, at_least=strictest)
    change = ObservedChange(
        dialogue=dialogue,
        kind=kind,
        observed_on=observed_on,
        who_changed=who_changed,
        what_changed=what_changed,
        significance=significance,
        contribution=contribution,
        substantiated_by=substantiated_by,
        level=level,
        created_by=by,
    )
    change.full_clean()
    change.save()
    change.ideas.set(linked_ideas)
    change.transfers.set(linked_transfers)
    name_readers(change, readers=readers, created_by=by)
    audit_record(
        action=Action.CREATED,
        obj=change,
        actor=by,
        dialogue_id=dialogue.pk,
        detail={
            "ideas": [i.pk for i in linked_ideas],
            "transfers": [t.pk for t in linked_transfers],
        },
    )
    return change
