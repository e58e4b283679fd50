"""Briefing packs carry the dialogue's ideas (issue 18): a copy's "Proposals" hold exactly the
ideas its official's clearance allows (rule 8), with speakers only when every source is on the
record; rendering records what each copy carries; issuing its link logs each as a transfer to
that official, once; the distribution register shows them. With data present that could leak:
an idea from side A's pre-consultation, one from a Restricted note for the convenor only, one at
the convening team's level, one set aside, and a Chatham House idea whose source names "Speaker
Sentinel"."""

import re

import pytest
from django.urls import reverse

from dialogues.briefing import services as briefing
from dialogues.briefing.selectors import guard_findings_of, pack_contents
from dialogues.confidentiality import viewer_for_user
from dialogues.ideas.services import idea_set_state
from dialogues.models import BriefingPack, Idea, Outcome, Transfer
from participants.models import Membership
from tests.dialogues.test_briefing_pdf import pages_of, render_all, request_pack
from tests.factories import level
from tests.world import idea, member_with_account, outcome

pytestmark = pytest.mark.django_db

A = Outcome.Attribution
SPEAKER = "Speaker Sentinel"  # speaks under the Chatham House Rule: never printed
OPEN = "Open Speaker"  # speaks on the record: the positive control

CHATHAM = "PROPOSAL-CHATHAM-C5"
ON_RECORD = "PROPOSAL-ONRECORD-O2"
MIXED = "PROPOSAL-MIXED-M4"  # from an on-record and a Chatham House outcome
TEAM = "PROPOSAL-TEAM-F1"  # at Facilitators
PRE = "SENTINEL-PRE-A7"
NOTE = "SENTINEL-NOTE-R3"
SET_ASIDE = "SENTINEL-SETASIDE-S9"

PROGRAMME_CARRIES = {CHATHAM, ON_RECORD, MIXED}
RESTRICTED_CARRIES = {CHATHAM, ON_RECORD, MIXED, TEAM, PRE}


def speaker(world, name):
    member = member_with_account(dialogue=world["dialogue"], clearance="Participants")
    member.person.full_name = name
    member.person.save()
    return member.person


@pytest.fixture
def proposals(world):
    d, round_1, convenor = world["dialogue"], world["round_1"], world["convenor"]
    said = outcome(
        round_1, level="Programme", speakers=[speaker(world, SPEAKER)], summary="OUT-CH gauges."
    )
    stated = outcome(
        round_1,
        level="Programme",
        attribution=A.ON_RECORD,
        speakers=[speaker(world, OPEN)],
        summary="OUT-ON a joint statement.",
    )
    pre = outcome(world["pre"], level="Participants", summary="Side A's red line.")
    note = outcome(
        round_1, level="Restricted", readers=[convenor.person], summary="What the envoy hinted."
    )
    made = {
        CHATHAM: idea(d, sources=[said], level="Programme", title=CHATHAM),
        ON_RECORD: idea(d, sources=[stated], level="Programme", title=ON_RECORD),
        MIXED: idea(d, sources=[stated, said], level="Programme", title=MIXED),
        TEAM: idea(d, sources=[said], level="Facilitators", title=TEAM),
        PRE: idea(d, sources=[pre], level="Participants", title=PRE),
        NOTE: idea(d, sources=[note], level="Restricted", readers=[convenor.person], title=NOTE),
        SET_ASIDE: idea(
            d, sources=[stated], level="Public", title=SET_ASIDE, state=Idea.State.SET_ASIDE
        ),
    }
    assert made[MIXED].attribution == A.CHATHAM_HOUSE
    assert made[ON_RECORD].attribution == A.ON_RECORD
    return made


@pytest.fixture
def rendered(world, proposals):
    """A pack for an official cleared Programme and one cleared Restricted, rendered."""
    pack = request_pack(world, [("Amal Haddad", "Programme"), ("Brian Osei", "Restricted")])
    programme, restricted = render_all(pack)
    return {
        "pack": pack,
        "programme": (programme, " ".join("\n".join(pages_of(programme)).split())),
        "restricted": (restricted, " ".join("\n".join(pages_of(restricted)).split())),
    }


def titles(ideas) -> set[str]:
    return {i.title for i in ideas}


@pytest.mark.slow
def test_a_copy_holds_exactly_the_proposals_its_officials_clearance_allows(rendered):
    every = {CHATHAM, ON_RECORD, MIXED, TEAM, PRE, NOTE, SET_ASIDE}
    for key, carries in (("programme", PROGRAMME_CARRIES), ("restricted", RESTRICTED_CARRIES)):
        copy, text = rendered[key]
        assert {t for t in every if t in text} == carries, key
        assert "Proposals" in text
        # Recorded with the file: what the copy carries, for the transfer log.
        assert titles(copy.ideas.all()) == carries, key


