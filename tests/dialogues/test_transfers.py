"""Transfers and observed changes (issue 18, rule 10): held at Facilitators or stricter, a
transfer never below its idea; each seen only by whom its own level allows and who sees
everything it links to; never by an official; a funder (rule 11) at most at the outbound level.
With data present that could leak: an idea from one side's pre-consultation, one from a
Restricted note for the convenor only."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from dialogues.concurrency import EditConflict
from dialogues.confidentiality import (
    record_floor,
    viewer_for_funder,
    viewer_for_official,
    viewer_for_user,
    visible,
)
from dialogues.models import Idea, ObservedChange, Transfer
from dialogues.transfers.services import change_record, transfer_log, transfer_react
from participants.models import Membership
from tests.factories import level
from tests.world import idea, member_with_account, official, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 20)


def viewer(member):
    return viewer_for_user(member.person.user)


@pytest.fixture
def path(world):
    """Three ideas (Round 1 plenary at Programme; side A's pre-consultation; a Restricted note
    for the convenor), each sent to an official, each with a change observed after."""
    d = world["dialogue"]
    facilitator = member_with_account(
        dialogue=d, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    plenary = outcome(world["round_1"], level="Programme", summary="A shared gauge.")
    pre = outcome(world["pre"], level="Participants", summary="Side A's red line.")
    note = outcome(
        world["round_1"], level="Restricted", readers=[world["convenor"].person], summary="Hint."
    )
    ideas = {
        "plenary": idea(d, sources=[plenary], level="Programme", title="Joint gauge network"),
        "pre": idea(d, sources=[pre], level="Participants", title="Side A's offer"),
        "note": idea(
            d,
            sources=[note],
            level="Restricted",
            readers=[world["convenor"].person],
            title="The envoy's opening",
        ),
    }
    envoy = official(d, "Elena Marsh", "marsh@example.org", "Programme")
    user = world["convenor"].person.user
    transfers = {
        name: transfer_log(
            idea=made,
            official=envoy,
            means=Transfer.Means.MEETING,
            occurred_on=DAY,
            level=made.level
            if made.level.rank > level("Facilitators").rank
            else level("Facilitators"),
            carried_by=world["convenor"],
            readers=[world["convenor"].person] if name == "note" else (),
            by=user,
        )
        for name, made in ideas.items()
    }
    changes = {
        name: ObservedChange.objects.create(
            dialogue=d,
            observed_on=DAY,
            who_changed="The ministry",
            what_changed=f"Change after {name}",
            significance="It matters.",
            contribution="Our idea.",
            level=transfers[name].level,
        )
        for name in transfers
    }
    for name, change in changes.items():
        change.ideas.set([ideas[name]])
        change.transfers.set([transfers[name]])
    changes["note"].readers.set([world["convenor"].person])
    transfers["note"].readers.set([world["convenor"].person])
    return {
        "facilitator": facilitator,
        "ideas": ideas,
        "transfers": transfers,
        "changes": changes,
        "official": envoy,
    }


def seen(viewer_, model, world) -> set[str]:
    rows = visible(viewer_, model, dialogue_id=world["dialogue"].pk)
    if model is Transfer:
        return set(rows.values_list("idea__title", flat=True))
    return set(rows.values_list("what_changed", flat=True))


def test_the_convenor_named_on_everything_sees_every_transfer_and_change(world, path):
    assert seen(viewer(world["convenor"]), Transfer, world) == {
        "Joint gauge network",
        "Side A's offer",
        "The envoy's opening",
    }
    assert seen(viewer(world["convenor"]), ObservedChange, world) == {
        "Change after plenary",
        "Change after pre",
        "Change after note",
    }


def test_a_facilitator_not_named_never_sees_the_restricted_idea_s_transfer_or_change(world, path):
    assert seen(viewer(path["facilitator"]), Transfer, world) == {
        "Joint gauge network",
        "Side A's offer",
    }
    assert seen(viewer(path["facilitator"]), ObservedChange, world) == {
        "Change after plenary",
        "Change after pre",
    }


def test_a_change_linked_to_a_hidden_transfer_is_hidden_even_when_its_own_level_allows(world, path):
    change = path["changes"]["plenary"]
    change.transfers.add(path["transfers"]["note"])
    assert "Change after plenary" not in seen(viewer(path["facilitator"]), ObservedChange, world)
    assert "Change after plenary" in seen(viewer(world["convenor"]), ObservedChange, world)


def test_participants_observers_rapporteurs_and_other_dialogues_see_none(world, path):
    for name in ("participant", "other_side", "observer", "rapporteur", "outsider", "nominee"):
        assert seen(viewer(world[name]), Transfer, world) == set(), name
        assert seen(viewer(world[name]), ObservedChange, world) == set(), name


def test_a_named_reader_off_the_team_sees_what_names_them_when_they_see_its_idea(world, path):
    # The other side is named on the transfer of side A's idea: they do not see the idea
    # (from a pre-consultation they did not attend), so they do not see the transfer either.
    transfer = path["transfers"]["pre"]
    transfer.level = level("Restricted")
    transfer.save()
    transfer.readers.add(world["other_side"].person, world["participant"].person)
    assert seen(viewer(world["other_side"]), Transfer, world) == set()
    assert seen(viewer(world["participant"]), Transfer, world) == {"Side A's offer"}


def test_an_official_never_reads_transfers_or_changes_whatever_the_clearance(world, path):
    top = viewer_for_official(dialogue_id=world["dialogue"].pk, clearance=level("Restricted"))
    assert seen(top, Transfer, world) == set()
    assert seen(top, ObservedChange, world) == set()
    assert set(
        visible(top, Idea, dialogue_id=world["dialogue"].pk).values_list("title", flat=True)
    ) == {
        "Joint gauge network",
        "Side A's offer",
    }


def test_a_funder_is_at_most_the_outbound_level_and_sees_no_team_records(world, path):
    d = world["dialogue"]
    d.outbound_level = level("Programme")
    d.save()
    with pytest.raises(ValueError, match="at most the dialogue's outbound level"):
        viewer_for_funder(dialogue=d, level=level("Participants"))
    funder = viewer_for_funder(dialogue=d, level=level("Programme"))
    assert set(visible(funder, Idea, dialogue_id=d.pk).values_list("title", flat=True)) == {
        "Joint gauge network"
    }
    assert seen(funder, Transfer, world) == set()
    assert seen(funder, ObservedChange, world) == set()


def test_a_transfer_is_held_at_facilitators_or_stricter_and_never_below_its_idea(world, path):
    assert record_floor() == level("Facilitators")
    made = path["ideas"]
    kwargs = {
        "official": path["official"],
        "means": Transfer.Means.CALL,
        "occurred_on": DAY,
        "by": None,
    }
    with pytest.raises(ValidationError) as below_floor:
        transfer_log(idea=made["plenary"], level=level("Participants"), **kwargs)
    assert below_floor.value.message_dict == {"level": ["Held at Facilitators or stricter."]}
    with pytest.raises(ValidationError) as below_idea:
        transfer_log(idea=made["note"], level=level("Facilitators"), **kwargs)
    assert below_idea.value.message_dict == {
        "level": ["Never below its idea's level: Restricted or stricter."]
    }
    assert Transfer.objects.count() == 3


def test_an_official_of_another_dialogue_or_a_copy_to_someone_else_is_refused(world, path):
    stranger = official(world["elsewhere"], "Other", "other@example.org", "Public")
    with pytest.raises(ValidationError) as refused:
        transfer_log(
            idea=path["ideas"]["plenary"],
            official=stranger,
            means=Transfer.Means.CALL,
            occurred_on=DAY,
            level=level("Facilitators"),
        )
    assert refused.value.message_dict == {
        "official": ["Choose an official of this dialogue's register."]
    }


def test_logging_a_transfer_moves_the_idea_on_and_is_audited(world, path):
    made = path["ideas"]["plenary"]
    made.refresh_from_db()
    assert made.state == Idea.State.TRANSFERRED
    entry = AuditEntry.objects.get(
        action=AuditEntry.Action.CREATED,
        object_id=str(path["transfers"]["plenary"].pk),
        content_type__model="transfer",
    )
    assert entry.detail == {"idea": made.pk, "official": path["official"].pk, "means": "meeting"}


def test_a_reaction_saved_against_an_older_revision_is_refused(world, path):
    transfer = path["transfers"]["plenary"]
    transfer_react(
        transfer=transfer,
        reaction_kind=Transfer.Reaction.ASKED_MORE,
        reaction="Asked for the data-sharing annex.",
        revision=1,
    )
    transfer.refresh_from_db()
    assert (transfer.reaction_kind, transfer.edit_revision) == ("asked_more", 2)
    with pytest.raises(EditConflict):
        transfer_react(transfer=transfer, reaction_kind="rejected", reaction="", revision=1)
    transfer.refresh_from_db()
    assert transfer.reaction == "Asked for the data-sharing annex."


def test_a_change_is_recorded_no_lower_than_what_it_links_to_and_only_from_what_its_author_sees(
    world, path
):
    facilitator = path["facilitator"]
    common = {
        "dialogue": world["dialogue"],
        "kind": ObservedChange.Kind.POLICY,
        "observed_on": DAY,
        "who_changed": "The water ministry",
        "what_changed": "Adopted a joint gauge pilot.",
        "significance": "First shared data.",
        "contribution": "The idea reached the minister through our envoy.",
    }
    with pytest.raises(ValidationError) as hidden:
        change_record(
            viewer=viewer(facilitator),
            level=level("Restricted"),
            ideas=[path["ideas"]["note"]],
            **common,
        )
    assert hidden.value.message_dict == {"ideas": ["Choose among what this dialogue shows you."]}
    made = change_record(
        viewer=viewer(facilitator),
        level=level("Facilitators"),
        ideas=[path["ideas"]["plenary"]],
        transfers=[path["transfers"]["plenary"]],
        by=facilitator.person.user,
        **common,
    )
    assert list(made.ideas.all()) == [path["ideas"]["plenary"]]
    assert set(made.readers.all()) == {facilitator.person}
