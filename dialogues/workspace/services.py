"""Writes of the workspace: opening a dialogue, editing it (never losing an edit), its sides and
its roster. Each write is audited, with ids and codes only; who may call these is decided by the
views through ``dialogues.confidentiality``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.invitations import services as invitation_services
from participants.models import Invitation, Membership, Person
from participants.services import membership_start_as_convenor, membership_update, person_create
from participants.vetting.services import membership_nominate
from trackii.audit.services import Action, audit_record

from ..concurrency import EditConflict, save_with_revision
from ..confidentiality import (
    Viewer,
    can_change_membership,
    check_membership_change,
    check_roster_add,
    outbound_levels,
    raises_outbound,
    viewer_for_user,
)
from ..models import CaucusComment, ConfidentialityLevel, Dialogue, OutboundLevelRequest, Side
from ..outbound.services import OUTBOUND_CHANGED, outbound_raise_request, outbound_requests_lapse
from ..services import person_of

if TYPE_CHECKING:
    from django.http import HttpRequest

DIALOGUE_FIELDS = (
    "title",
    "context",
    "briefing_summary",
    "convening_organisation",
    "track",
    "aim",
    "status",
    "default_level",
    "ground_rules",
    "language",
    "ground_rules_translations",
    "cover_name",
    "outbound_level",
    "attendance_visible",
)
PERSON_FIELDS = (
    "full_name",
    "family_name",
    "name_original_script",
    "affiliation",
    "position",
    "proximity",
    "nationality",
    "gender",
    "languages",
    "language",
    "email",
)


def _changed(instance, values: dict[str, Any]) -> list[str]:
    return sorted(name for name, value in values.items() if getattr(instance, name) != value)


def _above_own_clearance(level: ConfidentialityLevel) -> str:
    return _(
        "“%(level)s” is above your own clearance in this dialogue: only someone cleared for it "
        "can let it leave."
    ) % {"level": level.label}


# -- the dialogue ---------------------------------------------------------------------------------


@transaction.atomic
def dialogue_create(
    *,
    by,
    convenor: Person | None = None,
    clearance: ConfidentialityLevel | None = None,
    request: HttpRequest | None = None,
    **fields,
) -> Dialogue:
    """Open a dialogue with its convenor, an accepted member from the start: ``convenor`` if
    given (the demo names one), otherwise whoever opens it (``by``), who gets a Person from their
    account if they have none. The convenor is cleared at ``clearance``, or at the strictest
    level of the scale (``Restricted`` by default). The dialogue starts with the lowest outbound
    level: an outbound level chosen above it is asked for (``outbound_raise_request``), to be
    confirmed by another member of the convening team once there is one."""
    unknown = set(fields) - set(DIALOGUE_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of a dialogue's workspace: {sorted(unknown)}")
    wanted_outbound = fields.pop("outbound_level", None)
    if convenor is None:
        if by is None:
            raise TypeError("Name the convenor, or the account that opens the dialogue.")
        convenor = person_of(by)
        if convenor is None:
            convenor = person_create(full_name=by.display_name or by.email, user=by, email=by.email)
            audit_record(action=Action.CREATED, obj=convenor, actor=by, request=request)
    if clearance is None:
        clearance = ConfidentialityLevel.objects.order_by("-rank").first()
        if clearance is None:
            raise ValidationError(_("The confidentiality scale has no levels yet."))
    dialogue = Dialogue(
        outbound_level=ConfidentialityLevel.objects.order_by("rank").first(), **fields
    )
    dialogue.full_clean()
    dialogue.save()
    membership = membership_nominate(
        person=convenor,
        dialogue=dialogue,
        role=Membership.Role.CONVENOR,
        clearance=clearance,
        nominated_by=by,
        vet=False,
    )
    membership_start_as_convenor(membership=membership)
    audit_record(
        action=Action.CREATED,
        obj=dialogue,
        actor=by,
        request=request,
        dialogue_id=dialogue.pk,
        detail={"convenor_person_id": convenor.pk, "clearance_id": clearance.pk},
    )
    if raises_outbound(dialogue, wanted_outbound):
        outbound_raise_request(
            dialogue=dialogue,
            to_level=wanted_outbound,
            by=by,
            viewer=viewer_for_user(by),
            request=request,
        )
    return dialogue


@transaction.atomic
def dialogue_update(
    *,
    dialogue: Dialogue,
    expected_revision: int,
    values: dict[str, Any],
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> Dialogue:
    """Save an edit made from ``expected_revision``. If someone saved meanwhile, raises
    ``EditConflict`` with what differs, and writes nothing; if what they saved is exactly what
    this editor wants, there is nothing to lose and the record is returned as it stands.

    The outbound level is set here only within the editor's clearance (``outbound_levels``) and
    never raised: raising it is a request another member confirms (``dialogue_edit``). Lowering
    it makes any open request to raise it lapse."""
    unknown = set(values) - set(DIALOGUE_FIELDS)
    if unknown:
        raise TypeError(f"Not fields of a dialogue's workspace: {sorted(unknown)}")
    changed = _changed(dialogue, values)
    if "outbound_level" in changed:
        wanted = values["outbound_level"]
        if wanted is not None and not outbound_levels(viewer, dialogue).filter(pk=wanted.pk):
            raise ValidationError({"outbound_level": _above_own_clearance(wanted)})
        if raises_outbound(dialogue, wanted):
            raise ValidationError(
                {
                    "outbound_level": _(
                        "Raising what may leave Trackii needs another member of the convening "
                        "team to confirm it."
                    )
                }
            )
    derived = {}
    if {"ground_rules", "ground_rules_translations", "language"} & set(changed):
        # New text, in any language: everyone accepts it again before seeing anything more.
        derived["ground_rules_version"] = dialogue.ground_rules_version + 1
    try:
        updated = save_with_revision(
            instance=dialogue, expected_revision=expected_revision, values=values, derived=derived
        )
    except EditConflict as conflict:
        if conflict.changes:
            raise
        return cast(Dialogue, conflict.current)  # the conflict is about this dialogue
    audit_record(
        action=Action.CHANGED,
        obj=updated,
        actor=by,
        request=request,
        dialogue_id=updated.pk,
        detail={"fields": changed, "revision": updated.edit_revision},
    )
    if "outbound_level" in changed:
        outbound_requests_lapse(
            dialogue_id=updated.pk, reason=OUTBOUND_CHANGED, by=by, request=request
        )
    return updated


@transaction.atomic
def dialogue_edit(
    *,
    dialogue: Dialogue,
    expected_revision: int,
    values: dict[str, Any],
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> OutboundLevelRequest | None:
    """The edit form's save: ``dialogue_update`` with everything but a raise of the outbound
    level, which becomes a request for another member to confirm (returned; None otherwise)."""
    wanted = values.get("outbound_level")
    if wanted is None or not raises_outbound(dialogue, wanted):
        dialogue_update(
            dialogue=dialogue,
            expected_revision=expected_revision,
            values=values,
            by=by,
            viewer=viewer,
            request=request,
        )
        return None
    # Checked before anything is saved: a raise above one's own clearance refuses the whole edit.
    if not outbound_levels(viewer, dialogue).filter(pk=wanted.pk).exists():
        raise ValidationError({"outbound_level": _above_own_clearance(wanted)})
    updated = dialogue_update(
        dialogue=dialogue,
        expected_revision=expected_revision,
        values={**values, "outbound_level": dialogue.outbound_level},
        by=by,
        viewer=viewer,
        request=request,
    )
    return outbound_raise_request(
        dialogue=updated, to_level=wanted, by=by, viewer=viewer, request=request
    )


# -- sides ----------------------------------------------------------------------------------------


@transaction.atomic
def side_create(
    *,
    dialogue: Dialogue,
    name: str,
    is_third_party: bool = False,
    position: int = 0,
    by=None,
    request: HttpRequest | None = None,
) -> Side:
    side = Side(dialogue=dialogue, name=name, is_third_party=is_third_party, position=position)
    side.full_clean()
    side.save()
    audit_record(
        action=Action.CREATED, obj=side, actor=by, request=request, dialogue_id=dialogue.pk
    )
    return side


@transaction.atomic
def side_update(
    *,
    side: Side,
    name: str,
    is_third_party: bool,
    position: int,
    by,
    request: HttpRequest | None = None,
) -> Side:
    values = {"name": name, "is_third_party": is_third_party, "position": position}
    changed = _changed(side, values)
    for field, value in values.items():
        setattr(side, field, value)
    side.full_clean()
    side.save()
    audit_record(
        action=Action.CHANGED,
        obj=side,
        actor=by,
        request=request,
        dialogue_id=side.dialogue_id,
        detail={"fields": changed},
    )
    return side


@transaction.atomic
def side_delete(*, side: Side, by, request: HttpRequest | None = None) -> None:
    """Delete a side nobody is on. A side with members is refused: they would lose their side
    without anyone deciding where they belong."""
    members = side.memberships.count()
    if members:
        raise ValidationError(
            ngettext(
                "“%(side)s” still has %(count)s member on the roster. Move them to another side "
                "first, then delete it.",
                "“%(side)s” still has %(count)s members on the roster. Move them to another side "
                "first, then delete it.",
                members,
            )
            % {"side": side.name, "count": members}
        )
    if CaucusComment.objects.filter(side=side).exists():
        raise ValidationError(
            _(
                "“%(side)s” commented on a non-paper: its caucus thread is kept, and the side "
                "with it. Rename the side instead."
            )
            % {"side": side.name}
        )
    audit_record(
        action=Action.DELETED, obj=side, actor=by, request=request, dialogue_id=side.dialogue_id
    )
    try:
        with transaction.atomic():
            side.delete()
    except ProtectedError:  # someone put a member on it meanwhile
        raise ValidationError(
            _("“%(side)s” has members on the roster now. Move them to another side first.")
            % {"side": side.name}
        ) from None


# -- the roster -----------------------------------------------------------------------------------


@transaction.atomic
def roster_add_person(
    *,
    dialogue: Dialogue,
    side: Side | None,
    role: str,
    clearance: ConfidentialityLevel,
    by,
    viewer: Viewer,
    person: Person | None = None,
    new_person: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Membership:
    """Put a person on the roster, an existing one (the caller has checked the convening team
    knows them) or a new one made from ``new_person``. They start as nominated; vetting and
    invitations move them on. ``viewer`` (the one adding) may give no clearance above their
    own, and only a convenor gives the convening team's roles (``check_roster_add``)."""
    check_roster_add(viewer, dialogue_id=dialogue.pk, role=role, clearance=clearance)
    if person is None and new_person is not None:
        unknown = set(new_person) - set(PERSON_FIELDS)
        if unknown:
            raise TypeError(f"Not fields of a new person: {sorted(unknown)}")
        person = person_create(**new_person)
        audit_record(
            action=Action.CREATED, obj=person, actor=by, request=request, dialogue_id=dialogue.pk
        )
    elif person is not None and new_person is None:
        if Membership.objects.filter(person=person, dialogue=dialogue).exists():
            raise ValidationError({"person": _("This person is already on the roster.")})
    else:
        raise TypeError("Give either an existing person or the fields of a new one.")
    membership = membership_nominate(
        person=person,
        dialogue=dialogue,
        side=side,
        role=role,
        clearance=clearance,
        nominated_by=by,
    )
    audit_record(
        action=Action.CREATED,
        obj=membership,
        actor=by,
        request=request,
        dialogue_id=dialogue.pk,
        detail={
            "person_id": person.pk,
            "side_id": side.pk if side else None,
            "role": role,
            "clearance_id": clearance.pk,
        },
    )
    return membership


