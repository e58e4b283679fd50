"""Each rule of ``dialogues.confidentiality`` with data present that could leak. Non-convening
viewers read published agendas (``PublishedAgendaItem``); the working agenda is the convening
team's."""

import pytest

from dialogues.confidentiality import (
    NOBODY,
    can_plan,
    can_see_roster,
    can_view,
    may_leave,
    outbound_rank,
    outbound_title,
    viewer_for_official,
    viewer_for_user,
    visible,
)
from dialogues.models import AgendaItem, Dialogue, PublishedAgendaItem, Session
from dialogues.planning.services import agenda_item_update, agenda_publish
from tests.factories import AgendaItemFactory, SessionFactory, level

pytestmark = pytest.mark.django_db

ALL_R1 = {
    "R1 Public item",
    "R1 Programme item",
    "R1 Participants item",
    "R1 Facilitators item",
    "R1 Restricted item",
}


def titles(viewer, model):
    return set(visible(viewer, model).values_list("title", flat=True))


def agenda(viewer):
    return titles(viewer, PublishedAgendaItem)


def viewer_of_member(membership):
    return viewer_for_user(membership.person.user)


def test_outsider_sees_nothing_of_another_dialogue(world):
    viewer = viewer_of_member(world["outsider"])
    assert titles(viewer, Dialogue) == {"Coastal Fisheries"}
    assert titles(viewer, Session) == {"Harbour"}
    assert agenda(viewer) == {"Harbour item"}
    assert not can_view(viewer, world["dialogue"])
    assert not can_view(viewer, world["round_1"])
    assert not can_view(viewer, world["published"]["R1 Public item"])


def test_nominee_with_high_clearance_sees_nothing_until_accepted(world):
    viewer = viewer_of_member(world["nominee"])
    assert viewer.grants == {}
    assert titles(viewer, Dialogue) == set()
    assert agenda(viewer) == set()


def test_anonymous_and_nobody_see_nothing(world):
    assert titles(NOBODY, Dialogue) == set()
    assert titles(NOBODY, Session) == set()
    assert agenda(NOBODY) == set()
    assert titles(NOBODY, AgendaItem) == set()
    assert not can_view(NOBODY, world["round_1"])


def test_observer_sees_up_to_programme_only(world):
    viewer = viewer_of_member(world["observer"])
    assert titles(viewer, Session) == {"Round 1"}
    assert agenda(viewer) == {"R1 Public item", "R1 Programme item"}
    assert not can_view(viewer, world["published"]["R1 Participants item"])


def test_participant_sees_participants_material_of_sessions_they_attend(world):
    viewer = viewer_of_member(world["participant"])
    assert titles(viewer, Session) == {"Round 1", "Pre-consultation A"}
    assert agenda(viewer) == {
        "R1 Public item",
        "R1 Programme item",
        "R1 Participants item",
        "Pre item",
    }


def test_pre_consultation_stays_with_its_side(world):
    viewer = viewer_of_member(world["other_side"])
    assert titles(viewer, Session) == {"Round 1"}
    assert "Pre item" not in agenda(viewer)
    assert not can_view(viewer, world["pre"])
    assert not can_view(viewer, world["published"]["Pre item"])


def test_participants_material_needs_attendance_even_with_high_clearance(world):
    # The rapporteur is cleared to Facilitators but attends no session and is not convening.
    viewer = viewer_of_member(world["rapporteur"])
    assert titles(viewer, Session) == {"Round 1"}
    assert agenda(viewer) == {"R1 Public item", "R1 Programme item"}


def test_facilitators_material_is_for_the_convening_team(world):
    item = world["published"]["R1 Facilitators item"]
    assert can_view(viewer_of_member(world["convenor"]), item)
    for name in ("participant", "observer", "rapporteur"):
        assert not can_view(viewer_of_member(world[name]), item)


def test_convening_team_sees_participants_material_without_attending(world):
    viewer = viewer_of_member(world["convenor"])
    assert titles(viewer, Session) == {"Round 1", "Pre-consultation A"}
    assert agenda(viewer) == ALL_R1 | {"Pre item"}


