"""Non-papers (issue 19): drafted from ideas by the convening team, the working version edited
under the edit-revision rule, versions frozen (internal or circulated), compared at paragraph and
word level; caucus comments per side. With data present that could leak: the other side's
comments, a Restricted idea, an internal version."""

import pytest
from django.core.exceptions import ValidationError

from dialogues.concurrency import EditConflict
from dialogues.confidentiality import (
    caucus_side_of,
    viewer_as,
    viewer_for_official,
    viewer_for_user,
    visible,
)
from dialogues.models import CaucusComment, Idea, NonPaper, NonPaperVersion, Side
from dialogues.nonpapers import diff
from dialogues.nonpapers.services import (
    MAX_COMMENT_CHARS,
    MAX_PARAGRAPH_CHARS,
    MAX_PARAGRAPHS,
    comment_add,
    comment_reply,
    non_paper_draft,
    split_paragraphs,
    version_edit,
    version_freeze,
)
from tests.factories import level
from tests.world import idea, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

State = NonPaperVersion.State


def viewer(member):
    return viewer_for_user(member.person.user)


@pytest.fixture
def drafted(world):
    """An idea from Round 1 (Programme) and a non-paper drafted from it by the convenor."""
    source = outcome(world["round_1"], level="Programme", summary="A joint gauge network.")
    gauge = idea(world["dialogue"], sources=[source], level="Programme", title="Gauges")
    np = non_paper_draft(
        dialogue=world["dialogue"],
        viewer=viewer(world["convenor"]),
        ideas=[gauge],
        title="Joint gauges",
        text="One: the gauges.\n\nTwo: the data.\n\n\nThree: the review.",
        level=level("Programme"),
        by=world["convenor"].person.user,
    )
    return {"idea": gauge, "non_paper": np}


def versions_seen(member, np) -> list[tuple[int, str]]:
    return list(
        visible(viewer(member), NonPaperVersion, dialogue_id=np.dialogue_id)
        .filter(non_paper=np)
        .order_by("number")
        .values_list("number", "state")
    )


def test_drafting_splits_paragraphs_and_moves_the_idea_to_drafted(world, drafted):
    np = drafted["non_paper"]
    version = np.versions.get()
    assert (version.number, version.state) == (1, State.WORKING)
    assert [p["text"] for p in version.paragraphs] == [
        "One: the gauges.",
        "Two: the data.",
        "Three: the review.",
    ]
    assert len({p["id"] for p in version.paragraphs}) == 3
    assert Idea.objects.get(pk=drafted["idea"].pk).state == Idea.State.DRAFTED
    assert list(np.ideas.all()) == [drafted["idea"]]
    assert AuditEntry.objects.filter(object_id=str(np.pk), action="created").count() == 1


def test_sides_see_only_circulated_versions(world, drafted):
    np = drafted["non_paper"]
    convenor = viewer(world["convenor"])
    assert versions_seen(world["participant"], np) == []
    version_freeze(version=np.versions.get(number=1), viewer=convenor, circulate=False)
    v2 = np.versions.get(number=2)
    version_freeze(version=v2, viewer=convenor, circulate=True)
    assert versions_seen(world["convenor"], np) == [
        (1, State.INTERNAL),
        (2, State.CIRCULATED),
        (3, State.WORKING),
    ]
    for member in ("participant", "other_side", "observer"):
        assert versions_seen(world[member], np) == [(2, State.CIRCULATED)], member
    assert versions_seen(world["outsider"], np) == []
    # An official at Programme may be sent it; below the non-paper's level, not.
    official = viewer_for_official(dialogue_id=np.dialogue_id, clearance=level("Programme"))
    assert list(
        visible(official, NonPaperVersion, dialogue_id=np.dialogue_id).values_list(
            "number", flat=True
        )
    ) == [2]
    public = viewer_for_official(dialogue_id=np.dialogue_id, clearance=level("Public"))
    assert not visible(public, NonPaperVersion, dialogue_id=np.dialogue_id).exists()


