"""The pages of non-papers (issue 19, rule 12): the list, a version with each side's thread, the
comparison, the working version's editor (no lost edit), freezing, comments and replies; each
through the confidentiality module, audited, with a fixed number of queries. With leaking data
present: side A's comments and the team's reply in A's thread are on the database while side B,
the observer and the rapporteur read every page; the internal version's words too."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from dialogues.models import CaucusComment, NonPaperVersion, Side
from dialogues.nonpapers.notifications import circulated_notify
from tests.factories import level
from tests.world import caucus_comment, idea, member_with_account, non_paper, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

State = NonPaperVersion.State
A_SECRET = "SIDE-A-SENTINEL: the red line on the weir"
A_REPLY = "TEAM-TO-A-SENTINEL: which weir?"
B_SECRET = "SIDE-B-SENTINEL: fine by us"
INTERNAL = "INTERNAL-SENTINEL words of the internal version"


def url(name: str, world, *args) -> str:
    return reverse(f"dialogues:{name}", args=[world["dialogue"].pk, *args])


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def np_world(world):
    """A non-paper from a Programme idea of Round 1: version 1 circulated, version 2 kept
    internal (with words of its own), version 3 working."""
    source = outcome(world["round_1"], level="Programme", summary="A joint gauge network.")
    gauge = idea(world["dialogue"], sources=[source], level="Programme", title="Gauges")
    made = non_paper(
        world["dialogue"],
        ideas=[gauge],
        level="Programme",
        title="Joint gauges",
        paragraphs=["Paragraph one: gauges.", "Paragraph two: data."],
        circulated=1,
    )
    v2 = made.versions.get(number=2)
    v2.state = State.INTERNAL
    v2.paragraphs = [*v2.paragraphs, {"id": v2.paragraphs[0]["id"] + 1000, "text": INTERNAL}]
    v2.save()
    NonPaperVersion.objects.create(non_paper=made, number=3, paragraphs=v2.paragraphs[:2])
    return {
        "non_paper": made,
        "v1": made.versions.get(number=1),
        "side_a": Side.objects.get(dialogue=world["dialogue"], name="Side A"),
        "side_b": Side.objects.get(dialogue=world["dialogue"], name="Side B"),
    }


def a_comments(world, np_world) -> None:
    """Side A's comment and the team's reply in A's thread."""
    v1 = np_world["v1"]
    caucus_comment(v1, side=np_world["side_a"], author=world["participant"].person, body=A_SECRET)
    caucus_comment(
        v1,
        side=np_world["side_a"],
        author=world["convenor"].person,
        body=A_REPLY,
        by_team=True,
    )


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def page_of(client, address: str) -> str:
    """The page, its CSRF tokens (fresh on every response) blanked out."""
    return _CSRF.sub('name="csrfmiddlewaretoken" value=""', text(client.get(address)))


def pages(world, np_world) -> list[str]:
    np = np_world["non_paper"]
    return [
        url("non_papers", world),
        url("non_paper_detail", world, np.pk),
        url("non_paper_version", world, np.pk, 1),
        url("non_paper_compare", world, np.pk) + "?a=1&b=1",
        url("dialogue_detail", world),
        url("path", world),
        url("ideas", world),
    ]


@pytest.mark.parametrize("reader", ["other_side", "observer", "rapporteur"])
def test_side_a_comments_leave_no_trace_on_anyone_elses_pages(world, np_world, login, reader):
    """Byte for byte, side B's (and the observer's, and the rapporteur's) pages are the same
    whether side A commented or not: no comment, count, badge or thread crosses over."""
    client = login(world[reader])
    before = {address: page_of(client, address) for address in pages(world, np_world)}
    a_comments(world, np_world)
    after = {address: page_of(client, address) for address in pages(world, np_world)}
    assert after == before
    for body in after.values():
        assert A_SECRET not in body
        assert A_REPLY not in body
        assert INTERNAL not in body


def test_each_side_reads_its_own_thread_and_the_team_all(world, np_world, login):
    a_comments(world, np_world)
    caucus_comment(
        np_world["v1"],
        side=np_world["side_b"],
        author=world["other_side"].person,
        body=B_SECRET,
        paragraph=1,
    )
    address = url("non_paper_version", world, np_world["non_paper"].pk, 1)
    side_a = text(login(world["participant"]).get(address))
    assert A_SECRET in side_a
    assert A_REPLY in side_a
    assert B_SECRET not in side_a
    assert "You comment for <bdi>Side A</bdi>." in side_a
    assert side_a.count("aria-label=\"Your side's comments on paragraph") == 2
    side_b = text(login(world["other_side"]).get(address))
    assert B_SECRET in side_b
    assert A_SECRET not in side_b
    assert A_REPLY not in side_b
    team = text(login(world["convenor"]).get(address))
    assert all(s in team for s in (A_SECRET, A_REPLY, B_SECRET))
    assert "Comments from the sides so far: Side A, 1; Side B, 1." in team
    observer = text(login(world["observer"]).get(address))
    assert "comments on paragraph" not in observer
    assert "Paragraph one: gauges." in observer


