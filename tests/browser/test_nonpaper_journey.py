"""A non-paper in the browser (issue 19), at 1366 and 390 px: the convenor opens the demo idea,
drafts a non-paper from it and circulates version 1; a participant of each side comments on a
paragraph and reads only their own side's thread; the convenor reads both threads, replies in
the Osterlan one, edits the working version 2, compares it with version 1, circulates it and
asks for a briefing pack of it for the envoy, whose copy holds its words and no comment. Every
page passes axe-core and fits the window (``inspect``)."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from dialogues.demo.seed import DEMO_IDEA
from dialogues.models import BriefingPack, CaucusComment, Dialogue, NonPaper
from participants.models import User
from tests.browser.conftest import inspect, sign_in
from tests.conftest import enable_mfa

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TITLE = "A flow-data exchange for the second round"
OPENING = (
    "The facilitators offer this text on their own responsibility, for discussion only. It "
    "commits neither side and records no agreement."
)
EXCHANGE = (
    "Each bank would send the readings of its gauges on the Salt River to a neutral technical "
    "body every day of the dry season, from the highland stations above the Teodor Dam to the "
    "last gauge on the plain before the armistice line, and the body would publish one monthly "
    "record of the flows for both capitals and for the farmers' and engineers' associations "
    "of both banks."
)
RESERVATION = (
    "Nothing in the exchange would prejudge the armistice line, the ownership of the dam or "
    "any future allocation of water."
)
OPENING_V2 = OPENING.replace("for discussion only.", "for discussion at the second round.")
REVIEW = "The technical body would review the exchange with both sides after its first season."
SIDE_A_COMMENT = (
    "The farmers' union cannot defend a text that seems to bind it: say plainly that either "
    "side may leave the exchange at any time."
)
SIDE_B_COMMENT = (
    "Daily readings from the highland gauges are sensitive in Marovia; weekly figures would be "
    "easier to defend at home."
)
REPLY = "Noted: version 2 will say that the text is for the second round's discussion."


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())
    dialogue = Dialogue.objects.get(title="Salt River Dialogue")
    people = {
        "convenor": User.objects.get(email="facilitator@demo.trackii.org"),
        "osterlan": User.objects.get(email="participant@demo.trackii.org"),
        "marovian": User.objects.get(email="marovian@demo.trackii.org"),
    }
    enable_mfa(people["convenor"])
    return dialogue, people


def tabs(page):
    return page.get_by_role("navigation", name="Sections of this dialogue")


def paragraph(page, number: int):
    """The numbered paragraph of the version shown, with its threads."""
    return page.locator("ol.np-text > li.np-paragraph").nth(number - 1)


def thread_comments(page, number: int, name: str) -> list[str]:
    """The comments' words in one thread of a paragraph (``name``: the thread's label)."""
    thread = paragraph(page, number).get_by_role("region", name=name)
    return [text.strip() for text in thread.locator(".thread__comment .prose").all_inner_texts()]


def comment(page, number: int, words: str) -> None:
    """A participant's comment on a paragraph, for their side."""
    compose = paragraph(page, number).locator("details.thread__compose")
    compose.locator("summary").click()
    form = compose.locator("form.thread__form")
    form.get_by_label(f"Your side's comment on paragraph {number}").fill(words)
    form.get_by_role("button", name="Add the comment").click()
    expect(page.locator(".message--success")).to_have_text(re.compile("Your side's comment"))


def open_non_paper(page, dialogue) -> None:
    page.goto(f"/dialogues/{dialogue.pk}/")
    tabs(page).get_by_role("link", name="Non-papers").click()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)


