"""Reads of the workspace: who may start a dialogue, the people a convening team may draw on for
a roster, the roster as a list (searched, filtered, sorted), one member of it, and the room at a
glance (its composition and the warnings a facilitator would want), computed as pure functions
over a roster already loaded."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models import Count as CountOf
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy, ngettext

from participants.models import GroundRulesAcceptance, Invitation, Membership, Person
from participants.selectors import is_facilitator_anywhere, persons_on_rosters_of, roster_of
from trackii.lists import Sort, both_ways, search_terms

from ..confidentiality import Viewer, can_plan, noted
from ..http import isolated
from ..models import ConfidentialityLevel, Dialogue, Side

# -- who may start a dialogue, and whom they may put on a roster -------------------------------


def can_start_dialogue(user) -> bool:
    """Staff, and anyone who convenes or facilitates a dialogue, may open a new one."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_staff or is_facilitator_anywhere(user)


def programme_level() -> ConfidentialityLevel | None:
    """The level a new dialogue's material defaults to: the scale's level for the programme's
    participants (by its audience, whatever it is called)."""
    return ConfidentialityLevel.objects.filter(
        audience=ConfidentialityLevel.Audience.PROGRAMME
    ).first()


def dialogues_planned_by(viewer: Viewer) -> list[int]:
    return sorted(d for d in viewer.grants if can_plan(viewer, d))


def persons_known_to(*, viewer: Viewer, exclude_dialogue_id: int | None = None, search: str = ""):
    """People a convening team already works with: those on the rosters of the dialogues the
    viewer plans. Never the whole Person table, which would tell a facilitator who is in
    dialogues they have no part in. ``exclude_dialogue_id`` leaves out those already on that
    dialogue's roster (nobody is on a roster twice)."""
    persons = persons_on_rosters_of(dialogue_ids=dialogues_planned_by(viewer), search=search)
    if exclude_dialogue_id is not None:
        persons = persons.exclude(memberships__dialogue_id=exclude_dialogue_id)
    return persons


def sides_with_member_counts(*, dialogue_id: int) -> QuerySet[Side]:
    """The dialogue's sides, each with ``member_count``: everyone on it, whatever their state
    (a side with anyone on it cannot be deleted)."""
    return Side.objects.filter(dialogue_id=dialogue_id).annotate(
        member_count=CountOf("memberships")
    )


# -- the roster as a list ------------------------------------------------------------------------


def _choice_order(field: str, choices) -> Case:
    """Rows in the order a model's choices are declared (a role's seniority, a membership's way
    through its states), not in the alphabetical order of their stored values."""
    return Case(
        *(When(**{field: value}, then=Value(n)) for n, (value, _label) in enumerate(choices)),
        default=Value(len(choices)),
        output_field=IntegerField(),
    )


_ROLE_ORDER = _choice_order("role", Membership.Role.choices)
_STATE_ORDER = _choice_order("state", Membership.State.choices)
_BY_NAME = ("person__family_name", "person__full_name", "pk")

# The sorts' labels are marked here and translated when the toolbar is shown (``Sort.label`` is
# typed as the str each becomes then).
_ = cast("Callable[[str], str]", gettext_lazy)

# The first is the default: by side (in the sides' order), then role, then name, as before.
ROSTER_SORTS: dict[str, Sort] = {
    **both_ways("side", _("Side"), _("Side, last first"), "side__position", _ROLE_ORDER, *_BY_NAME),
    **both_ways("name", _("Name, A to Z"), _("Name, Z to A"), *_BY_NAME),
    **both_ways("role", _("Role"), _("Role, last first"), _ROLE_ORDER, *_BY_NAME),
    **both_ways("state", _("State"), _("State, last first"), _STATE_ORDER, *_BY_NAME),
}
NO_SIDE = "none"


def roster_listed(
    *,
    dialogue_id: int,
    search: str = "",
    side: str = "",
    role: str = "",
    state: str = "",
    clearance: str = "",
    ordering=ROSTER_SORTS["side"].ordering,
) -> QuerySet[Membership]:
    """The roster as its list shows it (callers decided the roster is the viewer's to see and
    offered only the filters the viewer may use, e.g. clearances they may give): ``search`` in
    the names and the affiliation, ``side`` (a side's id, or ``NO_SIDE``), ``role``, ``state``
    and ``clearance`` (a level's id); empty means any. Person, side, clearance and vetting case
    come with each row."""
    members = roster_of(dialogue_id=dialogue_id)
    terms = search_terms(search)
    if terms:
        members = members.filter(
            Q(person__full_name__icontains=terms)
            | Q(person__family_name__icontains=terms)
            | Q(person__name_original_script__icontains=terms)
            | Q(person__other_names__icontains=terms)
            | Q(person__affiliation__icontains=terms)
        )
    if side == NO_SIDE:
        members = members.filter(side__isnull=True)
    elif side:
        members = members.filter(side_id=int(side))
    if role:
        members = members.filter(role=role)
    if state:
        members = members.filter(state=state)
    if clearance:
        members = members.filter(clearance_id=int(clearance))
    return members.order_by(*ordering)


