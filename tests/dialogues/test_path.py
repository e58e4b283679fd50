"""The path at a glance (issue 18): sessions, ideas, transfers to officials and observed changes,
drawn for each member from what they may see. With data present that could leak: an idea from
side A's pre-consultation, a Restricted idea named to the convenor only, a transfer hidden from
a facilitator not named on it, a change linked to that hidden transfer, a Chatham House
speaker. Each picture holds exactly the nodes and edges its viewer may see, and a hidden node
leaves no trace: the picture is byte for byte the one drawn when the node does not exist."""

import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from dialogues.confidentiality import viewer_for_user, visible
from dialogues.models import Idea, ObservedChange, Session, Transfer
from dialogues.path.graph import graph_of
from dialogues.path.selectors import path_of
from dialogues.path.svg import NODE_HEIGHT, NODE_WIDTH, shortened
from participants.models import Membership
from tests.factories import level
from tests.world import idea, member_with_account, official, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

SPEAKER = "Speaker Sentinel"
DAY = date(2026, 11, 20)


def viewer(member):
    return viewer_for_user(member.person.user)


def url(dialogue, **query) -> str:
    address = reverse("dialogues:path", args=[dialogue.pk])
    return address + "".join(f"?{k}={v}" for k, v in query.items())


def transfer(made, envoy, *, at="Facilitators", readers=(), day=DAY):
    row = Transfer.objects.create(
        dialogue=made.dialogue,
        idea=made,
        official=envoy,
        means=Transfer.Means.MEETING,
        occurred_on=day,
        level=level(at),
    )
    row.readers.set(readers)
    return row


def change(dialogue, who, *, ideas=(), transfers=(), at="Facilitators", readers=(), day=DAY):
    row = ObservedChange.objects.create(
        dialogue=dialogue,
        kind=ObservedChange.Kind.POSITION,
        observed_on=day,
        who_changed=who,
        what_changed=f"What {who} changed",
        significance="It matters.",
        contribution="Our idea.",
        level=level(at),
    )
    row.ideas.set(ideas)
    row.transfers.set(transfers)
    row.readers.set(readers)
    return row