def test_sides_read_circulated_versions_only(world, np_world, login):
    np = np_world["non_paper"]
    client = login(world["participant"])
    assert client.get(url("non_paper_version", world, np.pk, 2)).status_code == 404
    assert client.get(url("non_paper_version", world, np.pk, 3)).status_code == 404
    assert client.get(url("non_paper_compare", world, np.pk) + "?a=1&b=2").status_code == 404
    detail = text(client.get(url("non_paper_detail", world, np.pk)))
    assert "Version 1" in detail
    assert "Version 2" not in detail
    assert "Version 3" not in detail
    assert INTERNAL not in detail
    assert client.get(url("non_paper_edit", world, np.pk)).status_code == 404
    team = login(world["convenor"])
    assert INTERNAL in text(team.get(url("non_paper_version", world, np.pk, 2)))
    outsider = login(world["outsider"])
    assert outsider.get(url("non_paper_detail", world, np.pk)).status_code == 404
    assert outsider.get(url("non_papers", world)).status_code == 404


def test_the_comparison_shows_words_and_never_comments(world, np_world, login):
    a_comments(world, np_world)
    np = np_world["non_paper"]
    client = login(world["convenor"])
    page = text(client.get(url("non_paper_compare", world, np.pk) + "?a=1&b=2"))
    assert "New paragraph 3" in page
    assert f'<ins><span class="visually-hidden">[inserted: </span>{INTERNAL}' in page
    assert A_SECRET not in page
    assert A_REPLY not in page
    assert "1 paragraph changed, added, removed or moved." in page


