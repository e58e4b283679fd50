"""Reads of people and memberships that other code reuses (the core every feature and
``dialogues`` use)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from .models import GroundRulesAcceptance, Membership, Person

# Only a member who has come all the way in sees anything of a dialogue.
ACTIVE_STATES = (Membership.State.ACCEPTED,)


@dataclass(frozen=True)
class ActiveMembership:
    id: int
    dialogue_id: int
    person_id: int
    clearance_rank: int
    convening: bool
    recording: bool = False
    convenor: bool = False
    # The side whose caucus the member speaks in (issue 19): their side, unless it is the third
    # party, or they observe, or they are of the convening team (who read every side's).
    caucus_side_id: int | None = None


def _with_ground_rules_state(memberships):
    """Annotate whether each membership has accepted the current version of its dialogue's
    ground rules (a dialogue without ground rules asks nothing)."""
    accepted = GroundRulesAcceptance.objects.filter(
        membership_id=OuterRef("pk"), version=OuterRef("dialogue__ground_rules_version")
    )
    return memberships.annotate(rules_accepted=Exists(accepted) | Q(dialogue__ground_rules=""))


_PLACE = (
    "id",
    "dialogue_id",
    "person_id",
    "clearance__rank",
    "role",
    "side_id",
    "side__is_third_party",
    "rules_accepted",
)
# Roles that speak for no side's caucus: the convening team reads every side's, an observer none.
_NO_CAUCUS = (*Membership.CONVENING_ROLES, Membership.Role.OBSERVER)


def _place(id_, dialogue_id, person_id, rank, role, side_id, third_party) -> ActiveMembership:
    return ActiveMembership(
        id=id_,
        dialogue_id=dialogue_id,
        person_id=person_id,
        clearance_rank=rank,
        convening=role in Membership.CONVENING_ROLES,
        recording=role in Membership.RECORDING_ROLES,
        convenor=role == Membership.Role.CONVENOR,
        caucus_side_id=None if third_party or role in _NO_CAUCUS else side_id,
    )


def _sees_dialogue(role: str, rules_accepted: bool) -> bool:
    """Whether an accepted membership lets its member see the dialogue yet: the current ground
    rules accepted, or of the convening team (who write them)."""
    return rules_accepted or role in Membership.CONVENING_ROLES


def active_memberships_of(user) -> list[ActiveMembership]:
    """Memberships that let the account see its dialogue: accepted, and (for all but the
    convening team, who write them) the current ground rules accepted."""
    rows = _with_ground_rules_state(
        Membership.objects.filter(person__user=user, state__in=ACTIVE_STATES)
    ).values_list(*_PLACE)
    return [
        _place(id_, dialogue_id, person_id, rank, role, side_id, third)
        for id_, dialogue_id, person_id, rank, role, side_id, third, accepted in rows
        if _sees_dialogue(role, accepted)
    ]


@dataclass(frozen=True)
class AcceptedMember:
    """An accepted member of a dialogue, as someone viewing Trackii as them needs them: their
    place, and whether it lets them see the dialogue yet (``active``: the ground rules
    accepted, or of the convening team)."""

    place: ActiveMembership
    active: bool


def accepted_member(*, dialogue_id: int, membership_id: int) -> AcceptedMember | None:
    """The accepted member of the dialogue with this membership id, or None (another
    dialogue's, not accepted, or none)."""
    row = (
        _with_ground_rules_state(
            Membership.objects.filter(
                pk=membership_id, dialogue_id=dialogue_id, state__in=ACTIVE_STATES
            )
        )
        .values_list(*_PLACE)
        .first()
    )
    if row is None:
        return None
    id_, d, person_id, rank, role, side_id, third, accepted = row
    return AcceptedMember(
        _place(id_, d, person_id, rank, role, side_id, third), _sees_dialogue(role, accepted)
    )


def ground_rules_pending_for(user) -> list[Membership]:
    """Memberships waiting for the account to accept their dialogue's current ground rules."""
    return [
        m
        for m in _with_ground_rules_state(
            Membership.objects.filter(person__user=user, state__in=ACTIVE_STATES)
            .exclude(role__in=Membership.CONVENING_ROLES)
            .select_related("dialogue")
        )
        if not m.rules_accepted
    ]


def accepted_membership(*, dialogue_id: int, membership_id: int) -> Membership | None:
    """The accepted membership of the dialogue with this id, its person and dialogue loaded,
    whatever its ground-rules state; None otherwise."""
    return (
        Membership.objects.filter(
            pk=membership_id, dialogue_id=dialogue_id, state__in=ACTIVE_STATES
        )
        .select_related("person", "dialogue", "clearance")
        .first()
    )


def membership_of(user, *, dialogue_id: int) -> Membership | None:
    """The account's active membership in a dialogue, whatever its ground-rules state."""
    return (
        Membership.objects.filter(
            person__user=user, dialogue_id=dialogue_id, state__in=ACTIVE_STATES
        )
        .select_related("dialogue")
        .first()
    )


def ground_rules_acceptance_of(membership: Membership) -> GroundRulesAcceptance | None:
    """The member's acceptance of the current version of their dialogue's ground rules, if any."""
    return GroundRulesAcceptance.objects.filter(
        membership=membership, version=membership.dialogue.ground_rules_version
    ).first()


def convening_roles_of(user) -> frozenset[str]:
    """The convening roles (convenor, facilitator) the account holds in any dialogue it is an
    accepted member of. Asked once per request: the answer is kept on the user object, which
    lives as long as the request."""
    cached = getattr(user, "_trackii_convening_roles", None)
    if cached is None:
        cached = frozenset(
            Membership.objects.filter(
                person__user=user, role__in=Membership.CONVENING_ROLES, state__in=ACTIVE_STATES
            )
            .values_list("role", flat=True)
            .distinct()
        )
        user._trackii_convening_roles = cached
    return cached


def is_facilitator_anywhere(user) -> bool:
    """Whether the account convenes or facilitates any dialogue (for the MFA requirement and for
    starting a new dialogue)."""
    return bool(convening_roles_of(user))


def is_convenor_anywhere(user) -> bool:
    """Whether the account is the convenor of any dialogue: convenors must hold a passkey or a
    security key (participants.accounts.middleware)."""
    return Membership.Role.CONVENOR in convening_roles_of(user)


def roster_of(*, dialogue_id: int):
    return (
        Membership.objects.filter(dialogue_id=dialogue_id)
        .select_related("person", "side", "clearance", "vetting_case")
        .order_by("side__position", "role", "person__family_name", "person__full_name")
    )


def persons_on_rosters_of(*, dialogue_ids, search: str = ""):
    """The people on the rosters of the given dialogues (whatever their state), each once.
    Callers decide which dialogues a viewer may draw people from; this never widens to the
    whole Person table."""
    persons = Person.objects.filter(
        pk__in=Membership.objects.filter(dialogue_id__in=list(dialogue_ids)).values("person_id")
    )
    search = search.strip()
    if search:
        persons = persons.filter(
            Q(full_name__icontains=search)
            | Q(family_name__icontains=search)
            | Q(name_original_script__icontains=search)
            | Q(other_names__icontains=search)
            | Q(affiliation__icontains=search)
        )
    return persons.order_by("family_name", "full_name", "id")


def language_choices() -> list[tuple[str, str]]:
    """The languages Trackii may write to a person in, for a form's choices: none (the browser's
    decides), then ``settings.LANGUAGES``, each in its own name."""
    return [("", _("Not set (the browser's language)")), *settings.LANGUAGES]