@pytest.fixture
def path(world):
    """Three ideas (Round 1's plenary, Chatham House with a speaker; side A's pre-consultation;
    a Restricted note named to the convenor), their transfers to one official (one more of the
    plenary's, Restricted and named to the convenor only) and the changes observed after."""
    d = world["dialogue"]
    Session.objects.filter(pk=world["pre"].pk).update(
        start=datetime(2027, 3, 1, 8, tzinfo=UTC), end=datetime(2027, 3, 1, 17, tzinfo=UTC)
    )
    convenor = world["convenor"].person
    facilitator = member_with_account(
        dialogue=d, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    speaker = member_with_account(dialogue=d, clearance="Participants")
    speaker.person.full_name = SPEAKER
    speaker.person.save()
    plenary = outcome(
        world["round_1"], level="Programme", speakers=[speaker.person], summary="A gauge."
    )
    pre = outcome(world["pre"], level="Participants", summary="Side A's red line.")
    note = outcome(world["round_1"], level="Restricted", readers=[convenor], summary="Hint.")
    ideas = {
        "plenary": idea(d, sources=[plenary], level="Programme", title="Joint gauge network"),
        "pre": idea(d, sources=[pre], level="Participants", title="Side A's offer"),
        "note": idea(
            d, sources=[note], level="Restricted", readers=[convenor], title="The envoy's opening"
        ),
    }
    envoy = official(d, "Elena Marsh", "marsh@example.org", "Programme")
    transfers = {
        "plenary": transfer(ideas["plenary"], envoy),
        "pre": transfer(ideas["pre"], envoy, day=DAY + timedelta(days=1)),
        "note": transfer(
            ideas["note"], envoy, at="Restricted", readers=[convenor], day=DAY + timedelta(3)
        ),
        # The plenary's idea, sent again in confidence: hidden from a facilitator not named.
        "quiet": transfer(
            ideas["plenary"], envoy, at="Restricted", readers=[convenor], day=DAY + timedelta(2)
        ),
    }
    changes = {
        "ministry": change(
            d, "The ministry", ideas=[ideas["plenary"]], transfers=[transfers["plenary"]]
        ),
        # At Facilitators itself, but linked to the quiet transfer: hidden with it.
        "envoy": change(d, "The envoy", transfers=[transfers["quiet"]]),
        # Straight from side A's idea.
        "council": change(d, "The council", ideas=[ideas["pre"]]),
        "note": change(
            d, "The cabinet", ideas=[ideas["note"]], transfers=[transfers["note"]], at="Restricted"
        ),
    }
    changes["note"].readers.set([convenor])
    return {
        "facilitator": facilitator,
        "speaker": speaker,
        "ideas": ideas,
        "transfers": transfers,
        "changes": changes,
    }


# What each node says, as the picture's hover text and the list give it whole.
R1 = "Session: Round 1, 15 Mar 2027"
PRE = "Session: Pre-consultation A, 1 Mar 2027"
GAUGE = "Idea: Joint gauge network (Raised)"
OFFER = "Idea: Side A's offer (Raised)"
ENVOY_IDEA = "Idea: The envoy's opening (Raised)"
T_GAUGE = "Transfer to Elena Marsh: Meeting, 20 Nov 2026"
T_OFFER = "Transfer to Elena Marsh: Meeting, 21 Nov 2026"
T_NOTE = "Transfer to Elena Marsh: Meeting, 23 Nov 2026"
T_QUIET = "Transfer to Elena Marsh: Meeting, 22 Nov 2026"
MINISTRY = "Observed change: The ministry (An official's position), 20 Nov 2026"
ENVOY = "Observed change: The envoy (An official's position), 20 Nov 2026"
COUNCIL = "Observed change: The council (An official's position), 20 Nov 2026"
CABINET = "Observed change: The cabinet (An official's position), 20 Nov 2026"


def drawn(content: str) -> tuple[list[list[str]], set[tuple[str, str]]]:
    """The picture as a reader sees it: each lane's nodes top to bottom (by their hover text),
    and each edge as (from, to), found by where its ends touch the boxes."""
    svg = re.search(r'<svg [^>]*class="path__picture".*?</svg>', content, flags=re.S)
    assert svg is not None
    boxes = [
        (int(x), int(y), html.unescape(text))
        for text, x, y in re.findall(
            r'<g class="path__node[^"]*"><title>([^<]*)</title><rect x="(\d+)" y="(\d+)"',
            svg.group(0),
        )
    ]
    xs = sorted({x for x, _, _ in boxes})
    lanes = [[text for x, y, text in sorted(boxes, key=lambda b: b[1]) if x == lx] for lx in xs]

    def at(x: int, y: int) -> str:
        (found,) = [
            t for bx, by, t in boxes if bx <= x <= bx + NODE_WIDTH and by < y < by + NODE_HEIGHT
        ]
        return found

    edges = set()
    for d in re.findall(r'<path class="path__edge[^"]*" d="([^"]+)"', svg.group(0)):
        x1, y1, *_, x2, y2 = (int(n) for n in re.findall(r"\d+", d))
        edges.add((at(x1, y1), at(x2 + 2, y2)))
    return lanes, edges


def page(login, member, dialogue, **query):
    response = login(member).get(url(dialogue, **query))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("who", "lanes", "edges"),
    [
        (
            "convenor",
            [
                [PRE, R1],
                [OFFER, GAUGE, ENVOY_IDEA],
                [T_OFFER, T_GAUGE, T_QUIET, T_NOTE],
                [COUNCIL, MINISTRY, ENVOY, CABINET],
            ],
            {
                (PRE, OFFER),
                (R1, GAUGE),
                (R1, ENVOY_IDEA),
                (OFFER, T_OFFER),
                (GAUGE, T_GAUGE),
                (GAUGE, T_QUIET),
                (ENVOY_IDEA, T_NOTE),
                (OFFER, COUNCIL),
                (GAUGE, MINISTRY),
                (T_GAUGE, MINISTRY),
                (T_QUIET, ENVOY),
                (ENVOY_IDEA, CABINET),
                (T_NOTE, CABINET),
            },
        ),
        (
            "facilitator",  # neither the Restricted idea nor the quiet transfer, nor the envoy
            [[PRE, R1], [OFFER, GAUGE], [T_OFFER, T_GAUGE], [COUNCIL, MINISTRY]],
            {
                (PRE, OFFER),
                (R1, GAUGE),
                (OFFER, T_OFFER),
                (GAUGE, T_GAUGE),
                (OFFER, COUNCIL),
                (GAUGE, MINISTRY),
                (T_GAUGE, MINISTRY),
            },
        ),
        # Side A's participant attends the pre-consultation; no transfer or change is theirs.
        ("participant", [[PRE, R1], [OFFER, GAUGE]], {(PRE, OFFER), (R1, GAUGE)}),
        # Side B's: neither side A's idea nor its session.
        ("other_side", [[R1], [GAUGE]], {(R1, GAUGE)}),
        ("observer", [[R1], [GAUGE]], {(R1, GAUGE)}),
        ("rapporteur", [[R1], [GAUGE]], {(R1, GAUGE)}),
    ],
)
def test_each_member_sees_exactly_the_nodes_and_edges_they_may_see(
    world, path, login, who, lanes, edges
):
    member = path["facilitator"] if who == "facilitator" else world[who]
    content = page(login, member, world["dialogue"])
    got_lanes, got_edges = drawn(content)
    # Empty lanes hold no node: only the lanes with nodes are found by their x.
    assert got_lanes == lanes
    assert got_edges == edges