@pytest.mark.slow
def test_no_chatham_house_speaker_stands_beside_a_proposal_but_on_record_names_do(rendered):
    for key in ("programme", "restricted"):
        _copy, text = rendered[key]
        assert SPEAKER not in text
        # Once beside the outcome on the record, once beside the idea drawn from it alone; not
        # beside the idea that also draws on a Chatham House outcome.
        assert text.count(f"On the record: {OPEN}") == 2, key
        assert text.count(OPEN) == 2, key
        assert "Chatham House Rule: not for attribution" in text


def proposals_section(text: str) -> str:
    """From the "Proposals" heading (after the summary) to the first session's heading."""
    start = text.index("Proposals", text.index("proposals at this copy's clearance"))
    return text[start : text.index("Round 1", start)]


@pytest.mark.slow
def test_the_proposals_follow_the_summary_oldest_first_each_with_its_attribution(rendered):
    _copy, text = rendered["programme"]
    assert "3 proposals at this copy's clearance" in text
    section = proposals_section(text)
    assert sorted(PROGRAMME_CARRIES, key=section.index) == [CHATHAM, ON_RECORD, MIXED]
    assert section.count("What the idea proposes.") == 3  # each idea's summary
    after_on_record = section[section.index(ON_RECORD) : section.index(MIXED)]
    assert f"On the record: {OPEN}" in after_on_record
    after_mixed = section[section.index(MIXED) :]
    assert "Chatham House Rule: not for attribution" in after_mixed
    assert OPEN not in after_mixed


def test_only_ideas_of_the_chosen_sessions_alone_are_carried(world, proposals):
    d = world["dialogue"]
    span = outcome(world["pre"], level="Participants", summary="Both rounds.")
    idea(d, sources=[span, proposals[CHATHAM].sources.get()], level="Participants", title="SPAN")

    def carried(*sessions):
        pack = BriefingPack.objects.create(dialogue=d)
        pack.sessions.set(sessions)
        contents = pack_contents(pack=pack, clearance=level("Restricted"))
        return [entry.idea.title for entry in contents.ideas]

    assert carried(world["round_1"]) == [CHATHAM, ON_RECORD, MIXED, TEAM]
    assert carried(world["pre"]) == [PRE]
    assert carried() == [CHATHAM, ON_RECORD, MIXED, TEAM, PRE, "SPAN"]
    assert carried(world["round_1"], world["pre"]) == [CHATHAM, ON_RECORD, MIXED, TEAM, PRE, "SPAN"]


def test_speakers_are_collected_only_for_ideas_wholly_on_the_record(world, proposals):
    pack = BriefingPack.objects.create(dialogue=world["dialogue"])
    contents = pack_contents(pack=pack, clearance=level("Restricted"))
    assert {e.idea.title: e.named_speakers for e in contents.ideas} == {
        CHATHAM: [],
        ON_RECORD: [OPEN],
        MIXED: [],
        TEAM: [],
        PRE: [],
    }


@pytest.mark.parametrize("size", [1, 5])
def test_collecting_the_proposals_takes_the_same_queries_for_1_and_5(
    world, size, django_assert_num_queries
):
    d = world["dialogue"]
    stated = outcome(
        world["round_1"],
        level="Programme",
        attribution=A.ON_RECORD,
        speakers=[speaker(world, OPEN)],
    )
    said = outcome(world["round_1"], level="Programme", speakers=[speaker(world, SPEAKER)])
    idea(d, sources=[stated], level="Programme", title="On the record")
    for n in range(size - 1):
        idea(d, sources=[said], level="Programme", title=f"Chatham {n}")
    pack = BriefingPack.objects.create(dialogue=d)
    clearance = level("Programme")
    # The scale of levels, the pack's sessions, its sessions, their items, outcomes and the
    # outcomes' speakers, the ideas and the speakers of those on the record.
    with django_assert_num_queries(8):
        contents = pack_contents(pack=pack, clearance=clearance)
    assert len(contents.ideas) == size