def test_the_working_agenda_is_the_convening_teams_only(world):
    assert titles(viewer_of_member(world["convenor"]), AgendaItem) == ALL_R1 | {"Pre item"}
    for name in ("participant", "other_side", "observer", "rapporteur", "outsider"):
        assert titles(viewer_of_member(world[name]), AgendaItem) == set()
        assert not can_view(viewer_of_member(world[name]), world["items"]["Public"])


def test_edits_stay_unseen_until_published_and_old_versions_stay_with_the_team(world):
    item = world["items"]["Programme"]
    values = {
        "title": "R1 Programme item, revised",
        "start": None,
        "end": None,
        "room": "",
        "description": "",
        "kind": item.kind,
        "moderator": None,
        "level": item.level,
    }
    agenda_item_update(item=item, expected_revision=item.edit_revision, values=values)
    participant = viewer_of_member(world["participant"])
    assert "R1 Programme item" in agenda(participant)
    assert "R1 Programme item, revised" not in agenda(participant)
    agenda_publish(session=world["round_1"])
    assert "R1 Programme item, revised" in agenda(participant)
    assert "R1 Programme item" not in agenda(participant)
    # Version 1 is history: the convening team may compare, participants do not see it.
    convenor = viewer_of_member(world["convenor"])
    assert {"R1 Programme item", "R1 Programme item, revised"} <= agenda(convenor)


def test_restricted_is_for_named_people_whatever_their_role(world):
    restricted = world["items"]["Restricted"]
    participant = world["participant"]
    assert "R1 Restricted item" not in agenda(viewer_of_member(participant))
    restricted.readers.set([participant.person])  # the convenor is no longer named
    agenda_publish(session=world["round_1"])
    assert "R1 Restricted item" in agenda(viewer_of_member(participant))
    current = PublishedAgendaItem.objects.get(title="R1 Restricted item", version__number=2)
    assert can_view(viewer_of_member(participant), current)
    assert not can_view(viewer_of_member(world["convenor"]), current)


def test_a_child_cannot_widen_its_session(world):
    # An item marked Public inside the Participants-level pre-consultation stays with attendees.
    AgendaItemFactory(session=world["pre"], title="Wrongly public", level=level("Public"))
    agenda_publish(session=world["pre"])
    assert "Wrongly public" not in agenda(viewer_of_member(world["other_side"]))
    assert "Wrongly public" in agenda(viewer_of_member(world["participant"]))


def test_restricted_session_hides_its_items_from_those_not_named_on_the_session(world):
    secret = SessionFactory(dialogue=world["dialogue"], title="Secret", level=level("Restricted"))
    secret.readers.set([world["participant"].person])
    AgendaItemFactory(session=secret, title="Secret programme item", level=level("Programme"))
    agenda_publish(session=secret)
    assert "Secret programme item" in agenda(viewer_of_member(world["participant"]))
    assert "Secret programme item" not in agenda(viewer_of_member(world["convenor"]))
    assert not can_view(viewer_of_member(world["convenor"]), secret)


def test_draft_sessions_are_known_to_the_convening_team_only(world):
    draft = SessionFactory(
        dialogue=world["dialogue"], title="Draft round", level=level("Public"), status="draft"
    )
    draft.attendances.create(membership=world["participant"])
    assert can_view(viewer_of_member(world["convenor"]), draft)
    for name in ("participant", "observer", "rapporteur"):
        assert not can_view(viewer_of_member(world[name]), draft)
    official = viewer_for_official(dialogue_id=world["dialogue"].pk, clearance=level("Restricted"))
    assert not can_view(official, draft)


def test_visible_has_no_duplicates_when_several_people_are_named(world):
    restricted = world["items"]["Restricted"]
    restricted.readers.add(world["participant"].person, world["observer"].person)
    agenda_publish(session=world["round_1"])
    viewer = viewer_of_member(world["convenor"])
    pks = list(visible(viewer, AgendaItem).values_list("pk", flat=True))
    assert len(pks) == len(set(pks)) == 6
    published = list(visible(viewer, PublishedAgendaItem).values_list("pk", flat=True))
    assert len(published) == len(set(published)) == 5 + 1 + 5  # round 1 twice, pre once