def test_the_graph_and_the_list_say_what_the_picture_draws(world, path, login):
    got = graph_of(
        path_of(viewer=viewer(path["facilitator"]), dialogue=world["dialogue"]),
        dialogue_id=world["dialogue"].pk,
    )
    assert [[n.described for n in lane] for lane in got.lanes] == [
        [PRE, R1],
        [OFFER, GAUGE],
        [T_OFFER, T_GAUGE],
        [COUNCIL, MINISTRY],
    ]
    content = page(login, path["facilitator"], world["dialogue"])
    listed = re.search(r'<section aria-labelledby="path-list-h".*?</section>', content, re.S)
    assert listed is not None
    items = [
        html.unescape(re.sub(r"<[^>]+>|\s+", " ", li)).split()
        for li in re.findall(r"<li>(.*?)(?:<ul>|</li>)", listed.group(0), re.S)
    ]
    assert [" ".join(words) for words in items] == [
        f"{OFFER} · Only this idea's path",
        f"From {PRE}",
        T_OFFER,
        f"{COUNCIL} (linked to the idea itself)",
        f"{GAUGE} · Only this idea's path",
        f"From {R1}",
        T_GAUGE,
        MINISTRY,
        f"{MINISTRY} (linked to the idea itself)",
    ]


def _hidden_from(member, world) -> dict:
    """The ideas, transfers, changes and sessions of the dialogue the member may not see."""
    v, d = viewer(member), world["dialogue"]

    def unseen(model, **where):
        seen = set(visible(v, model, dialogue_id=d.pk).values_list("pk", flat=True))
        return [row for row in model.objects.filter(**where) if row.pk not in seen]

    return {
        "changes": unseen(ObservedChange, dialogue=d),
        "transfers": unseen(Transfer, dialogue=d),
        "ideas": unseen(Idea, dialogue=d),
        "sessions": unseen(Session, dialogue=d),
    }


def _shown(content: str) -> str:
    """Everything the page shows of the path: from its heading to the end of the content."""
    start = content.index("<h1>Path</h1>")
    return content[start : content.index("</main>", start)]


@pytest.mark.parametrize("who", ["facilitator", "participant", "other_side", "observer"])
def test_a_hidden_node_leaves_the_page_byte_for_byte_as_if_it_did_not_exist(
    world, path, login, who
):
    member = path["facilitator"] if who == "facilitator" else world[who]
    d = world["dialogue"]
    ideas = {"whole": {}, "one": {"idea": path["ideas"]["plenary"].pk}}
    before = {name: _shown(page(login, member, d, **query)) for name, query in ideas.items()}
    hidden = _hidden_from(member, world)
    # Something hidden is there to betray: the quiet transfer and the envoy's change from the
    # facilitator; side A's idea, its transfer and change (and more) from side B.
    assert all(hidden[kind] for kind in ("changes", "transfers", "ideas"))
    # Gone for good, in the order that keeps every other row as it was (a change before what
    # it is linked to; sessions last, once no idea of theirs is left).
    for kind in ("changes", "transfers", "ideas", "sessions"):
        for row in hidden[kind]:
            row.delete()
    after = {name: _shown(page(login, member, d, **query)) for name, query in ideas.items()}
    assert after == before