def roster_memberships(*, dialogue_id: int, membership_ids) -> list[Membership] | None:
    """The members of this dialogue's roster with these ids (for an action on several at once),
    person and clearance loaded, in the order of their ids; None if any id names no member of
    it (another dialogue's, or none), so that the caller refuses the whole request."""
    wanted = sorted(set(membership_ids))
    found = list(roster_of(dialogue_id=dialogue_id).filter(pk__in=wanted).order_by("pk"))
    return found if [m.pk for m in found] == wanted else None


def membership_on_roster(*, dialogue_id: int, membership_id: int) -> Membership:
    """One member of a dialogue's roster (callers decided the roster is the viewer's to see), or
    404 if the id names a member of another one."""
    try:
        membership = roster_of(dialogue_id=dialogue_id).get(pk=membership_id)
    except Membership.DoesNotExist:
        raise Http404 from None
    return noted(membership, dialogue_id=dialogue_id)


def invitation_of(*, membership: Membership, invitation_id: int) -> Invitation:
    """One invitation of this member, or 404."""
    try:
        return membership.invitations.select_related("membership").get(pk=invitation_id)
    except Invitation.DoesNotExist:
        raise Http404 from None


# -- what the roster asks of the convening team ---------------------------------------------------


@dataclass(frozen=True)
class RosterToDo:
    nominated: int  # awaiting vetting
    invited: int  # invited, not yet accepted (nor declined)
    rules_pending: int  # accepted, but not the ground rules as they now stand


def roster_to_do(*, dialogue: Dialogue) -> RosterToDo:
    """What the roster waits for, counted in one query (for its convening team, who see the
    whole roster). The convening team writes the ground rules and is not asked to accept them."""
    accepted = GroundRulesAcceptance.objects.filter(
        membership_id=OuterRef("pk"), version=dialogue.ground_rules_version
    )
    S = Membership.State
    rules_pending = Q(state=S.ACCEPTED) & ~Q(role__in=Membership.CONVENING_ROLES)
    counts = (
        Membership.objects.filter(dialogue_id=dialogue.pk)
        .annotate(rules_accepted=Exists(accepted))
        .aggregate(
            nominated=CountOf("pk", filter=Q(state=S.NOMINATED)),
            invited=CountOf("pk", filter=Q(state=S.INVITED)),
            rules_pending=CountOf("pk", filter=rules_pending & Q(rules_accepted=False)),
        )
    )
    if not dialogue.ground_rules:
        counts["rules_pending"] = 0
    return RosterToDo(**counts)


# -- the room at a glance ------------------------------------------------------------------------

# Rejected and declined members are not in the room; everyone else is, or is on the way.
NOT_IN_THE_ROOM = frozenset({Membership.State.REJECTED, Membership.State.DECLINED})
# Above this share of participants from one category of proximity to power, the room leans.
PROXIMITY_SHARE_LIMIT = 0.5
# Below this many participants, shares say nothing.
PROXIMITY_MIN_PARTICIPANTS = 4


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    key: str
    title: str
    counts: tuple[Count, ...]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    def as_dict(self) -> dict[str, int]:
        return {c.label: c.count for c in self.counts}


@dataclass(frozen=True)
class RoomComposition:
    members: int  # on the roster and not rejected or declined, whatever their role
    participants: int  # of those, in the role of participant
    by_side: Breakdown
    by_role: Breakdown
    by_proximity: Breakdown
    by_gender: Breakdown

    @property
    def breakdowns(self) -> tuple[Breakdown, ...]:
        return (self.by_side, self.by_gender, self.by_proximity, self.by_role)


def roster_for_the_room(*, dialogue_id: int) -> list[Membership]:
    """The dialogue's roster with what the room at a glance counts (each member's state, role
    and side, their person's gender and proximity to power) and nothing else: one query, for
    its convening team (callers decided the viewer plans the dialogue)."""
    return list(
        Membership.objects.filter(dialogue_id=dialogue_id)
        .select_related("person")
        .only("state", "role", "side_id", "person__gender", "person__proximity")
    )


def in_the_room(roster: Iterable[Membership]) -> list[Membership]:
    return [m for m in roster if m.state not in NOT_IN_THE_ROOM]


def _participants(members: Iterable[Membership]) -> list[Membership]:
    return [m for m in members if m.role == Membership.Role.PARTICIPANT]