def test_official_sees_by_clearance_only_and_never_restricted(world):
    official = viewer_for_official(
        dialogue_id=world["dialogue"].pk, clearance=level("Facilitators")
    )
    assert titles(official, Dialogue) == {"Salt River"}
    assert titles(official, AgendaItem) == set()
    assert agenda(official) == ALL_R1 - {"R1 Restricted item"} | {"Pre item"}
    low = viewer_for_official(dialogue_id=world["dialogue"].pk, clearance=level("Programme"))
    assert titles(low, Session) == {"Round 1"}
    assert agenda(low) == {"R1 Public item", "R1 Programme item"}


def test_roster_and_planning_are_for_the_convening_team_only(world):
    dialogue = world["dialogue"]
    assert can_see_roster(viewer_of_member(world["convenor"]), dialogue)
    assert can_plan(viewer_of_member(world["convenor"]), dialogue.pk)
    for name in ("participant", "observer", "rapporteur", "outsider"):
        assert not can_see_roster(viewer_of_member(world[name]), dialogue)
        assert not can_plan(viewer_of_member(world[name]), dialogue.pk)


def test_only_material_at_or_below_the_outbound_level_leaves(world):
    dialogue = world["dialogue"]
    dialogue.cover_name = "Lakeside meetings"
    dialogue.outbound_level = level("Public")
    dialogue.save()
    round_1, items = world["round_1"], world["items"]
    assert outbound_title(dialogue, round_1, items["Public"]) == "R1 Public item"
    assert outbound_title(dialogue, round_1, items["Programme"]) == "Lakeside meetings"
    assert outbound_title(dialogue, world["pre"]) == "Lakeside meetings"
    assert outbound_title(dialogue) == "Lakeside meetings"  # the dialogue's title never leaves
    dialogue.outbound_level = level("Participants")
    dialogue.save()
    assert outbound_title(dialogue, world["pre"]) == "Pre-consultation A"
    assert not may_leave(dialogue, round_1, items["Facilitators"])


def test_the_outbound_level_defaults_to_the_lowest_level(world):
    dialogue = world["dialogue"]
    dialogue.outbound_level = None
    dialogue.save()
    assert outbound_rank(dialogue) == level("Public").rank


# -- rule 7: notes and outcomes ------------------------------------------------------------------


def outcomes_world(world):
    from dialogues.models import Outcome
    from tests.factories import OutcomeFactory

    made = {}
    for session_key in ("round_1", "pre"):
        session = world[session_key]
        for name in ("Public", "Participants", "Facilitators", "Restricted"):
            if level(name).rank < session.level.rank:
                continue
            made[f"{session_key} {name}"] = OutcomeFactory(
                session=session, level=level(name), summary=f"{session_key} {name}"
            )
    made["round_1 off"] = OutcomeFactory(
        session=world["round_1"],
        level=level("Public"),
        attribution=Outcome.Attribution.OFF_RECORD,
        summary="round_1 off",
    )
    made["round_1 Restricted"].readers.set([world["convenor"].person])
    return made


def summaries(viewer):
    from dialogues.models import Outcome

    return set(visible(viewer, Outcome).values_list("summary", flat=True))


def test_outcomes_follow_their_session_and_their_own_level(world):
    outcomes_world(world)
    participant = viewer_for_user(world["participant"].person.user)
    assert summaries(participant) == {
        "round_1 Public",
        "round_1 Participants",
        "round_1 off",  # off the record: still for those in the room
        "pre Participants",
    }
    observer = viewer_for_user(world["observer"].person.user)
    assert summaries(observer) == {"round_1 Public", "round_1 off"}
    rapporteur = viewer_for_user(world["rapporteur"].person.user)
    assert "round_1 Facilitators" not in summaries(rapporteur)  # not of the convening team
    convenor = viewer_for_user(world["convenor"].person.user)
    assert "round_1 Restricted" in summaries(convenor)
    assert summaries(viewer_for_user(world["outsider"].person.user)) == set()


def test_an_official_never_reads_off_the_record_and_never_named_material(world):
    outcomes_world(world)
    dialogue_id = world["dialogue"].pk
    top = viewer_for_official(dialogue_id=dialogue_id, clearance=level("Restricted"))
    assert summaries(top) == {
        "round_1 Public",
        "round_1 Participants",
        "round_1 Facilitators",
        "pre Participants",
        "pre Facilitators",
    }
    public = viewer_for_official(dialogue_id=dialogue_id, clearance=level("Public"))
    assert summaries(public) == {"round_1 Public"}