def test_no_speaker_s_name_anywhere_on_the_path(world, path, login):
    for member in (world["convenor"], path["facilitator"], world["participant"]):
        content = page(login, member, world["dialogue"])
        one = page(login, member, world["dialogue"], idea=path["ideas"]["plenary"].pk)
        assert GAUGE in html.unescape(content)
        assert SPEAKER not in content
        assert SPEAKER not in one


def test_one_idea_s_path_shows_that_idea_s_only(world, path, login):
    d = world["dialogue"]
    content = page(login, world["convenor"], d, idea=path["ideas"]["plenary"].pk)
    assert drawn(content) == (
        [[R1], [GAUGE], [T_GAUGE, T_QUIET], [MINISTRY, ENVOY]],
        {
            (R1, GAUGE),
            (GAUGE, T_GAUGE),
            (GAUGE, T_QUIET),
            (GAUGE, MINISTRY),
            (T_GAUGE, MINISTRY),
            (T_QUIET, ENVOY),
        },
    )
    content = page(login, path["facilitator"], d, idea=path["ideas"]["plenary"].pk)
    assert drawn(content) == (
        [[R1], [GAUGE], [T_GAUGE], [MINISTRY]],
        {(R1, GAUGE), (GAUGE, T_GAUGE), (GAUGE, MINISTRY), (T_GAUGE, MINISTRY)},
    )


def test_an_idea_the_viewer_may_not_see_is_not_found(world, path, login):
    d = world["dialogue"]
    client = login(world["other_side"])
    for asked in (path["ideas"]["pre"].pk, path["ideas"]["note"].pk, 999999, "x", "1e3", "-1"):
        assert client.get(url(d, idea=asked)).status_code == 404
    assert client.get(url(d, idea=path["ideas"]["plenary"].pk)).status_code == 200
    assert login(world["outsider"]).get(url(d)).status_code == 404


def test_labels_are_cut_with_an_ellipsis_and_whole_on_hover(world, path, login):
    long_title = "A regional water-sharing commission with rotating chairs and a data room"
    Idea.objects.filter(pk=path["ideas"]["plenary"].pk).update(title=long_title)
    content = page(login, world["participant"], world["dialogue"])
    cut = shortened(long_title, 13)
    assert cut.endswith("\u2026")
    assert len(cut) < len(long_title)
    assert f'font-weight="600" fill="#1d2430">{cut}</text>' in content
    assert f"<title>Idea: {long_title} (Raised)</title>" in content


def test_the_picture_is_named_and_described_and_its_links_are_for_a_pointer(world, path, login):
    content = page(login, world["participant"], world["dialogue"])
    assert re.search(
        r'<svg [^>]*class="path__picture" role="img" aria-labelledby="path-title" '
        r'aria-describedby="path-desc">',
        content,
    )
    assert '<title id="path-title">The path of Salt River</title>' in content
    assert '<desc id="path-desc">Four lanes' in content
    # The layer of links: one per node, out of the tab order and hidden from screen readers
    # (the list holds the same links).
    links = re.search(r'<svg [^>]*class="path__links" aria-hidden="true".*?</svg>', content, re.S)
    assert links is not None
    d = world["dialogue"].pk
    assert re.findall(r'<a href="([^"]+)" tabindex="-1">', links.group(0)) == [
        reverse("dialogues:session_detail", args=[d, world["pre"].pk]),
        reverse("dialogues:session_detail", args=[d, world["round_1"].pk]),
        reverse("dialogues:idea_detail", args=[d, path["ideas"]["pre"].pk]),
        reverse("dialogues:idea_detail", args=[d, path["ideas"]["plenary"].pk]),
    ]
    # No inline style anywhere, no script, nothing fetched from elsewhere.
    assert " style=" not in content
    assert "<script" not in _shown(content)
    assert "http" not in _shown(content).replace('xmlns="http://www.w3.org/2000/svg"', "")
    # The picture scrolls sideways in a region a keyboard can reach.
    assert '<div class="path__scroll" tabindex="0" role="region"' in content