@pytest.mark.slow
def test_issuing_a_copys_link_logs_one_transfer_per_idea_it_carries_never_twice(
    world, rendered, django_capture_on_commit_callbacks
):
    facilitator = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    by = facilitator.person.user
    pack = rendered["pack"]
    with django_capture_on_commit_callbacks(execute=True):
        briefing.pack_release(pack=pack, by=by)
    programme, restricted = rendered["programme"][0], rendered["restricted"][0]

    def logged():
        return {
            (t.pack_copy.number, t.idea.title, t.official.name, t.means, t.level.name)
            for t in Transfer.objects.select_related("pack_copy", "idea", "official", "level")
        }

    # At the convening team's level (Facilitators): every idea here is at or below it.
    expected = {
        (1, title, "Amal Haddad", "pack", "Facilitators") for title in PROGRAMME_CARRIES
    } | {(2, title, "Brian Osei", "pack", "Facilitators") for title in RESTRICTED_CARRIES}
    assert logged() == expected
    assert set(Transfer.objects.values_list("carried_by", flat=True)) == {facilitator.pk}
    assert set(Idea.objects.filter(transfers__isnull=False).values_list("state", flat=True)) == {
        Idea.State.TRANSFERRED
    }
    # A new link for a copy: the same ideas reached the same official once.
    with django_capture_on_commit_callbacks(execute=True):
        briefing.copy_link_issue(copy=restricted, by=by)
        briefing.copy_link_issue(copy=programme, by=by)
    assert logged() == expected
    assert Transfer.objects.count() == len(PROGRAMME_CARRIES) + len(RESTRICTED_CARRIES)


def register_rows(html: str) -> dict[str, list[str]]:
    """Each copy row's anchor and the idea pages it links to, in order."""
    rows = re.findall(r'<tr id="(copy-\d+)">(.*?)</tr>', html, flags=re.S)
    return {anchor: re.findall(r'href="([^"]*/ideas/\d+/)"', row) for anchor, row in rows}


@pytest.mark.slow
def test_the_register_links_each_copy_to_the_ideas_it_carried_as_far_as_the_viewer_sees(
    world, proposals, rendered, login
):
    d = world["dialogue"].pk
    programme, restricted = rendered["programme"][0], rendered["restricted"][0]
    url = reverse("dialogues:pack_detail", args=[d, rendered["pack"].pk])

    def links(*names):
        return [
            reverse("dialogues:idea_detail", args=[d, proposals[name].pk])
            for name in sorted(names, key=lambda n: proposals[n].pk)
        ]

    page = login(world["convenor"]).get(url)
    assert register_rows(page.content.decode()) == {
        f"copy-{programme.pk}": links(*PROGRAMME_CARRIES),
        f"copy-{restricted.pk}": links(*RESTRICTED_CARRIES),
    }
    assert f">{TEAM}</a>" in page.content.decode()
    # A member of the convening team cleared below Facilitators: the idea at that level is
    # not theirs to see, and nothing says it was carried.
    co = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Participants"
    )
    page = login(co).get(url)
    assert register_rows(page.content.decode()) == {
        f"copy-{programme.pk}": links(*PROGRAMME_CARRIES),
        f"copy-{restricted.pk}": links(CHATHAM, ON_RECORD, MIXED, PRE),
    }
    assert TEAM not in page.content.decode()


@pytest.mark.slow
def test_a_name_in_a_chatham_house_idea_holds_the_pack_and_the_review_points_to_the_idea(
    world, proposals
):
    named = proposals[CHATHAM]
    named.summary = f"As {SPEAKER} put it, a joint gauge network."
    named.save()
    on_record = proposals[ON_RECORD]
    on_record.summary = f"{OPEN} proposed a joint statement."  # may stand: on the record
    on_record.save()
    pack = request_pack(world, [("Amal Haddad", "Programme")])
    (copy,) = render_all(pack)
    pack.refresh_from_db()
    assert pack.guard == BriefingPack.Guard.HELD
    person = Idea.objects.get(pk=named.pk).sources.get().speakers.get()
    assert copy.guard_findings == [{"idea": named.pk, "person": person.pk}]
    found = guard_findings_of(pack=pack, viewer=viewer_for_user(world["convenor"].person.user))
    assert [(f.copy_number, f.person, f.place, f.url) for f in found] == [
        (
            1,
            person,
            f"the proposal “{CHATHAM}” (set it aside to leave it out)",
            reverse("dialogues:idea_detail", args=[world["dialogue"].pk, named.pk]),
        )
    ]


@pytest.mark.slow
def test_an_idea_changed_after_rendering_holds_the_release_until_rendered_again(
    world, proposals, django_capture_on_commit_callbacks
):
    pack = request_pack(world, [("Amal Haddad", "Programme")])
    (copy,) = render_all(pack)
    pack.refresh_from_db()
    facilitator = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    by = facilitator.person.user
    assert briefing.release_blockers(pack, by=by) == []
    idea_set_state(idea=proposals[CHATHAM], state=Idea.State.SET_ASIDE, by=by)
    assert briefing.release_blockers(pack, by=by) == [briefing.CHANGED_SINCE_RENDER]
    with django_capture_on_commit_callbacks(execute=True):
        briefing.pack_render_again(pack=pack, by=by, failed_only=False)
    copy.refresh_from_db()
    pack.refresh_from_db()
    assert titles(copy.ideas.all()) == {ON_RECORD, MIXED}
    assert CHATHAM not in " ".join(pages_of(copy))
    assert briefing.release_blockers(pack, by=by) == []
