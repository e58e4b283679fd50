"""Ideas (issue 18): derived from outcomes, seen only by those who may see every source and the
idea's own level (rule 8), never looser in attribution than their strictest source; their state
and follow-ups, the convening team's. With data present that could leak: a pre-consultation
with one side, a Restricted note for named readers, a Chatham House speaker."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from dialogues.confidentiality import (
    strictest_attribution,
    viewer_for_official,
    viewer_for_user,
    visible,
)
from dialogues.ideas.services import follow_up_add, idea_derive
from dialogues.models import FollowUp, Idea, Outcome
from participants.models import Membership
from tests.factories import level
from tests.world import member_with_account, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

A = Outcome.Attribution
SPEAKER = "Speaker Sentinel"


def viewer(member):
    return viewer_for_user(member.person.user)


def derive(world, sources, *, title, at="Participants", by=None, **kwargs):
    convenor = by or world["convenor"]
    return idea_derive(
        dialogue=world["dialogue"],
        viewer=viewer(convenor),
        sources=sources,
        title=title,
        summary=f"{title}: the idea, without names.",
        level=level(at),
        by=convenor.person.user,
        **kwargs,
    )


def seen(member, world) -> set[str]:
    return set(
        visible(viewer(member), Idea, dialogue_id=world["dialogue"].pk).values_list(
            "title", flat=True
        )
    )


@pytest.fixture
def ideas(world):
    """Three ideas: one from the Round 1 plenary (Chatham House, with a speaker), one from side
    A's pre-consultation, one from a Restricted note for the convenor only."""
    speaker = member_with_account(dialogue=world["dialogue"], clearance="Participants")
    speaker.person.full_name = SPEAKER
    speaker.person.save()
    plenary = outcome(
        world["round_1"], level="Programme", speakers=[speaker.person], summary="A shared gauge."
    )
    pre = outcome(world["pre"], level="Participants", summary="Side A's red line.")
    note = outcome(
        world["round_1"],
        level="Restricted",
        readers=[world["convenor"].person],
        summary="What the envoy hinted.",
    )
    return {
        "plenary": derive(world, [plenary], title="Joint gauge network", at="Programme"),
        "pre": derive(world, [pre], title="Side A's offer"),
        "note": derive(world, [note], title="The envoy's opening", at="Restricted"),
        "outcomes": {"plenary": plenary, "pre": pre, "note": note},
        "speaker": speaker,
    }


def test_an_idea_is_seen_only_by_those_who_may_see_every_source(world, ideas):
    assert seen(world["convenor"], world) == {
        "Joint gauge network",
        "Side A's offer",
        "The envoy's opening",
    }
    # Side A's participant attends the pre-consultation; side B's does not: the idea from it
    # never reaches side B.
    assert seen(world["participant"], world) == {"Joint gauge network", "Side A's offer"}
    assert seen(world["other_side"], world) == {"Joint gauge network"}
    assert seen(world["observer"], world) == {"Joint gauge network"}
    assert seen(world["outsider"], world) == set()


def test_an_idea_from_two_sources_narrows_to_both(world, ideas):
    both = derive(
        world,
        [ideas["outcomes"]["plenary"], ideas["outcomes"]["pre"]],
        title="Gauges on side A's terms",
    )
    assert both.attribution == A.CHATHAM_HOUSE
    assert "Gauges on side A's terms" in seen(world["participant"], world)
    assert "Gauges on side A's terms" not in seen(world["other_side"], world)


def test_an_idea_at_a_level_the_reader_may_not_read_stays_hidden(world, ideas):
    derive(world, [ideas["outcomes"]["plenary"]], title="For the team", at="Facilitators")
    assert "For the team" in seen(world["convenor"], world)
    # The Facilitators level is the convening team's: a rapporteur cleared for it is not of it.
    assert "For the team" not in seen(world["rapporteur"], world)
    assert "For the team" not in seen(world["participant"], world)


def test_an_official_never_sees_an_idea_from_an_off_the_record_outcome(world, ideas):
    off = outcome(world["round_1"], level="Public", attribution=A.OFF_RECORD, summary="Off.")
    derive(world, [off], title="Not for outside", at="Public")
    on = outcome(world["round_1"], level="Public", attribution=A.ON_RECORD, summary="On.")
    derive(world, [on], title="For the minister", at="Public")
    official = viewer_for_official(dialogue_id=world["dialogue"].pk, clearance=level("Restricted"))
    titles = set(visible(official, Idea).values_list("title", flat=True))
    assert titles == {"For the minister", "Joint gauge network", "Side A's offer"}