def test_transfers_and_changes_link_to_their_own_pages(world, path, login):
    content = page(login, world["convenor"], world["dialogue"])
    d = world["dialogue"].pk
    hrefs = set(re.findall(r'<a href="([^"]+)"', content))
    for transfer in path["transfers"].values():
        assert reverse("dialogues:transfer_detail", args=[d, transfer.pk]) in hrefs
    for change in path["changes"].values():
        assert reverse("dialogues:change_detail", args=[d, change.pk]) in hrefs


def test_lanes_without_a_node_say_so_without_a_count(world, path, login):
    content = page(login, world["participant"], world["dialogue"])
    assert content.count(">None you can see</text>") == 2
    headings = re.findall(r'<text class="path__heading"[^>]*>([^<]*)</text>', content)
    assert headings == ["Sessions", "Ideas", "Transfers to officials", "Observed changes"]


def test_nothing_to_show_is_said_plainly(world, login):
    content = page(login, world["participant"], world["dialogue"])
    assert "path__picture" not in content
    assert "Nothing on the path you can see yet" in content


def test_every_node_shown_is_recorded_as_read(world, path, login):
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page(login, path["facilitator"], world["dialogue"])
    entries = AuditEntry.objects.filter(pk__gt=since, action=AuditEntry.Action.VIEWED)
    got = {(e.content_type.model, int(e.object_id), e.detail["page"]) for e in entries}
    p = path
    assert got == {
        ("dialogue", world["dialogue"].pk, "path"),
        ("session", world["pre"].pk, "path"),
        ("session", world["round_1"].pk, "path"),
        ("idea", p["ideas"]["pre"].pk, "path"),
        ("idea", p["ideas"]["plenary"].pk, "path"),
        ("transfer", p["transfers"]["pre"].pk, "path"),
        ("transfer", p["transfers"]["plenary"].pk, "path"),
        ("observedchange", p["changes"]["council"].pk, "path"),
        ("observedchange", p["changes"]["ministry"].pk, "path"),
    }


def _grow(world, envoy, n: int) -> None:
    """``n`` more ideas, each from an outcome of its own session, with a transfer and a change."""
    d = world["dialogue"]
    for k in range(n):
        at = Session.objects.create(
            dialogue=d,
            title=f"Round {k + 2}",
            start=datetime(2027, 4, 1 + k, 8, tzinfo=UTC),
            end=datetime(2027, 4, 1 + k, 17, tzinfo=UTC),
            status=Session.Status.PUBLISHED,
            level=level("Public"),
        )
        made = idea(d, sources=[outcome(at, level="Public")], level="Public", title=f"Idea {k}")
        sent = transfer(made, envoy)
        change(d, f"Ministry {k}", ideas=[made], transfers=[sent])


@pytest.mark.parametrize("who", ["convenor", "participant"])
def test_the_page_s_queries_do_not_grow_with_the_path(
    world, path, login, django_assert_num_queries, who
):
    envoy = path["transfers"]["plenary"].official
    client = login(world[who])
    seen = {"convenor": 3, "participant": 2}[who]  # ideas before it grows
    for size in (1, 6):
        _grow(world, envoy, size)
        seen += size
        client.get(url(world["dialogue"]))  # warm caches (the viewer, content types)
        with django_assert_num_queries(QUERIES[who]):
            response = client.get(url(world["dialogue"]))
        assert response.content.decode().count('class="path__node path__node--idea"') == seen


# The request's own (session, account, memberships, scale, the dialogue), the path's (ideas,
# their sessions' links, sessions, transfers, the changes' links, changes; a participant has no
# transfer, so no link of one to ask about) and the audit trail's one insert.
QUERIES = {"convenor": 13, "participant": 11}


def test_viewing_as_a_member_draws_their_picture_byte_for_byte(world, path, login):
    d = world["dialogue"]
    own = _shown(page(login, world["other_side"], d))
    client = login(world["convenor"])
    start = reverse("dialogues:view_as_start", args=[d.pk, world["other_side"].pk])
    assert client.post(start).status_code == 302
    response = client.get(url(d))
    assert response.status_code == 200
    assert _shown(response.content.decode()) == own
