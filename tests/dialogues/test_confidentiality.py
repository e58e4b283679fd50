"""Each rule of ``dialogues.confidentiality`` with data present that could leak."""

import pytest

from dialogues.confidentiality import (
    NOBODY,
    can_see_roster,
    can_view,
    viewer_for_official,
    viewer_for_user,
    visible,
)
from dialogues.models import AgendaItem, Dialogue, Session
from tests.factories import AgendaItemFactory, SessionFactory, level

pytestmark = pytest.mark.django_db


def titles(viewer, model):
    return set(visible(viewer, model).values_list("title", flat=True))


def viewer_of_member(membership):
    return viewer_for_user(membership.person.user)


def test_outsider_sees_nothing_of_another_dialogue(world):
    viewer = viewer_of_member(world["outsider"])
    assert titles(viewer, Dialogue) == {"Coastal Fisheries"}
    assert titles(viewer, Session) == {"Harbour"}
    assert titles(viewer, AgendaItem) == {"Harbour item"}
    assert not can_view(viewer, world["dialogue"])
    assert not can_view(viewer, world["round_1"])
    assert not can_view(viewer, world["items"]["Public"])


def test_nominee_with_high_clearance_sees_nothing_until_accepted(world):
    viewer = viewer_of_member(world["nominee"])
    assert viewer.grants == {}
    assert titles(viewer, Dialogue) == set()
    assert titles(viewer, AgendaItem) == set()


def test_anonymous_and_nobody_see_nothing(world):
    assert titles(NOBODY, Dialogue) == set()
    assert titles(NOBODY, Session) == set()
    assert titles(NOBODY, AgendaItem) == set()
    assert not can_view(NOBODY, world["round_1"])


def test_observer_sees_up_to_programme_only(world):
    viewer = viewer_of_member(world["observer"])
    assert titles(viewer, Session) == {"Round 1"}
    assert titles(viewer, AgendaItem) == {"R1 Public item", "R1 Programme item"}
    assert not can_view(viewer, world["items"]["Participants"])


def test_participant_sees_participants_material_of_sessions_they_attend(world):
    viewer = viewer_of_member(world["participant"])
    assert titles(viewer, Session) == {"Round 1", "Pre-consultation A"}
    assert titles(viewer, AgendaItem) == {
        "R1 Public item",
        "R1 Programme item",
        "R1 Participants item",
        "Pre item",
    }


def test_pre_consultation_stays_with_its_side(world):
    viewer = viewer_of_member(world["other_side"])
    assert titles(viewer, Session) == {"Round 1"}
    assert "Pre item" not in titles(viewer, AgendaItem)
    assert not can_view(viewer, world["pre"])
    assert not can_view(viewer, world["pre_item"])


def test_participants_material_needs_attendance_even_with_high_clearance(world):
    # The rapporteur is cleared to Facilitators but attends no session and is not convening.
    viewer = viewer_of_member(world["rapporteur"])
    assert titles(viewer, Session) == {"Round 1"}
    assert titles(viewer, AgendaItem) == {"R1 Public item", "R1 Programme item"}


def test_facilitators_material_is_for_the_convening_team(world):
    convenor = viewer_of_member(world["convenor"])
    assert can_view(convenor, world["items"]["Facilitators"])
    for name in ("participant", "observer", "rapporteur"):
        assert not can_view(viewer_of_member(world[name]), world["items"]["Facilitators"])


def test_convening_team_sees_participants_material_without_attending(world):
    viewer = viewer_of_member(world["convenor"])
    assert titles(viewer, Session) == {"Round 1", "Pre-consultation A"}
    assert titles(viewer, AgendaItem) == {
        "R1 Public item",
        "R1 Programme item",
        "R1 Participants item",
        "R1 Facilitators item",
        "R1 Restricted item",
        "Pre item",
    }


def test_restricted_is_for_named_people_whatever_their_role(world):
    restricted = world["items"]["Restricted"]
    participant = world["participant"]
    assert not can_view(viewer_of_member(participant), restricted)
    restricted.readers.add(participant.person)
    assert can_view(viewer_of_member(participant), restricted)
    # A convenor who is not named does not see it.
    restricted.readers.remove(world["convenor"].person)
    assert not can_view(viewer_of_member(world["convenor"]), restricted)


def test_a_child_cannot_widen_its_session(world):
    # An item marked Public inside the Participants-level pre-consultation stays with attendees.
    AgendaItemFactory(session=world["pre"], title="Wrongly public", level=level("Public"))
    assert "Wrongly public" not in titles(viewer_of_member(world["other_side"]), AgendaItem)
    assert "Wrongly public" in titles(viewer_of_member(world["participant"]), AgendaItem)


def test_restricted_session_hides_its_items_from_those_not_named_on_the_session(world):
    secret = SessionFactory(dialogue=world["dialogue"], title="Secret", level=level("Restricted"))
    secret.readers.set([world["participant"].person])
    AgendaItemFactory(session=secret, title="Secret programme item", level=level("Programme"))
    assert titles(viewer_of_member(world["participant"]), AgendaItem) >= {"Secret programme item"}
    assert "Secret programme item" not in titles(viewer_of_member(world["convenor"]), AgendaItem)
    assert not can_view(viewer_of_member(world["convenor"]), secret)


def test_visible_has_no_duplicates_when_several_people_are_named(world):
    restricted = world["items"]["Restricted"]
    restricted.readers.add(world["participant"].person, world["observer"].person)
    viewer = viewer_of_member(world["convenor"])
    pks = list(visible(viewer, AgendaItem).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)) == 6


def test_official_sees_by_clearance_only_and_never_restricted(world):
    official = viewer_for_official(
        dialogue_id=world["dialogue"].pk, clearance=level("Facilitators")
    )
    assert titles(official, Dialogue) == {"Salt River"}
    assert titles(official, AgendaItem) == {
        "R1 Public item",
        "R1 Programme item",
        "R1 Participants item",
        "R1 Facilitators item",
        "Pre item",
    }
    low = viewer_for_official(dialogue_id=world["dialogue"].pk, clearance=level("Programme"))
    assert titles(low, Session) == {"Round 1"}
    assert titles(low, AgendaItem) == {"R1 Public item", "R1 Programme item"}


def test_roster_is_for_the_convening_team_only(world):
    dialogue = world["dialogue"]
    assert can_see_roster(viewer_of_member(world["convenor"]), dialogue)
    for name in ("participant", "observer", "rapporteur", "outsider"):
        assert not can_see_roster(viewer_of_member(world[name]), dialogue)