@transaction.atomic
def roster_update_membership(
    *,
    membership: Membership,
    side: Side | None,
    role: str,
    clearance: ConfidentialityLevel,
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> Membership:
    """Change a member's side, role and clearance (never their state), as far as the one
    editing may (``confidentiality.check_membership_change``: a member of the convening team
    changes only members cleared below their own clearance, only the convenor gives or takes
    the team's roles, nobody gives a clearance above their own). A dialogue keeps its last
    accepted convenor, and at least one accepted convenor or facilitator: without them, nobody
    could plan it or hold the team's roles."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("clearance", "person")
        .get(pk=membership.pk)
    )
    check_membership_change(viewer, membership=membership, role=role, clearance=clearance)
    accepted = membership.state == Membership.State.ACCEPTED
    steps_down = (
        accepted and membership.role == Membership.Role.CONVENOR and role != membership.role
    )
    if steps_down and not _others_accepted_in(membership, [Membership.Role.CONVENOR]):
        raise ValidationError(
            {
                "role": _(
                    "This is the dialogue's last accepted convenor: the convening team would "
                    "have nobody to hold its roles. Make someone else convenor first."
                )
            }
        )
    leaves_convening_team = (
        accepted and membership.is_convening and role not in Membership.CONVENING_ROLES
    )
    if leaves_convening_team and not _others_accepted_in(membership, Membership.CONVENING_ROLES):
        raise ValidationError(
            {
                "role": _(
                    "This is the dialogue's last accepted convenor or facilitator: nobody could "
                    "plan the dialogue any more. Bring someone else onto the convening team "
                    "first."
                )
            }
        )
    changed = _changed(membership, {"side": side, "role": role, "clearance": clearance})
    membership_update(membership=membership, side=side, role=role, clearance=clearance)
    audit_record(
        action=Action.CHANGED,
        obj=membership,
        actor=by,
        request=request,
        dialogue_id=membership.dialogue_id,
        detail={
            "fields": changed,
            "side_id": membership.side_id,
            "role": role,
            "clearance_id": clearance.pk,
        },
    )
    return membership


# -- invitations ----------------------------------------------------------------------------------
# Sending, resending and revoking follow the roster's rule (``can_change_membership``): inviting
# someone is letting them in at their clearance.


def _check_may_invite(viewer: Viewer, membership: Membership) -> None:
    if not can_change_membership(viewer, membership):
        raise ValidationError(
            _("Only the convenor invites someone cleared at or above your own clearance.")
        )


@transaction.atomic
def roster_invite(
    *, membership: Membership, by, viewer: Viewer, request: HttpRequest | None = None
) -> Invitation:
    """Send (or send again) an invitation to a cleared member (``participants`` sends it). The
    rule is asked of the membership as it stands under its row lock, so a clearance raised
    meanwhile is not invited on the strength of the old one."""
    membership = _locked_membership(membership)
    _check_may_invite(viewer, membership)
    return invitation_services.invitation_send(membership=membership, by=by, request=request)


@transaction.atomic
def roster_invitation_revoke(
    *, invitation: Invitation, by, viewer: Viewer, request: HttpRequest | None = None
) -> Invitation:
    _check_may_invite(viewer, _locked_membership(invitation.membership))
    return invitation_services.invitation_revoke(invitation=invitation, by=by, request=request)


# -- several members at once ----------------------------------------------------------------------
# All or nothing: every member is checked under its row lock against the rule the single action
# follows; if any is refused, nothing is written and the refusal names each one and why.
# Otherwise each is done by the single action's own service, audited exactly as it would be.


@dataclass(frozen=True)
class Refusal:
    membership: Membership
    reason: str


class RosterBulkRefused(ValidationError):
    """Some of the members chosen may not be acted on by this viewer: nothing was done."""

    def __init__(self, refusals: Sequence[Refusal]):
        self.refusals = list(refusals)
        super().__init__([f"{r.membership.person.full_name}: {r.reason}" for r in self.refusals])


def _locked_members(dialogue: Dialogue, memberships: Sequence[Membership]) -> list[Membership]:
    """The members under row locks (in id order, so two bulk actions cannot deadlock), as they
    stand now; refused unless every one is on this dialogue's roster."""
    ids = sorted({m.pk for m in memberships})
    if not ids:
        raise ValidationError(_("Choose at least one member of the roster."))
    locked = list(
        Membership.objects.select_for_update(of=("self",))
        .select_related("person", "clearance")
        .filter(dialogue=dialogue, pk__in=ids)
        .order_by("pk")
    )
    if [m.pk for m in locked] != ids:
        raise ValidationError(_("Only members of this dialogue's roster can be chosen."))
    return locked


def _refused(check, members: Sequence[Membership]) -> list[Refusal]:
    refusals = []
    for membership in members:
        try:
            check(membership)
        except ValidationError as error:
            refusals.append(Refusal(membership, " ".join(error.messages)))
    return refusals


@transaction.atomic
def roster_bulk_invite(
    *,
    dialogue: Dialogue,
    memberships: Sequence[Membership],
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> list[Invitation]:
    """Invite every member chosen (a fresh link to those already invited), or nobody: each must
    be the viewer's to invite (``can_change_membership``) and invitable
    (``invitation_services.check_invitable``), as for ``roster_invite``; otherwise
    ``RosterBulkRefused`` names each one refused, and nothing is sent."""
    members = _locked_members(dialogue, memberships)

    def check(membership: Membership) -> None:
        _check_may_invite(viewer, membership)
        invitation_services.check_invitable(membership)

    refusals = _refused(check, members)
    if refusals:
        raise RosterBulkRefused(refusals)
    return [
        roster_invite(membership=membership, by=by, viewer=viewer, request=request)
        for membership in members
    ]


@transaction.atomic
def roster_bulk_set_side(
    *,
    dialogue: Dialogue,
    memberships: Sequence[Membership],
    side: Side,
    by,
    viewer: Viewer,
    request: HttpRequest | None = None,
) -> list[Membership]:
    """Put every member chosen on ``side`` (their role and clearance unchanged), or nobody: each
    must be the viewer's to change (``check_membership_change``), as for
    ``roster_update_membership``; otherwise ``RosterBulkRefused`` names each one refused, and
    nothing changes. Returns the members moved (those already on the side are left as they
    are, and recorded nowhere)."""
    if side.dialogue_id != dialogue.pk:
        raise ValidationError(_("Choose a side of this dialogue."))
    members = _locked_members(dialogue, memberships)

    def check(membership: Membership) -> None:
        check_membership_change(
            viewer, membership=membership, role=membership.role, clearance=membership.clearance
        )

    refusals = _refused(check, members)
    if refusals:
        raise RosterBulkRefused(refusals)
    return [
        roster_update_membership(
            membership=membership,
            side=side,
            role=membership.role,
            clearance=membership.clearance,
            by=by,
            viewer=viewer,
            request=request,
        )
        for membership in members
        if membership.side_id != side.pk
    ]


def _others_accepted_in(membership: Membership, roles) -> bool:
    """Whether anyone else in the membership's dialogue holds one of ``roles``, accepted (their
    rows locked until the change is saved, so two people cannot both step down)."""
    others = (
        Membership.objects.select_for_update()
        .filter(
            dialogue_id=membership.dialogue_id,
            role__in=roles,
            state=Membership.State.ACCEPTED,
        )
        .exclude(pk=membership.pk)
    )
    return bool(list(others))


def _locked_membership(membership: Membership) -> Membership:
    return Membership.objects.select_for_update(of=("self",)).get(pk=membership.pk)