def test_a_participant_comments_for_their_side_and_loses_nothing_on_error(world, np_world, login):
    np = np_world["non_paper"]
    pid = np_world["v1"].paragraphs[0]["id"]
    client = login(world["participant"])
    address = url("non_paper_comment", world, np.pk, 1, pid)
    too_long = "x" * 2001
    refused = client.post(address, {"body": too_long})
    assert refused.status_code == 400
    assert too_long in text(refused)
    assert "Ensure this value has at most 2000 characters (it has 2001)." in text(refused)
    response = client.post(address, {"body": "Our view on paragraph one."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/v1/#p-{pid}")
    comment = CaucusComment.objects.get()
    assert (comment.side, comment.author, comment.by_team) == (
        np_world["side_a"],
        world["participant"].person,
        False,
    )
    # Nobody without a side's caucus comments; the team replies instead.
    for member in ("observer", "convenor", "outsider"):
        assert login(world[member]).post(address, {"body": "No."}).status_code == 404, member
    assert CaucusComment.objects.count() == 1


def test_the_team_replies_in_a_sides_thread(world, np_world, login):
    np = np_world["non_paper"]
    pid = np_world["v1"].paragraphs[1]["id"]
    side_b = np_world["side_b"]
    address = url("non_paper_reply", world, np.pk, 1, pid, side_b.pk)
    assert login(world["other_side"]).post(address, {"body": "Me?"}).status_code == 404
    response = login(world["convenor"]).post(address, {"body": "To B: thank you."})
    assert response.status_code == 302
    reply = CaucusComment.objects.get()
    assert (reply.side, reply.by_team, reply.author) == (side_b, True, world["convenor"].person)
    assert "To B: thank you." in text(
        login(world["other_side"]).get(url("non_paper_version", world, np.pk, 1))
    )
    assert "To B: thank you." not in text(
        login(world["participant"]).get(url("non_paper_version", world, np.pk, 1))
    )


def _edit_data(version, **extra):
    data = {"edit_revision": version.edit_revision, "added": "", "note": ""}
    for n, p in enumerate(version.paragraphs, start=1):
        data[f"text_{p['id']}"] = p["text"]
        data[f"order_{p['id']}"] = n
    return data | extra


def test_the_working_version_is_edited_without_losing_anyones_words(world, np_world, login):
    np = np_world["non_paper"]
    working = np.versions.get(number=3)
    first = working.paragraphs[0]["id"]
    client = login(world["convenor"])
    mine = _edit_data(working, **{f"text_{first}": "Mine, first."})
    theirs = _edit_data(working, added="Theirs, added.")
    assert client.post(url("non_paper_edit", world, np.pk), theirs).status_code == 302
    conflict = client.post(url("non_paper_edit", world, np.pk), mine)
    assert conflict.status_code == 409
    body = text(conflict)
    assert "Someone else saved this text while you were editing" in body
    assert "Mine, first." in body  # the form keeps my words
    assert "New paragraph 3" in body  # what they added, shown
    assert 'name="edit_revision" value="2"' in body
    saved = client.post(url("non_paper_edit", world, np.pk), mine | {"edit_revision": 2})
    assert saved.status_code == 302
    assert [p["text"] for p in NonPaperVersion.objects.get(pk=working.pk).paragraphs] == [
        "Mine, first.",
        "Paragraph two: data.",
        "Theirs, added.",
    ]


def test_freezing_circulates_and_opens_the_next_working_version(world, np_world, login):
    np = np_world["non_paper"]
    client = login(world["convenor"])
    response = client.post(url("non_paper_freeze", world, np.pk), {"action": "circulate"})
    assert response.status_code == 302
    assert list(np.versions.order_by("number").values_list("number", "state")) == [
        (1, State.CIRCULATED),
        (2, State.INTERNAL),
        (3, State.CIRCULATED),
        (4, State.WORKING),
    ]
    assert (
        login(world["participant"])
        .get(url("non_paper_detail", world, np.pk))
        .context["version"]
        .number
        == 3
    )
    assert (
        login(world["participant"])
        .post(url("non_paper_freeze", world, np.pk), {"action": "circulate"})
        .status_code
        == 404
    )


def test_circulating_emails_the_members_who_may_read_it_and_nothing_of_comments(
    world, np_world, settings
):
    a_comments(world, np_world)
    mail.outbox.clear()
    sent = circulated_notify(version_id=np_world["v1"].pk)
    recipients = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(
        world[m].person.user.email for m in ("participant", "other_side", "observer", "rapporteur")
    )
    assert (sent, recipients) == (4, expected)
    bodies = {m.subject + "\n" + m.body for m in mail.outbox}
    assert len(bodies) == 1  # the same words to every reader
    (body,) = bodies
    cover = world["dialogue"].cover_name
    assert body.startswith(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{cover}: a text to read\n")
    assert "Salt River" not in body
    assert A_SECRET not in body
    assert A_REPLY not in body
    # The non-paper is at Programme, above the dialogue's outbound level (Public): no title.
    assert f"Version 1 of a text of {cover} has been circulated." in body
    assert "Joint gauges" not in body
    world["dialogue"].outbound_level = level("Programme")
    world["dialogue"].save()
    mail.outbox.clear()
    circulated_notify(version_id=np_world["v1"].pk)
    assert f"Version 1 of the non-paper “Joint gauges” of {cover} has been circulated." in (
        mail.outbox[0].body
    )


def test_the_pages_are_audited(world, np_world, login):
    np = np_world["non_paper"]
    a_comments(world, np_world)
    caucus_comment(
        np_world["v1"], side=np_world["side_b"], author=world["other_side"].person, body=B_SECRET
    )
    own = CaucusComment.objects.filter(side=np_world["side_a"]).order_by("pk")
    client = login(world["participant"])
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert client.get(url("non_paper_version", world, np.pk, 1)).status_code == 200
    shown = sorted(
        AuditEntry.objects.filter(action="viewed", pk__gt=before).values_list(
            "content_type__model", "object_id"
        )
    )
    assert shown == sorted(
        [
            ("nonpaperversion", str(np_world["v1"].pk)),
            *(("caucuscomment", str(c.pk)) for c in own),
        ]
    )
    before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    assert client.get(url("non_paper_compare", world, np.pk)).status_code == 200
    compared = AuditEntry.objects.get(pk__gt=before)
    assert (compared.content_type.model, compared.object_id, compared.detail) == (
        "nonpaper",
        str(np.pk),
        {"page": "non_paper_compare", "versions": [1, 1]},
    )


@pytest.mark.parametrize("size", [2, 10])
def test_the_list_query_count_does_not_grow(world, login, size, django_assert_num_queries):
    source = outcome(world["round_1"], level="Programme", summary="A source.")
    made = idea(world["dialogue"], sources=[source], level="Programme")
    for n in range(size):
        non_paper(world["dialogue"], ideas=[made], level="Programme", title=f"NP {n}", circulated=1)
    client = login(world["participant"])
    client.get(url("non_papers", world))
    with django_assert_num_queries(9):
        response = client.get(url("non_papers", world))
    assert len(response.context["non_papers"]) == size


@pytest.mark.parametrize("size", [2, 10])
def test_the_version_page_query_count_does_not_grow(
    world, np_world, login, size, django_assert_num_queries
):
    v1 = np_world["v1"]
    for n in range(size):
        for side in ("side_a", "side_b"):
            caucus_comment(
                v1,
                side=np_world[side],
                author=world["participant"].person,
                body=f"C {n}",
                paragraph=n % 2,
            )
    extra = member_with_account(dialogue=world["dialogue"], clearance="Participants")
    assert extra.side is None
    client = login(world["convenor"])
    address = url("non_paper_version", world, np_world["non_paper"].pk, 1)
    client.get(address)
    with django_assert_num_queries(13):
        response = client.get(address)
    threads = [t for p in response.context["paragraphs"] for t in p.threads]
    assert sum(len(t.comments) for t in threads) == 2 * size
