"""A circulated version of a non-paper sent to officials through the briefing pipeline (issue
19): requested only for a circulated version and officials who may each read it, rendered as a
numbered copy per recipient holding the text alone (marks on every page), scanned by the
attribution guard, recorded in the transfer log of its ideas when its link is issued, named by
the non-paper in the packs' list and page. With data present that could leak: both sides'
caucus comments and the team's reply in a side's thread, the sessions' agenda items and
outcomes, and a proposal of the dialogue that the non-paper does not derive from."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dialogues.briefing import services as briefing
from dialogues.briefing.selectors import (
    PackParagraph,
    guard_findings_of,
    pack_contents,
    pack_name,
)
from dialogues.confidentiality import viewer_for_user
from dialogues.models import BriefingPack, BriefingPackCopy, Idea, NonPaperVersion, Side, Transfer
from participants.models import Membership
from tests.dialogues.test_briefing_pdf import pages_of, recipients, render_all
from tests.factories import level
from tests.world import caucus_comment, idea, member_with_account, non_paper, outcome
from trackii.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

State = NonPaperVersion.State
FIRST = "FIRST-PARAGRAPH-P1 a joint network of river gauges."
SECOND = "SECOND-PARAGRAPH-P2 the data shared every month."
THIRD = "THIRD-PARAGRAPH-P3 a review after one year."
# Long enough for the text to run over several pages: the marks must be on each.
LONG = "Both governments name technical experts to a joint working group. " * 60
COMMENTS = ("SIDE-A-SECRET-COMMENT", "SIDE-B-SECRET-COMMENT", "TEAM-REPLY-SECRET-IN-A")
PROPOSAL = "SENTINEL-OTHER-PROPOSAL-X3"  # an idea of the dialogue the non-paper is not drawn from
NOT_CIRCULATED = (
    "Version 2 has not been circulated: only a circulated version of a non-paper is sent to "
    "officials."
)


@pytest.fixture
def sent(world):
    """A non-paper at Programme drawn from two ideas of Round 1, version 1 circulated (version
    2 working), with a comment from each side and the team's reply in side A's thread; beside
    it, another idea of the dialogue and an outcome of Round 1."""
    d = world["dialogue"]
    gauges = outcome(world["round_1"], level="Programme", summary="SENTINEL-OUTCOME-O7 gauges.")
    ideas = [
        idea(d, sources=[gauges], level="Programme", title="Gauges"),
        idea(d, sources=[gauges], level="Public", title="Data"),
    ]
    idea(d, sources=[gauges], level="Programme", title=PROPOSAL)
    made = non_paper(
        d,
        ideas=ideas,
        level="Programme",
        paragraphs=(FIRST, SECOND, THIRD + " " + LONG),
        circulated=1,
        title="Joint gauges",
    )
    v1 = made.versions.get(number=1)
    side_a, side_b = (Side.objects.get(dialogue=d, name=name) for name in ("Side A", "Side B"))
    caucus_comment(v1, side=side_a, author=world["participant"].person, body=COMMENTS[0])
    caucus_comment(
        v1, side=side_b, author=world["other_side"].person, body=COMMENTS[1], paragraph=1
    )
    caucus_comment(v1, side=side_a, author=world["convenor"].person, body=COMMENTS[2], by_team=True)
    world["facilitator"] = member_with_account(
        dialogue=d, role=Membership.Role.FACILITATOR, clearance="Facilitators"
    )
    return {
        "non_paper": made,
        "v1": v1,
        "working": made.versions.get(number=2),
        "ideas": ideas,
    }


def ask(world, pairs, *, version, **kwargs):
    convenor = world["convenor"].person.user
    return briefing.pack_request(
        dialogue=world["dialogue"],
        viewer=viewer_for_user(convenor),
        requested_by=convenor,
        officials=recipients(world["dialogue"], *pairs),
        non_paper_version=version,
        **kwargs,
    )


# -- the request ---------------------------------------------------------------------------------


def test_a_circulated_version_is_requested_for_officials_who_may_read_it(world, sent):
    pack = ask(
        world, [("Amal Haddad", "Programme"), ("Brian Osei", "Facilitators")], version=sent["v1"]
    )
    assert pack.non_paper_version == sent["v1"]
    assert list(pack.sessions.all()) == []
    assert [(c.number, c.total, c.recipient_name) for c in pack.copies.order_by("number")] == [
        (1, 2, "Amal Haddad"),
        (2, 2, "Brian Osei"),
    ]
    officials = [c.official_id for c in pack.copies.order_by("number")]
    assert AuditEntry.objects.get(action="created", object_id=str(pack.pk)).detail == {
        "copies": 2,
        "officials": officials,
        "sessions": [],
        "non_paper_version": sent["v1"].pk,
    }


def test_a_working_or_internal_version_is_never_sent(world, sent):
    with pytest.raises(ValidationError) as refused:
        ask(world, [("Amal Haddad", "Programme")], version=sent["working"])
    assert refused.value.messages == [NOT_CIRCULATED]
    NonPaperVersion.objects.filter(pk=sent["working"].pk).update(state=State.INTERNAL)
    with pytest.raises(ValidationError) as refused:
        ask(world, [("Amal Haddad", "Programme")], version=sent["working"])
    assert refused.value.messages == [NOT_CIRCULATED]
    assert BriefingPack.objects.count() == 0


def test_no_session_is_chosen_with_a_non_paper(world, sent):
    with pytest.raises(ValidationError) as refused:
        ask(
            world,
            [("Amal Haddad", "Programme")],
            version=sent["v1"],
            sessions=[world["round_1"]],
        )
    assert refused.value.message_dict == {
        "sessions": ["A pack that sends a non-paper holds that text alone: choose no sessions."]
    }
    assert BriefingPack.objects.count() == 0


def test_an_official_cleared_below_the_non_papers_level_is_refused_by_name(world, sent):
    with pytest.raises(ValidationError) as refused:
        ask(world, [("Amal Haddad", "Programme"), ("Ben Okafor", "Public")], version=sent["v1"])
    assert refused.value.message_dict == {
        "officials": ["Ben Okafor's clearance “Public” does not let them read this non-paper."]
    }
    assert BriefingPack.objects.count() == 0


def test_a_non_paper_of_another_dialogue_is_refused(world, sent):
    elsewhere = non_paper(
        world["elsewhere"],
        ideas=[],
        level="Public",
        circulated=1,
        title="Harbour text",
    )
    with pytest.raises(ValidationError) as refused:
        ask(world, [("Amal Haddad", "Programme")], version=elsewhere.versions.get(number=1))
    assert refused.value.messages == ["Choose a non-paper of this dialogue that you may read."]
    assert BriefingPack.objects.count() == 0


# -- what a copy holds ---------------------------------------------------------------------------


def test_a_copy_holds_the_numbered_paragraphs_alone_and_carries_the_non_papers_ideas(
    world, sent, django_assert_num_queries
):
    pack = BriefingPack.objects.create(dialogue=world["dialogue"], non_paper_version=sent["v1"])
    clearance = level("Programme")
    # The scale of levels, the version with its non-paper, the ideas it derives from.
    with django_assert_num_queries(3):
        contents = pack_contents(pack=pack, clearance=clearance)
    ids = [p["id"] for p in sent["v1"].paragraphs]
    assert contents.sends_non_paper
    assert contents.non_paper is not None
    assert contents.non_paper.non_paper.title == "Joint gauges"
    assert contents.non_paper.version.number == 1
    assert contents.non_paper.paragraphs == [
        PackParagraph(1, ids[0], FIRST),
        PackParagraph(2, ids[1], SECOND),
        PackParagraph(3, ids[2], THIRD + " " + LONG),
    ]
    assert (contents.sessions, contents.ideas) == ([], [])
    assert contents.carried_idea_ids == [i.pk for i in sent["ideas"]]


def test_a_copy_for_an_official_who_may_not_read_the_non_paper_holds_nothing(world, sent):
    pack = BriefingPack.objects.create(dialogue=world["dialogue"], non_paper_version=sent["v1"])
    contents = pack_contents(pack=pack, clearance=level("Public"))
    assert (contents.sends_non_paper, contents.non_paper, contents.sessions) == (True, None, [])
    assert contents.carried_idea_ids == []


@pytest.fixture
def rendered(world, sent):
    pack = ask(
        world, [("Amal Haddad", "Programme"), ("Brian Osei", "Facilitators")], version=sent["v1"]
    )
    copies = render_all(pack)
    pack.refresh_from_db()
    return {"pack": pack, "copies": copies, "pages": [pages_of(c) for c in copies]}


@pytest.mark.slow
def test_the_pdf_prints_the_numbered_paragraphs_with_the_marks_on_every_page(rendered):
    for index, (copy, pages) in enumerate(zip(rendered["copies"], rendered["pages"], strict=True)):
        name, marking = [("Amal Haddad", "PROGRAMME"), ("Brian Osei", "FACILITATORS")][index]
        assert len(pages) == copy.pages >= 3
        for number, page in enumerate(pages, start=1):
            assert marking in page
            assert f"Prepared for {name}" in page
            assert f"Copy {copy.number} of 2" in page
            assert f"Page {number} of {len(pages)}" in page
        text = " ".join("\n".join(pages).split())
        assert "Joint gauges" in text
        assert "Non-paper · version 1 · circulated 15 March 2027" in text
        assert f"1. {FIRST}" in text
        assert f"2. {SECOND}" in text
        assert f"3. {THIRD}" in text
        assert text.index(FIRST) < text.index(SECOND) < text.index(THIRD)


@pytest.mark.slow
def test_the_pdf_holds_no_comment_of_either_side_and_nothing_but_the_non_paper(rendered):
    for pages in rendered["pages"]:
        text = " ".join("\n".join(pages).split())
        assert FIRST in text  # the positive control
        for body in COMMENTS:
            assert body not in text
        assert "comment" not in text.lower()
        # No session, outcome, summary or proposal, not even named on the cover: the text alone.
        for absent in ("Round 1", "R1 Public item", "SENTINEL-OUTCOME-O7", PROPOSAL):
            assert absent not in text
        for word in ("session", "outcome", "summary", "contents", "proposal"):
            assert word not in text.lower()


@pytest.mark.slow
def test_rendering_records_the_non_papers_ideas_and_the_link_logs_a_transfer_for_each(
    world, sent, rendered, django_capture_on_commit_callbacks
):
    pack = rendered["pack"]
    assert pack.guard == BriefingPack.Guard.CLEAR
    gauges, data = sent["ideas"]
    for copy in rendered["copies"]:
        assert set(copy.ideas.all()) == {gauges, data}
    by = world["facilitator"].person.user
    with django_capture_on_commit_callbacks(execute=True):
        briefing.pack_release(pack=pack, by=by)
    first, second = rendered["copies"]
    logged = {(t.idea_id, t.official_id, t.means, t.pack_copy_id) for t in Transfer.objects.all()}
    assert logged == {
        (i.pk, c.official_id, Transfer.Means.PACK, c.pk)
        for c in (first, second)
        for i in (gauges, data)
    }
    assert set(
        Idea.objects.filter(pk__in=[gauges.pk, data.pk]).values_list("state", flat=True)
    ) == {Idea.State.TRANSFERRED}
    # A new link for a copy logs nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        briefing.copy_link_issue(copy=first, by=by)
    assert Transfer.objects.count() == 4


@pytest.mark.slow
def test_a_members_name_in_a_paragraph_holds_the_pack_and_the_review_names_the_paragraph(
    world, sent, login
):
    person = world["participant"].person
    d = world["dialogue"]
    named = non_paper(
        d,
        ideas=sent["ideas"],
        level="Programme",
        paragraphs=("The gauges.", f"As {person.full_name} suggested, the data."),
        circulated=1,
        title="Named text",
    )
    version = named.versions.get(number=1)
    pack = ask(world, [("Amal Haddad", "Programme")], version=version)
    (copy,) = render_all(pack)
    pack.refresh_from_db()
    assert pack.guard == BriefingPack.Guard.HELD
    paragraph = version.paragraphs[1]["id"]
    assert copy.guard_findings == [{"paragraph": paragraph, "person": person.pk}]
    place = (
        "paragraph 2 of the non-paper “Named text”, version 1 (mend the working version, "
        "circulate it and send that one)"
    )
    edit = reverse("dialogues:non_paper_edit", args=[d.pk, named.pk])
    found = guard_findings_of(pack=pack, viewer=viewer_for_user(world["convenor"].person.user))
    assert [(f.copy_number, f.person, f.place, f.url) for f in found] == [(1, person, place, edit)]
    page = login(world["convenor"]).get(reverse("dialogues:pack_detail", args=[d.pk, pack.pk]))
    assert f'<a href="{edit}">{place}</a>' in page.content.decode()
    # Cleared below the non-paper's level: the place is not named.
    low = member_with_account(dialogue=d, role=Membership.Role.FACILITATOR, clearance="Public")
    found = guard_findings_of(pack=pack, viewer=viewer_for_user(low.person.user))
    assert [f.place for f in found] == [
        "material you cannot see (above your clearance, or removed since)"
    ]


def test_a_non_paper_changed_after_rendering_holds_the_release(world, sent):
    pack = ask(world, [("Amal Haddad", "Programme")], version=sent["v1"])
    rendered_at = timezone.now()
    pack.copies.update(state=BriefingPackCopy.State.READY, rendered_at=rendered_at, sha256="a" * 64)
    BriefingPack.objects.filter(pk=pack.pk).update(guard=BriefingPack.Guard.CLEAR)
    pack.refresh_from_db()
    by = world["facilitator"].person.user
    assert briefing.release_blockers(pack, by=by) == []
    made = sent["non_paper"]
    made.title = "Joint gauges, revised title"
    made.save()
    assert briefing.release_blockers(pack, by=by) == [briefing.CHANGED_SINCE_RENDER]
    # Raised above the recipient's clearance: rendering again would not mend it.
    made.level = level("Facilitators")
    made.save()
    assert briefing.release_blockers(pack, by=by) == [
        briefing.CHANGED_SINCE_RENDER,
        "The recipient of copy 1 may no longer read the non-paper this pack sends (its level or "
        "its ideas changed): request a new pack without them.",
    ]


# -- the pages -----------------------------------------------------------------------------------


def request_url(world, version=None):
    url = reverse("dialogues:pack_request", args=[world["dialogue"].pk])
    return url if version is None else f"{url}?non_paper_version={version}"


def test_the_request_page_sends_only_a_circulated_version_the_viewer_may_read(world, sent, login):
    recipients(world["dialogue"], ("Amal Haddad", "Programme"))
    client = login(world["convenor"])
    for version in (sent["working"].pk, "abc", 0, 999999):
        assert client.get(request_url(world, version)).status_code == 404, version
    NonPaperVersion.objects.filter(pk=sent["working"].pk).update(state=State.INTERNAL)
    assert client.get(request_url(world, sent["working"].pk)).status_code == 404
    response = client.get(request_url(world, sent["v1"].pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are sending version 1 of the non-paper “<bdi>Joint gauges</bdi>”." in html
    assert f'<input type="hidden" name="non_paper_version" value="{sent["v1"].pk}"' in html
    assert 'name="sessions"' not in html
    assert 'name="sessions"' in client.get(request_url(world)).content.decode()
    # A member of the team cleared below the non-paper's level may not send it.
    low = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Public"
    )
    assert login(low).get(request_url(world, sent["v1"].pk)).status_code == 404


def test_the_request_form_sends_the_version_and_names_an_official_who_may_not_read_it(
    world, sent, login, django_capture_on_commit_callbacks
):
    client = login(world["convenor"])
    amal, ben = recipients(
        world["dialogue"], ("Amal Haddad", "Programme"), ("Ben Okafor", "Public")
    )
    form = {"officials": [amal.pk, ben.pk], "note": "", "non_paper_version": sent["v1"].pk}
    response = client.post(request_url(world), form)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "officials": ["Ben Okafor's clearance “Public” does not let them read this non-paper."]
    }
    assert BriefingPack.objects.count() == 0
    form["officials"] = [amal.pk]
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(request_url(world), form)
    pack = BriefingPack.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "dialogues:pack_detail", args=[world["dialogue"].pk, pack.pk]
    )
    assert (pack.non_paper_version_id, list(pack.copies.values_list("official", flat=True))) == (
        sent["v1"].pk,
        [amal.pk],
    )
    # A hidden field naming a working version: 404, nothing made.
    form["non_paper_version"] = sent["working"].pk
    assert client.post(request_url(world), form).status_code == 404
    assert BriefingPack.objects.count() == 1


def test_a_non_paper_pack_is_named_by_the_non_paper_in_the_list_and_on_its_page(world, sent, login):
    pack = ask(
        world, [("Amal Haddad", "Programme"), ("Brian Osei", "Facilitators")], version=sent["v1"]
    )
    name = "Non-paper “Joint gauges”, version 1 for Amal Haddad and Brian Osei"
    convenor = viewer_for_user(world["convenor"].person.user)
    assert pack_name(pack, viewer=convenor) == name
    d = world["dialogue"].pk
    client = login(world["convenor"])
    listed = client.get(reverse("dialogues:pack_list", args=[d]))
    assert [p.name for p in listed.context["packs"]] == [name]
    page = client.get(reverse("dialogues:pack_detail", args=[d, pack.pk])).content.decode()
    assert f"<h1>{name}</h1>" in page
    version_url = reverse("dialogues:non_paper_version", args=[d, sent["non_paper"].pk, 1])
    assert (
        f'<a href="{version_url}">Version 1 of the non-paper “<bdi>Joint gauges</bdi>”</a>' in page
    )
    # Cleared below the non-paper's level: its title is not named.
    low = member_with_account(
        dialogue=world["dialogue"], role=Membership.Role.FACILITATOR, clearance="Public"
    )
    hidden = "Non-paper (above your clearance), version 1 for Amal Haddad and Brian Osei"
    assert pack_name(pack, viewer=viewer_for_user(low.person.user)) == hidden
    client = login(low)
    listed = client.get(reverse("dialogues:pack_list", args=[d]))
    assert [p.name for p in listed.context["packs"]] == [hidden]
    page = client.get(reverse("dialogues:pack_detail", args=[d, pack.pk])).content.decode()
    assert f"<h1>{hidden}</h1>" in page
    assert "Joint gauges" not in page


@pytest.mark.parametrize("size", [2, 12])
def test_the_pack_list_with_non_paper_packs_takes_the_same_queries(
    world, sent, login, size, django_assert_num_queries
):
    for n in range(size):
        ask(world, [(f"O{n} Official", "Programme")], version=sent["v1"])
    client = login(world["convenor"])
    url = reverse("dialogues:pack_list", args=[world["dialogue"].pk])
    client.get(url)
    with django_assert_num_queries(10):
        response = client.get(url)
    assert len(response.context["packs"]) == size
    assert (
        response.context["packs"][0].name
        == f"Non-paper “Joint gauges”, version 1 for O{size - 1} Official"
    )
