"""Writes of the officials register: add, edit (against the revision the editor started from),
retire and reinstate. Only the dialogue's convening team, and nobody is given a clearance above
the giver's own (the roster's rule). Every write is audited (ids and field names only)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trackii.audit.services import Action, audit_record

from ..concurrency import save_with_revision
from ..confidentiality import Viewer, can_plan, grantable_levels
from ..models import Dialogue, Official

OFFICIAL_FIELDS = (
    "name",
    "position",
    "institution",
    "email",
    "language",
    "reached_by",
    "clearance",
    "note",
)


def _may_keep(*, viewer: Viewer, dialogue_id: int) -> None:
    if not can_plan(viewer, dialogue_id):
        raise ValidationError(_("Only the dialogue's convening team keeps its officials register."))


def _check(
    *, dialogue_id: int, viewer: Viewer, values: dict[str, Any], official: Official | None = None
) -> dict[str, Any]:
    unknown = set(values) - set(OFFICIAL_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of an official: {sorted(unknown)}")
    values = {**values, "email": values["email"].strip()}
    keep = official.clearance if official is not None else None
    if not grantable_levels(viewer, dialogue_id, keep=keep).filter(pk=values["clearance"].pk):
        raise ValidationError(
            {
                "clearance": _(
                    "“%(level)s” is above your own clearance: a pack can hold only what you may "
                    "read yourself."
                )
                % {"level": values["clearance"]}
            }
        )
    others = Official.objects.filter(dialogue_id=dialogue_id, email__iexact=values["email"])
    if official is not None:
        others = others.exclude(pk=official.pk)
    if others.exists():
        raise ValidationError(
            {"email": _("The register already has an official with this e-mail.")}
        )
    return values


@transaction.atomic
def official_create(
    *, dialogue: Dialogue, viewer: Viewer, by, values: dict[str, Any], request=None
) -> Official:
    _may_keep(viewer=viewer, dialogue_id=dialogue.pk)
    values = _check(dialogue_id=dialogue.pk, viewer=viewer, values=values)
    official = Official(dialogue=dialogue, created_by=by, **values)
    official.full_clean()
    official.save()
    audit_record(
        action=Action.CREATED,
        obj=official,
        actor=by,
        request=request,
        dialogue_id=dialogue.pk,
        detail={"clearance": official.clearance_id},
    )
    return official


@transaction.atomic
def official_edit(
    *,
    official: Official,
    viewer: Viewer,
    by,
    expected_revision: int,
    values: dict[str, Any],
    request=None,
) -> Official:
    """Save an edit made from ``expected_revision``; ``EditConflict`` (nothing written) if
    someone saved meanwhile."""
    _may_keep(viewer=viewer, dialogue_id=official.dialogue_id)
    values = _check(
        dialogue_id=official.dialogue_id, viewer=viewer, values=values, official=official
    )
    changed = sorted(name for name, value in values.items() if getattr(official, name) != value)
    updated = save_with_revision(
        instance=official, expected_revision=expected_revision, values=values
    )
    audit_record(
        action=Action.CHANGED,
        obj=updated,
        actor=by,
        request=request,
        dialogue_id=updated.dialogue_id,
        detail={"fields": changed, "revision": updated.edit_revision},
    )
    return updated


@transaction.atomic
def official_set_retired(
    *, official: Official, viewer: Viewer, by, retired: bool, request=None
) -> Official:
    """Retire an official (no longer offered as a pack's recipient; kept for the history of
    the packs sent) or reinstate them."""
    _may_keep(viewer=viewer, dialogue_id=official.dialogue_id)
    official = Official.objects.select_for_update().get(pk=official.pk)
    if (official.retired_at is not None) == retired:
        return official
    official.retired_at = timezone.now() if retired else None
    official.edit_revision += 1
    official.save(update_fields=["retired_at", "edit_revision", "updated_at"])
    audit_record(
        action=Action.CHANGED,
        obj=official,
        actor=by,
        request=request,
        dialogue_id=official.dialogue_id,
        detail={"retired": retired, "revision": official.edit_revision},
    )
    return official