def test_attribution_is_the_strictest_of_the_sources(world):
    assert strictest_attribution([A.ON_RECORD, A.ON_RECORD]) == A.ON_RECORD
    assert strictest_attribution([A.ON_RECORD, A.CHATHAM_HOUSE]) == A.CHATHAM_HOUSE
    assert strictest_attribution([A.CHATHAM_HOUSE, A.OFF_RECORD, A.ON_RECORD]) == A.OFF_RECORD


def test_an_idea_from_a_chatham_house_outcome_never_names_a_speaker(world, ideas, login):
    # A participant's pages hold no roster: the speaker's name appears nowhere on them.
    idea = ideas["plenary"]
    for member in (world["participant"], world["convenor"]):
        client = login(member)
        detail = client.get(reverse("dialogues:idea_detail", args=[world["dialogue"].pk, idea.pk]))
        listing = client.get(reverse("dialogues:ideas", args=[world["dialogue"].pk]))
        assert (detail.status_code, listing.status_code) == (200, 200)
        assert "Put forward by" not in detail.content.decode()
        assert SPEAKER not in listing.content.decode()
        if member is world["participant"]:
            assert SPEAKER not in detail.content.decode()
        else:  # the convening team's follow-up form lists the roster, the speaker among them
            facts = detail.content.decode().split('<section aria-labelledby="state-h"')[0]
            assert SPEAKER not in facts
    client = login(world["convenor"])
    # On the record throughout: the speaker is named with the idea.
    on = outcome(
        world["round_1"],
        level="Programme",
        attribution=A.ON_RECORD,
        speakers=[ideas["speaker"].person],
        summary="Said openly.",
    )
    named = derive(world, [on], title="Said openly", at="Programme")
    page = client.get(reverse("dialogues:idea_detail", args=[world["dialogue"].pk, named.pk]))
    assert f"<dt>Put forward by</dt><dd>{SPEAKER}</dd>" in page.content.decode()


def test_deriving_refuses_a_looser_level_a_source_the_deriver_may_not_read_and_none(world, ideas):
    co = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    with pytest.raises(ValidationError) as looser:
        derive(world, [ideas["outcomes"]["pre"]], title="Looser", at="Programme")
    assert looser.value.message_dict == {
        "level": [
            "An idea is held at least at its sources' levels: “Side A's red line.” is at "
            "Participants."
        ]
    }
    with pytest.raises(ValidationError) as hidden:
        derive(world, [ideas["outcomes"]["note"]], title="Hidden", at="Restricted", by=co)
    assert hidden.value.message_dict == {
        "sources": ["Choose outcomes of this dialogue that you may read."]
    }
    with pytest.raises(ValidationError) as none:
        derive(world, [], title="Nothing")
    assert none.value.message_dict == {"sources": ["Derive the idea from at least one outcome."]}
    assert Idea.objects.count() == 3


def test_the_pages_404_for_who_may_not_see_the_idea(world, ideas, login):
    d = world["dialogue"].pk
    note = ideas["note"]
    for member in (world["participant"], world["other_side"], world["outsider"]):
        client = login(member)
        assert client.get(reverse("dialogues:idea_detail", args=[d, note.pk])).status_code == 404
    other = login(world["other_side"])
    pre = ideas["pre"]
    assert other.get(reverse("dialogues:idea_detail", args=[d, pre.pk])).status_code == 404
    listed = other.get(reverse("dialogues:ideas", args=[d])).content.decode()
    for secret in ("Side A's offer", "The envoy's opening", "Side A's red line"):
        assert secret not in listed
    outsider = login(world["outsider"])
    assert outsider.get(reverse("dialogues:ideas", args=[d])).status_code == 404


def test_only_the_convening_team_derives_and_moves_ideas(world, ideas, login):
    d = world["dialogue"].pk
    plenary = ideas["plenary"]
    participant = login(world["participant"])
    for name, args, data in (
        ("idea_create", [d], {}),
        ("idea_state", [d, plenary.pk], {"state": "developed"}),
        ("follow_up_create", [d, plenary.pk], {"task": "x"}),
    ):
        assert participant.post(reverse(f"dialogues:{name}", args=args), data).status_code == 404
    assert participant.get(reverse("dialogues:idea_create", args=[d])).status_code == 404
    plenary.refresh_from_db()
    assert plenary.state == Idea.State.RAISED


