"""The access matrix (see ``matrix.py``): every URL pattern of the project is requested by every
role against objects at every level, and every answer is what the rules call for."""

from collections import Counter

import pytest

from . import matrix
from . import world as W
from .world import (
    COPY_SPECS,
    DOCUMENT_SPECS,
    NON_PAPERS,
    PERSONS,
    SENTINELS,
    SESSIONS,
    changes_membership,
    convenes,
    is_member,
    may_leave,
    readable,
    reader_of_copy,
    reader_of_person,
    reader_of_role,
    sees_document,
    sees_item,
    sees_outcome,
    sees_session,
    sees_version,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_every_url_pattern_is_placed_in_the_matrix(world):
    patterns = matrix.url_patterns()
    placed = matrix.placed_patterns(world)
    unplaced = sorted(name for route, name in patterns.items() if route not in placed)
    assert unplaced == [], "URL patterns the access matrix does not request: " + ", ".join(unplaced)
    unknown = sorted(set(placed) - set(patterns))
    assert unknown == []


@pytest.mark.parametrize("label", matrix.ROUTE_LABELS)
def test_route(world, clients, label):
    report = matrix.run_matrix(world, routes=[matrix.route_by_label(label)], clients=clients)
    assert report.problems == [], "\n" + report.text()
    assert report.cells > 0


def test_emails_carry_nothing_above_the_recipient_nor_the_outbound_level(world):
    assert matrix.check_emails(world, world.emails) == []


def test_emails_go_to_exactly_those_who_may_know(world):
    """Agenda notices go to the attendees who may read the session (not to one who attends
    without the clearance: even the cover name would tell them it exists); invitations to the
    invitee; pack links to each official, once per link issued."""
    sent = Counter(
        (address, _kind(message.subject)) for message in world.emails for address in message.to
    )
    expected = Counter()
    for session in SESSIONS:
        if session.status == "draft":
            continue
        for key in session.attendees:
            if PERSONS[key].account and sees_session(reader_of_person(key), session.key):
                expected[(PERSONS[key].email, "agenda")] += 1
    expected[(PERSONS["inv"].email, "invitation")] += 2  # sent, then sent again
    for key in ("OFFPRG", "OFFFAC"):  # on release, then a new link each
        expected[(COPY_SPECS[key].email, "pack link")] += 2
    # The co-facilitator's request to raise A's outbound level: the rest of A's convening team.
    for key in ("fac", "conv"):
        expected[(PERSONS[key].email, "outbound request")] += 1
    # A circulated version of a non-paper: each member with an account, not of the convening
    # team, who may read it.
    for spec in NON_PAPERS:
        for number, state in zip(spec.numbers, spec.states, strict=True):
            for person in PERSONS.values():
                reader = reader_of_person(person.key)
                if (
                    state == "circulated"
                    and person.account
                    and is_member(reader, spec.dialogue)
                    and not convenes(reader, spec.dialogue)
                    and sees_version(reader, spec.key, number)
                ):
                    expected[(person.email, "non-paper")] += 1
    assert sent == expected


def _kind(subject: str) -> str:
    if subject.endswith(": the agenda changed"):
        return "agenda"
    if "An invitation" in subject:
        return "invitation"
    if subject.endswith(": a briefing pack for you"):
        return "pack link"
    if subject.endswith(": what may leave Trackii"):
        return "outbound request"
    if subject.endswith(": a text to read"):
        return "non-paper"
    return subject


def test_briefing_pack_files_hold_only_their_recipients_clearance(world):
    assert matrix.check_copy_files(world) == []


def test_reports_for_funders_hold_only_what_a_funder_at_their_level_may_know(world):
    assert matrix.check_report_files(world) == []


def test_the_rules_as_this_package_states_them():
    """Spot checks of the independent statement itself, so that a slip in it cannot make the
    matrix agree with a wrong application."""

    def sessions(reader):
        return {s.key for s in SESSIONS if sees_session(reader, s.key)}

    def papers(reader):
        return {key for key in DOCUMENT_SPECS if sees_document(reader, key)}

    role = reader_of_role
    assert sessions(role("participant")) == {"SPUB", "SPRG", "SPAR"}
    assert sessions(role("observer")) == {"SPUB", "SPRG"}
    assert sessions(role("facilitator")) == {
        "SPUB", "SPRG", "SPAR", "SPARX", "SFAC", "SRES", "SDRAFT"
    }  # fmt: skip
    # The co-facilitator is not named on the Restricted session.
    assert sessions(role("co_facilitator")) == {"SPUB", "SPRG", "SPAR", "SPARX", "SFAC", "SDRAFT"}
    # Inside the convening team: below one's own clearance only; the convenor anyone.
    assert [changes_membership(role("co_facilitator"), k) for k in ("part", "inv", "invf")] == [
        True,
        True,
        False,
    ]
    assert [changes_membership(role("facilitator"), k) for k in ("cof", "conv", "fac")] == [
        True,
        False,
        False,
    ]
    assert changes_membership(reader_of_person("conv"), "fac")
    assert not changes_membership(role("other_facilitator"), "out")
    assert sessions(role("outsider")) == sessions(role("other_facilitator")) == {"SB"}
    assert sessions(role("admin")) == sessions(role("anonymous")) == set()
    assert sessions(reader_of_copy("OFFFAC")) == {"SPUB", "SPRG", "SPAR", "SPARX", "SFAC"}
    assert papers(role("observer")) == {"DPUB", "DPRG", "DRES", "DSPUB", "DSPRG", "DIPRG"}
    assert papers(role("participant")) == {
        "DPUB", "DPRG", "DPAR", "DSPUB", "DSPRG", "DSPAR", "DIPRG"
    }  # fmt: skip
    # Named readers only, whatever the role: the participant reads the item, the facilitator not.
    assert sees_item(role("participant"), "IRES")
    assert not sees_item(role("facilitator"), "IRES")
    # Changed since publishing: a raise and a deletion apply at once, a lowering waits.
    for key in ("ITIGHT", "ILOOSE", "IGONE"):
        assert not sees_item(role("participant"), key), key
    assert sees_item(role("facilitator"), "ITIGHT")
    assert sees_item(role("facilitator"), "ILOOSE")
    assert not sees_item(role("facilitator"), "IGONE")
    assert "SNT-IGONE-TITLE" in readable(role("facilitator"))  # the planner lists it as removed
    assert "SNT-IGONE-TITLE" not in readable(reader_of_copy("OFFFAC"))
    assert sees_item(reader_of_copy("OFFFAC"), "ITIGHT")
    assert not sees_item(reader_of_copy("OFFPRG"), "ILOOSE")
    # Never off the record for an official; attributed records for those who record only.
    assert not sees_outcome(reader_of_copy("OFFFAC"), "OOFF")
    readable_by_participant = readable(role("participant"))
    assert "SNT-OPUB-SUMMARY" in readable_by_participant
    assert "SNT-OPUB-RECORD" not in readable_by_participant
    assert "SNT-OPUB-RECORD" in readable(role("facilitator"))
    # What may leave A (outbound: Programme): Programme titles, the cover name; never its title.
    leaving = {t for t in SENTINELS if may_leave(t) and SENTINELS[t].dialogue == "A"}
    assert {"SNT-SPRG-TITLE", "SNT-IPRG-ROOM", "SNT-A-DCOVER"} <= leaving
    assert leaving.isdisjoint({"SNT-SPAR-TITLE", "SNT-IPAR-TITLE", "SNT-A-DTITLE"})


def test_rule_12_as_this_package_states_it():
    """Spot checks of the statement of rule 12, written out by hand: who sees which non-paper,
    which version and which caucus comment."""
    people = ("fac", "conv", "cof", "part", "other", "obs", "thp", "out", "ofac")

    def non_papers(person):
        reader = reader_of_person(person)
        return {key for key in W.NON_PAPER_SPECS if W.sees_non_paper(reader, key)}

    def comments(person):
        reader = reader_of_person(person)
        return {key for key in W.COMMENT_SPECS if W.sees_comment(reader, key)}

    a = {"NPPRG", "NPSPARX", "NPRES", "NPIDRES", "NPDRAFT"}
    assert {p: non_papers(p) for p in people} == {
        "fac": a,
        # Not named on the Restricted one; named on one whose idea they may not see.
        "conv": {"NPPRG", "NPSPARX", "NPDRAFT"},
        "cof": {"NPPRG", "NPSPARX", "NPDRAFT"},
        "part": {"NPPRG", "NPRES", "NPDRAFT"},  # not the pre-consultation's
        "other": {"NPPRG", "NPSPARX", "NPDRAFT"},
        "obs": {"NPPRG", "NPDRAFT"},
        "thp": {"NPPRG", "NPDRAFT"},
        "out": {"NPB"},
        "ofac": {"NPB"},
    }
    assert {p: comments(p) for p in people} == {
        "fac": {"CMONE", "CMTWO", "CMREPLY", "CMREPLYTWO", "CMSPARX", "CMRES"},
        "conv": {"CMONE", "CMTWO", "CMREPLY", "CMREPLYTWO", "CMSPARX"},
        "cof": {"CMONE", "CMTWO", "CMREPLY", "CMREPLYTWO", "CMSPARX"},
        "part": {"CMONE", "CMREPLY", "CMRES"},
        "other": {"CMTWO", "CMREPLYTWO", "CMSPARX"},
        "obs": set(),  # an observer on side one
        "thp": set(),  # the third party
        "out": set(),  # a member of B without a side
        "ofac": {"CMB"},
    }
    # The sides read circulated versions only; the team every one.
    part, cof = reader_of_person("part"), reader_of_person("cof")
    assert [W.sees_version(part, "NPPRG", n) for n in (1, 2, 3)] == [True, False, False]
    assert [W.sees_version(cof, "NPPRG", n) for n in (1, 2, 3)] == [True, True, True]
    # An official at a clearance reads a circulated version, never a comment.
    for copy in COPY_SPECS:
        official = reader_of_copy(copy)
        assert not any(W.sees_comment(official, key) for key in W.COMMENT_SPECS), copy
    assert W.sees_version(reader_of_copy("OFFPRG"), "NPPRG", 1)
    assert not W.sees_version(reader_of_copy("OFFPRG"), "NPPRG", 2)
    # A comment's author is named to whoever reads it, and to nobody else through it.
    assert "SNT-PFAC-NAME" in readable(reader_of_person("part"))  # the team's reply
    assert "SNT-PCOF-NAME" not in readable(reader_of_person("part"))  # replied to side two
    assert "SNT-POTHER-NAME" not in readable(reader_of_person("thp"))
