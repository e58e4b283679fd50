"""The membership state moves only along the allowed path, through one function."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from participants.models import Membership
from participants.services import membership_transition
from participants.vetting.services import membership_nominate
from tests.factories import DialogueFactory, MembershipFactory, PersonFactory, SideFactory, level

pytestmark = pytest.mark.django_db
S = Membership.State


def test_a_new_member_starts_nominated():
    dialogue = DialogueFactory()
    membership = membership_nominate(
        person=PersonFactory(),
        dialogue=dialogue,
        role=Membership.Role.PARTICIPANT,
        clearance=level("Participants"),
    )
    assert membership.state == S.NOMINATED


def test_the_full_path_in():
    membership = MembershipFactory(state=S.NOMINATED)
    for state in (S.CLEARED, S.INVITED, S.ACCEPTED):
        membership_transition(membership=membership, to=state)
    membership.refresh_from_db()
    assert membership.state == S.ACCEPTED


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (S.NOMINATED, S.INVITED),
        (S.NOMINATED, S.ACCEPTED),
        (S.REJECTED, S.CLEARED),
        (S.CLEARED, S.ACCEPTED),
    ],
)
def test_shortcuts_are_refused(start, to):
    membership = MembershipFactory(state=start)
    with pytest.raises(ValidationError):
        membership_transition(membership=membership, to=to)
    membership.refresh_from_db()
    assert membership.state == start


def test_a_side_of_another_dialogue_is_refused():
    with pytest.raises(ValidationError):
        membership_nominate(
            person=PersonFactory(),
            dialogue=DialogueFactory(),
            side=SideFactory(),
            role=Membership.Role.PARTICIPANT,
            clearance=level("Participants"),
        )


def test_one_membership_per_person_and_dialogue():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError):
        MembershipFactory(person=membership.person, dialogue=membership.dialogue)