def test_a_facilitator_derives_an_idea_moves_it_and_follows_it_up(world, ideas, login):
    d = world["dialogue"].pk
    client = login(world["convenor"])
    source = ideas["outcomes"]["plenary"]
    form = client.get(reverse("dialogues:idea_create", args=[d]) + f"?outcome={source.pk}")
    assert form.context["form"].initial["sources"] == [str(source.pk)]
    response = client.post(
        reverse("dialogues:idea_create", args=[d]),
        {
            "sources": [source.pk],
            "title": "Shared telemetry",
            "summary": "Both sides read the same gauges.",
            "level": level("Programme").pk,
        },
    )
    idea = Idea.objects.get(title="Shared telemetry")
    assert response.status_code == 302
    assert response["Location"] == reverse("dialogues:idea_detail", args=[d, idea.pk])
    assert (idea.attribution, list(idea.sources.all())) == (A.CHATHAM_HOUSE, [source])
    client.post(reverse("dialogues:idea_state", args=[d, idea.pk]), {"state": "drafted"})
    idea.refresh_from_db()
    assert idea.state == Idea.State.DRAFTED
    client.post(
        reverse("dialogues:follow_up_create", args=[d, idea.pk]),
        {"owner": world["convenor"].pk, "task": "Draft a non-paper", "due": "15/04/2027"},
    )
    follow_up = FollowUp.objects.get()
    assert (follow_up.task, follow_up.due, follow_up.owner) == (
        "Draft a non-paper",
        date(2027, 4, 15),
        world["convenor"],
    )
    client.post(reverse("dialogues:follow_up_done", args=[d, idea.pk, follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    actions = list(
        AuditEntry.objects.filter(
            Q(content_type__model="idea", object_id=str(idea.pk))
            | Q(content_type__model="followup", object_id=str(follow_up.pk))
        )
        .exclude(action="viewed")
        .order_by("id")
        .values_list("action", "detail")
    )
    assert actions == [
        ("created", {"sources": [source.pk], "attribution": "chatham_house"}),
        ("changed", {"state": ["raised", "drafted"]}),
        ("created", {"idea": idea.pk, "due": "2027-04-15"}),
        ("changed", {"done": True}),
    ]


def test_a_follow_up_owner_is_an_accepted_member_of_the_dialogue(world, ideas):
    with pytest.raises(ValidationError) as refused:
        follow_up_add(idea=ideas["plenary"], owner=world["nominee"], task="x", due=date(2027, 1, 1))
    assert refused.value.message_dict == {
        "owner": ["The owner must be an accepted member of this dialogue."]
    }


@pytest.mark.parametrize("size", [2, 20])
def test_the_ideas_list_query_count_does_not_grow(world, login, size, django_assert_num_queries):
    source = outcome(world["round_1"], level="Programme", summary="Source.")
    for n in range(size):
        derive(world, [source], title=f"Idea {n}", at="Programme")
    client = login(world["participant"])
    url = reverse("dialogues:ideas", args=[world["dialogue"].pk])
    client.get(url)
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["ideas"]) == size


def test_the_convening_team_drafts_a_non_paper_from_an_ideas_page(world, ideas, login):
    d = world["dialogue"].pk
    idea = ideas["plenary"]
    detail = reverse("dialogues:idea_detail", args=[d, idea.pk])
    create = reverse("dialogues:non_paper_create", args=[d])
    link = f'href="{create}?idea={idea.pk}">Draft a non-paper from it</a>'
    convenor = login(world["convenor"])
    assert link in convenor.get(detail).content.decode()
    form = convenor.get(f"{create}?idea={idea.pk}").context["form"]
    assert (form["ideas"].value(), form["title"].value()) == ([str(idea.pk)], idea.title)
    participant = login(world["participant"])
    assert "Draft a non-paper from it" not in participant.get(detail).content.decode()
    Idea.objects.filter(pk=idea.pk).update(state=Idea.State.SET_ASIDE)  # not offered then
    assert "Draft a non-paper from it" not in convenor.get(detail).content.decode()