def room_composition(*, roster: Iterable[Membership], sides: Sequence[Side]) -> RoomComposition:
    """The roster's composition. Pure: ``roster`` must come with person and side loaded
    (``roster_of`` does that), ``sides`` are the dialogue's sides in order. Sides, gender and
    proximity count participants; roles count every member in the room."""
    members = in_the_room(roster)
    participants = _participants(members)

    per_side = Counter(m.side_id for m in participants)
    side_counts = [Count(str(s.pk), s.name, per_side.get(s.pk, 0)) for s in sides]
    if per_side.get(None):
        side_counts.append(Count("none", gettext("No side"), per_side[None]))

    per_role = Counter(m.role for m in members)
    role_counts = [
        Count(value, label, per_role[value])
        for value, label in Membership.Role.choices
        if per_role.get(value)
    ]

    per_gender = Counter(m.person.gender for m in participants)
    gender_counts = [
        Count(value, label, per_gender.get(value, 0)) for value, label in Person.Gender.choices
    ]

    per_proximity = Counter(m.person.proximity for m in participants)
    proximity_counts = [
        Count(value, label, per_proximity[value])
        for value, label in Person.Proximity.choices
        if per_proximity.get(value)
    ]

    return RoomComposition(
        members=len(members),
        participants=len(participants),
        by_side=Breakdown("side", gettext("Participants by side"), tuple(side_counts)),
        by_role=Breakdown("role", gettext("Members by role"), tuple(role_counts)),
        by_proximity=Breakdown(
            "proximity", gettext("Participants by proximity to power"), tuple(proximity_counts)
        ),
        by_gender=Breakdown("gender", gettext("Participants by gender"), tuple(gender_counts)),
    )


def room_warnings(
    *, dialogue: Dialogue, roster: Iterable[Membership], sides: Sequence[Side]
) -> list[str]:
    """What a facilitator would want to know about the balance of the room, in a fixed order
    (sentences in the reader's language, the sides' names isolated in them: ``http.isolated``).
    Pure, like ``room_composition``; only members not rejected or declined count."""
    members = in_the_room(roster)
    participants = _participants(members)
    warnings: list[str] = []

    parties = [s for s in sides if not s.is_third_party]
    if not parties:
        warnings.append(gettext("No sides yet: add the parties to the conflict."))
    per_side = Counter(m.side_id for m in participants)
    for side in parties:
        if not per_side.get(side.pk):
            warnings.append(isolated(gettext("%(side)s has no participant."), side=side.name))

    present = [s for s in parties if per_side.get(s.pk)]
    if len(present) >= 2:
        largest = max(present, key=lambda s: per_side[s.pk])
        smallest = min(present, key=lambda s: per_side[s.pk])
        if per_side[largest.pk] > 2 * per_side[smallest.pk]:
            warnings.append(
                isolated(
                    gettext(
                        "%(largest)s has more than twice the participants of %(smallest)s "
                        "(%(many)s to %(few)s)."
                    ),
                    largest=largest.name,
                    smallest=smallest.name,
                    many=per_side[largest.pk],
                    few=per_side[smallest.pk],
                )
            )

    if sides and per_side.get(None):
        sideless = per_side[None]
        warnings.append(
            ngettext(
                "%(count)s participant has no side.",
                "%(count)s participants have no side.",
                sideless,
            )
            % {"count": sideless}
        )

    if not participants:
        warnings.append(gettext("No participants on the roster yet."))
    elif not any(m.person.gender == Person.Gender.WOMAN for m in participants):
        warnings.append(gettext("No women among participants."))

    if not any(m.role == Membership.Role.RAPPORTEUR for m in members):
        warnings.append(gettext("No rapporteur: nobody is named to keep the record."))

    if dialogue.track == Dialogue.Track.TRACK_2:
        officials = sum(
            1 for m in members if m.person.proximity == Person.Proximity.SERVING_OFFICIAL
        )
        if officials:
            warnings.append(
                ngettext(
                    "%(count)s serving official in a Track 2 dialogue, which is meant to have "
                    "none (Track 1.5 is the track for officials).",
                    "%(count)s serving officials in a Track 2 dialogue, which is meant to have "
                    "none (Track 1.5 is the track for officials).",
                    officials,
                )
                % {"count": officials}
            )

    if len(participants) >= PROXIMITY_MIN_PARTICIPANTS:
        per_proximity = Counter(
            m.person.proximity for m in participants if m.person.proximity != Person.Proximity.OTHER
        )
        labels = dict(Person.Proximity.choices)
        for value, count in sorted(per_proximity.items(), key=lambda kv: (-kv[1], kv[0])):
            if count > PROXIMITY_SHARE_LIMIT * len(participants):
                warnings.append(
                    gettext(
                        "More than %(share)s of participants (%(count)s of %(all)s) are in one "
                        "category of proximity to power: %(category)s."
                    )
                    % {
                        "share": f"{PROXIMITY_SHARE_LIMIT:.0%}",
                        "count": count,
                        "all": len(participants),
                        "category": labels[value],
                    }
                )
    return warnings
