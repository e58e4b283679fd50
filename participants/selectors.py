"""Reads of people and memberships that other code reuses."""

from dataclasses import dataclass

from .models import Membership

# Only a member who has come all the way in sees anything of a dialogue.
ACTIVE_STATES = (Membership.State.ACCEPTED,)


@dataclass(frozen=True)
class ActiveMembership:
    id: int
    dialogue_id: int
    person_id: int
    clearance_rank: int
    convening: bool


def active_memberships_of(user) -> list[ActiveMembership]:
    rows = Membership.objects.filter(person__user=user, state__in=ACTIVE_STATES).values_list(
        "id", "dialogue_id", "person_id", "clearance__rank", "role"
    )
    return [
        ActiveMembership(
            id=id_,
            dialogue_id=dialogue_id,
            person_id=person_id,
            clearance_rank=rank,
            convening=role in Membership.CONVENING_ROLES,
        )
        for id_, dialogue_id, person_id, rank, role in rows
    ]


def is_facilitator_anywhere(user) -> bool:
    """Whether the account convenes or facilitates any dialogue (for the MFA requirement)."""
    return Membership.objects.filter(
        person__user=user, role__in=Membership.CONVENING_ROLES
    ).exists()


def roster_of(*, dialogue_id: int):
    return (
        Membership.objects.filter(dialogue_id=dialogue_id)
        .select_related("person", "side", "clearance")
        .order_by("side__position", "role", "person__family_name", "person__full_name")
    )