def test_a_non_paper_narrows_like_its_ideas(world):
    """From side A's pre-consultation: side B, the observer and the rapporteur (who does not
    attend it) never see it, whatever its own level."""
    pre = outcome(world["pre"], level="Participants", summary="Side A's red line.")
    offer = idea(world["dialogue"], sources=[pre], level="Participants", title="A's offer")
    np = non_paper_draft(
        dialogue=world["dialogue"],
        viewer=viewer(world["convenor"]),
        ideas=[offer],
        title="Offer text",
        text="The offer.",
        level=level("Participants"),
    )
    version_freeze(version=np.versions.get(), viewer=viewer(world["convenor"]), circulate=True)
    assert versions_seen(world["participant"], np) == [(1, State.CIRCULATED)]
    for member in ("other_side", "observer"):
        assert versions_seen(world[member], np) == [], member
        assert not visible(viewer(world[member]), NonPaper).exists()


def test_drafting_refuses_a_level_below_an_idea_and_ideas_unseen(world, drafted):
    with pytest.raises(ValidationError) as refused:
        non_paper_draft(
            dialogue=world["dialogue"],
            viewer=viewer(world["convenor"]),
            ideas=[drafted["idea"]],
            title="Too low",
            text="Text.",
            level=level("Public"),
        )
    assert refused.value.message_dict["level"] == [
        "A non-paper is held at least at its ideas' levels: “Gauges” is at Programme."
    ]
    with pytest.raises(ValidationError) as refused:
        non_paper_draft(
            dialogue=world["dialogue"],
            viewer=viewer(world["participant"]),
            ideas=[drafted["idea"]],
            title="Not mine",
            text="Text.",
            level=level("Programme"),
        )
    assert refused.value.messages == ["Only the dialogue's convening team drafts non-papers."]
    with pytest.raises(ValidationError) as refused:
        non_paper_draft(
            dialogue=world["dialogue"],
            viewer=viewer(world["convenor"]),
            ideas=[drafted["idea"]],
            title="Empty",
            text="\n\n  \n",
            level=level("Programme"),
        )
    assert refused.value.message_dict["text"] == ["Write at least one paragraph."]


def _edit(version, world, paragraphs, *, added="", revision=None):
    return version_edit(
        version=version,
        viewer=viewer(world["convenor"]),
        expected_revision=version.edit_revision if revision is None else revision,
        paragraphs=paragraphs,
        added=added,
        note="Round two",
    )


def test_editing_keeps_identities_splits_moves_and_removes(world, drafted):
    version = drafted["non_paper"].versions.get()
    one, two, three = [p["id"] for p in version.paragraphs]
    saved = _edit(
        version,
        world,
        [
            (one, 3, "One: the gauges, jointly run.\n\nOne bis: a shared manual."),
            (two, 2, ""),
            (three, 1, "Three: the review."),
        ],
        added="Four: the funding.",
    )
    texts = [(p["id"], p["text"]) for p in saved.paragraphs]
    assert [t for _i, t in texts] == [
        "Three: the review.",
        "One: the gauges, jointly run.",
        "One bis: a shared manual.",
        "Four: the funding.",
    ]
    assert texts[0][0] == three
    assert texts[1][0] == one
    assert texts[2][0] not in (one, two, three)
    assert texts[3][0] not in (one, two, three)
    assert saved.edit_revision == 2
    assert saved.note == "Round two"


def test_a_concurrent_edit_is_refused_and_a_paragraph_added_meanwhile_is_kept(world, drafted):
    version = drafted["non_paper"].versions.get()
    one, two, three = [p["id"] for p in version.paragraphs]
    stale = NonPaperVersion.objects.get(pk=version.pk)
    _edit(version, world, [(one, 1, "One, theirs.")], added="Theirs, new.")
    with pytest.raises(EditConflict) as conflict:
        _edit(stale, world, [(one, 1, "One, mine.")], revision=1)
    assert conflict.value.current.edit_revision == 2
    current = NonPaperVersion.objects.get(pk=version.pk)
    assert [p["text"] for p in current.paragraphs] == [
        "One, theirs.",
        "Two: the data.",
        "Three: the review.",
        "Theirs, new.",
    ]
    # Saved again at the current revision, from a form that never showed "Theirs, new.": kept.
    saved = _edit(
        stale, world, [(one, 1, "One, mine."), (two, 2, "Two."), (three, 3, "Three.")], revision=2
    )
    assert [p["text"] for p in saved.paragraphs] == ["One, mine.", "Two.", "Three.", "Theirs, new."]