def test_a_non_paper_is_drafted_commented_by_each_side_revised_and_sent_to_officials(journey, demo):
    dialogue, people = demo

    # The convenor opens the demo idea and drafts a non-paper from it.
    convenor = journey("convenor")
    sign_in(convenor, people["convenor"].email, user=people["convenor"])
    convenor.goto(f"/dialogues/{dialogue.pk}/")
    tabs(convenor).get_by_role("link", name="Ideas").click()
    convenor.get_by_role("link", name=DEMO_IDEA).click()
    expect(convenor.get_by_role("heading", level=1)).to_contain_text(DEMO_IDEA)
    inspect(convenor, "01-idea")
    convenor.get_by_role("link", name="Draft a non-paper from it").click()
    expect(convenor.get_by_role("heading", level=1)).to_have_text("Draft a non-paper")
    expect(convenor.get_by_role("checkbox", name=re.compile(f"^{DEMO_IDEA}"))).to_be_checked()
    convenor.fill("#id_title", TITLE)
    convenor.fill("#id_text", f"{OPENING}\n\n{EXCHANGE}\n\n{RESERVATION}")
    inspect(convenor, "02-draft")
    convenor.get_by_role("button", name="Draft it").click()
    expect(convenor.locator(".message--success")).to_have_text(
        "The non-paper was drafted: version 1 is its working text."
    )
    non_paper = NonPaper.objects.get(title=TITLE)
    assert [p["text"] for p in non_paper.versions.get().paragraphs] == [
        OPENING,
        EXCHANGE,
        RESERVATION,
    ]
    inspect(convenor, "03-working-version-1")
    convenor.get_by_role("button", name="Circulate version 1").click()
    expect(convenor.locator(".message--success")).to_contain_text("Version 1 is circulated")
    inspect(convenor, "04-circulated-version-1")

    # A participant of the Osterlan side comments on paragraph 1, in their side's thread.
    osterlan = journey("osterlan-participant")
    sign_in(osterlan, people["osterlan"].email)
    open_non_paper(osterlan, dialogue)
    expect(osterlan.get_by_text("You comment for Osterlan.")).to_be_visible()
    comment(osterlan, 1, SIDE_A_COMMENT)
    assert thread_comments(osterlan, 1, "Your side's comments on paragraph 1") == [SIDE_A_COMMENT]
    inspect(osterlan, "05-side-a-comment")

    # A participant of the Marovian side comments on paragraph 2 and reads only their own.
    marovian = journey("marovian-participant")
    sign_in(marovian, people["marovian"].email)
    open_non_paper(marovian, dialogue)
    expect(marovian.get_by_text("You comment for Marovian.")).to_be_visible()
    comment(marovian, 2, SIDE_B_COMMENT)
    assert thread_comments(marovian, 1, "Your side's comments on paragraph 1") == []
    assert thread_comments(marovian, 2, "Your side's comments on paragraph 2") == [SIDE_B_COMMENT]
    assert SIDE_A_COMMENT not in marovian.content()
    inspect(marovian, "06-side-b-comment")
    osterlan.reload()
    assert thread_comments(osterlan, 2, "Your side's comments on paragraph 2") == []
    assert SIDE_B_COMMENT not in osterlan.content()

    # The convenor reads both threads on version 1 and replies in the Osterlan one.
    convenor.goto(f"/dialogues/{dialogue.pk}/non-papers/{non_paper.pk}/v1/")
    assert thread_comments(convenor, 1, "Osterlan's comments on paragraph 1") == [SIDE_A_COMMENT]
    assert thread_comments(convenor, 1, "Marovian's comments on paragraph 1") == []
    assert thread_comments(convenor, 2, "Marovian's comments on paragraph 2") == [SIDE_B_COMMENT]
    assert thread_comments(convenor, 2, "Osterlan's comments on paragraph 2") == []
    expect(convenor.locator("main")).to_contain_text("Comments from the sides so far:")
    reply = paragraph(convenor, 1).get_by_role("region", name="Osterlan's comments on paragraph 1")
    reply.get_by_text("Reply to Osterlan on paragraph 1", exact=True).first.click()
    reply.get_by_label("Reply to Osterlan on paragraph 1").fill(REPLY)
    reply.get_by_role("button", name="Reply in this thread").click()
    expect(convenor.locator(".message--success")).to_have_text(
        "Your reply was added to Osterlan's thread."
    )
    assert thread_comments(convenor, 1, "Osterlan's comments on paragraph 1") == [
        SIDE_A_COMMENT,
        REPLY,
    ]
    inspect(convenor, "07-both-threads")
    assert list(
        CaucusComment.objects.filter(version__non_paper=non_paper)
        .order_by("created_at", "id")
        .values_list("side__name", "by_team")
    ) == [("Osterlan", False), ("Marovian", False), ("Osterlan", True)]
    # The reply reaches the Osterlan thread only.
    osterlan.reload()
    assert thread_comments(osterlan, 1, "Your side's comments on paragraph 1") == [
        SIDE_A_COMMENT,
        REPLY,
    ]
    marovian.reload()
    assert REPLY not in marovian.content()

    # The convenor edits the working version 2: words of paragraph 1 changed, one added.
    convenor.goto(f"/dialogues/{dialogue.pk}/non-papers/{non_paper.pk}/")
    expect(convenor.get_by_role("heading", level=2, name="For the convening team")).to_be_visible()
    convenor.get_by_role("link", name="Edit the text").click()
    expect(convenor.get_by_role("heading", level=1)).to_have_text("Edit version 2 (working)")
    convenor.get_by_label("Text of paragraph 1").fill(OPENING_V2)
    convenor.get_by_label("New paragraphs at the end").fill(REVIEW)
    convenor.get_by_label("What changed").fill("The round named; a review added.")
    inspect(convenor, "08-edit-version-2")
    convenor.get_by_role("button", name="Save the working text").click()
    expect(convenor.locator(".message--success")).to_have_text("Version 2 saved (still working).")

    # ... compares it with version 1, word by word ...
    convenor.get_by_role("link", name="Compare with version 1").click()
    expect(convenor.get_by_role("heading", level=1)).to_have_text("Version 1 and version 2")
    changes = convenor.locator("ol.np-diff")
    assert changes.locator("del").all_text_contents() == ["[deleted: only. ]"]
    assert changes.locator("ins").all_text_contents() == [
        "[inserted: at the second round. ]",
        f"[inserted: {REVIEW}]",
    ]
    inspect(convenor, "09-compare")

    # ... circulates it, and asks for a briefing pack of it for the envoy.
    convenor.get_by_role("link", name="Read version 2").click()
    convenor.get_by_role("button", name="Circulate version 2").click()
    expect(convenor.locator(".message--success")).to_contain_text("Version 2 is circulated")
    inspect(convenor, "10-circulated-version-2")
    version_2 = non_paper.versions.get(number=2)
    assert [p["text"] for p in version_2.paragraphs] == [OPENING_V2, EXCHANGE, RESERVATION, REVIEW]
    assert list(non_paper.versions.order_by("number").values_list("number", "state")) == [
        (1, "circulated"),
        (2, "circulated"),
        (3, "working"),
    ]
    packs_before = set(BriefingPack.objects.values_list("pk", flat=True))
    convenor.get_by_role("link", name="Send version 2 to officials").click()
    assert convenor.url.endswith(f"/packs/new/?non_paper_version={version_2.pk}")
    expect(convenor.locator("main")).to_contain_text(
        f"You are sending version 2 of the non-paper “{TITLE}”."
    )
    assert convenor.get_by_role("group", name="Sessions").count() == 0  # the text goes alone
    convenor.get_by_role("checkbox", name=re.compile(r"^Elena Marsh \(")).check()
    inspect(convenor, "11-pack-request")
    convenor.get_by_role("button", name="Request the pack").click()
    convenor.wait_for_url(re.compile(r"/packs/\d+/$"))
    [pack] = BriefingPack.objects.exclude(pk__in=packs_before)
    assert convenor.url.endswith(f"/dialogues/{dialogue.pk}/packs/{pack.pk}/")
    assert pack.non_paper_version == version_2
    expect(convenor.locator("main dl")).to_contain_text(
        f"Version 2 of the non-paper “{TITLE}”, alone: no sessions, outcomes or comments"
    )
    [copy] = pack.copies.all()
    assert (copy.recipient_name, copy.state) == ("Elena Marsh", "ready")
    inspect(convenor, "12-pack")
    # Her copy holds version 2's words and none of the sides' comments, nor the reply.
    with copy.file.open("rb") as handle:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(handle).pages).split())
    for words in ("for discussion at the second round", "review the exchange with both sides"):
        assert words in text
    for words in ("cannot defend a text", "sensitive in Marovia", "Noted: version 2"):
        assert words not in text