def test_recording_is_for_the_convening_team_and_rapporteurs(world):
    from dialogues.confidentiality import can_record

    dialogue_id = world["dialogue"].pk
    expected = {
        "convenor": True,
        "rapporteur": True,
        "participant": False,
        "observer": False,
        "outsider": False,
    }
    for key, allowed in expected.items():
        viewer = viewer_for_user(world[key].person.user)
        assert can_record(viewer, dialogue_id) is allowed, key
    official = viewer_for_official(dialogue_id=dialogue_id, clearance=level("Restricted"))
    assert can_record(official, dialogue_id) is False
    assert can_record(NOBODY, dialogue_id) is False


# -- what the convening team may grant ------------------------------------------------------------


def test_grantable_levels_stop_at_the_granters_own_clearance(world):
    from dialogues.confidentiality import grantable_levels, viewer_for_official, viewer_for_user

    def names(viewer, **kwargs):
        levels = grantable_levels(viewer, world["dialogue"].pk, **kwargs).order_by("rank")
        return [level.name for level in levels]

    convenor = viewer_for_user(world["convenor"].person.user)
    assert names(convenor) == ["Public", "Programme", "Participants", "Facilitators", "Restricted"]
    # Members outside the convening team, officials and strangers give nothing.
    assert names(viewer_for_user(world["rapporteur"].person.user)) == []
    assert names(viewer_for_user(world["outsider"].person.user)) == []
    assert (
        names(viewer_for_official(dialogue_id=world["dialogue"].pk, clearance=level("Restricted")))
        == []
    )
    # A present clearance may stay.
    outsider = viewer_for_user(world["outsider"].person.user)
    assert names(outsider, keep=level("Programme")) == ["Programme"]


# -- queries built once ---------------------------------------------------------------------------


def test_a_query_built_once_serves_only_viewers_holding_the_same_grant_and_scale(world):
    """``built_once`` keeps the query a rule built, never its rows, and shares it only with a
    viewer whose grant in the dialogue and scale are the same (``rule_key``)."""
    from dialogues.confidentiality import _built, built_once, rule_key
    from tests.world import member_with_account

    _built.clear()
    dialogue = world["dialogue"]
    builds = []

    def working_titles(viewer) -> set[str]:
        def build():
            builds.append(viewer)
            return visible(viewer, AgendaItem.objects.all(), dialogue_id=dialogue.pk)

        rows = built_once(viewer, dialogue_id=dialogue.pk, name="test: working", build=build)
        return set(rows.values_list("title", flat=True))

    convenor = viewer_of_member(world["convenor"])
    everything = ALL_R1 | {"Pre item"}
    assert working_titles(convenor) == everything
    # The same account read again: the same key, the query reused; a new row is found.
    again = viewer_of_member(world["convenor"])
    assert rule_key(again, dialogue.pk) == rule_key(convenor, dialogue.pk)
    AgendaItemFactory(session=world["round_1"], title="Late item", level=level("Public"))
    assert working_titles(again) == everything | {"Late item"}
    assert builds == [convenor]
    # Another member of the convening team, cleared lower and named on nothing: built anew.
    co = viewer_of_member(
        member_with_account(dialogue=dialogue, role="facilitator", clearance="Facilitators")
    )
    assert rule_key(co, dialogue.pk) != rule_key(convenor, dialogue.pk)
    assert working_titles(co) == everything - {"R1 Restricted item"} | {"Late item"}
    assert builds == [convenor, co]
    # The scale changed (a level's rank): every viewer made since holds a new key.
    Restricted = level("Restricted")
    Restricted.rank += 1
    Restricted.save()
    after = viewer_of_member(world["convenor"])
    assert rule_key(after, dialogue.pk) != rule_key(convenor, dialogue.pk)
    working_titles(after)
    assert builds == [convenor, co, after]
    # A viewer with nothing in the dialogue is built nothing to see.
    outsider = viewer_of_member(world["outsider"])
    assert working_titles(outsider) == set()
    _built.clear()