def test_a_frozen_version_is_never_edited(world, drafted):
    np = drafted["non_paper"]
    v1 = np.versions.get()
    version_freeze(version=v1, viewer=viewer(world["convenor"]), circulate=True)
    v1.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _edit(v1, world, [(v1.paragraphs[0]["id"], 1, "Changed after circulation.")])
    assert refused.value.messages == [
        "Version 1 is circulated: frozen, it is never edited. Edit the working version instead."
    ]
    with pytest.raises(ValidationError):
        version_freeze(version=v1, viewer=viewer(world["convenor"]), circulate=True)
    assert NonPaperVersion.objects.get(pk=v1.pk).paragraphs[0]["text"] == "One: the gauges."


def test_size_limits(world, drafted):
    version = drafted["non_paper"].versions.get()
    pid = version.paragraphs[0]["id"]
    with pytest.raises(ValidationError) as refused:
        _edit(version, world, [(pid, 1, "x" * (MAX_PARAGRAPH_CHARS + 1))])
    assert refused.value.messages == [
        f"Paragraph 1 has {MAX_PARAGRAPH_CHARS + 1} characters; a paragraph has at most "
        f"{MAX_PARAGRAPH_CHARS}. Split it with a blank line."
    ]
    with pytest.raises(ValidationError) as refused:
        _edit(version, world, [(pid, 1, "a")], added="\n\n".join(["p"] * MAX_PARAGRAPHS))
    assert refused.value.messages == [f"A non-paper has at most {MAX_PARAGRAPHS} paragraphs."]
    assert NonPaperVersion.objects.get(pk=version.pk).edit_revision == 1


@pytest.fixture
def circulated(world, drafted):
    np = drafted["non_paper"]
    version_freeze(version=np.versions.get(), viewer=viewer(world["convenor"]), circulate=True)
    return np.versions.get(number=1)


def comments_seen(member, np, *, as_viewer=None) -> list[str]:
    who = as_viewer or viewer(member)
    return sorted(
        visible(who, CaucusComment, dialogue_id=np.dialogue_id).values_list("body", flat=True)
    )


def test_each_side_reads_its_own_caucus_and_the_team_reads_all(world, drafted, circulated):
    np = drafted["non_paper"]
    pid = circulated.paragraphs[0]["id"]
    a, b = world["participant"], world["other_side"]
    comment_add(
        version=circulated,
        paragraph_id=pid,
        viewer=viewer(a),
        person=a.person,
        body="A: too vague.",
        by=a.person.user,
    )
    comment_add(
        version=circulated,
        paragraph_id=pid,
        viewer=viewer(b),
        person=b.person,
        body="B: acceptable.",
        by=b.person.user,
    )
    side_a = Side.objects.get(name="Side A")
    comment_reply(
        version=circulated,
        paragraph_id=pid,
        side=side_a,
        viewer=viewer(world["convenor"]),
        person=world["convenor"].person,
        body="Team to A: which word?",
        by=world["convenor"].person.user,
    )
    assert comments_seen(a, np) == ["A: too vague.", "Team to A: which word?"]
    assert comments_seen(b, np) == ["B: acceptable."]
    assert comments_seen(world["convenor"], np) == [
        "A: too vague.",
        "B: acceptable.",
        "Team to A: which word?",
    ]
    for member in ("observer", "rapporteur", "outsider"):
        assert comments_seen(world[member], np) == [], member
    official = viewer_for_official(dialogue_id=np.dialogue_id, clearance=level("Restricted"))
    assert not visible(official, CaucusComment).exists()
    # The convenor viewing as side B's participant reads side B's thread only.
    as_b = viewer_as(viewer(world["convenor"]), dialogue_id=np.dialogue_id, membership_id=b.pk)
    assert comments_seen(None, np, as_viewer=as_b) == ["B: acceptable."]
    assert caucus_side_of(as_b, np.dialogue_id) is None  # reading only
    comment = CaucusComment.objects.get(body="A: too vague.")
    assert (comment.side, comment.by_team, comment.version) == (side_a, False, circulated)


def test_who_may_comment(world, drafted, circulated):
    pid = circulated.paragraphs[0]["id"]
    for member in ("observer", "convenor", "rapporteur"):
        m = world[member]
        with pytest.raises(ValidationError) as refused:
            comment_add(
                version=circulated,
                paragraph_id=pid,
                viewer=viewer(m),
                person=m.person,
                body="Hello",
                by=m.person.user,
            )
        assert refused.value.messages == [
            "Only a participant of one of the sides comments, for that side."
        ], member
    a = world["participant"]
    with pytest.raises(ValidationError) as refused:
        comment_add(
            version=circulated,
            paragraph_id=pid,
            viewer=viewer(a),
            person=a.person,
            body="x" * (MAX_COMMENT_CHARS + 1),
            by=a.person.user,
        )
    assert refused.value.message_dict["body"] == [
        f"A comment has at most {MAX_COMMENT_CHARS} characters ({MAX_COMMENT_CHARS + 1} given)."
    ]
    working = circulated.non_paper.versions.get(number=2)
    with pytest.raises(ValidationError) as refused:
        comment_add(
            version=working,
            paragraph_id=pid,
            viewer=viewer(a),
            person=a.person,
            body="On the working text",
            by=a.person.user,
        )
    assert refused.value.messages == ["Comments are made on circulated versions only."]
    assert not CaucusComment.objects.exists()


def test_a_comment_on_a_removed_paragraph_stays_with_its_version(world, drafted, circulated):
    np = drafted["non_paper"]
    a = world["participant"]
    first = circulated.paragraphs[0]["id"]
    comment_add(
        version=circulated,
        paragraph_id=first,
        viewer=viewer(a),
        person=a.person,
        body="On the first.",
        by=a.person.user,
    )
    working = np.versions.get(number=2)
    rest = [(p["id"], n, p["text"]) for n, p in enumerate(working.paragraphs, start=1)]
    rest[0] = (first, 1, "")  # removed
    _edit(working, world, rest)
    version_freeze(
        version=np.versions.get(number=2), viewer=viewer(world["convenor"]), circulate=True
    )
    v2 = np.versions.get(number=2)
    assert first not in [p["id"] for p in v2.paragraphs]
    comment = CaucusComment.objects.get()
    assert (comment.version_id, comment.paragraph_id) == (circulated.pk, first)
    with pytest.raises(ValidationError) as refused:
        comment_add(
            version=circulated,
            paragraph_id=first,
            viewer=viewer(a),
            person=a.person,
            body="Late.",
            by=a.person.user,
        )
    assert refused.value.messages == ["Version 1 has been followed by version 2: comment on that."]


def test_the_comparison_of_two_versions():
    before = [
        {"id": 1, "text": "The parties agree to share data."},
        {"id": 2, "text": "Gone."},
        {"id": 3, "text": "Review yearly."},
    ]
    after = [
        {"id": 3, "text": "Review yearly."},
        {"id": 1, "text": "The parties agree to publish data."},
        {"id": 4, "text": "Funding."},
    ]
    changes = diff.compare(before, after)
    assert [
        (c.paragraph_id, c.kind, c.number_before, c.number_after, c.moved) for c in changes
    ] == [
        (3, "same", 3, 1, True),
        (1, "changed", 1, 2, True),
        (2, "removed", 2, None, False),
        (4, "added", None, 3, False),
    ]
    assert changes[1].pieces == (
        diff.Piece("same", "The parties agree to "),
        diff.Piece("del", "share "),
        diff.Piece("ins", "publish "),
        diff.Piece("same", "data."),
    )
    assert split_paragraphs("a\r\n\r\nb\n \nc") == ["a", "b", "c"]


def test_a_side_that_commented_is_kept(world, drafted, circulated):
    from dialogues.workspace.services import side_delete

    side_b = Side.objects.get(name="Side B")
    b = world["other_side"]
    comment_add(
        version=circulated,
        paragraph_id=circulated.paragraphs[0]["id"],
        viewer=viewer(b),
        person=b.person,
        body="B's view.",
        by=b.person.user,
    )
    b.side = None
    b.save()
    with pytest.raises(ValidationError) as refused:
        side_delete(side=side_b, by=world["convenor"].person.user)
    assert refused.value.messages == [
        "“Side B” commented on a non-paper: its caucus thread is kept, and the side with it. "
        "Rename the side instead."
    ]
    assert Side.objects.filter(pk=side_b.pk).exists()
